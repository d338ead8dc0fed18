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

/// One file to a case over the analyst API: whether it was taken (201).
async fn upload(http: &reqwest::Client, base: &str, token: &str, case: &str, name: &str, bytes: &[u8]) -> bool {
    let (ct, body) = multipart(name, bytes);
    let res = http
        .post(format!("{base}/api/cases/{case}/documents"))
        .bearer_auth(token)
        .header("content-type", ct)
        .body(body)
        .send()
        .await;
    res.is_ok_and(|r| r.status().as_u16() == 201)
}

/// Uploads N documents from `connections` tasks over N/10 cases; prints the upload rate and
/// latency percentiles as JSON. With `bombs` > 0 (the abuse run of issue 16), that many hostile
/// files (the four kinds of [`fml_app::filetext::samples::bombs`] in turn) are uploaded at once
/// to a case of their own as the run starts, and the run also waits for each to end `error`.
pub async fn run(base: &str, client_token: &str, analyst_token: &str, n: u64, connections: usize, bombs: usize) {
    fml_webhooks::client::install_tls();
    let http = reqwest::Client::builder().pool_max_idle_per_host(connections).build().expect("client");
    let run = uuid::Uuid::new_v4().simple().to_string();
    let mut cases = Vec::new();
    // Case 0 takes the bombs (when there are any); the others take N/10 documents each.
    for i in 0..=n.div_ceil(10) {
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
    let bomb_case = cases.remove(0);
    let cases = Arc::new(cases);
    let bomb_uploads: Vec<_> = fml_app::filetext::samples::bombs::all()
        .into_iter()
        .cycle()
        .take(bombs)
        .map(|b| {
            let (http, base, token, case) =
                (http.clone(), base.to_owned(), analyst_token.to_owned(), bomb_case.clone());
            tokio::spawn(async move { upload(&http, &base, &token, &case, b.filename, &b.bytes).await })
        })
        .collect();
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
                    let (name, bytes) =
                        if i % 2 == 0 { ("coi.pdf", certificate(i)) } else { ("passport.png", passport(i)) };
                    let t = Instant::now();
                    if upload(&http, &base, &token, case, name, &bytes).await {
                        mine.push(t.elapsed().as_secs_f64() * 1000.0);
                    } else {
                        errors.fetch_add(1, Ordering::Relaxed);
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
    let mut bombs_accepted = 0;
    for b in bomb_uploads {
        bombs_accepted += usize::from(b.await.unwrap_or(false));
    }
    let bomb_outcomes = if bombs > 0 {
        bomb_outcomes(&http, base, analyst_token, &bomb_case, bombs_accepted).await
    } else {
        Default::default()
    };
    let mut l = std::mem::take(&mut *latencies.lock().unwrap_or_else(|e| e.into_inner()));
    l.sort_by(f64::total_cmp);
    let pct = |p: f64| if l.is_empty() { 0.0 } else { l[((l.len() - 1) as f64 * p) as usize] };
    println!(
        "{}",
        serde_json::json!({
            "uploaded": l.len(),
            "uploads_per_s": (l.len() as f64 / secs).round(),
            "p50_ms": (pct(0.5) * 10.0).round() / 10.0,
            "p99_ms": (pct(0.99) * 10.0).round() / 10.0,
            "errors": errors.load(Ordering::Relaxed),
            "bombs": bombs, "bombsAccepted": bombs_accepted, "bombOutcomes": bomb_outcomes,
        })
    );
}

/// Waits (two minutes at most) until the bomb case's `accepted` documents have all left
/// `uploaded`; how many ended in each status, with the reason of each error.
async fn bomb_outcomes(
    http: &reqwest::Client,
    base: &str,
    token: &str,
    case: &str,
    accepted: usize,
) -> std::collections::BTreeMap<String, usize> {
    let mut counts = std::collections::BTreeMap::new();
    for _ in 0..1200 {
        let list: serde_json::Value =
            match http.get(format!("{base}/api/cases/{case}/documents")).bearer_auth(token).send().await {
                Ok(r) => r.json().await.unwrap_or_default(),
                Err(_) => serde_json::Value::Null,
            };
        let docs = list["data"].as_array().cloned().unwrap_or_default();
        counts.clear();
        for d in &docs {
            let key = match (d["status"].as_str(), d["processingError"].as_str()) {
                (Some(s), Some(e)) => format!("{s}: {e}"),
                (s, _) => s.unwrap_or("?").to_owned(),
            };
            *counts.entry(key).or_insert(0) += 1;
        }
        if docs.len() >= accepted && !counts.contains_key("uploaded") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    counts
}
