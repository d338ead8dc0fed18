//! One PostgreSQL connection hears what other nodes' commits announce, for every part of this
//! node that waits on them: new or due deliveries wake the webhook engine, queued jobs wake
//! the job runner, and a revoked API client clears the access-token cache. A notification is
//! delivered when its transaction commits; while the connection is down some may be missed,
//! so every (re)connection tells everyone to look again. On SQLite one process owns the
//! database and there is nothing to hear.

use std::time::Duration;

use crate::unit::Wakers;
use crate::{Db, clients, deliveries, jobs};

/// Who is told what. `revoked` clears the token cache (and returns false once the cache is
/// gone, after which revocations are no longer passed on).
pub struct Hearers {
    pub wakers: Wakers,
    pub revoked: Box<dyn Fn() -> bool + Send + Sync>,
}

impl std::fmt::Debug for Hearers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Hearers").field("wakers", &self.wakers).finish_non_exhaustive()
    }
}

impl Hearers {
    /// Something may have been missed: everyone looks again.
    fn everything(&self) {
        self.wakers.deliveries.new_deliveries();
        self.wakers.jobs.notify_one();
        (self.revoked)();
    }

    fn heard(&self, channel: &str, payload: &str) {
        match channel {
            deliveries::CHANNEL => match payload {
                "" => self.wakers.deliveries.new_deliveries(),
                p => match p.strip_prefix("new:") {
                    Some(list) => {
                        self.wakers.deliveries.due_now(&list.split(',').map(str::to_owned).collect::<Vec<_>>())
                    }
                    None => self.wakers.deliveries.endpoint_due(p),
                },
            },
            // Our own commits woke our runner already; a second wake would be a second lease.
            jobs::CHANNEL if payload != jobs::this_node() => self.wakers.jobs.notify_one(),
            clients::TOKENS_CHANNEL => {
                (self.revoked)();
            }
            _ => {}
        }
    }
}

/// Listens until the process ends (returns at once on SQLite).
pub async fn run(db: Db, hearers: Hearers) {
    let Db::Postgres(pool) = db else { return };
    loop {
        match sqlx::postgres::PgListener::connect_with(&pool).await {
            Ok(mut l) => match l.listen_all([deliveries::CHANNEL, jobs::CHANNEL, clients::TOKENS_CHANNEL]).await {
                Ok(()) => {
                    hearers.everything();
                    // `try_recv` says when the connection was lost (`None`; the next call
                    // reconnects), after which everyone looks again.
                    loop {
                        match l.try_recv().await {
                            Ok(Some(n)) => hearers.heard(n.channel(), n.payload()),
                            Ok(None) => hearers.everything(),
                            Err(_) => break,
                        }
                    }
                }
                Err(e) => tracing::warn!(error = %e, "LISTEN failed"),
            },
            Err(e) => tracing::warn!(error = %e, "cannot open the LISTEN connection"),
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
        hearers.everything();
    }
}
