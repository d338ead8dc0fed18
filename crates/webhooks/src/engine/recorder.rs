//! The recorder task: writes attempt outcomes in batches, one transaction each, so a burst of
//! attempts costs few commits, and tells the main loop when retries fall due.

use std::sync::Arc;
use std::time::Duration;

use fml_domain::Timestamp;
use fml_store::Db;
use fml_store::deliveries::Recorded;
use tokio::sync::mpsc;

use super::Msg;

/// Records outcomes in batches; reports scheduled retries back to the main loop.
pub(super) async fn recorder(
    db: Db,
    mut rx: mpsc::UnboundedReceiver<(Arc<str>, Recorded)>,
    msg_tx: mpsc::UnboundedSender<Msg>,
) {
    let mut batch: Vec<(Arc<str>, Recorded)> = Vec::new();
    while let Some(first) = rx.recv().await {
        batch.push(first);
        while batch.len() < 512 {
            match rx.try_recv() {
                Ok(r) => batch.push(r),
                Err(_) => break,
            }
        }
        let rows: Vec<Recorded> = batch.iter().map(|(_, r)| r.clone()).collect();
        let mut delay = Duration::from_millis(50);
        // An attempt that is not recorded would be sent again when its lease ends; keep
        // trying for a while before leaving it to that. After a failed try the rows go one by
        // one, so a row the database refuses costs only itself, not its whole batch.
        let mut recorded = false;
        for _ in 0..20 {
            match fml_store::deliveries::record(&db, &rows, Timestamp::now()).await {
                Ok(()) => {
                    recorded = true;
                    break;
                }
                Err(e) if rows.len() > 1 => {
                    tracing::warn!(error = %e, size = rows.len(), "recording a batch of attempts failed; one by one");
                    break;
                }
                Err(e) => {
                    tracing::warn!(error = %e, "recording an attempt failed; retrying");
                    tokio::time::sleep(delay).await;
                    delay = (delay * 2).min(Duration::from_secs(2));
                }
            }
        }
        if !recorded && rows.len() > 1 {
            for row in &rows {
                if let Err(e) = fml_store::deliveries::record(&db, std::slice::from_ref(row), Timestamp::now()).await {
                    tracing::error!(error = %e, delivery = row.delivery_id, "an attempt could not be recorded");
                }
            }
        }
        // A receiver that answers 410 Gone says it will take nothing more: its endpoint is
        // disabled at once (audited), before the main loop hears of the retry, and its queue
        // waits until someone enables it again.
        let mut gone: Vec<&Arc<str>> = Vec::new();
        for (endpoint, r) in &batch {
            if r.http_status == 410 && !gone.contains(&endpoint) {
                gone.push(endpoint);
            }
        }
        for endpoint in gone {
            match fml_store::endpoints::disable_gone(&db, endpoint, Timestamp::now()).await {
                Ok(true) => tracing::warn!(%endpoint, "endpoint disabled: its receiver answered 410 Gone"),
                Ok(false) => {}
                Err(e) => tracing::error!(%endpoint, error = %e, "could not disable an endpoint that answered 410"),
            }
        }
        for (endpoint, r) in batch.drain(..) {
            if let Some(at) = r.next_attempt_at {
                let _ = msg_tx.send(Msg::Due(endpoint, at));
            }
        }
    }
}
