//! Formatting of times, sizes and durations for lists.

/// Unix seconds → local date and time ("21/11/2026, 23:58:52").
pub fn time(secs: i64) -> String {
    if secs <= 0 {
        return String::new();
    }
    let d = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(secs as f64 * 1000.0));
    String::from(d.to_locale_string("en-GB", &wasm_bindgen::JsValue::UNDEFINED))
}

/// Optional time, empty when absent.
pub fn opt_time(secs: Option<i64>) -> String {
    secs.map(time).unwrap_or_default()
}

/// Bytes → "1.4 GB".
pub fn bytes(n: u64) -> String {
    const UNITS: [&str; 6] = ["B", "KB", "MB", "GB", "TB", "PB"];
    let mut v = n as f64;
    let mut u = 0;
    while v >= 1024.0 && u + 1 < UNITS.len() {
        v /= 1024.0;
        u += 1;
    }
    if u == 0 {
        format!("{n} B")
    } else {
        format!("{v:.1} {}", UNITS[u])
    }
}

/// Seconds → "1:02:03".
pub fn duration(secs: i64) -> String {
    let s = secs.max(0);
    format!("{}:{:02}:{:02}", s / 3600, (s / 60) % 60, s % 60)
}

/// A backup's name: its job and machine, or what a sealed one is.
pub fn backup_name(b: &cairn_model::BackupRow) -> String {
    if b.sealed {
        "Encrypted backup (give its password to see its job)".into()
    } else {
        format!("{} ({})", b.job_name, b.machine)
    }
}
