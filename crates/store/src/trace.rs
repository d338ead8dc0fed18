//! The trace an event belongs to: when trace export is on, the host installs a function that
//! reads the current span's W3C `traceparent`, and each event written to the outbox keeps it,
//! so the delivery attempts it causes join the trace of the request that caused it. Off, no
//! function is installed and nothing is read or stored.

use std::sync::OnceLock;

static CURRENT: OnceLock<fn() -> Option<String>> = OnceLock::new();

/// Installs the reader of the current `traceparent` (once per process; later calls are
/// ignored).
pub fn install(current: fn() -> Option<String>) {
    let _ = CURRENT.set(current);
}

/// The current span's `traceparent`, when trace export is on.
pub fn current() -> Option<String> {
    CURRENT.get().and_then(|f| f())
}
