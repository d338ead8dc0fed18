//! Screening: the watch list loaded from the sample FtM files, a case screened after the
//! customer submits and on an analyst's request, each subject's status and every hit with its
//! triage (events schema-checked), an analyst's review of a hit, adverse media, the tenant's
//! threshold, an incremental re-import followed by the index, and tenant isolation.

use fml_app::watchlist::{Format, import};
use fml_domain::lifecycle::Role;
use serde_json::{Value, json};

use crate::helpers::{Backend, TestApp, recipe_body, spawn};

fn sample(name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/sanctions").join(name)
}

pub async fn load_samples(app: &TestApp) {
    for (list, file) in [("eu_fsf", "eu_fsf_sample.ftm.jsonl"), ("zala", "zala_sample.ftm.jsonl")] {
        let reader = std::io::BufReader::new(std::fs::File::open(sample(file)).unwrap());
        let report = import(&app.db, list, Format::Ftm, reader, &()).await.unwrap();
        assert!(report.added > 0 && report.error_count == 0, "{report:?}");
    }
}

/// Opens a case for `company`, has the customer fill in `people` and submit.
pub async fn submitted_case(app: &TestApp, crm: &str, company: &str, application: Value) -> String {
    let token = app.token().await;
    let mut body = recipe_body(crm);
    body["companyName"] = json!(company);
    let v: Value = app.create_case(&token, None, &body).await.json().await.unwrap();
    let case = v["caseId"].as_str().unwrap().to_owned();
    let invite = crate::portal::invite_tokens_for(app, Some(&case)).await.pop().unwrap();
    let cookie = crate::portal::redeem_for_test(app, &invite).await;
    let post =
        |path: &'static str, body: Value| app.http.post(app.url(path)).header("cookie", &cookie).json(&body).send();
    assert_eq!(post("/portal/application", application).await.unwrap().status(), 200);
    let res = post("/portal/submit", json!({})).await.unwrap();
    assert_eq!(res.status(), 200, "{:?}", res.text().await);
    case
}

pub fn people() -> Value {
    json!({
        "companyName": "Inter Tobacco LLC",
        "registeredAddress": "1 Road",
        "directors": [
            {"fullName": "OSETROVA, Maria", "email": "maria@acme.example", "dateOfBirth": "1988-01-07"},
            {"fullName": "Jane Smith", "email": "jane.smith@acme.example", "dateOfBirth": "1980-01-02"}
        ],
        "shareholders": [{"fullName": "Виктор Сойко", "email": "v@acme.example", "ownershipPercent": 40}]
    })
}

async fn after_submission_and_on_demand(b: Backend) {
    let app = spawn(b).await;
    load_samples(&app).await;
    let a = app.analyst(Role::Analyst).await;
    let case = submitted_case(&app, "crm-screen-1", "Inter Tobacco LLC", people()).await;

    // Submission queued the run; its event lists every subject once.
    let done = app.events_of(&a.token, &case, "screening.completed", 1).await;
    assert_eq!(done.len(), 1);
    assert_eq!(done[0]["screened"], 4, "{}", done[0]);
    let status = |name: &str| {
        done[0]["summary"].as_array().unwrap().iter().find(|s| s["name"] == name).cloned().unwrap_or(Value::Null)
    };
    assert_eq!(status("Inter Tobacco LLC"), json!({"name": "Inter Tobacco LLC", "role": null, "status": "sanctioned"}));
    assert_eq!(status("OSETROVA, Maria")["status"], "sanctioned", "token order and a missing patronymic");
    assert_eq!(status("OSETROVA, Maria")["role"], "director");
    assert_eq!(status("Jane Smith")["status"], "clear");
    assert_eq!(status("Виктор Сойко")["status"], "sanctioned", "Cyrillic against the Latin listing");
    assert_eq!(status("Виктор Сойко")["role"], "shareholder");

    // One triage per hit, by the rules.
    let triaged = app.events_of(&a.token, &case, "screening.hit.triaged", 0).await;
    assert!(triaged.len() >= 3, "{triaged:?}");
    for t in &triaged {
        assert_eq!((t["model"].as_str(), t["promptVersion"].as_str()), (Some("rules-v1"), Some("1")));
        // A whole number, as the guide writes it (`92`, never `92.0`).
        let c = t["confidence"].as_u64().unwrap_or_else(|| panic!("not an integer: {t}"));
        assert!(c <= 100);
    }
    let maria = triaged.iter().find(|t| t["subjectName"] == "OSETROVA, Maria").unwrap();
    assert_eq!(maria["hitId"], "NK-2Tbri3s6GgNtAwsSXh4qpL");
    assert_eq!(maria["disposition"], "true_match", "same birth date: {maria}");
    assert!(maria["shortReason"].as_str().unwrap().contains("birth date"), "{maria}");

    // The stored results explain every hit.
    let (status_code, results) = app.get_json(&a.token, &format!("/api/cases/{case}/screening")).await;
    assert_eq!(status_code, 200, "{results}");
    assert_eq!(results["run"]["triggeredBy"], "system");
    assert_eq!(results["run"]["threshold"], 0.85);
    assert_eq!(results["run"]["screened"], 4);
    let hits = results["hits"].as_array().unwrap();
    assert_eq!(hits.len(), triaged.len());
    let hit = hits.iter().find(|h| h["hitId"] == "NK-2Tbri3s6GgNtAwsSXh4qpL").unwrap();
    assert_eq!(hit["standing"], "sanctioned");
    assert_eq!(hit["features"]["birthDate"], "same");
    assert_eq!(hit["entity"]["caption"], "Maria Aleksandrovna Osetrova");
    assert_eq!(hit["triage"]["disposition"], "true_match");
    assert_eq!(hit["review"], Value::Null);
    assert!(hits.iter().all(|h| h["subjectName"] != "Jane Smith"));

    // An analyst overrides a disposition; the triage stays beside it.
    let path = format!("/api/cases/{case}/screening/hits/{}", hit["id"]);
    for bad in [json!({}), json!({"disposition": "maybe"}), json!({"disposition": "escalate", "note": 7})] {
        assert_eq!(app.post_json(&a.token, &path, &bad).await.0, 400, "{bad}");
    }
    let (code, reviewed) = app
        .post_json(
            &a.token,
            &path,
            &json!({"disposition": "false_positive", "note": "Different person: passport seen"}),
        )
        .await;
    assert_eq!(code, 200, "{reviewed}");
    assert_eq!(reviewed["review"]["disposition"], "false_positive");
    assert_eq!(reviewed["review"]["reviewedBy"], a.email.as_str());
    assert_eq!(reviewed["triage"]["disposition"], "true_match");
    assert_eq!(
        app.post_json(
            &a.token,
            &format!("/api/cases/{case}/screening/hits/999999"),
            &json!({"disposition": "escalate"})
        )
        .await
        .0,
        404
    );

    // On demand: a second run, by the analyst.
    let (code, queued) = app.post_json(&a.token, &format!("/api/cases/{case}/screening"), &json!({})).await;
    assert_eq!((code, queued["status"].as_str()), (202, Some("queued")), "{queued}");
    let done = app.events_of(&a.token, &case, "screening.completed", 2).await;
    assert_eq!(done.len(), 2);
    let (_, results) = app.get_json(&a.token, &format!("/api/cases/{case}/screening")).await;
    assert_eq!(results["run"]["triggeredBy"], a.email.as_str());

    // Another tenant sees none of it.
    let other = fml_domain::OrgId::parse("org_other_bank").unwrap();
    crate::helpers::seed_org(&app.db, &other, fml_domain::ScopeSet::all()).await;
    let stranger = app.analyst_in(&other, Role::Admin).await;
    assert_eq!(app.get_json(&stranger.token, &format!("/api/cases/{case}/screening")).await.0, 404);
    assert_eq!(app.post_json(&stranger.token, &format!("/api/cases/{case}/screening"), &json!({})).await.0, 404);
    assert_eq!(app.post_json(&stranger.token, &path, &json!({"disposition": "escalate"})).await.0, 404);
}

async fn lists_media_and_threshold(b: Backend) {
    let app = spawn(b).await;
    load_samples(&app).await;
    let admin = app.analyst(Role::Admin).await;
    let analyst = app.analyst(Role::Analyst).await;

    // Adverse media: an article naming the company.
    let media = r#"{"id": "4711", "title": "Acme Widgets fined for export breaches", "url": "https://news.example/4711", "publishedAt": "2026-03-01", "names": ["Acme Widgets Ltd"], "summary": "A regulator fined the firm."}"#;
    let report = import(&app.db, "adverse-media", Format::Media, media.as_bytes(), &()).await.unwrap();
    assert_eq!((report.added, report.entities), (1, 1));

    // Threshold: admins only, within range.
    let settings = "/api/screening/settings";
    assert_eq!(app.get_json(&analyst.token, settings).await.1["threshold"], 0.85);
    let put = |token: String, body: Value| {
        let app = &app;
        async move {
            let res = app.http.put(app.url(settings)).bearer_auth(token).json(&body).send().await.unwrap();
            (res.status().as_u16(), res.json::<Value>().await.unwrap_or(Value::Null))
        }
    };
    assert_eq!(put(analyst.token.clone(), json!({"threshold": 0.9})).await.0, 403);
    for bad in [json!({"threshold": 0.2}), json!({"threshold": "high"}), json!({})] {
        assert_eq!(put(admin.token.clone(), bad.clone()).await.0, 400, "{bad}");
    }
    let (code, set) = put(admin.token.clone(), json!({"threshold": 0.9})).await;
    assert_eq!((code, set["threshold"].as_f64()), (200, Some(0.9)));

    let case = submitted_case(
        &app,
        "crm-screen-2",
        "Acme Widgets Limited",
        json!({"companyName": "Acme Widgets Limited", "registeredAddress": "1 Road",
               "directors": [{"fullName": "Nikita Zakharov", "email": "n@acme.example", "dateOfBirth": "1990-05-05"}]}),
    )
    .await;
    let done = app.events_of(&analyst.token, &case, "screening.completed", 1).await;
    let summary = done[0]["summary"].as_array().unwrap();
    assert_eq!(summary[0], json!({"name": "Acme Widgets Limited", "role": null, "status": "match"}));
    // A different birth date takes the name below the tenant's 0.9.
    assert_eq!(summary[1]["status"], "clear", "{summary:?}");
    let triaged = app.events_of(&analyst.token, &case, "screening.hit.triaged", 0).await;
    assert_eq!(triaged.len(), 1);
    assert_eq!(triaged[0]["hitId"], "am:4711");
    let (_, results) = app.get_json(&analyst.token, &format!("/api/cases/{case}/screening")).await;
    assert_eq!(results["run"]["threshold"], 0.9);
    assert_eq!(results["hits"][0]["entity"]["article"]["url"], "https://news.example/4711");

    // An incremental re-import: unchanged lines write nothing; a new entry and a removed one
    // move the version, and the next run sees the new entry.
    let zala = std::fs::read_to_string(sample("zala_sample.ftm.jsonl")).unwrap();
    let again = import(&app.db, "zala", Format::Ftm, zala.as_bytes(), &()).await.unwrap();
    assert_eq!((again.added, again.changed, again.removed, again.unchanged), (0, 0, 0, 17));
    let before = again.version;
    let newcomer = r#"{"id": "NK-test-acme", "schema": "Company", "caption": "Acme Widgets Limited", "properties": {"name": ["Acme Widgets Limited"], "topics": ["sanction"], "country": ["gb"]}}"#;
    let edited: String = zala.lines().skip(1).chain([newcomer]).collect::<Vec<_>>().join("\n");
    let report = import(&app.db, "zala", Format::Ftm, edited.as_bytes(), &()).await.unwrap();
    assert_eq!((report.added, report.removed), (1, 1), "{report:?}");
    assert_eq!(report.version, before + 1);
    let (code, _) = app.post_json(&analyst.token, &format!("/api/cases/{case}/screening"), &json!({})).await;
    assert_eq!(code, 202);
    let done = app.events_of(&analyst.token, &case, "screening.completed", 2).await;
    assert_eq!(done[1]["summary"][0]["status"], "sanctioned", "{}", done[1]);
    let (_, results) = app.get_json(&analyst.token, &format!("/api/cases/{case}/screening")).await;
    assert_eq!(results["run"]["listVersion"], before + 1);

    // A file of nothing but errors removes nothing.
    let report = import(&app.db, "zala", Format::Ftm, "{broken\nnot json".as_bytes(), &()).await.unwrap();
    assert_eq!((report.error_count, report.removed, report.version), (2, 0, before + 1));
}

crate::on_both_backends!(after_submission_and_on_demand, lists_media_and_threshold);
