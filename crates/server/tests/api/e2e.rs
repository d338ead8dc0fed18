//! End to end in a real headless browser: the invite arrives through a real SMTP server, the
//! customer opens it in Chromium (driven by playwright-core, `tests/node/e2e/portal.mjs`),
//! fills the application and saves it, loses their session and gets back in through a new
//! link asked for by email, uploads a PDF, saves a correction, makes another and submits
//! without saving it (the submission saves it); a webhook receiver gets `document.uploaded`,
//! both `data.corrected` and `case.submitted`, signed.

use serde_json::{Value, json};

use crate::helpers::{Backend, Options, recipe_body, spawn_with};
use crate::mail::start_smtp;
use crate::receiver::Receiver;

async fn the_customer_journey_in_a_browser(b: Backend) {
    let mut smtp = start_smtp().await;
    let app = spawn_with(
        b,
        Options {
            smtp_url: Some(format!("smtp://127.0.0.1:{}", smtp.port)),
            portal_on_self: true,
            ..Options::default()
        },
    )
    .await;
    let token = app.token().await;
    let rx = Receiver::start().await;
    let events = ["document.uploaded", "data.corrected", "case.submitted"];
    app.create_endpoint(&token, json!({"url": rx.url("/ok"), "eventTypes": events})).await;
    let res = app.create_case(&token, None, &recipe_body("crm-e2e")).await;
    assert_eq!(res.status(), 201);
    let case: Value = res.json().await.unwrap();

    // The magic link, as the customer receives it.
    let mail = smtp.next_message().await;
    let body = mail["body"].as_str().unwrap();
    let start = body.find(&format!("{}/portal/invite/", app.base)).expect("a magic link to this server");
    let link: String = body[start..].chars().take_while(|c| !c.is_whitespace()).collect();

    let dir = std::env::temp_dir().join(format!("fml-e2e-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let pdf = dir.join("certificate-of-incorporation.pdf");
    std::fs::write(&pdf, crate::documents::PDF).unwrap();

    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
    let script = crate::catalog::node_dir().join("e2e/portal.mjs");
    let shots = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../target/e2e-screenshots/portal")
        .join(if b == Backend::Sqlite { "sqlite" } else { "postgres" });
    std::fs::create_dir_all(&shots).unwrap();
    let mut child = tokio::process::Command::new("node")
        .arg(&script)
        .arg(&link)
        .arg(&pdf)
        .arg(&shots)
        .current_dir(crate::catalog::node_dir())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("node is needed (see .ci/setup)");
    let mut stdin = child.stdin.take().unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut transcript = Vec::new();
    let mut new_link = None;
    let run = async {
        while let Some(line) = stdout.next_line().await.unwrap() {
            // Shown if the test fails, timed out or not.
            eprintln!("browser: {line}");
            if line == "link-requested" {
                // The new link, by email, branded as the invite was.
                let mail = smtp.next_message().await;
                assert!(mail["subject"].as_str().unwrap().contains("your link to continue"), "{mail}");
                let body = mail["body"].as_str().unwrap();
                let start = body.find(&format!("{}/portal/invite/", app.base)).expect("a new link");
                let fresh: String = body[start..].chars().take_while(|c| !c.is_whitespace()).collect();
                assert_ne!(fresh, link);
                stdin.write_all(format!("{fresh}\n").as_bytes()).await.unwrap();
                new_link = Some(fresh);
            }
            transcript.push(line);
        }
    };
    tokio::time::timeout(std::time::Duration::from_secs(180), run).await.expect("the browser journey timed out");
    let out = child.wait_with_output().await.unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    assert!(
        out.status.success() && transcript.last().map(String::as_str) == Some("ok"),
        "the browser journey failed:\n{}\n{}",
        transcript.join("\n"),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(new_link.is_some(), "the journey came back through a new link");

    // The receiver got each event, signed, for this case.
    let hits = rx.wait_for("/ok", 4, 30).await;
    let mut seen: Vec<Value> = hits.iter().map(|h| serde_json::from_slice(&h.body).unwrap()).collect();
    for (hit, e) in hits.iter().zip(&seen) {
        assert!(hit.header("x-fml-signature").starts_with("sha256="), "unsigned delivery");
        assert_eq!(e["caseId"], case["caseId"]);
    }
    seen.sort_by_key(|e| (e["event"].as_str().unwrap().to_owned(), e["amendments"][0]["field"].to_string()));
    let kinds: Vec<&str> = seen.iter().map(|e| e["event"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["case.submitted", "data.corrected", "data.corrected", "document.uploaded"]);
    assert_eq!(seen[0]["source"], "application_form");
    // The saved correction, and the one made just before "Submit application" without saving.
    assert_eq!(seen[1]["source"], "customer_review");
    assert_eq!(seen[1]["amendments"][0]["field"], "companyName");
    assert_eq!(seen[1]["amendments"][0]["correctedValue"], "Acme Holdings Limited");
    assert_eq!(seen[2]["amendments"][0]["field"], "registeredAddress");
    assert_eq!(seen[2]["amendments"][0]["correctedValue"], "10 High Street, London EC1A 1BB");
    assert_eq!(seen[3]["filenames"], json!(["certificate-of-incorporation.pdf"]));
}

/// The analyst console in a real headless browser (`tests/node/e2e/console.mjs`): sign in,
/// create an API client and read its secret once, add an endpoint after "Send test ping", see
/// a Public API case with its `API · HubSpot` badge, approve it, watch `case.decision.made`
/// delivered in Recent Deliveries, stop the receiver and see the failure and the next retry,
/// restart it and press Redeliver; reload after creating a client (still one) and extend its
/// scopes; upload a passport to a case and attach it to the director's profile; on a
/// high-risk case, record a hit's disposition (the form has no default) and approve with the
/// reason the page asks for; open a case by hand. Every main page passes axe-core (no
/// serious or critical violation) with no overflow at desktop, tablet and phone widths, and
/// no page breaks its Content-Security-Policy. Screenshots are saved under
/// `target/e2e-screenshots/`.
async fn the_analyst_console_in_a_browser(b: Backend) {
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

    // Retries far enough apart that the failed delivery is seen waiting for its next one.
    let schedule = fml_webhooks::Schedule::new(vec![std::time::Duration::from_secs(60); 5]);
    let app = spawn_with(b, Options { retry_schedule: Some(schedule), ..Options::default() }).await;
    let admin = app.analyst(fml_domain::lifecycle::Role::Admin).await;
    crate::screening::load_samples(&app).await;
    let shots = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../target/e2e-screenshots")
        .join(if b == Backend::Sqlite { "sqlite" } else { "postgres" });
    let _ = std::fs::remove_dir_all(&shots);
    let mut child = tokio::process::Command::new("node")
        .arg(crate::catalog::node_dir().join("e2e/console.mjs"))
        .arg(&app.base)
        .arg(&admin.email)
        .arg(&admin.password)
        .arg(&shots)
        .current_dir(crate::catalog::node_dir())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("node is needed (see .ci/setup)");
    let mut stdin = child.stdin.take().unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut transcript = Vec::new();
    let mut risky = None;
    let mut public = None;
    let run = async {
        while let Some(line) = stdout.next_line().await.unwrap() {
            if let Some(case) = line.strip_prefix("case ") {
                // The customer submits through the portal, so the case reaches review.
                crate::portal::customer_submits(&app, case).await;
                stdin.write_all(b"submitted\n").await.unwrap();
            }
            if line == "risky" {
                // A case whose director and shareholder are sanctions matches, screened and routed.
                let people = crate::screening::people();
                let case = crate::screening::submitted_case(&app, "crm-e2e-risky", "Inter Tobacco LLC", people).await;
                app.events_of(&admin.token, &case, "routing.evaluated", 1).await;
                stdin.write_all(format!("{case}\n").as_bytes()).await.unwrap();
                risky = Some(case);
            }
            if line == "public" {
                // A case from the public link: its people wait for an analyst to send links.
                let case = crate::portal::submitted_public_case(&app, &admin.token, "Open Door Ltd").await;
                stdin.write_all(format!("{case}\n").as_bytes()).await.unwrap();
                public = Some(case);
            }
            transcript.push(line);
        }
    };
    tokio::time::timeout(std::time::Duration::from_secs(240), run).await.expect("the browser journey timed out");
    let out = child.wait_with_output().await.unwrap();
    assert!(
        out.status.success() && transcript.last().map(String::as_str) == Some("ok"),
        "the console journey failed:\n{}\n{}",
        transcript.join("\n"),
        String::from_utf8_lossy(&out.stderr)
    );
    // What the browser did went through the commands: the decision is on the case's timeline,
    // after the passport the analyst uploaded and attached to the director's profile.
    let timeline = app.timeline(&admin.token, transcript.iter().find_map(|l| l.strip_prefix("case ")).unwrap()).await;
    let attached = timeline.iter().find(|e| e["event"] == "person.document_attached").expect("the attachment");
    assert_eq!(attached["attachedBy"], admin.email);
    let uploaded = timeline.iter().find(|e| e["event"] == "document.uploaded").expect("the analyst's upload");
    assert_eq!(uploaded["filenames"], json!(["j-smith-passport.pdf"]));
    // One client, its scopes extended; one manual case.
    let clients = fml_app::queries::clients(&app.ctx(), &app.org).await.unwrap();
    let hubspot: Vec<_> = clients.iter().filter(|c| c.name == "HubSpot workflow").collect();
    assert_eq!(hubspot.len(), 1);
    assert_eq!(hubspot[0].scopes, "cases:write cases:read");
    let (_, manual) = app.get_json(&admin.token, "/api/cases?source=manual").await;
    assert_eq!(manual["data"].as_array().map(Vec::len), Some(1), "{manual}");
    assert_eq!(manual["data"][0]["companyName"], "Northwind Trading Ltd");
    let decision = timeline.iter().find(|e| e["event"] == "case.decision.made").expect("the decision event");
    assert_eq!(decision["outcome"], "approved");
    assert_eq!(decision["notes"], "Registry and directors verified.");
    assert_eq!(decision["analystEmail"], admin.email);
    let timeline = app.timeline_all(&admin.token, &risky.expect("the journey asked for a high-risk case")).await;
    let decision = timeline.iter().find(|e| e["event"] == "case.decision.made").expect("the override's event");
    assert_eq!(decision["notes"], "Director resigned in 2019; MLRO sign-off 4471.");
    let audit = fml_store::audit::list(&app.db, &app.org, Some("case.decide"), 1).await.unwrap();
    assert!(audit[0].detail.contains("\"override\":true"), "{}", audit[0].detail);
    // "Send identity links" sent both directors theirs, in the admin's name.
    let public = public.expect("the journey asked for a public-link case");
    let (_, checks) = app.get_json(&admin.token, &format!("/api/cases/{public}/idv")).await;
    let by: Vec<&str> =
        checks["data"].as_array().unwrap().iter().map(|c| c["dispatchedBy"].as_str().unwrap()).collect();
    assert_eq!(by, [admin.email.as_str(); 2], "{checks}");
}

crate::on_both_backends!(the_customer_journey_in_a_browser, the_analyst_console_in_a_browser);
