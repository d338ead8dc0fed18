//! The unit of work: a change's events are written with it and only if it commits; the engine
//! is woken after commit, for the endpoints that got deliveries.

use std::sync::Arc;

use fml_domain::events::{CaseCreated, WebhookEvent};
use fml_domain::{CaseId, CaseReference, CaseSource, Timestamp};
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

    // Committed: the event, its delivery, and the endpoint named to the engine.
    let mut unit = UnitOfWork::begin(&app.db, &wakers).await.unwrap();
    unit.emit(event(&app));
    unit.commit().await.unwrap();
    let events = fml_store::events::list(&app.db, &app.org).await.unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].event_type, "case.created");
    assert_eq!(wake.take_due_now(), [ep["id"].as_str().unwrap()]);
    assert_eq!(app.deliveries(&token, "").await.len(), 1);
}

crate::on_both_backends!(events_commit_with_their_change_or_not_at_all);
