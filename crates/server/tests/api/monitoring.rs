//! Perpetual monitoring: approved cases queued once per slot however many schedulers race
//! (two "nodes" here), runs that alert only on what is new — a re-imported list with a new
//! entry gives exactly one alert on each affected case, however many runs follow — alerts that
//! never change the case, resolution, the interval, and tenants apart. Events schema-checked.

use fml_app::watchlist::{Format, import};
use fml_domain::lifecycle::Role;
use serde_json::{Value, json};

use crate::helpers::{Backend, TestApp, spawn};
use crate::screening::{load_samples, submitted_case};

async fn approved_case(app: &TestApp, token: &str, crm: &str) -> String {
    let application = json!({"companyName": "Quiet Trading Ltd", "registeredAddress": "1 Road",
        "directors": [{"fullName": "Ivan Testovich Newcomer", "email": format!("{crm}@quiet.example"), "dateOfBirth": "1975-05-05"}]});
    let case = submitted_case(app, crm, "Quiet Trading Ltd", application).await;
    let (code, body) =
        app.post_json(token, &format!("/api/cases/{case}/decision"), &json!({"outcome": "approved"})).await;
    assert_eq!(code, 200, "{body}");
    case
}

async fn new_entries_alert_once_per_case(b: Backend) {
    let app = spawn(b).await;
    load_samples(&app).await;
    let analyst = app.analyst(Role::Analyst).await;
    let a = approved_case(&app, &analyst.token, "crm-mon-1").await;
    let b2 = approved_case(&app, &analyst.token, "crm-mon-2").await;

    // Two schedulers race for this slot: the approved cases are queued once between them.
    let ctx = app.ctx();
    let now = fml_domain::Timestamp::now();
    let (x, y) =
        tokio::join!(fml_app::monitoring::schedule(&ctx, now, 500), fml_app::monitoring::schedule(&ctx, now, 500));
    assert_eq!(x.unwrap() + y.unwrap(), 2);
    assert_eq!(fml_app::monitoring::schedule(&ctx, now, 500).await.unwrap(), 0, "the slot is taken");
    for case in [&a, &b2] {
        let runs = app.events_of(&analyst.token, case, "monitoring.run.completed", 1).await;
        assert_eq!(runs.len(), 1);
        assert_eq!(
            (runs[0]["triggeredBy"].as_str(), runs[0]["alertsGenerated"].as_u64()),
            (Some("scheduled"), Some(0))
        );
        assert_eq!(runs[0]["checksRun"][0], json!({"check": "sanctions", "status": "ok", "subjects": 2}));
    }

    // A re-imported list with a new entry: one alert per affected case, however many runs.
    let zala = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/sanctions/zala_sample.ftm.jsonl"),
    )
    .unwrap();
    let newcomer = r#"{"id": "NK-test-newcomer", "schema": "Person", "caption": "Ivan Testovich Newcomer", "properties": {"name": ["Ivan Testovich Newcomer"], "birthDate": ["1975-05-05"], "topics": ["sanction"]}, "datasets": ["test_list"]}"#;
    let report = import(&app.db, "zala", Format::Ftm, format!("{zala}\n{newcomer}").as_bytes(), &()).await.unwrap();
    assert_eq!(report.added, 1);
    for round in 1..=2 {
        for case in [&a, &b2] {
            let (code, _) = app.post_json(&analyst.token, &format!("/api/cases/{case}/monitoring"), &json!({})).await;
            assert_eq!(code, 202);
            app.events_of(&analyst.token, case, "monitoring.run.completed", 1 + round).await;
        }
    }
    for case in [&a, &b2] {
        let alerts = app.events_of(&analyst.token, case, "monitoring.alert.created", 1).await;
        assert_eq!(alerts.len(), 1, "exactly one alert on {case}");
        assert_eq!(
            (alerts[0]["alertType"].as_str(), alerts[0]["severity"].as_str()),
            (Some("sanctions_hit"), Some("high"))
        );
        assert_eq!(alerts[0]["title"], "New sanctions hit — Ivan Testovich Newcomer");
        assert_eq!(alerts[0]["companyName"], "Quiet Trading Ltd");
        let runs = app.events_of(&analyst.token, case, "monitoring.run.completed", 3).await;
        assert_eq!(runs.iter().map(|r| r["alertsGenerated"].as_u64().unwrap()).collect::<Vec<_>>(), [0, 1, 0]);
        assert_eq!(runs[1]["triggeredBy"], analyst.email.as_str());
        assert_eq!(runs[1]["runId"], alerts[0]["runId"]);
        // An alert never changes a decided case.
        let (_, c) = app.get_json(&analyst.token, &format!("/api/cases/{case}")).await;
        assert_eq!(c["status"], "approved");
    }

    // Alerts: listed, resolved once, apart per tenant.
    let (_, open) = app.get_json(&analyst.token, "/api/monitoring/alerts?status=open").await;
    assert_eq!(open["data"].as_array().unwrap().len(), 2);
    assert_eq!(app.get_json(&analyst.token, "/api/monitoring/alerts?status=maybe").await.0, 400);
    let id = open["data"][0]["id"].as_i64().unwrap();
    let path = format!("/api/monitoring/alerts/{id}/resolve");
    let other = fml_domain::OrgId::parse("org_other_bank").unwrap();
    crate::helpers::seed_org(&app.db, &other, fml_domain::ScopeSet::all()).await;
    let stranger = app.analyst_in(&other, Role::Admin).await;
    assert_eq!(app.post_json(&stranger.token, &path, &json!({"note": "mine"})).await.0, 404);
    assert_eq!(app.get_json(&stranger.token, &format!("/api/cases/{a}/monitoring")).await.0, 404);
    let (code, resolved) =
        app.post_json(&analyst.token, &path, &json!({"note": "Confirmed a namesake: passport differs."})).await;
    assert_eq!(code, 200, "{resolved}");
    assert_eq!(
        (resolved["status"].as_str(), resolved["resolvedBy"].as_str()),
        (Some("resolved"), Some(analyst.email.as_str()))
    );
    let (code, again) = app.post_json(&analyst.token, &path, &json!({})).await;
    assert_eq!((code, again["error"].as_str()), (409, Some("already_resolved")));
    let (_, open) = app.get_json(&analyst.token, "/api/monitoring/alerts?status=open").await;
    assert_eq!(open["data"].as_array().unwrap().len(), 1);
    let (_, mine) = app.get_json(&analyst.token, &format!("/api/cases/{a}/monitoring")).await;
    assert_eq!(mine["runs"].as_array().unwrap().len(), 3);
    assert_eq!(mine["alerts"].as_array().unwrap().len(), 1);
}

async fn the_interval_is_the_tenants(b: Backend) {
    let app = spawn(b).await;
    let admin = app.analyst(Role::Admin).await;
    let analyst = app.analyst(Role::Analyst).await;
    let put = |token: String, body: Value| {
        let app = &app;
        async move {
            let res =
                app.http.put(app.url("/api/monitoring/settings")).bearer_auth(token).json(&body).send().await.unwrap();
            (res.status().as_u16(), res.json::<Value>().await.unwrap_or(Value::Null))
        }
    };
    assert_eq!(app.get_json(&analyst.token, "/api/monitoring/settings").await.1["intervalHours"], 24);
    assert_eq!(put(analyst.token.clone(), json!({"intervalHours": 48})).await.0, 403);
    for bad in [json!({"intervalHours": 0}), json!({"intervalHours": 1000}), json!({"intervalHours": "daily"})] {
        assert_eq!(put(admin.token.clone(), bad.clone()).await.0, 400, "{bad}");
    }
    assert_eq!(
        put(admin.token.clone(), json!({"intervalHours": 36.0})).await.1["intervalHours"],
        36,
        "an integer written 36.0"
    );
    let (code, body) = put(admin.token.clone(), json!({"intervalHours": 48})).await;
    assert_eq!((code, body["intervalHours"].as_i64()), (200, Some(48)));
    assert_eq!(
        app.get_json(&analyst.token, "/api/screening/settings").await.1["threshold"],
        0.85,
        "the threshold kept its default"
    );
}

crate::on_both_backends!(new_entries_alert_once_per_case, the_interval_is_the_tenants);
