//! Document processing: every upload is classified and read in the background
//! (`document.processed`, schema-checked), a file that cannot be read becomes `error` (no event)
//! for the analyst override, and what a certificate says fills the customer's application so
//! their review's corrections become `data.corrected`.

use fml_domain::lifecycle::Role;
use serde_json::{Value, json};

use crate::catalog::assert_valid;
use crate::documents::{PDF, multipart};
use crate::helpers::{Backend, TestApp, eventually, recipe_body, spawn};

/// A photo of a passport's data page: its text in a PNG text chunk, with a valid zone.
pub fn passport_png(surname: &str, given: &str, number: &str, dob: &str) -> Vec<u8> {
    let zone = fml_domain::extraction::mrz::write_td3(surname, given, number, dob, "310101");
    fml_app::filetext::png_with_text(&format!("PASSPORT\n{zone}"))
}

pub fn certificate(company: &str, number: &str) -> Vec<u8> {
    fml_app::filetext::pdf_of_lines(&[
        "CERTIFICATE OF INCORPORATION",
        "OF A PRIVATE LIMITED COMPANY",
        &format!("Company number: {number}"),
        &format!("Company name: {company}"),
        "Date of incorporation: 4 March 2021",
        "The Registrar of Companies for England and Wales hereby certifies that the company is this day incorporated.",
    ])
}

async fn upload(app: &TestApp, token: &str, case: &str, files: &[(&str, &[u8])]) -> Vec<i64> {
    let (status, v) = crate::documents::upload(app, token, case, files).await;
    assert_eq!(status, 201, "{v}");
    v["data"].as_array().unwrap().iter().map(|d| d["id"].as_i64().unwrap()).collect()
}

/// The case's documents once none is waiting for processing.
pub async fn processed(app: &TestApp, token: &str, case: &str) -> Vec<Value> {
    eventually(20, || async {
        let (_, list) = app.get_json(token, &format!("/api/cases/{case}/documents")).await;
        let docs = list["data"].as_array().unwrap().clone();
        docs.iter().all(|d| d["status"] != "uploaded").then_some(docs)
    })
    .await
}

async fn uploads_are_classified_and_read(b: Backend) {
    let app = spawn(b).await;
    let a = app.analyst(Role::Analyst).await;
    let token = app.token().await;
    let v: Value = app.create_case(&token, None, &recipe_body("crm-proc-1")).await.json().await.unwrap();
    let case = v["caseId"].as_str().unwrap().to_owned();
    let coi = certificate("Acme Holdings Limited", "12345678");
    let passport = passport_png("SMITH", "JANE", "123456789", "800102");
    let ids =
        upload(&app, &a.token, &case, &[("coi.pdf", &coi), ("passport.png", &passport), ("broken.pdf", PDF)]).await;

    let docs = processed(&app, &a.token, &case).await;
    let by_id = |id: i64| docs.iter().find(|d| d["id"] == id).unwrap().clone();
    let coi = by_id(ids[0]);
    assert_eq!(
        (coi["status"].as_str(), coi["documentType"].as_str()),
        (Some("complete"), Some("Certificate of Incorporation"))
    );
    let fields: Vec<(&str, &str)> = coi["extraction"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["name"].as_str().unwrap(), f["value"].as_str().unwrap()))
        .collect();
    assert!(fields.contains(&("companyNumber", "12345678")), "{fields:?}");
    assert!(fields.contains(&("incorporationDate", "2021-03-04")), "{fields:?}");
    assert_eq!(coi["extraction"]["confidence"], "High", "{coi}");
    assert_eq!(coi["extraction"]["engine"], "rules-v1");
    let passport = by_id(ids[1]);
    assert_eq!(passport["documentType"], "Passport");
    assert!(
        passport["extraction"]["fields"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["name"] == "fullName" && f["value"] == "Jane Smith" && f["source"] == "mrz")
    );
    let broken = by_id(ids[2]);
    assert_eq!(broken["status"], "error");
    assert_eq!(broken["processingError"], "the PDF has no pages", "{broken}");
    assert!(broken["extraction"].is_null());

    // One event per processed document, none for the error.
    let events: Vec<Value> =
        app.timeline_all(&a.token, &case).await.into_iter().filter(|e| e["event"] == "document.processed").collect();
    assert_eq!(events.len(), 2);
    for e in &events {
        assert_valid(&app, &e.to_string()).await;
        assert_eq!(e["status"], "complete");
    }
    let coi_event = events.iter().find(|e| e["documentId"] == ids[0]).unwrap();
    assert_eq!(coi_event["filename"], "coi.pdf");
    assert_eq!((coi_event["warningCount"].as_u64(), coi_event["missingFieldCount"].as_u64()), (Some(0), Some(0)));

    // The errored document is the analyst's to override; a processed one is not.
    let path = |id: i64| format!("/api/cases/{case}/documents/{id}/override");
    let (code, res) = app.post_json(&a.token, &path(ids[0]), &json!({"action": "approve", "note": "ok"})).await;
    assert_eq!((code, res["error"].as_str()), (409, Some("document_not_in_error")));
    let (code, res) =
        app.post_json(&a.token, &path(ids[2]), &json!({"action": "approve", "note": "read by hand"})).await;
    assert_eq!((code, res["status"].as_str()), (200, Some("approved")), "{res}");
}

async fn a_certificate_fills_the_review_step(b: Backend) {
    let app = spawn(b).await;
    let a = app.analyst(Role::Analyst).await;
    let token = app.token().await;
    let v: Value = app.create_case(&token, None, &recipe_body("crm-proc-2")).await.json().await.unwrap();
    let case = v["caseId"].as_str().unwrap().to_owned();
    let invite = crate::portal::invite_tokens_for(&app, Some(&case)).await.pop().unwrap();
    let cookie = crate::portal::redeem_for_test(&app, &invite).await;

    // The customer starts with their certificate instead of typing.
    let (ct, body) = multipart(&[("certificate.pdf", &certificate("Acme Holdings Ltd", "09876543"))]);
    let res = app
        .http
        .post(app.url("/portal/documents"))
        .header("cookie", &cookie)
        .header("accept", "application/json")
        .header("content-type", ct)
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    processed(&app, &a.token, &case).await;

    // The review step shows what the certificate says.
    let html = app.http.get(app.url("/portal")).header("cookie", &cookie).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("Review and submit"), "{html}");
    assert!(html.contains("value=\"09876543\""), "the extracted number is on file: {html}");

    // The customer corrects the number: one amendment from the extracted value.
    let corrected = json!({
        "companyName": "Acme Holdings Ltd", "companyNumber": "09876544", "registeredAddress": "1 High Street",
        "directors": [{"fullName": "Jane Doe", "email": "jane@acme.example"}]
    });
    let res = app.http.post(app.url("/portal/review")).header("cookie", &cookie).json(&corrected).send().await.unwrap();
    assert_eq!(res.status(), 200, "{:?}", res.text().await);
    let e = app.timeline(&a.token, &case).await.into_iter().find(|e| e["event"] == "data.corrected").unwrap();
    assert_valid(&app, &e.to_string()).await;
    let number = e["amendments"].as_array().unwrap().iter().find(|m| m["field"] == "companyNumber").unwrap().clone();
    assert_eq!(
        (number["originalValue"].as_str(), number["correctedValue"].as_str()),
        (Some("09876543"), Some("09876544"))
    );
}

/// The test process's resident memory (the server runs in it; documents are read in
/// children), in MiB.
fn rss_mib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let kb: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap();
    kb / 1024
}

/// How much the server's memory may grow while it reads the bombs. Read in-process before
/// issue 16, the operations bomb alone took about 2 GiB.
const RSS_GROWTH_BOUND_MIB: u64 = 256;

async fn bombs_end_in_error_with_their_reason_and_memory_stays_flat(b: Backend) {
    let app = spawn(b).await;
    let a = app.analyst(Role::Analyst).await;
    let token = app.token().await;
    let v: Value = app.create_case(&token, None, &recipe_body("crm-proc-bombs")).await.json().await.unwrap();
    let case = v["caseId"].as_str().unwrap().to_owned();
    let bombs = fml_app::filetext::samples::bombs::all();
    let coi = certificate("Acme Holdings Limited", "12345678");
    let mut files: Vec<(&str, &[u8])> = bombs.iter().map(|b| (b.filename, b.bytes.as_slice())).collect();
    files.push(("coi.pdf", &coi));

    let before = rss_mib();
    let ids = upload(&app, &a.token, &case, &files).await;
    let docs = processed(&app, &a.token, &case).await;
    let grown = rss_mib().saturating_sub(before);
    eprintln!("the server's resident memory grew by {grown} MiB reading the bombs");

    for (bomb, id) in bombs.iter().zip(&ids) {
        let d = docs.iter().find(|d| d["id"] == *id).unwrap();
        assert_eq!((d["status"].as_str(), d["processingError"].as_str()), (Some("error"), Some(bomb.reason)), "{d}");
    }
    let coi = docs.iter().find(|d| d["id"] == ids[4]).unwrap();
    assert_eq!(coi["status"], "complete", "an ordinary file in the same batch is read: {coi}");
    // Each file was the document's error once, not the job's: every job is done, first time
    // (a job is marked done just after its document is recorded).
    let reads = eventually(20, || async {
        let jobs = fml_store::jobs::list(&app.db, Some(&app.org), None, 50).await.unwrap();
        let reads: Vec<_> = jobs.into_iter().filter(|j| j.job.kind() == "process_document").collect();
        reads.iter().all(|j| j.finished_at.is_some()).then_some(reads)
    })
    .await;
    assert_eq!(reads.len(), 5);
    for j in reads {
        assert_eq!((j.status.as_str(), j.attempts), ("done", 1), "{j:?}");
    }
    assert!(grown < RSS_GROWTH_BOUND_MIB, "the server grew by {grown} MiB reading the bombs");
}

crate::on_both_backends!(
    uploads_are_classified_and_read,
    a_certificate_fills_the_review_step,
    bombs_end_in_error_with_their_reason_and_memory_stays_flat
);
