//! The case lifecycle over the analyst API: every legal move with its events (checked against
//! their JSON Schemas and the guide's fields), every illegal one a 409 with the current
//! status, roles, tenant isolation, owners, the list's filters and the timeline.

use fml_domain::lifecycle::Role;
use serde_json::{Value, json};

use crate::catalog::assert_valid;
use crate::helpers::{Backend, TestAnalyst, TestApp, recipe_body, spawn};

/// Opens a case through the Public API; returns its id.
async fn open_case(app: &TestApp, crm: &str) -> String {
    let token = app.token().await;
    let res = app.create_case(&token, None, &recipe_body(crm)).await;
    assert_eq!(res.status(), 201);
    let body: Value = res.json().await.unwrap();
    body["caseId"].as_str().unwrap().to_owned()
}

/// Submits the case as its customer does, through the portal.
async fn submit(app: &TestApp, case: &str) {
    crate::portal::customer_submits(app, case).await;
}

async fn act(app: &TestApp, who: &TestAnalyst, case: &str, action: &str, body: Value) -> (u16, Value) {
    app.post_json(&who.token, &format!("/api/cases/{case}/{action}"), &body).await
}

/// The newest events of the case, oldest first, each checked against its schema.
async fn new_events(app: &TestApp, who: &TestAnalyst, case: &str, n: usize) -> Vec<Value> {
    let timeline = app.timeline(&who.token, case).await;
    let mut out: Vec<Value> = timeline.into_iter().take(n).collect();
    out.reverse();
    for e in &out {
        assert_valid(app, &e.to_string()).await;
        assert_eq!(e["caseId"], case);
    }
    out
}

async fn the_lifecycle_end_to_end(b: Backend) {
    let app = spawn(b).await;
    let analyst = app.analyst(Role::Analyst).await;
    let senior = app.analyst(Role::Senior).await;
    let case = open_case(&app, "crm-life-1").await;

    // Not submitted yet: no decision, no escalation.
    let (status, body) = act(&app, &analyst, &case, "decision", json!({"outcome": "approved"})).await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(body["error"], "invalid_transition");
    assert_eq!(body["currentStatus"], "in_progress");
    assert_eq!(act(&app, &analyst, &case, "escalation", json!({"note": "odd"})).await.0, 409);

    submit(&app, &case).await;
    let ev = new_events(&app, &analyst, &case, 2).await;
    assert_eq!(ev[0]["event"], "case.status.changed");
    assert_eq!(ev[0]["previousStatus"], "in_progress");
    assert_eq!(ev[0]["status"], "in_review");
    assert_eq!(ev[0]["changedBy"], "jane@acme.example");
    assert_eq!(ev[1]["event"], "case.submitted");
    assert_eq!(ev[1]["source"], "application_form");
    assert_eq!(ev[1]["crmRecordId"], "crm-life-1");

    // Escalate; the analyst cannot answer their own escalation, a senior can.
    let (status, body) =
        act(&app, &analyst, &case, "escalation", json!({"note": "UBO chain unclear\nsee register"})).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["status"], "pending_senior");
    let ev = new_events(&app, &analyst, &case, 2).await;
    assert_eq!(
        (ev[0]["event"].as_str(), ev[0]["status"].as_str()),
        (Some("case.status.changed"), Some("pending_senior"))
    );
    assert_eq!(ev[0]["changedBy"], analyst.email.as_str());
    assert!(ev[0].get("recommendation").is_none(), "only returns carry a recommendation");
    assert_eq!(ev[1]["event"], "escalation.created");
    assert_eq!(ev[1]["note"], "UBO chain unclear\nsee register");
    assert_eq!(ev[1]["raisedBy"], analyst.email.as_str());
    assert_eq!(ev[1]["companyName"], "Acme Holdings Ltd");

    let (status, body) = act(&app, &analyst, &case, "escalation/response", json!({"recommendation": "approve"})).await;
    assert_eq!(status, 403, "{body}");
    assert_eq!(body["error"], "forbidden");
    let (status, body) = act(&app, &analyst, &case, "decision", json!({"outcome": "approved"})).await;
    assert_eq!((status, body["currentStatus"].as_str()), (409, Some("pending_senior")));

    let (status, body) = act(
        &app,
        &senior,
        &case,
        "escalation/response",
        json!({"recommendation": "refer", "note": "ask for the register"}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["status"], "returned");
    let ev = new_events(&app, &analyst, &case, 2).await;
    assert_eq!(ev[0]["event"], "case.status.changed");
    assert_eq!(
        (ev[0]["previousStatus"].as_str(), ev[0]["status"].as_str()),
        (Some("pending_senior"), Some("returned"))
    );
    assert_eq!(ev[0]["recommendation"], "refer");
    assert_eq!(ev[0]["changedBy"], senior.email.as_str());
    assert_eq!(ev[1]["event"], "escalation.responded");
    assert_eq!(ev[1]["recommendation"], "refer");
    assert_eq!(ev[1]["respondedBy"], senior.email.as_str());
    assert_eq!(ev[1]["note"], "ask for the register");

    // Returned cases can be escalated again, then decided.
    let (status, _) = act(
        &app,
        &analyst,
        &case,
        "decision",
        json!({"outcome": "declined", "notes": "register shows a sanctioned UBO"}),
    )
    .await;
    assert_eq!(status, 200);
    let ev = new_events(&app, &analyst, &case, 2).await;
    assert_eq!(ev[0]["event"], "case.status.changed");
    assert_eq!(ev[0]["status"], "declined");
    assert_eq!(ev[1]["event"], "case.decision.made");
    assert_eq!(ev[1]["outcome"], "declined");
    assert_eq!(ev[1]["notes"], "register shows a sanctioned UBO");
    assert_eq!(ev[1]["analystEmail"], analyst.email.as_str());

    // Final: nothing moves it again.
    for (action, body) in [("decision", json!({"outcome": "approved"})), ("escalation", json!({"note": "again"}))] {
        let (status, body) = act(&app, &analyst, &case, action, body).await;
        assert_eq!((status, body["currentStatus"].as_str()), (409, Some("declined")), "{action}");
    }
    let (status, body) = act(&app, &senior, &case, "escalation/response", json!({"recommendation": "approve"})).await;
    assert_eq!((status, body["currentStatus"].as_str()), (409, Some("declined")));

    // The case shows the decision; the timeline holds every event, newest first.
    let (status, body) = app.get_json(&analyst.token, &format!("/api/cases/{case}")).await;
    assert_eq!(status, 200);
    assert_eq!(body["status"], "declined");
    assert_eq!(body["decision"]["decidedBy"], analyst.email.as_str());
    assert_eq!(body["decision"]["notes"], "register shows a sanctioned UBO");
    let timeline = app.timeline(&analyst.token, &case).await;
    let kinds: Vec<&str> = timeline.iter().map(|e| e["event"].as_str().unwrap()).collect();
    assert_eq!(
        kinds,
        [
            "case.decision.made",
            "case.status.changed",
            "escalation.responded",
            "case.status.changed",
            "escalation.created",
            "case.status.changed",
            "case.submitted",
            "case.status.changed",
            "case.created",
        ]
    );
    // Every change is audited with the acting analyst.
    let audit = fml_store::audit::list(&app.db, &app.org, None, 100).await.unwrap();
    let acts: Vec<(&str, &str)> = audit.iter().map(|r| (r.action.as_str(), r.actor.as_str())).collect();
    assert!(acts.contains(&("case.decide", analyst.email.as_str())));
    assert!(acts.contains(&("case.escalate", analyst.email.as_str())));
    assert!(acts.contains(&("case.escalation.respond", senior.email.as_str())));
    assert!(acts.contains(&("case.submit", "jane@acme.example")));
}

async fn approvals_from_review_and_bad_input(b: Backend) {
    let app = spawn(b).await;
    let analyst = app.analyst(Role::Analyst).await;
    let case = open_case(&app, "crm-life-2").await;
    submit(&app, &case).await;

    // Bad input: every field reported, nothing changed.
    for body in [
        json!({}),
        json!({"outcome": "maybe"}),
        json!({"outcome": "approved", "notes": 5}),
        json!({"outcome": "approved", "notes": "x\u{7}"}),
        json!({"outcome": "approved", "notes": "n".repeat(5001)}),
        json!([1]),
    ] {
        let (status, res) = act(&app, &analyst, &case, "decision", body.clone()).await;
        assert_eq!(status, 400, "{body} -> {res}");
        assert_eq!(res["error"], "validation_error");
    }
    for body in [json!({}), json!({"note": "   "}), json!({"note": null})] {
        assert_eq!(act(&app, &analyst, &case, "escalation", body).await.0, 400);
    }
    let res = app
        .http
        .post(app.url(&format!("/api/cases/{case}/decision")))
        .bearer_auth(&analyst.token)
        .header("content-type", "text/plain")
        .body("approved")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 415);
    let (_, body) = app.get_json(&analyst.token, &format!("/api/cases/{case}")).await;
    assert_eq!(body["status"], "in_review");

    // Approve straight from review, by reference.
    let reference = body["caseReference"].as_str().unwrap().to_owned();
    let (status, body) = act(&app, &analyst, &reference, "decision", json!({"outcome": "approved"})).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["status"], "approved");
    let ev = new_events(&app, &analyst, &case, 2).await;
    assert_eq!(ev[1]["event"], "case.decision.made");
    assert_eq!(ev[1]["notes"], "");
    assert_eq!(ev[0]["status"], "approved");
    assert_eq!(ev[0]["previousStatus"], "in_review");
}

/// Two analysts decide the same case at once: exactly one wins, the other gets 409 with the
/// winner's status, and only one pair of events is written.
async fn concurrent_decisions_move_a_case_once(b: Backend) {
    let app = spawn(b).await;
    let a = app.analyst(Role::Analyst).await;
    let c = app.analyst(Role::Analyst).await;
    let case = open_case(&app, "crm-race").await;
    submit(&app, &case).await;
    let (r1, r2) = tokio::join!(
        act(&app, &a, &case, "decision", json!({"outcome": "approved"})),
        act(&app, &c, &case, "decision", json!({"outcome": "declined"})),
    );
    let mut statuses = [r1.0, r2.0];
    statuses.sort();
    assert_eq!(statuses, [200, 409], "{r1:?} {r2:?}");
    let winner = if r1.0 == 200 { &r1.1 } else { &r2.1 };
    let loser = if r1.0 == 200 { &r2.1 } else { &r1.1 };
    assert_eq!(loser["currentStatus"], winner["status"]);
    let decisions =
        app.timeline(&a.token, &case).await.into_iter().filter(|e| e["event"] == "case.decision.made").count();
    assert_eq!(decisions, 1);
}

async fn owners(b: Backend) {
    let app = spawn(b).await;
    let a = app.analyst(Role::Analyst).await;
    let c = app.analyst(Role::Senior).await;
    let case = open_case(&app, "crm-owner").await;

    let (status, body) = act(&app, &a, &case, "owner", json!({"email": a.email.to_uppercase()})).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["owner"]["email"], a.email.as_str());
    let (status, _) = act(&app, &a, &case, "owner", json!({"email": c.email})).await;
    assert_eq!(status, 200);
    // The same owner again changes nothing and emits nothing.
    assert_eq!(act(&app, &a, &case, "owner", json!({"email": c.email})).await.0, 200);
    let (status, body) = act(&app, &c, &case, "owner", json!({"email": null})).await;
    assert_eq!(status, 200);
    assert_eq!(body["owner"], Value::Null);

    let owner_events: Vec<Value> =
        app.timeline(&a.token, &case).await.into_iter().filter(|e| e["event"] == "owner.changed").rev().collect();
    assert_eq!(owner_events.len(), 3);
    for e in &owner_events {
        assert_valid(&app, &e.to_string()).await;
    }
    assert_eq!(owner_events[0]["previousOwner"], Value::Null);
    assert_eq!(owner_events[0]["newOwner"], json!({"name": a.analyst.name, "email": a.email}));
    assert_eq!(owner_events[0]["changedBy"], a.email.as_str());
    assert_eq!(owner_events[1]["previousOwner"]["email"], a.email.as_str());
    assert_eq!(owner_events[1]["newOwner"]["email"], c.email.as_str());
    assert_eq!(owner_events[2]["previousOwner"]["email"], c.email.as_str());
    assert_eq!(owner_events[2]["newOwner"], Value::Null);
    assert_eq!(owner_events[2]["changedBy"], c.email.as_str());

    // Only analysts of this tenant can own its cases.
    let other_org = fml_domain::OrgId::parse("org_other_bank").unwrap();
    crate::helpers::seed_org(&app.db, &other_org, fml_domain::ScopeSet::all()).await;
    let outsider = app.analyst_in(&other_org, Role::Admin).await;
    for body in [json!({"email": outsider.email}), json!({"email": "ghost@bank.example"}), json!({"email": ""})] {
        let (status, res) = act(&app, &a, &case, "owner", body.clone()).await;
        assert_eq!((status, res["error"].as_str()), (422, Some("unknown_analyst")), "{body} -> {res}");
    }
    for body in [json!({}), json!({"email": 3})] {
        assert_eq!(act(&app, &a, &case, "owner", body).await.0, 400);
    }
}

async fn tenants_and_roles_are_enforced(b: Backend) {
    let app = spawn(b).await;
    let case = open_case(&app, "crm-iso").await;
    submit(&app, &case).await;
    let other_org = fml_domain::OrgId::parse("org_other_bank").unwrap();
    crate::helpers::seed_org(&app.db, &other_org, fml_domain::ScopeSet::all()).await;
    let outsider = app.analyst_in(&other_org, Role::Admin).await;
    let (_, body) = app.get_json(&app.analyst(Role::Analyst).await.token, &format!("/api/cases/{case}")).await;
    let reference = body["caseReference"].as_str().unwrap().to_owned();

    // Another tenant's case does not exist, by id or by reference, for every route.
    for id in [case.as_str(), reference.as_str()] {
        for path in ["", "/timeline"] {
            assert_eq!(app.get_json(&outsider.token, &format!("/api/cases/{id}{path}")).await.0, 404, "{path}");
        }
        for (action, body) in [
            ("decision", json!({"outcome": "approved"})),
            ("escalation", json!({"note": "x"})),
            ("owner", json!({"email": outsider.email})),
        ] {
            assert_eq!(act(&app, &outsider, id, action, body).await.0, 404, "{action}");
        }
    }
    let (status, list) = app.get_json(&outsider.token, "/api/cases").await;
    assert_eq!(status, 200);
    assert_eq!(list["data"].as_array().unwrap().len(), 0);
    let (_, body) = app.get_json(&app.analyst(Role::Analyst).await.token, &format!("/api/cases/{case}")).await;
    assert_eq!(body["status"], "in_review", "nothing the outsider sent changed it");
}

async fn listing_and_filters(b: Backend) {
    let app = spawn(b).await;
    let a = app.analyst(Role::Analyst).await;
    let token = app.token().await;
    let mut ids = Vec::new();
    for (i, company) in ["Acme 100% Holdings", "Beta_Trading", "acme Logistics"].iter().enumerate() {
        let mut body = recipe_body(&format!("crm-list-{i}"));
        body["companyName"] = json!(company);
        body["customerEmail"] = json!(format!("ops{i}@customer{i}.example"));
        let res = app.create_case(&token, None, &body).await;
        let v: Value = res.json().await.unwrap();
        ids.push(v["caseId"].as_str().unwrap().to_owned());
    }
    submit(&app, &ids[1]).await;
    act(&app, &a, &ids[2], "owner", json!({"email": a.email})).await;

    let list = |q: &'static str| {
        let app = &app;
        let token = a.token.clone();
        async move {
            let (status, body) = app.get_json(&token, &format!("/api/cases{q}")).await;
            assert_eq!(status, 200, "{q}: {body}");
            body["data"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["caseId"].as_str().unwrap().to_owned())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(list("").await, [ids[2].clone(), ids[1].clone(), ids[0].clone()], "newest first");
    assert_eq!(list("?status=in_review").await, [ids[1].clone()]);
    assert_eq!(list("?status=in_progress").await, [ids[2].clone(), ids[0].clone()]);
    assert_eq!(list("?q=ACME").await, [ids[2].clone(), ids[0].clone()]);
    // The search text is literal: % and _ are not wildcards.
    assert_eq!(list("?q=100%25").await, [ids[0].clone()]);
    assert_eq!(list("?q=ac_e").await, Vec::<String>::new(), "_ would match the m of acme");
    assert_eq!(list("?q=A_t").await, [ids[1].clone()]);
    assert_eq!(list("?q=Beta_").await, [ids[1].clone()]);
    // The reference and the customer's email are searched too.
    assert_eq!(list("?q=OPS1@CUSTOMER1").await, [ids[1].clone()]);
    assert_eq!(list("?owner=me").await, [ids[2].clone()]);
    assert_eq!(list("?owner=none").await, [ids[1].clone(), ids[0].clone()]);
    assert_eq!(list("?owner=nobody%40bank.example").await, Vec::<String>::new());
    assert_eq!(list("?source=api&status=in_progress&q=logistics").await, [ids[2].clone()]);
    assert_eq!(list("?source=manual").await, Vec::<String>::new());
    // Pages.
    let (_, page) = app.get_json(&a.token, "/api/cases?limit=2").await;
    assert_eq!(page["data"].as_array().unwrap().len(), 2);
    let cursor = page["nextCursor"].as_str().unwrap();
    let (_, page2) = app.get_json(&a.token, &format!("/api/cases?limit=2&cursor={cursor}")).await;
    assert_eq!(page2["data"][0]["caseId"], ids[0].as_str());
    assert_eq!(page2["nextCursor"], Value::Null);
    // The owner is shown with the case.
    let (_, page) = app.get_json(&a.token, "/api/cases?owner=me").await;
    assert_eq!(page["data"][0]["owner"]["email"], a.email.as_str());
    for bad in ["?status=submitted", "?source=fax", "?limit=0", "?cursor=zzz", "?limit=x"] {
        assert_eq!(app.get_json(&a.token, &format!("/api/cases{bad}")).await.0, 400, "{bad}");
    }
    // Letters beyond ASCII fold alike on both databases, short text (a scan) and long (the
    // trigram index) alike.
    let mut body = recipe_body("crm-list-unicode");
    body["companyName"] = json!("Ökotech Übersee GmbH");
    let res = app.create_case(&token, None, &body).await;
    let v: Value = res.json().await.unwrap();
    let unicode = [v["caseId"].as_str().unwrap().to_owned()];
    for q in ["?q=ök", "?q=ÖK", "?q=üb", "?q=ökotech", "?q=ÜBERSEE", "?q=h%20Ü"] {
        assert_eq!(list(q).await, unicode, "{q}");
    }
    assert_eq!(list("?q=[Ö]").await, Vec::<String>::new(), "brackets are literal");
}

crate::on_both_backends!(
    the_lifecycle_end_to_end,
    approvals_from_review_and_bad_input,
    concurrent_decisions_move_a_case_once,
    owners,
    tenants_and_roles_are_enforced,
    listing_and_filters,
);
