//! Cross-node wake-ups: PostgreSQL `LISTEN/NOTIFY` tells this process about deliveries other
//! nodes created or made due, so it need not wait for the next rescan.

use std::sync::Arc;
use std::time::Duration;

use fml_store::wake::DeliveryWake;

/// Wakes the engine when another node creates deliveries or makes some due.
pub(super) async fn listen(pool: sqlx::PgPool, wake: Arc<DeliveryWake>) {
    loop {
        match sqlx::postgres::PgListener::connect_with(&pool).await {
            Ok(mut l) => {
                if let Err(e) = l.listen(fml_store::deliveries::CHANNEL).await {
                    tracing::warn!(error = %e, "LISTEN failed");
                } else {
                    // `try_recv` says when the connection was lost (`None`; the next call
                    // reconnects): whatever was announced meanwhile is found by a scan.
                    loop {
                        match l.try_recv().await {
                            Ok(Some(n)) => match n.payload() {
                                "" => wake.new_deliveries(),
                                p => match p.strip_prefix("new:") {
                                    Some(list) => wake.due_now(&list.split(',').map(str::to_owned).collect::<Vec<_>>()),
                                    None => wake.endpoint_due(p),
                                },
                            },
                            Ok(None) => wake.new_deliveries(),
                            Err(_) => break,
                        }
                    }
                }
            }
            Err(e) => tracing::warn!(error = %e, "cannot open the LISTEN connection"),
        }
        // The rescan covers the gap; try again shortly.
        tokio::time::sleep(Duration::from_secs(1)).await;
        wake.new_deliveries();
    }
}
