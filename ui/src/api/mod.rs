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
