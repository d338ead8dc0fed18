//! The document path (`bench/documents.sh`): N uploads over the analyst API, one file per
//! request, spread over cases — half certificates of incorporation (PDF text layers), half
//! passport photos (PNG text chunks with a machine-readable zone) — each then processed by the
//! server's job runner and its `document.processed` delivered to a verifying receiver.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

fn passport(i: u64) -> Vec<u8> {
    let given = format!("JANE<{}", char::from(b'A' + u8::try_from(i % 26).unwrap_or(0)));
    let zone = fml_domain::extraction::mrz::write_td3(
        "SMITH",
        &given,
        &format!("{:09}", i % 1_000_000_000),
        "800102",
        "310101",
    );
    fml_app::filetext::png_with_text(&format!("PASSPORT\n{zone}"))
}

fn certificate(i: u64) -> Vec<u8> {
    fml_app::filetext::pdf_of_lines(&[
        "CERTIFICATE OF INCORPORATION",
        &format!("Company number: {:08}", i),
        "Company name: Acme Holdings Ltd",
        "Date of incorporation: 4 March 2021",
        "The Registrar of Companies hereby certifies that the company is this day incorporated.",
    ])
}

fn multipart(name: &str, bytes: &[u8]) -> (String, Vec<u8>) {
    let boundary = "fml-bench-7d1e";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"{name}\"\r\n\
         Content-Type: application/octet-stream\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// Uploads N documents from `connections` tasks over N/10 cases; prints the upload rate and
/// latency percentiles as JSON.
pub async fn run(base: &str, client_token: &str, analyst_token: &str, n: u64, connections: usize) {
    fml_webhooks::client::install_tls();
    let http = reqwest::Client::builder().pool_max_idle_per_host(connections).build().expect("client");
    let run = uuid::Uuid::new_v4().simple().to_string();
    let mut cases = Vec::new();
    for i in 0..n.div_ceil(10) {
        let body = format!(
            r#"{{"customerEmail":"jane@acme.example","companyName":"Acme Holdings Ltd","crmRecordId":"doc_{run}_{i}"}}"#
        );
        let v: serde_json::Value = http
            .post(format!("{base}/v1/cases"))
            .bearer_auth(client_token)
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .expect("create")
            .json()
            .await
            .expect("json");
        cases.push(v["caseId"].as_str().expect("caseId").to_owned());
    }
    let cases = Arc::new(cases);
    let next = Arc::new(AtomicU64::new(0));
    let errors = Arc::new(AtomicU64::new(0));
    let latencies: Arc<Mutex<Vec<f64>>> = Arc::default();
    let start = Instant::now();
    let tasks: Vec<_> = (0..connections)
        .map(|_| {
            let (http, next, errors, latencies, cases) =
                (http.clone(), next.clone(), errors.clone(), latencies.clone(), cases.clone());
            let (base, token) = (base.to_owned(), analyst_token.to_owned());
            tokio::spawn(async move {
                let mut mine = Vec::new();
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= n {
                        break;
                    }
                    let case = &cases[usize::try_from(i / 10).unwrap_or(0)];
                    let (ct, body) = if i % 2 == 0 {
                        multipart("coi.pdf", &certificate(i))
                    } else {
                        multipart("passport.png", &passport(i))
                    };
                    let t = Instant::now();
                    let res = http
                        .post(format!("{base}/api/cases/{case}/documents"))
                        .bearer_auth(&token)
                        .header("content-type", ct)
                        .body(body)
                        .send()
                        .await;
                    match res {
                        Ok(r) if r.status().as_u16() == 201 => mine.push(t.elapsed().as_secs_f64() * 1000.0),
                        _ => {
                            errors.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                }
                latencies.lock().unwrap_or_else(|e| e.into_inner()).extend(mine);
            })
        })
        .collect();
    for t in tasks {
        let _ = t.await;
    }
    let secs = start.elapsed().as_secs_f64();
    let mut l = std::mem::take(&mut *latencies.lock().unwrap_or_else(|e| e.into_inner()));
    l.sort_by(f64::total_cmp);
    let pct = |p: f64| if l.is_empty() { 0.0 } else { l[((l.len() - 1) as f64 * p) as usize] };
    println!(
        "{{\"uploaded\": {}, \"uploads_per_s\": {:.0}, \"p50_ms\": {:.1}, \"p99_ms\": {:.1}, \"errors\": {}}}",
        l.len(),
        l.len() as f64 / secs,
        pct(0.5),
        pct(0.99),
        errors.load(Ordering::Relaxed)
    );
}
