//! A complete receiver: `FML_WEBHOOK_SECRET=… cargo run -p fml-receiver --features axum
//! --example receiver`, then point an endpoint (or `fml listen --forward-to`) at
//! http://127.0.0.1:3000/webhooks.

use axum::Router;
use axum::routing::post;
use fml_receiver::{Event, Receiver, Verified};

async fn webhook(Verified(event): Verified) -> &'static str {
    match &event {
        Event::CaseCreated(e) => println!("case created: {} ({:?})", e.case_reference, e.company_name),
        Event::CaseDecisionMade(e) => println!("case decided: {} {:?}", e.case_reference, e.outcome),
        other => println!("{} {}", other.event_type(), other.event_id()),
    }
    // Answer fast; slow work belongs in your own queue.
    "ok"
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let secret = std::env::var("FML_WEBHOOK_SECRET").map_err(|_| std::io::Error::other("set FML_WEBHOOK_SECRET"))?;
    let app = Router::new().route("/webhooks", post(webhook)).with_state(Receiver::new(secret));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:3000").await?;
    println!("listening on http://127.0.0.1:3000/webhooks");
    axum::serve(listener, app).await
}
