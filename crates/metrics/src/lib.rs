//! The process's metrics and their [Prometheus text exposition]. The engine, the HTTP layer
//! and the scrape handler share one [`Metrics`] (injected, never global, so each app in a
//! test process counts only its own). What the database knows (queue depth, the oldest due
//! delivery, jobs by kind and state) is read at scrape time and passed in as [`Gauge`]s.
//!
//! Label values are bounded by what the platform defines (event types, outcomes, route
//! templates, status codes) or by what a tenant configured (its endpoints), never by request
//! input, so the series stay few.
//!
//! [Prometheus text exposition]: https://prometheus.io/docs/instrumenting/exposition_formats/

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::{Mutex, MutexGuard, PoisonError};

/// Upper bounds (seconds) of the attempt-latency histogram's buckets (the attempt timeout
/// is 10 s).
pub const LATENCY_BUCKETS: [f64; 11] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0];

/// A value read at scrape time: name, help, labels and value.
#[derive(Debug, Clone)]
pub struct Gauge {
    pub name: &'static str,
    pub help: &'static str,
    pub labels: Vec<(&'static str, String)>,
    pub value: f64,
}

#[derive(Debug, Default)]
struct Inner {
    /// Event type → (delivered, failed) attempts.
    deliveries: BTreeMap<String, [u64; 2]>,
    /// Bucket counts (cumulative at render), then the sum (seconds) and the count.
    latency: [u64; LATENCY_BUCKETS.len()],
    latency_sum: f64,
    latency_count: u64,
    /// Endpoint id → consecutive failed attempts.
    streaks: BTreeMap<String, u64>,
    /// Route template → (method, status) → requests.
    http: BTreeMap<String, BTreeMap<(&'static str, u16), u64>>,
}

/// The counters this process keeps. [`Metrics::off`] counts nothing: a server nobody scrapes
/// (no `FML_METRICS_TOKEN`) pays for no lock on its hot paths.
#[derive(Debug)]
pub struct Metrics {
    inner: Mutex<Inner>,
    on: bool,
}

impl Default for Metrics {
    fn default() -> Self {
        Self { inner: Mutex::default(), on: true }
    }
}

impl Metrics {
    /// Metrics that count nothing (every recording call returns at once).
    pub fn off() -> Self {
        Self { inner: Mutex::default(), on: false }
    }

    /// Whether this process counts.
    pub fn is_on(&self) -> bool {
        self.on
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // Counters stay usable after a panic elsewhere: they hold no invariant worth more.
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// One delivery attempt of `event` to `endpoint`: delivered or not, and how long it took.
    ///
    /// Keys are looked up borrowed and copied only the first time they are seen, so counting
    /// allocates nothing on the engine's steady path.
    pub fn attempt(&self, endpoint: &str, event: &str, delivered: bool, duration_ms: i64) {
        if !self.on {
            return;
        }
        let mut m = self.lock();
        let slot = usize::from(!delivered);
        match m.deliveries.get_mut(event) {
            Some(counts) => counts[slot] += 1,
            None => {
                let mut counts = [0; 2];
                counts[slot] = 1;
                m.deliveries.insert(event.to_owned(), counts);
            }
        }
        let secs = duration_ms.max(0) as f64 / 1000.0;
        if let Some(i) = LATENCY_BUCKETS.iter().position(|b| secs <= *b) {
            m.latency[i] += 1;
        }
        m.latency_sum += secs;
        m.latency_count += 1;
        match m.streaks.get_mut(endpoint) {
            Some(streak) => *streak = if delivered { 0 } else { *streak + 1 },
            None => {
                m.streaks.insert(endpoint.to_owned(), u64::from(!delivered));
            }
        }
    }

    /// One HTTP request answered: its route template (`/v1/cases/{caseId}`, or "unmatched"),
    /// method (its standard name, else "OTHER", so a client cannot mint series) and status.
    pub fn request(&self, route: &str, method: &str, status: u16) {
        if !self.on {
            return;
        }
        let method = match method {
            "GET" => "GET",
            "POST" => "POST",
            "PUT" => "PUT",
            "PATCH" => "PATCH",
            "DELETE" => "DELETE",
            "HEAD" => "HEAD",
            "OPTIONS" => "OPTIONS",
            _ => "OTHER",
        };
        let mut m = self.lock();
        let by_route = match m.http.get_mut(route) {
            Some(r) => r,
            None => m.http.entry(route.to_owned()).or_default(),
        };
        *by_route.entry((method, status)).or_insert(0) += 1;
    }

    /// The text exposition: these counters, then `gauges`.
    pub fn render(&self, gauges: &[Gauge]) -> String {
        let m = self.lock();
        let mut out = String::with_capacity(4096);
        header(&mut out, "fml_delivery_attempts_total", "counter", "Delivery attempts by outcome and event type.");
        for (outcome, slot) in [("delivered", 0), ("failed", 1)] {
            for (event, counts) in &m.deliveries {
                let n = counts[slot];
                let _ =
                    writeln!(out, "fml_delivery_attempts_total{{outcome=\"{outcome}\",event=\"{}\"}} {n}", esc(event));
            }
        }
        header(&mut out, "fml_delivery_attempt_duration_seconds", "histogram", "Delivery attempt latency.");
        let mut cumulative = 0;
        for (bound, n) in LATENCY_BUCKETS.iter().zip(m.latency) {
            cumulative += n;
            let _ = writeln!(out, "fml_delivery_attempt_duration_seconds_bucket{{le=\"{bound}\"}} {cumulative}");
        }
        let _ = writeln!(out, "fml_delivery_attempt_duration_seconds_bucket{{le=\"+Inf\"}} {}", m.latency_count);
        let _ = writeln!(out, "fml_delivery_attempt_duration_seconds_sum {}", m.latency_sum);
        let _ = writeln!(out, "fml_delivery_attempt_duration_seconds_count {}", m.latency_count);
        header(&mut out, "fml_endpoint_failure_streak", "gauge", "Consecutive failed attempts per endpoint.");
        for (endpoint, n) in &m.streaks {
            let _ = writeln!(out, "fml_endpoint_failure_streak{{endpoint=\"{}\"}} {n}", esc(endpoint));
        }
        header(&mut out, "fml_http_requests_total", "counter", "HTTP requests by route, method and status.");
        for (route, counts) in &m.http {
            for ((method, status), n) in counts {
                let _ = writeln!(
                    out,
                    "fml_http_requests_total{{route=\"{}\",method=\"{method}\",status=\"{status}\"}} {n}",
                    esc(route)
                );
            }
        }
        drop(m);
        let mut seen = Vec::new();
        for g in gauges {
            if !seen.contains(&g.name) {
                seen.push(g.name);
                header(&mut out, g.name, "gauge", g.help);
            }
            let labels: Vec<String> = g.labels.iter().map(|(k, v)| format!("{k}=\"{}\"", esc(v))).collect();
            let labels = if labels.is_empty() { String::new() } else { format!("{{{}}}", labels.join(",")) };
            let _ = writeln!(out, "{}{labels} {}", g.name, g.value);
        }
        out
    }
}

fn header(out: &mut String, name: &str, kind: &str, help: &str) {
    let _ = writeln!(out, "# HELP {name} {help}");
    let _ = writeln!(out, "# TYPE {name} {kind}");
}

/// A label value as the format escapes it: backslash, double quote and newline.
fn esc(v: &str) -> String {
    v.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_render_as_the_text_format() {
        let m = Metrics::default();
        m.attempt("ep1", "case.created", true, 40);
        m.attempt("ep1", "case.created", false, 12_000);
        m.attempt("ep1", "case.created", false, 3);
        m.request("/v1/cases/{caseId}", "GET", 200);
        let text =
            m.render(&[Gauge { name: "fml_jobs", help: "Jobs.", labels: vec![("kind", "a\"b".into())], value: 2.0 }]);
        assert!(text.contains("fml_delivery_attempts_total{outcome=\"failed\",event=\"case.created\"} 2"), "{text}");
        assert!(text.contains("fml_delivery_attempt_duration_seconds_bucket{le=\"0.005\"} 1"), "{text}");
        assert!(text.contains("fml_delivery_attempt_duration_seconds_bucket{le=\"0.05\"} 2"), "{text}");
        assert!(text.contains("fml_delivery_attempt_duration_seconds_bucket{le=\"10\"} 2"), "the 12 s one is over");
        assert!(text.contains("fml_delivery_attempt_duration_seconds_bucket{le=\"+Inf\"} 3"), "{text}");
        assert!(text.contains("fml_endpoint_failure_streak{endpoint=\"ep1\"} 2"), "{text}");
        assert!(text.contains("fml_http_requests_total{route=\"/v1/cases/{caseId}\",method=\"GET\",status=\"200\"} 1"));
        assert!(text.contains("fml_jobs{kind=\"a\\\"b\"} 2"), "{text}");
        m.attempt("ep1", "case.created", true, 1);
        assert!(m.render(&[]).contains("fml_endpoint_failure_streak{endpoint=\"ep1\"} 0"), "a success ends the streak");
    }

    #[test]
    fn off_counts_nothing() {
        let m = Metrics::off();
        m.attempt("ep1", "case.created", true, 40);
        m.request("/v1/cases", "POST", 201);
        let text = m.render(&[]);
        assert!(!text.contains("ep1") && !text.contains("/v1/cases"), "{text}");
        assert!(text.contains("fml_delivery_attempt_duration_seconds_count 0"), "{text}");
    }
}
