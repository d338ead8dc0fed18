//! A unit of work: one write transaction that also collects the webhook events its change
//! emits. [`UnitOfWork::commit`] writes the events and their deliveries in the same
//! transaction, commits, and only then wakes the delivery engine — so an event can neither be
//! forgotten nor delivered for a change that rolled back, and no caller wakes the engine by
//! hand. Dropped without commit, everything (the change and its events) rolls back, and no
//! wake-up is sent.
//!
//! The audit row is part of the unit too: a unit begun for a change ([`UnitOfWork::begin`])
//! refuses to commit unless it was given one ([`UnitOfWork::audit`]) or was told the change
//! turned out to be none ([`UnitOfWork::unchanged`], an idempotent replay). The runtime's own
//! bookkeeping (a job's lease, a claimed time slot, a stored answer to a call that changed
//! nothing) begins with [`UnitOfWork::bookkeeping`]. Either way, a unit that emits an event
//! changed something a subscriber will hear of, and must say who did it.

use std::sync::Arc;

use fml_domain::events::OutboxEvent;

use crate::audit::{Entry, Pending};
use crate::db::{Conn, Tx};
use crate::wake::DeliveryWake;
use crate::{Db, StoreError};

/// The background workers a committed change may have given work: the delivery engine and
/// the job runner. Shared by every unit of work of a process.
#[derive(Debug, Clone, Default)]
pub struct Wakers {
    pub deliveries: Arc<DeliveryWake>,
    pub jobs: Arc<tokio::sync::Notify>,
}

#[derive(Debug)]
pub struct UnitOfWork {
    tx: Tx,
    events: Vec<OutboxEvent>,
    /// Endpoints whose existing deliveries the change made due (a redelivery, re-enabling).
    due_endpoints: Vec<String>,
    /// The change queued jobs.
    jobs: bool,
    wakers: Wakers,
    audit: Vec<Pending>,
    /// Whether commit needs an audit row (a change) or not (bookkeeping, a no-op).
    needs_audit: bool,
}

impl UnitOfWork {
    /// A unit for a change: it commits only with an audit row.
    pub async fn begin(db: &Db, wakers: &Wakers) -> Result<Self, StoreError> {
        Self::open(db, wakers, true).await
    }

    /// A unit for the runtime's bookkeeping, which no person asked for and no audit reader
    /// wants (leases, slots, retries, stored answers); it may not emit events unaudited.
    pub async fn bookkeeping(db: &Db, wakers: &Wakers) -> Result<Self, StoreError> {
        Self::open(db, wakers, false).await
    }

    async fn open(db: &Db, wakers: &Wakers, needs_audit: bool) -> Result<Self, StoreError> {
        Ok(Self {
            tx: db.begin().await?,
            events: Vec::new(),
            due_endpoints: Vec::new(),
            jobs: false,
            wakers: wakers.clone(),
            audit: Vec::new(),
            needs_audit,
        })
    }

    /// Adds the change's audit row; it is written at commit, with the change.
    pub fn audit(&mut self, entry: &Entry<'_>, now: fml_domain::Timestamp) {
        self.audit.push(Pending::of(entry, now));
    }

    /// The command found nothing to change (the value was already so): the unit may commit
    /// without an audit row, for what else it carries (an idempotency key's stored answer).
    pub fn unchanged(&mut self) {
        self.needs_audit = false;
    }

    /// Queues mail in the transaction, each message with its `send_mail` job; the job runner
    /// is woken after commit.
    pub async fn queue_mail(
        &mut self,
        mails: &[&crate::mail::NewMail],
        now: fml_domain::Timestamp,
    ) -> Result<(), StoreError> {
        let ids = crate::mail::insert_many(self.tx.conn(), mails, now).await?;
        let jobs: Vec<_> = mails
            .iter()
            .zip(ids)
            .map(|(m, mail_id)| (Some(&m.org), fml_domain::jobs::Job::SendMail { mail_id }))
            .collect();
        self.enqueue(&jobs, now).await
    }

    /// Queues background jobs in the transaction; the job runner is woken after commit.
    pub async fn enqueue(
        &mut self,
        jobs: &[(Option<&fml_domain::OrgId>, fml_domain::jobs::Job)],
        now: fml_domain::Timestamp,
    ) -> Result<(), StoreError> {
        crate::jobs::enqueue_many(self.tx.conn(), jobs, now).await?;
        self.jobs |= !jobs.is_empty();
        Ok(())
    }

    /// Queues one background job in the transaction and returns its id (to follow it); the
    /// job runner is woken after commit.
    pub async fn enqueue_one(
        &mut self,
        org: Option<&fml_domain::OrgId>,
        job: &fml_domain::jobs::Job,
        now: fml_domain::Timestamp,
    ) -> Result<i64, StoreError> {
        let id = crate::jobs::enqueue_one(self.tx.conn(), org, job, now).await?;
        self.jobs = true;
        Ok(id)
    }

    /// The transaction's connection, for the change itself.
    pub fn conn(&mut self) -> Conn<'_> {
        self.tx.conn()
    }

    /// The transaction itself, for helpers that take one.
    pub fn tx(&mut self) -> &mut Tx {
        &mut self.tx
    }

    /// Queues an event; it is written at commit, with the change.
    pub fn emit(&mut self, mut event: OutboxEvent) {
        if event.trace_parent.is_none() {
            event.trace_parent = crate::trace::current();
        }
        self.events.push(event);
    }

    /// The change made existing deliveries of `endpoint` due: the engine is told after commit.
    pub fn wake_endpoint(&mut self, endpoint: &str) {
        self.due_endpoints.push(endpoint.to_owned());
    }

    /// Writes the events and their deliveries, commits, then wakes the engine for the
    /// endpoints that got deliveries or were made due.
    /// Refuses ([`StoreError::Unaudited`]) a change that carries no audit row.
    pub async fn commit(mut self) -> Result<(), StoreError> {
        if self.audit.is_empty() && (self.needs_audit || !self.events.is_empty()) {
            // Dropping the unit rolls the change back: nothing unaudited is ever kept.
            return Err(StoreError::Unaudited);
        }
        crate::audit::insert_many(self.tx.conn(), &self.audit).await?;
        let events: Vec<&OutboxEvent> = self.events.iter().collect();
        let endpoints = crate::events::insert_many(self.tx.conn(), &events).await?;
        if self.jobs
            && let crate::db::Conn::Postgres(c) = self.tx.conn()
        {
            // Other nodes' runners hear of the jobs when this commits.
            sqlx::query("SELECT pg_notify($1, $2)")
                .bind(crate::jobs::CHANNEL)
                .bind(crate::jobs::this_node())
                .execute(&mut *c)
                .await?;
        }
        self.tx.commit().await?;
        if !endpoints.is_empty() {
            self.wakers.deliveries.due_now(&endpoints);
        }
        for endpoint in &self.due_endpoints {
            self.wakers.deliveries.endpoint_due(endpoint);
        }
        if self.jobs {
            self.wakers.jobs.notify_one();
        }
        Ok(())
    }
}
