//! Typed calls to the backend over Tauri's `invoke`. Every request is a
//! [`Command`] from `cairn-model`; errors come back as [`ApiError`].

use cairn_model::api::Command;
use cairn_model::{ApiError, ErrorKind};
use serde::Serialize;
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = ["window", "__TAURI__", "core"], js_name = invoke, catch)]
    async fn tauri_invoke(cmd: &str, args: JsValue) -> Result<JsValue, JsValue>;
}

#[derive(Serialize)]
struct Args<'a, C: Serialize> {
    req: &'a C,
}

/// Sends a command and decodes its reply.
pub async fn call<C: Command>(req: &C) -> Result<C::Response, ApiError> {
    let ser = serde_wasm_bindgen::Serializer::json_compatible();
    let args = Args { req }
        .serialize(&ser)
        .map_err(|e| ApiError::new(ErrorKind::Internal, format!("cannot encode request: {e}")))?;
    match tauri_invoke(C::NAME, args).await {
        Ok(v) => serde_wasm_bindgen::from_value(v).map_err(|e| {
            ApiError::new(
                ErrorKind::Internal,
                format!("unexpected reply to {}: {e}", C::NAME),
            )
        }),
        Err(e) => Err(
            serde_wasm_bindgen::from_value::<ApiError>(e.clone()).unwrap_or_else(|_| {
                ApiError::new(
                    ErrorKind::Internal,
                    e.as_string()
                        .unwrap_or_else(|| format!("{} failed", C::NAME)),
                )
            }),
        ),
    }
}

#[wasm_bindgen]
extern "C" {
    /// Tauri's IPC channel: the backend pushes messages to `onmessage`.
    #[wasm_bindgen(js_namespace = ["window", "__TAURI__", "core"], js_name = Channel)]
    type IpcChannel;
    #[wasm_bindgen(constructor, js_namespace = ["window", "__TAURI__", "core"], js_class = "Channel")]
    fn new() -> IpcChannel;
    #[wasm_bindgen(method, setter, js_name = onmessage)]
    fn set_onmessage(this: &IpcChannel, f: &js_sys::Function);
}

/// Streams a session's events (progress, log lines, the end) to `on_event`
/// until it ends or the watch id answered is unwatched. Errors starting
/// the stream come back at once.
pub async fn watch_session(
    id: i64,
    on_event: impl Fn(cairn_model::api::SessionEvent) + 'static,
) -> Result<u64, ApiError> {
    let channel = IpcChannel::new();
    let handler = Closure::<dyn Fn(JsValue)>::new(move |v: JsValue| {
        if let Ok(ev) = serde_wasm_bindgen::from_value(v) {
            on_event(ev);
        }
    });
    channel.set_onmessage(handler.as_ref().unchecked_ref());
    // The window keeps listening for the session's life; the closure stays.
    handler.forget();
    let ser = serde_wasm_bindgen::Serializer::json_compatible();
    let req = cairn_model::api::WatchSession { id }
        .serialize(&ser)
        .map_err(|e| ApiError::new(ErrorKind::Internal, format!("cannot encode request: {e}")))?;
    let args = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&args, &"req".into(), &req);
    let _ = js_sys::Reflect::set(&args, &"onEvent".into(), &channel);
    let answer = tauri_invoke(cairn_model::api::WatchSession::NAME, args.into())
        .await
        .map_err(|e| {
            serde_wasm_bindgen::from_value::<ApiError>(e)
                .unwrap_or_else(|_| ApiError::new(ErrorKind::Internal, "cannot follow the session"))
        })?;
    serde_wasm_bindgen::from_value(answer)
        .map_err(|_| ApiError::new(ErrorKind::Internal, "the session watch answered no id"))
}
