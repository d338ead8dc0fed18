//! The unit of work: a change's events and audit rows are written with it and only if it
//! commits; a change without an audit row is refused; the engine is woken after commit, for
//! the endpoints that got deliveries.

use std::sync::Arc;

use fml_domain::events::{CaseCreated, WebhookEvent};
use fml_domain::{CaseId, CaseReference, CaseSource, Timestamp};
use fml_store::audit::{ActorKind, Entry};
use fml_store::unit::{UnitOfWork, Wakers};
use fml_store::wake::DeliveryWake;
use serde_json::json;

use crate::helpers::{Backend, spawn};

fn event(app: &crate::helpers::TestApp) -> fml_domain::events::OutboxEvent {
    CaseCreated {
        case_id: CaseId::generate(),
        case_reference: CaseReference::new(2026, 999),
        company_name: Some("Acme Holdings Ltd".into()),
        company_number: None,
        country: None,
        customer_email: Some("jane@acme.example".into()),
        source: CaseSource::Manual,
        created_by: None,
    }
    .emit(&app.org, None, Timestamp::now())
}

async fn events_commit_with_their_change_or_not_at_all(b: Backend) {
    let app = spawn(b).await;
    let token = app.token().await;
    let ep =
        app.create_endpoint(&token, json!({"url": "http://127.0.0.1:9/hook", "eventTypes": ["case.created"]})).await;
    let wake = Arc::new(DeliveryWake::new());
    let wakers = Wakers { deliveries: wake.clone(), ..Wakers::default() };

    // Rolled back: no event, no delivery, no wake-up.
    let mut unit = UnitOfWork::begin(&app.db, &wakers).await.unwrap();
    unit.emit(event(&app));
    drop(unit);
    assert!(fml_store::events::list(&app.db, &app.org).await.unwrap().is_empty());
    assert!(wake.take_due_now().is_empty());

    // Committed: the event, its audit row, its delivery, and the endpoint named to the engine.
    let mut unit = UnitOfWork::begin(&app.db, &wakers).await.unwrap();
    unit.emit(event(&app));
    unit.audit(&entry(&app, "test.change"), Timestamp::now());
    unit.commit().await.unwrap();
    assert_eq!(audited(&app, "test.change").await, 1);
    let events = fml_store::events::list(&app.db, &app.org).await.unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].event_type, "case.created");
    assert_eq!(wake.take_due_now(), [ep["id"].as_str().unwrap()]);
    assert_eq!(app.deliveries(&token, "").await.len(), 1);
}

fn entry<'a>(app: &'a crate::helpers::TestApp, action: &'a str) -> Entry<'a> {
    Entry {
        org: Some(&app.org),
        case_id: None,
        actor_kind: ActorKind::System,
        actor: "test",
        action,
        detail: json!({}),
    }
}

async fn audited(app: &crate::helpers::TestApp, action: &str) -> usize {
    fml_store::audit::list(&app.db, &app.org, Some(action), 100).await.unwrap().len()
}

async fn rename(unit: &mut UnitOfWork, org: &fml_domain::OrgId) {
    fml_store::execute!(unit.conn(), "UPDATE orgs SET name = 'Renamed Ltd' WHERE id = $1", org.as_str()).unwrap();
}

async fn org_name(app: &crate::helpers::TestApp) -> String {
    let mut r = app.db.reader().await.unwrap();
    let row: Option<(String,)> =
        fml_store::fetch_optional!(r.conn(), (String,), "SELECT name FROM orgs WHERE id = $1", app.org.as_str())
            .unwrap();
    row.unwrap().0
}

async fn a_change_without_its_audit_row_is_refused_and_rolled_back(b: Backend) {
    let app = spawn(b).await;
    let wakers = Wakers::default();
    let before = org_name(&app).await;

    // A change with no audit row: refused, and nothing of it is kept.
    let mut unit = UnitOfWork::begin(&app.db, &wakers).await.unwrap();
    rename(&mut unit, &app.org).await;
    assert!(matches!(unit.commit().await, Err(fml_store::StoreError::Unaudited)));
    assert_eq!(org_name(&app).await, before);

    // Bookkeeping needs no audit row, but an event it emits does.
    let mut unit = UnitOfWork::bookkeeping(&app.db, &wakers).await.unwrap();
    unit.emit(event(&app));
    assert!(matches!(unit.commit().await, Err(fml_store::StoreError::Unaudited)));
    assert!(fml_store::events::list(&app.db, &app.org).await.unwrap().is_empty());

    // A change found to be none may say so and commit what else it carries, unless it emits.
    let mut unit = UnitOfWork::begin(&app.db, &wakers).await.unwrap();
    unit.unchanged();
    unit.commit().await.unwrap();
    let mut unit = UnitOfWork::begin(&app.db, &wakers).await.unwrap();
    unit.unchanged();
    unit.emit(event(&app));
    assert!(matches!(unit.commit().await, Err(fml_store::StoreError::Unaudited)));

    // With its audit row the change commits, row and all.
    let mut unit = UnitOfWork::begin(&app.db, &wakers).await.unwrap();
    rename(&mut unit, &app.org).await;
    unit.audit(&entry(&app, "org.rename"), Timestamp::now());
    unit.commit().await.unwrap();
    assert_eq!(org_name(&app).await, "Renamed Ltd");
    assert_eq!(audited(&app, "org.rename").await, 1);
}

crate::on_both_backends!(
    events_commit_with_their_change_or_not_at_all,
    a_change_without_its_audit_row_is_refused_and_rolled_back
);
