//! OpenTelemetry trace export, off unless `FML_OTLP_ENDPOINT` is set: a `tracing` layer that
//! turns the request span and the delivery-attempt span into OTLP spans and posts them, in
//! batches, as OTLP/HTTP JSON to `<endpoint>/v1/traces`. No OpenTelemetry SDK: the few
//! hundred lines it takes are cheaper to build than the SDK's dependency tree.
//!
//! One trace runs from the API request to every delivery attempt of the events it caused:
//! a command records the current span's W3C `traceparent` on each event it emits
//! ([`fml_store::trace`]), the outbox keeps it, and the engine's attempt span names it as its
//! remote parent. Receivers get the `traceparent` header too.
//!
//! Bounded: at most [`QUEUE`] finished spans wait for export; beyond that they are dropped
//! (and counted in a warning), never blocking a request.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id};
use tracing::{Subscriber, span};
use tracing_subscriber::Layer;
use tracing_subscriber::layer::Context;
use tracing_subscriber::registry::LookupSpan;

/// Finished spans waiting for export, at most.
pub const QUEUE: usize = 4096;
/// How often the queue is sent.
const EVERY: Duration = Duration::from_secs(1);

/// One span being recorded (kept in the span's extensions).
#[derive(Debug, Clone)]
struct Data {
    trace: [u8; 16],
    id: [u8; 8],
    parent: Option<[u8; 8]>,
    name: &'static str,
    start: SystemTime,
    attributes: HashMap<&'static str, String>,
}

/// The layer; [`Exporter::run`] sends what it collects.
#[derive(Debug, Clone)]
pub struct OtlpLayer {
    queue: Arc<Mutex<Queue>>,
}

#[derive(Debug, Default)]
struct Queue {
    spans: Vec<Value>,
    dropped: u64,
}

/// Sends the layer's spans to the collector.
#[derive(Debug)]
pub struct Exporter {
    queue: Arc<Mutex<Queue>>,
    url: String,
    service: String,
}

/// The layer and its exporter, for a collector at `endpoint` (`http://collector:4318`).
pub fn layer(endpoint: &str, service: &str) -> (OtlpLayer, Exporter) {
    let queue = Arc::new(Mutex::new(Queue::default()));
    let url = format!("{}/v1/traces", endpoint.trim_end_matches('/'));
    fml_store::trace::install(current_traceparent);
    (OtlpLayer { queue: queue.clone() }, Exporter { queue, url, service: service.to_owned() })
}

fn random<const N: usize>() -> [u8; N] {
    let mut b = [0u8; N];
    fml_domain::secret::fill_random(&mut b);
    b
}

/// `00-<trace>-<span>-01` of a span.
fn traceparent(trace: &[u8; 16], span: &[u8; 8]) -> String {
    format!("00-{}-{}-01", hex::encode(trace), hex::encode(span))
}

/// A W3C `traceparent`'s trace and parent span ids.
fn parse_traceparent(raw: &str) -> Option<([u8; 16], [u8; 8])> {
    let mut parts = raw.split('-');
    let (_version, trace, span) = (parts.next()?, parts.next()?, parts.next()?);
    let trace: [u8; 16] = hex::decode(trace).ok()?.try_into().ok()?;
    let span: [u8; 8] = hex::decode(span).ok()?.try_into().ok()?;
    (trace != [0; 16] && span != [0; 8]).then_some((trace, span))
}

/// The current span's `traceparent`, when the layer records it.
pub fn current_traceparent() -> Option<String> {
    let span = tracing::Span::current();
    let id = span.id()?;
    span.with_subscriber(|(_, dispatch)| {
        let registry = dispatch.downcast_ref::<tracing_subscriber::Registry>()?;
        let data = registry.span(&id)?;
        let ext = data.extensions();
        ext.get::<Data>().map(|d| traceparent(&d.trace, &d.id))
    })
    .flatten()
}

struct Fields<'a>(&'a mut HashMap<&'static str, String>);

impl Visit for Fields<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        let mut s = String::new();
        let _ = write!(s, "{value:?}");
        self.0.insert(field.name(), s);
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name(), value.to_owned());
    }
}

impl<S> Layer<S> for OtlpLayer
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        let Some(span) = ctx.span(id) else { return };
        let mut attributes = HashMap::new();
        attrs.record(&mut Fields(&mut attributes));
        let remote = attributes.remove("traceparent").as_deref().and_then(parse_traceparent);
        let local = span.parent().and_then(|p| p.extensions().get::<Data>().map(|d| (d.trace, d.id)));
        let (trace, parent) = match (local, remote) {
            (Some((t, p)), _) | (None, Some((t, p))) => (t, Some(p)),
            (None, None) => (random(), None),
        };
        let data = Data { trace, id: random(), parent, name: span.name(), start: SystemTime::now(), attributes };
        span.extensions_mut().insert(data);
    }

    fn on_record(&self, id: &Id, values: &span::Record<'_>, ctx: Context<'_, S>) {
        if let Some(span) = ctx.span(id)
            && let Some(d) = span.extensions_mut().get_mut::<Data>()
        {
            values.record(&mut Fields(&mut d.attributes));
        }
    }

    fn on_close(&self, id: Id, ctx: Context<'_, S>) {
        let Some(span) = ctx.span(&id) else { return };
        let Some(d) = span.extensions_mut().remove::<Data>() else { return };
        let nanos = |t: SystemTime| t.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_nanos()).to_string();
        let mut attributes: Vec<(&&str, &String)> = d.attributes.iter().collect();
        attributes.sort();
        let mut out = json!({
            "traceId": hex::encode(d.trace),
            "spanId": hex::encode(d.id),
            "name": d.name,
            // A request is served (SERVER); a delivery attempt calls out (CLIENT).
            "kind": if d.name == "delivery" { 3 } else { 2 },
            "startTimeUnixNano": nanos(d.start),
            "endTimeUnixNano": nanos(SystemTime::now()),
            "attributes": attributes.iter().map(|(k, v)| json!({"key": k, "value": {"stringValue": v}})).collect::<Vec<_>>(),
        });
        if let Some(p) = d.parent {
            out["parentSpanId"] = hex::encode(p).into();
        }
        let mut q = self.queue.lock().unwrap_or_else(PoisonError::into_inner);
        if q.spans.len() < QUEUE {
            q.spans.push(out);
        } else {
            q.dropped += 1;
        }
    }
}

impl Exporter {
    /// Sends the queue every second, for ever (spawn it).
    pub async fn run(self) {
        fml_webhooks::client::install_tls();
        let client = reqwest::Client::builder().timeout(Duration::from_secs(10)).build().unwrap_or_default();
        loop {
            tokio::time::sleep(EVERY).await;
            let (spans, dropped) = {
                let mut q = self.queue.lock().unwrap_or_else(PoisonError::into_inner);
                (std::mem::take(&mut q.spans), std::mem::take(&mut q.dropped))
            };
            if dropped > 0 {
                tracing::warn!(dropped, "trace export fell behind: spans were dropped");
            }
            if spans.is_empty() {
                continue;
            }
            let body = json!({"resourceSpans": [{
                "resource": {"attributes": [{"key": "service.name", "value": {"stringValue": self.service}}]},
                "scopeSpans": [{"scope": {"name": "fml"}, "spans": spans}],
            }]});
            match client.post(&self.url).json(&body).send().await {
                Ok(r) if r.status().is_success() => {}
                Ok(r) => tracing::warn!(status = r.status().as_u16(), "the trace collector refused a batch"),
                Err(e) => tracing::warn!(error = %e, "the trace collector cannot be reached"),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn traceparents_round_trip_and_refuse_junk() {
        let (t, s) = ([7u8; 16], [9u8; 8]);
        assert_eq!(parse_traceparent(&traceparent(&t, &s)), Some((t, s)));
        for bad in ["", "00-zz-01", "00-00000000000000000000000000000000-0909090909090909-01", "00-0707-0909-01"] {
            assert_eq!(parse_traceparent(bad), None, "{bad}");
        }
    }
}
