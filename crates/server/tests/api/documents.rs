//! Documents: multipart uploads by analysts and customers (one `document.uploaded` per
//! batch), the content-addressed store, downloads, the limits (413/415), tenant isolation,
//! and the analyst override of an errored document.

use fml_domain::lifecycle::Role;
use serde_json::{Value, json};

use crate::catalog::assert_valid;
use crate::helpers::{Backend, TestApp, recipe_body, spawn};

pub const PDF: &[u8] = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";
pub const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01";

/// A multipart body with one `files` part per file; its content type and bytes.
pub fn multipart(files: &[(&str, &[u8])]) -> (String, Vec<u8>) {
    let boundary = "fml-test-boundary-7d1e";
    let mut body = Vec::new();
    for (name, bytes) in files {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"{name}\"\r\n\
                 Content-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

pub async fn upload(app: &TestApp, token: &str, case: &str, files: &[(&str, &[u8])]) -> (u16, Value) {
    let (ct, body) = multipart(files);
    let res = app
        .http
        .post(app.url(&format!("/api/cases/{case}/documents")))
        .bearer_auth(token)
        .header("content-type", ct)
        .body(body)
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

async fn new_case(app: &TestApp, crm: &str) -> String {
    let token = app.token().await;
    let v: Value = app.create_case(&token, None, &recipe_body(crm)).await.json().await.unwrap();
    v["caseId"].as_str().unwrap().to_owned()
}

async fn document_count(app: &TestApp) -> i64 {
    let mut r = app.db.reader().await.unwrap();
    let (n,): (i64,) = fml_store::fetch_optional!(r.conn(), (i64,), "SELECT COUNT(*) FROM documents").unwrap().unwrap();
    n
}

async fn uploads_and_downloads(b: Backend) {
    let app = spawn(b).await;
    let a = app.analyst(Role::Analyst).await;
    let case = new_case(&app, "crm-docs-1").await;

    let (status, body) =
        upload(&app, &a.token, &case, &[("incorporation.pdf", PDF), ("../../passport scan.png", PNG)]).await;
    assert_eq!(status, 201, "{body}");
    let docs = body["data"].as_array().unwrap();
    assert_eq!(docs.len(), 2);
    assert_eq!(docs[0]["contentType"], "application/pdf");
    assert_eq!(docs[1]["contentType"], "image/png");
    assert_eq!(docs[1]["filename"], "passport scan.png", "path components are dropped");
    assert_eq!(docs[0]["uploadedBy"], a.email.as_str());
    assert_eq!(docs[0]["size"], PDF.len());

    // One event for the batch.
    let timeline = app.timeline(&a.token, &case).await;
    let uploaded: Vec<&Value> = timeline.iter().filter(|e| e["event"] == "document.uploaded").collect();
    assert_eq!(uploaded.len(), 1);
    assert_valid(&app, &uploaded[0].to_string()).await;
    assert_eq!(uploaded[0]["fileCount"], 2);
    assert_eq!(uploaded[0]["documentIds"], json!([docs[0]["id"], docs[1]["id"]]));
    assert_eq!(uploaded[0]["filenames"], json!(["incorporation.pdf", "passport scan.png"]));

    // Downloads return the bytes with their type, as an attachment.
    let res = app
        .http
        .get(app.url(&format!("/api/cases/{case}/documents/{}", docs[0]["id"])))
        .bearer_auth(&a.token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "application/pdf");
    assert_eq!(res.headers()["x-content-type-options"], "nosniff");
    assert!(
        res.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment; filename=\"incorporation.pdf\"")
    );
    assert_eq!(res.bytes().await.unwrap().as_ref(), PDF);
    // The console's "View": the same bytes, shown by the browser, never framed.
    let view = format!("/api/cases/{case}/documents/{}?disposition=inline", docs[0]["id"]);
    let res = app.http.get(app.url(&view)).bearer_auth(&a.token).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert!(res.headers()["content-disposition"].to_str().unwrap().starts_with("inline; filename="));
    assert!(res.headers()["content-security-policy"].to_str().unwrap().contains("frame-ancestors 'none'"));
    let image = format!("/api/cases/{case}/documents/{}?disposition=inline", docs[1]["id"]);
    let res = app.http.get(app.url(&image)).bearer_auth(&a.token).send().await.unwrap();
    assert!(res.headers()["content-security-policy"].to_str().unwrap().starts_with("sandbox;"), "an opaque origin");
    let bad = format!("/api/cases/{case}/documents/{}?disposition=embed", docs[0]["id"]);
    assert_eq!(app.http.get(app.url(&bad)).bearer_auth(&a.token).send().await.unwrap().status(), 400);

    // The same bytes again are stored once.
    let (_, again) = upload(&app, &a.token, &case, &[("copy.pdf", PDF)]).await;
    assert_eq!(again["data"][0]["sha256"], docs[0]["sha256"]);
    let (status, list) = app.get_json(&a.token, &format!("/api/cases/{case}/documents")).await;
    assert_eq!(status, 200);
    assert_eq!(list["data"].as_array().unwrap().len(), 3);
    assert_eq!(app.get_json(&a.token, &format!("/api/cases/{case}/documents/999999")).await.0, 404);
    assert_eq!(app.get_json(&a.token, &format!("/api/cases/{case}/documents/abc")).await.0, 404);

    // Another tenant sees none of it.
    let other = fml_domain::OrgId::parse("org_other_bank").unwrap();
    crate::helpers::seed_org(&app.db, &other, fml_domain::ScopeSet::all()).await;
    let outsider = app.analyst_in(&other, Role::Admin).await;
    assert_eq!(upload(&app, &outsider.token, &case, &[("x.pdf", PDF)]).await.0, 404);
    assert_eq!(app.get_json(&outsider.token, &format!("/api/cases/{case}/documents")).await.0, 404);
    assert_eq!(app.get_json(&outsider.token, &format!("/api/cases/{case}/documents/{}", docs[0]["id"])).await.0, 404);

    // The collector deletes stored files no document names once past their grace period, and
    // keeps every file a document names, however old.
    let store = fml_store::blobs::BlobStore::new(app.documents_dir());
    let named = store.path(docs[0]["sha256"].as_str().unwrap()).unwrap();
    let orphan = store.path(&"ab".repeat(32)).unwrap();
    std::fs::create_dir_all(orphan.parent().unwrap()).unwrap();
    std::fs::write(&orphan, b"left by an upload whose row never committed").unwrap();
    let grace = std::time::Duration::from_secs(3600);
    let ctx = app.ctx().with_blobs(store.clone());
    let done = fml_app::documents::collect_orphan_blobs(&ctx, grace).await.unwrap();
    assert_eq!(done.removed, 0, "within the grace period");
    assert!(orphan.exists());
    let long_ago = std::time::SystemTime::now() - 2 * grace;
    for p in [&named, &orphan] {
        std::fs::File::options().write(true).open(p).unwrap().set_modified(long_ago).unwrap();
    }
    let done = fml_app::documents::collect_orphan_blobs(&ctx, grace).await.unwrap();
    assert_eq!(done.removed, 1);
    assert!(!orphan.exists() && named.exists());
    let res = app.http.get(app.url(&format!("/api/cases/{case}/documents/{}", docs[0]["id"]))).bearer_auth(&a.token);
    assert_eq!(res.send().await.unwrap().bytes().await.unwrap().as_ref(), PDF);
}

async fn upload_limits(b: Backend) {
    let app = spawn(b).await;
    let a = app.analyst(Role::Analyst).await;
    let case = new_case(&app, "crm-docs-2").await;

    // Judged by the bytes, not the name.
    let (status, body) =
        upload(&app, &a.token, &case, &[("ok.pdf", PDF), ("invoice.pdf", b"MZ\x90\x00\x03 not a pdf")]).await;
    assert_eq!((status, body["error"].as_str()), (415, Some("unsupported_media_type")), "{body}");
    assert!(body["error_description"].as_str().unwrap().contains("invoice.pdf"));
    let (status, body) = upload(&app, &a.token, &case, &[]).await;
    assert_eq!(status, 400, "{body}");
    let res = app
        .http
        .post(app.url(&format!("/api/cases/{case}/documents")))
        .bearer_auth(&a.token)
        .header("content-type", "application/pdf")
        .body(PDF)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 415);

    let eleven: Vec<(&str, &[u8])> = (0..11).map(|_| ("f.pdf", PDF)).collect();
    let (status, body) = upload(&app, &a.token, &case, &eleven).await;
    assert_eq!((status, body["error"].as_str()), (413, Some("payload_too_large")), "{body}");

    let mut big = PDF.to_vec();
    big.resize(20 * 1024 * 1024 + 1, b' ');
    let (status, body) = upload(&app, &a.token, &case, &[("big.pdf", &big)]).await;
    assert_eq!(status, 413, "{body}");
    assert!(body["error_description"].as_str().unwrap().contains("20 MiB"));

    let mut part = PDF.to_vec();
    part.resize(19 * 1024 * 1024, b' ');
    let (status, _) = upload(&app, &a.token, &case, &[("a.pdf", &part), ("b.pdf", &part), ("c.pdf", &part)]).await;
    assert_eq!(status, 413, "57 MiB in all");

    // Nothing of a refused upload is kept: no rows, no event, no stray files.
    assert_eq!(document_count(&app).await, 0);
    assert!(app.timeline(&a.token, &case).await.iter().all(|e| e["event"] != "document.uploaded"));
    let dir = app.documents_dir();
    let stray: Vec<_> = std::fs::read_dir(dir.join("tmp")).map(|d| d.collect::<Vec<_>>()).unwrap_or_default();
    assert!(stray.is_empty(), "{stray:?}");
}

async fn overrides_of_errored_documents(b: Backend) {
    let app = spawn(b).await;
    let a = app.analyst(Role::Analyst).await;
    let case = new_case(&app, "crm-docs-3").await;
    // Processing fails on the first two (a PDF without pages, an image without text).
    let coi = crate::processing::certificate("Acme Holdings Ltd", "12345678");
    let (_, body) = upload(&app, &a.token, &case, &[("a.pdf", PDF), ("b.pdf", PNG), ("c.pdf", &coi)]).await;
    let ids: Vec<i64> = body["data"].as_array().unwrap().iter().map(|d| d["id"].as_i64().unwrap()).collect();
    let path = |id: i64| format!("/api/cases/{case}/documents/{id}/override");
    let docs = crate::processing::processed(&app, &a.token, &case).await;
    let statuses: Vec<&str> = docs.iter().map(|d| d["status"].as_str().unwrap()).collect();
    assert_eq!(statuses, ["error", "error", "complete"]);

    // Only a document whose processing failed can be overridden.
    let (status, res) = app.post_json(&a.token, &path(ids[2]), &json!({"action": "approve", "note": "fine"})).await;
    assert_eq!((status, res["error"].as_str()), (409, Some("document_not_in_error")), "{res}");

    let (status, res) =
        app.post_json(&a.token, &path(ids[0]), &json!({"action": "approve", "note": "checked by hand"})).await;
    assert_eq!(status, 200, "{res}");
    assert_eq!(res["status"], "approved");
    let (status, res) =
        app.post_json(&a.token, &path(ids[1]), &json!({"action": "escalate", "reason": "looks altered"})).await;
    assert_eq!((status, res["status"].as_str()), (200, Some("escalated")));
    assert_eq!(app.post_json(&a.token, &path(ids[0]), &json!({"action": "escalate"})).await.0, 409, "once only");
    for bad in [json!({}), json!({"action": "delete"}), json!({"action": "approve", "note": 3})] {
        assert_eq!(app.post_json(&a.token, &path(ids[0]), &bad).await.0, 400, "{bad}");
    }

    let events: Vec<Value> =
        app.timeline(&a.token, &case).await.into_iter().filter(|e| e["event"] == "data.corrected").rev().collect();
    assert_eq!(events.len(), 2);
    for e in &events {
        assert_valid(&app, &e.to_string()).await;
        assert_eq!(e["source"], "analyst_override");
        assert_eq!(e["field"], "document_status");
        assert_eq!(e["originalValue"], "error");
        assert_eq!(e["by"], a.email.as_str());
        assert!(e.get("amendments").is_none());
    }
    assert_eq!(
        (events[0]["documentId"].as_i64(), events[0]["correctedValue"].as_str()),
        (Some(ids[0]), Some("approved"))
    );
    assert_eq!(events[0]["note"], "checked by hand");
    assert!(events[0].get("reason").is_none());
    assert_eq!(
        (events[1]["correctedValue"].as_str(), events[1]["reason"].as_str()),
        (Some("escalated"), Some("looks altered"))
    );
}

async fn customers_upload_to_their_own_case(b: Backend) {
    let app = spawn(b).await;
    let a = app.analyst(Role::Analyst).await;
    let case = new_case(&app, "crm-docs-4").await;
    let other_case = new_case(&app, "crm-docs-5").await;
    let token = crate::portal::invite_tokens_for(&app, Some(&case)).await.pop().unwrap();
    let cookie = crate::portal::redeem_for_test(&app, &token).await;
    let send = |files: &[(&str, &[u8])]| {
        let (ct, body) = multipart(files);
        app.http
            .post(app.url("/portal/documents"))
            .header("cookie", &cookie)
            .header("accept", "application/json")
            .header("content-type", ct)
            .body(body)
            .send()
    };
    let res = send(&[("certificate.pdf", PDF)]).await.unwrap();
    assert_eq!(res.status(), 201);
    let res = send(&[("evil.pdf", b"<script>alert(1)</script>")]).await.unwrap();
    assert_eq!(res.status(), 415);

    let timeline = app.timeline(&a.token, &case).await;
    let e = timeline.iter().find(|e| e["event"] == "document.uploaded").unwrap();
    assert_eq!(e["filenames"], json!(["certificate.pdf"]));
    assert!(app.timeline(&a.token, &other_case).await.iter().all(|e| e["event"] != "document.uploaded"));
    let (_, list) = app.get_json(&a.token, &format!("/api/cases/{case}/documents")).await;
    assert_eq!(list["data"][0]["uploadedByKind"], "customer");
    assert_eq!(list["data"][0]["uploadedBy"], "jane@acme.example");
    // The portal page lists it.
    let html = app.http.get(app.url("/portal")).header("cookie", &cookie).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("enctype=\"multipart/form-data\""), "{html}");
}

crate::on_both_backends!(
    uploads_and_downloads,
    upload_limits,
    overrides_of_errored_documents,
    customers_upload_to_their_own_case
);
