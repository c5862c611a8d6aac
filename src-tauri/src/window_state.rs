//! Remembers the main window's size between starts.

use crate::Shared;
use cairn_model::WindowSize;
use tauri::{LogicalSize, Manager, Runtime, Window, WindowEvent};

/// Applies the remembered size to the main window.
pub fn restore<R: Runtime>(app: &mut tauri::App<R>) {
    let Some(win) = app.get_webview_window("main") else {
        return;
    };
    let Ok(console) = &app.state::<Shared>().0 else {
        return;
    };
    if let Ok(Some(size)) = console.window_size() {
        if size.width >= 600.0 && size.height >= 400.0 {
            let _ = win.set_size(LogicalSize::new(size.width, size.height));
        }
    }
}

/// Saves the size when the window is resized or closed.
pub fn on_event<R: Runtime>(window: &Window<R>, event: &WindowEvent) {
    if !matches!(
        event,
        WindowEvent::CloseRequested { .. } | WindowEvent::Resized(_)
    ) {
        return;
    }
    let Ok(console) = &window.state::<Shared>().0 else {
        return;
    };
    let (Ok(size), Ok(scale)) = (window.inner_size(), window.scale_factor()) else {
        return;
    };
    let logical = size.to_logical::<f64>(scale);
    if logical.width < 600.0 || logical.height < 400.0 {
        return;
    }
    let _ = console.save_window_size(WindowSize {
        width: logical.width,
        height: logical.height,
    });
}
