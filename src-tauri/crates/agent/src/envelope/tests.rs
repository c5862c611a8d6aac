use super::*;
use crate::messages::{Body, OrderResult};

const NOW: i64 = 1_800_000_000;

fn header(kind: MessageKind) -> Header {
    Header {
        v: PROTOCOL_VERSION,
        id: new_id(),
        correlation: None,
        kind,
        sent: NOW,
        expires: NOW + 600,
        sender: "console:c1".into(),
        recipient: "agent:i-1".into(),
    }
}

fn agent_side() -> Endpoints {
    Endpoints {
        me: "agent:i-1".into(),
        peer: "console:c1".into(),
    }
}

#[test]
fn a_sealed_command_opens_with_the_same_key_and_keeps_its_body() {
    let key = AgentKey::generate();
    let body = Body::Cancel { order: "o1".into() };
    let text = seal(&key, &header(MessageKind::Cancel), &body).expect("seal");
    let got = open(&key, &agent_side(), &text, NOW).expect("open");
    assert_eq!(got.body, body);
    assert!(!text.contains("o1"), "the body travels encrypted: {text}");
}

#[test]
fn a_command_sealed_with_another_key_is_a_bad_signature() {
    let text = seal(
        &AgentKey::generate(),
        &header(MessageKind::Status),
        &Body::Status,
    )
    .expect("seal");
    let got = open(&AgentKey::generate(), &agent_side(), &text, NOW);
    assert_eq!(got.err(), Some(Rejected::BadSignature));
}

#[test]
fn an_altered_header_breaks_the_seal() {
    let key = AgentKey::generate();
    let text = seal(&key, &header(MessageKind::Status), &Body::Status).expect("seal");
    let mut env: serde_json::Value = serde_json::from_str(&text).expect("json");
    env["expires"] = serde_json::json!(NOW + 1_000_000);
    let got = open(&key, &agent_side(), &env.to_string(), NOW);
    assert_eq!(got.err(), Some(Rejected::BadSignature));
}

#[test]
fn an_expired_command_is_refused_even_when_genuine() {
    let key = AgentKey::generate();
    let text = seal(&key, &header(MessageKind::Status), &Body::Status).expect("seal");
    let got = open(&key, &agent_side(), &text, NOW + 601);
    assert_eq!(got.err(), Some(Rejected::Expired { expires: NOW + 600 }));
}

#[test]
fn a_message_for_another_agent_or_from_another_sender_is_misaddressed() {
    let key = AgentKey::generate();
    let text = seal(&key, &header(MessageKind::Status), &Body::Status).expect("seal");
    let other = Endpoints {
        me: "agent:i-2".into(),
        peer: "console:c1".into(),
    };
    assert!(matches!(
        open(&key, &other, &text, NOW),
        Err(Rejected::Misaddressed { .. })
    ));
    // The console's own command looped back is not a result from the agent.
    let console = Endpoints {
        me: "console:c1".into(),
        peer: "agent:i-1".into(),
    };
    assert!(matches!(
        open(&key, &console, &text, NOW),
        Err(Rejected::Misaddressed { .. })
    ));
}

#[test]
fn a_body_that_disagrees_with_its_header_is_not_sealed() {
    let key = AgentKey::generate();
    let body = Body::Finished(OrderResult::Failed { reason: "x".into() });
    assert!(seal(&key, &header(MessageKind::Status), &body).is_err());
}

#[test]
fn oversized_and_garbage_input_is_refused_without_panicking() {
    let key = AgentKey::generate();
    let big = "x".repeat(MAX_ENVELOPE + 1);
    assert_eq!(
        open(&key, &agent_side(), &big, NOW).err(),
        Some(Rejected::TooLarge(MAX_ENVELOPE + 1))
    );
    for junk in ["", "{}", "[]", "null", "{\"v\":1}", "\u{0}\u{ffff}"] {
        assert!(open(&key, &agent_side(), junk, NOW).is_err(), "{junk:?}");
    }
    let mut h = header(MessageKind::Status);
    h.v = 2;
    let text = seal(&key, &h, &Body::Status).expect("seal");
    assert_eq!(
        open(&key, &agent_side(), &text, NOW).err(),
        Some(Rejected::Version(2))
    );
}

#[test]
fn a_key_round_trips_through_hex_and_bad_hex_is_refused() {
    let key = AgentKey::generate();
    let back = AgentKey::from_hex(&key.to_hex()).expect("hex");
    let text = seal(&key, &header(MessageKind::Hello), &Body::Hello).expect("seal");
    assert!(open(&back, &agent_side(), &text, NOW).is_ok());
    assert!(AgentKey::from_hex("abcd").is_none());
    assert!(AgentKey::from_hex(&"zz".repeat(32)).is_none());
    assert_eq!(format!("{key:?}"), "AgentKey(‹secret›)");
}
