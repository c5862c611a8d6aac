//! Add Protection Group in the real window, against moto's EC2 and SQS:
//! every step with a screenshot (an empty name and an untyped key refused
//! at their steps), the account's machines listed for the Machines step,
//! selection by tag, one machine excluded, Apply with its log, Finish
//! starting the rescan; the group's machines listed on selecting it (one
//! of another console shown as such and left alone), Rescan from the
//! ribbon creating no new queue, Edit from the context menu, the group
//! offered by the job wizard's Computers step, and Remove releasing the
//! machines.

use cairn_cloud::Ec2;
use cairn_tests::machine::{MachineStandIn, Sandbox};
use cairn_tests::services::*;
use cairn_tests::webdriver::Window;
use cairn_tests::wizard::{next_to, refused, set_value, title};

const TAG: &str = "cairn:console";

/// The session window's result once it ends (Success or Warning), and
/// its log; the window is closed.
fn session_ends(w: &Window, shot: &str) -> String {
    w.wait_for("#session-window");
    w.wait_until("the session ends", |w| {
        let s = w.texts("#session-status").join("");
        assert_ne!(s, "Failed", "{}", w.texts("#session-log").join("\n"));
        s == "Success" || s == "Warning"
    });
    w.screenshot(shot);
    let log = w.texts("#session-log").join("\n");
    w.click_on("#session-close");
    log
}

/// Cancel, and Discard when the wizard asks.
fn cancel_wizard(w: &Window) {
    w.click_on("#wiz-cancel");
    if !w.find_all("#wiz-discard").is_empty() {
        w.click_on("#wiz-discard");
    }
    w.wait_until("the wizard closed", |w| w.find_all(".wizard").is_empty());
}

fn mark(id: &str) -> Option<String> {
    Ec2::connect(&aws_access())
        .instances()
        .expect("describe")
        .into_iter()
        .find(|i| i.id == id)
        .expect("the instance")
        .tags
        .get(TAG)
        .cloned()
}

fn pane_rows(w: &Window) -> Vec<String> {
    w.texts("#group-machines-pane tbody tr")
}

#[test]
fn a_protection_group_added_rescanned_edited_and_removed_in_the_window() {
    let tier = unique("gui-web");
    let ec2 = ec2_client();
    let web1 = run_instance(&ec2, &[("Name", "gui-web-1"), ("tier", &tier)]);
    let web2 = run_instance(&ec2, &[("Name", "gui-web-2"), ("tier", &tier)]);
    let spare = run_instance(&ec2, &[("Name", "gui-web-spare"), ("tier", &tier)]);
    let foreign = run_instance(
        &ec2,
        &[("Name", "gui-web-other"), ("tier", &tier), (TAG, "another")],
    );
    let tmp = tempfile::tempdir().expect("tmp");
    let data = tmp.path().join("data");
    let machine = |id: &str| Sandbox {
        instance: id.into(),
        root: tmp.path().join(id),
        blocked: false,
    };
    let stand_in = MachineStandIn::start(vec![machine(&web1), machine(&web2)]);
    let dist = make_bucket(false);
    let w = Window::open(&["--data-dir", data.to_str().expect("utf8")]);
    w.click_on("[data-view='infrastructure']");
    w.click_on("[data-node='protection-groups']");
    w.click_on("#ribbon-add-protection-group");
    w.wait_until("the wizard", |w| title(w) == "Name");
    refused(&w, "empty name refused", "name is empty");
    set_value(&w, "#wiz-name", "web-tier");
    set_value(&w, "#wiz-description", "The web servers");
    w.screenshot("group-1-name");
    next_to(&w, "Cloud account");

    refused(&w, "no key refused", "enter the access key id");
    set_value(&w, "#wiz-access-key", "AKIAGUIGROUP");
    set_value(&w, "#wiz-secret", "test");
    set_value(&w, "#group-regions", "us-east-1");
    set_value(&w, "#wiz-endpoint", &s3_endpoint());
    w.screenshot("group-2-account");
    next_to(&w, "Machines");

    w.wait_until("the account's machines", |w| {
        w.find_all(&format!("#group-machines tr[data-machine='{foreign}']"))
            .len()
            == 1
    });
    set_value(&w, "#group-tags", &format!("tier={tier}"));
    set_value(&w, "#group-machine-search", &tier);
    w.screenshot("group-3-machines");
    next_to(&w, "Exclusions");

    w.wait_until("the four tagged machines", |w| {
        w.find_all("#group-chosen tbody tr").len() == 4
    });
    w.click_on(&format!(
        "#group-chosen tr[data-machine='{spare}'] .exclude-machine"
    ));
    w.wait_until("the spare excluded", |w| {
        w.script("return document.querySelector('#group-exclusions').value")
            .as_str()
            == Some(spare.as_str())
    });
    w.screenshot("group-4-exclusions");
    next_to(&w, "Options");
    set_value(&w, "#group-rescan-at", "25:00");
    refused(&w, "a bad time refused", "not a time of day");
    set_value(&w, "#group-rescan-at", "03:30");
    set_value(&w, "#group-dist-bucket", &dist);
    set_value(&w, "#group-dist-folder", "agents");
    w.screenshot("group-5-options");
    next_to(&w, "Review");
    let review = w.texts(".review dd").join(" | ");
    assert!(
        review.contains(&format!(
            "Installed through Systems Manager from s3://{dist}/agents"
        )),
        "{review}"
    );
    assert!(review.contains(&format!("any of tier={tier}")), "{review}");
    assert!(review.contains("Daily at 03:30"), "{review}");
    w.screenshot("group-6-review");
    next_to(&w, "Apply");
    let log = w.texts("#apply-log li").join("\n");
    assert!(log.contains("AWS AKIAGUIGROUP"), "{log}");
    assert!(log.contains("Protection group web-tier saved"), "{log}");
    w.screenshot("group-7-apply");
    next_to(&w, "Summary");
    w.screenshot("group-8-summary");
    w.click_on("#wiz-next");
    let first = session_ends(&w, "group-9-rescan-session");
    assert!(
        first.contains(
            "4 machine(s) found, 2 managed (2 new, 3 queue(s) created), 1 managed by another console, 1 excluded, 0 released; 2 agent(s) installed or updated"
        ),
        "{first}"
    );
    assert!(
        first.contains("gui-web-1: agent installed through Systems Manager"),
        "{first}"
    );

    // The group in the list; selecting it lists its machines.
    w.wait_until("the group listed", |w| {
        w.texts(".table-wrap .data-table td")
            .contains(&"web-tier".to_string())
    });
    w.click_row("web-tier");
    w.wait_until("its machines", |w| pane_rows(w).len() == 4);
    let rows = pane_rows(&w).join("\n");
    assert!(
        rows.contains("gui-web-other") && rows.contains("Managed by another console"),
        "{rows}"
    );
    assert!(rows.contains("Excluded"), "{rows}");
    assert_eq!(rows.matches("Agent installed").count(), 2, "{rows}");
    assert_eq!(
        rows.matches(&format!("{} (", cairn_agent::build::VERSION))
            .count(),
        2,
        "the agents' version and build: {rows}"
    );
    w.screenshot("group-10-machines");
    let me = mark(&web1).expect("web-1 carries the console's mark");
    assert_eq!(mark(&web2).as_ref(), Some(&me));
    assert_eq!(mark(&spare), None, "the excluded machine is not tagged");
    assert_eq!(mark(&foreign).as_deref(), Some("another"));

    // Rescan from the ribbon: nothing new.
    w.click_on("#ribbon-rescan");
    let second = session_ends(&w, "group-11-rescan-again");
    assert!(
        second.contains("2 managed (0 new, 0 queue(s) created)"),
        "{second}"
    );

    // Edit from the context menu starts from the saved settings.
    w.right_click(".table-wrap .data-table tbody tr", Some("web-tier"));
    w.click_on("#context-edit-group");
    w.wait_until("the edit wizard", |w| title(w) == "Name");
    assert_eq!(
        w.script("return document.querySelector('#wiz-name').value")
            .as_str(),
        Some("web-tier")
    );
    next_to(&w, "Cloud account");
    w.screenshot("group-12-edit-account");
    cancel_wizard(&w);

    // The job wizard offers the group and its machines.
    w.click_on("[data-view='home']");
    w.click_on("#ribbon-backup-job");
    w.click_on("#backup-job-linux");
    w.wait_until("the job wizard", |w| title(w) == "Job Mode");
    next_to(&w, "Name");
    set_value(&w, "#job-name", "Web servers");
    next_to(&w, "Computers");
    w.click_on("#job-add-computer");
    w.wait_until("the group offered", |w| {
        w.find_all("#job-group-list [data-group='web-tier']").len() == 1
            && w.find_all("#job-group-list [data-machine='web-tier/gui-web-1']")
                .len()
                == 1
    });
    w.screenshot("group-13-job-computers");
    w.click_on("#job-group-list [data-group='web-tier'] button");
    w.wait_until("the group added", |w| {
        w.texts("#job-computers .computer-row")
            .iter()
            .any(|t| t.contains("web-tier"))
    });
    cancel_wizard(&w);

    // Remove releases the machines.
    w.click_on("[data-view='infrastructure']");
    w.click_on("[data-node='protection-groups']");
    w.right_click(".table-wrap .data-table tbody tr", Some("web-tier"));
    w.click_on("#context-remove-group");
    w.screenshot("group-14-remove");
    w.click_on("#confirm-remove-group");
    w.wait_until("the group gone", |w| {
        !w.texts(".table-wrap .data-table td")
            .contains(&"web-tier".to_string())
    });
    assert_eq!(mark(&web1), None, "released: the console's mark removed");
    assert_eq!(mark(&web2), None);
    assert_eq!(mark(&foreign).as_deref(), Some("another"));
    let sqs = cairn_cloud::Sqs::connect(&aws_access());
    assert!(sqs
        .queue_url(&format!("cairn-{me}-{web1}"))
        .expect("look up")
        .is_none());
    assert!(
        !tmp.path().join(&web1).join("opt/cairn").exists(),
        "the agent removed through Systems Manager"
    );
    drop(stand_in);
}

#[test]
fn an_azure_protection_group_added_in_the_window_finds_its_tagged_vms() {
    use cairn_tests::arm::ArmStandIn;
    let (tenant, client, sub) = (
        "0d3f1a2b-1111-4222-8333-444455556666",
        "9c8b7a6d-1111-4222-8333-444455556666",
        "2e4f6a8c-1111-4222-8333-444455556666",
    );
    let arm = ArmStandIn::start(tenant, client, "gui-secret", sub);
    let tier = unique("gui-az");
    let a = arm.add_vm("az-web-1", false, "westeurope", &[("tier", &tier)]);
    let b = arm.add_vm("az-web-2", true, "northeurope", &[("tier", &tier)]);
    arm.add_vm("az-db", false, "westeurope", &[("tier", "db")]);
    let tmp = tempfile::tempdir().expect("tmp");
    let cli = cairn_tests::cli::Cairn::new(tmp.path());
    let container = make_container();
    let blob = azure_endpoint();
    cli.ok_stdin(
        &[
            "repo",
            "add",
            "azure",
            "Blob",
            "--account",
            AZURE_ACCOUNT,
            "--container",
            &container,
            "--endpoint",
            &blob,
            "--shared-key-stdin",
        ],
        &format!("{AZURE_KEY}\n"),
    );
    let w = Window::open(&["--data-dir", cli.data.to_str().expect("utf8")]);
    w.click_on("[data-view='infrastructure']");
    w.click_on("[data-node='protection-groups']");
    w.click_on("#ribbon-add-protection-group");
    w.wait_until("the wizard", |w| title(w) == "Name");
    set_value(&w, "#wiz-name", "azure-web");
    next_to(&w, "Cloud account");
    w.choose("#group-cloud", "azure");
    set_value(&w, "#group-subscription", sub);
    set_value(&w, "#group-tenant", tenant);
    refused(&w, "no service principal refused", "enter the client id");
    set_value(&w, "#wiz-access-key", client);
    set_value(&w, "#wiz-secret", "gui-secret");
    set_value(&w, "#wiz-endpoint", &arm.endpoint());
    set_value(&w, "#group-login-endpoint", &arm.endpoint());
    w.screenshot("group-azure-2-account");
    next_to(&w, "Machines");
    w.wait_until("the subscription's machines", |w| {
        w.find_all("#group-machines tbody tr[data-machine]").len() == 3
    });
    set_value(&w, "#group-tags", &format!("tier={tier}"));
    w.screenshot("group-azure-3-machines");
    next_to(&w, "Exclusions");
    w.wait_until("the two tagged machines", |w| {
        w.find_all("#group-chosen tbody tr").len() == 2
    });
    next_to(&w, "Options");
    refused(&w, "no queue account refused", "choose the storage account");
    w.choose(
        "#group-queue-credential",
        "Azure devstoreaccount1 shared key",
    );
    set_value(&w, "#group-queue-endpoint", &azure_queue_endpoint());
    w.screenshot("group-azure-5-options");
    next_to(&w, "Review");
    let review = w.texts(".review dd").join(" | ");
    assert!(
        review.contains("Microsoft Azure (subscription 2e4f6a8c…)"),
        "{review}"
    );
    next_to(&w, "Apply");
    let log = w.texts("#apply-log li").join("\n");
    assert!(log.contains(&format!("Azure {client}")), "{log}");
    next_to(&w, "Summary");
    w.click_on("#wiz-next");
    let rescan = session_ends(&w, "group-azure-9-rescan-session");
    assert!(
        rescan.contains("2 machine(s) found, 2 managed (2 new, 3 queue(s) created)"),
        "{rescan}"
    );
    w.click_row("azure-web");
    w.wait_until("its machines", |w| pane_rows(w).len() == 2);
    let rows = pane_rows(&w).join("\n");
    assert!(
        rows.contains("Windows") && rows.contains("northeurope"),
        "{rows}"
    );
    w.screenshot("group-azure-10-machines");
    let me = arm
        .tags(&a)
        .get(TAG)
        .cloned()
        .expect("az-web-1 carries the mark");
    assert_eq!(arm.tags(&b).get(TAG), Some(&me));
}
