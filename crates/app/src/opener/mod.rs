//! Opening cases with group commit: the command behind `POST /v1/cases`, the analyst's manual
//! case and the public application.
//!
//! `POST /v1/cases` must be cheap: a commit costs a round trip (and, on SQLite, an fsync) no
//! matter how much it carries. So requests queue here and one task per connection takes
//! everything queued, runs the whole batch as a handful of multi-row statements in one unit of
//! work, and answers each request after the commit. Under load a batch holds dozens of opens;
//! when idle it holds one, and latency is a single transaction. The batch itself is in
//! [`batch`].

mod batch;

use std::sync::Arc;

use fml_domain::idempotency::Verdict;
use fml_domain::{CaseId, CaseSource, OrgId, Timestamp};
use fml_store::StoreError;
use fml_store::cases::CaseRecord;
use fml_store::idempotency::Claim;
use fml_store::mail::NewMail;
use fml_store::unit::Wakers;
use tokio::sync::{Mutex, mpsc, oneshot};

use crate::{CommandError, Ctx};

/// Most opens one transaction carries (bounded by bind-parameter limits and latency).
const MAX_BATCH: usize = 64;

/// Who opens a case, as the audit log records it.
#[derive(Debug, Clone)]
pub enum OpenedBy {
    /// A Public API client, by id.
    Client(String),
    /// An analyst (their email), for a manual case.
    Analyst(String),
    /// An applicant who confirmed their email through the public application link.
    Applicant,
}

/// A case to open, already validated.
#[derive(Debug)]
pub struct Opening {
    pub org: OrgId,
    /// `api` from the Public API, `manual` from an analyst, the link's from an application.
    pub source: CaseSource,
    pub by: OpenedBy,
    pub company_number: Option<String>,
    pub new_case: fml_domain::case::NewCase,
    /// The request's `Idempotency-Key`, claimed in the batch's transaction.
    pub claim: Option<Claim>,
}

/// What became of an [`Opening`].
#[derive(Debug)]
pub enum Opened {
    /// A new case: 201.
    Created { case: CaseRecord, body: String },
    /// The tenant already has a case for this CRM record id: 200, `Idempotent-Replay: crm-record-id`.
    ExistingForCrm { case: CaseRecord, body: String },
    /// The idempotency key was already taken.
    KeyTaken(Verdict),
}

/// Renders a case as the answer stored under an idempotency key, in the transaction that opens
/// it (the HTTP surface owns the representation; the opener keeps the bytes it is handed).
pub type Renderer = Arc<dyn Fn(&CaseRecord) -> String + Send + Sync>;

/// A magic-link invite prepared before the batch: only the token's hash is stored.
#[derive(Debug)]
struct PreparedInvite {
    token_hash: fml_domain::secret::SecretHash,
    expires_at: Timestamp,
    mail: NewMail,
}

/// An opening on its way through the queue, with the id its case gets if it is created.
#[derive(Debug)]
struct Request {
    case_id: CaseId,
    opening: Opening,
    invite: Option<PreparedInvite>,
    /// The submitting request's trace (its events join it, though a batch task writes them).
    trace: Option<String>,
}

type Queued = (Request, oneshot::Sender<Result<Opened, StoreError>>);

/// Handle on the opener's tasks.
#[derive(Debug, Clone)]
pub struct Opener {
    tx: mpsc::Sender<Queued>,
}

impl Opener {
    /// Starts the opener: one task on SQLite (it has one write connection), two on
    /// PostgreSQL so one batch's round trips overlap another's commit.
    pub fn spawn(ctx: &Ctx, render: Renderer) -> Self {
        let (tx, rx) = mpsc::channel::<Queued>(4096);
        let rx = Arc::new(Mutex::new(rx));
        // Measured (docs/benchmarks.md): two overlapping writers beat one, while more mostly
        // queue on the per-tenant reference counter and lose throughput.
        let workers = if ctx.db.backend().concurrent_writers() { 2 } else { 1 };
        for _ in 0..workers {
            tokio::spawn(run(ctx.db.clone(), ctx.wakers.clone(), render.clone(), rx.clone()));
        }
        Self { tx }
    }

    async fn submit(&self, req: Request) -> Result<Opened, StoreError> {
        let (reply, answer) = oneshot::channel();
        self.tx.send((req, reply)).await.map_err(|_| StoreError::WriterGone)?;
        answer.await.map_err(|_| StoreError::WriterGone)?
    }
}

/// Opens a case (`case.created`, audited), with its invite when `sendInvite` asks for one.
/// `branding` saves a lookup when the caller has it at hand.
pub async fn open(
    ctx: &Ctx,
    opener: &Opener,
    opening: Opening,
    branding: Option<&crate::settings::Branding>,
) -> Result<Opened, CommandError> {
    let case_id = CaseId::generate();
    let invite = if opening.new_case.send_invite {
        let looked_up;
        let b = match branding {
            Some(b) => b,
            None => {
                looked_up = crate::settings::branding(ctx, &opening.org).await?;
                &looked_up
            }
        };
        let to = crate::mail::InviteFor {
            org: &opening.org,
            case_id,
            email: opening.new_case.customer_email.as_str(),
            customer_name: opening.new_case.customer_name.as_deref(),
            company_name: opening.new_case.company_name.as_deref(),
        };
        let inv = crate::mail::invite(ctx.mail()?, b, &to, Timestamp::now());
        Some(PreparedInvite { token_hash: inv.token.hash(), expires_at: inv.expires_at, mail: inv.mail })
    } else {
        None
    };
    let trace = fml_store::trace::current();
    Ok(opener.submit(Request { case_id, opening, invite, trace }).await?)
}

async fn run(db: fml_store::Db, wakers: Wakers, render: Renderer, rx: Arc<Mutex<mpsc::Receiver<Queued>>>) {
    let mut carry: Vec<Queued> = Vec::new();
    loop {
        let mut batch = std::mem::take(&mut carry);
        // A worker with carried requests must not wait for the receiver: another worker may
        // be parked on it until the next request arrives. It then runs its carry alone.
        let guard = if batch.is_empty() { Some(rx.lock().await) } else { rx.try_lock().ok() };
        if let Some(mut rx) = guard {
            if batch.is_empty() {
                match rx.recv().await {
                    Some(q) => batch.push(q),
                    None => return,
                }
            }
            while batch.len() < MAX_BATCH {
                match rx.try_recv() {
                    Ok(q) => batch.push(q),
                    Err(_) => break,
                }
            }
        }
        carry = process(&db, &wakers, &render, batch).await;
    }
}

/// Runs one batch; returns the requests carried to the next one. Two requests of one batch
/// that share an idempotency key or a CRM record id cannot both go in: the later one is
/// carried to the next batch, where it sees the first one's result.
async fn process(db: &fml_store::Db, wakers: &Wakers, render: &Renderer, batch: Vec<Queued>) -> Vec<Queued> {
    let mut carried = Vec::new();
    let mut leaders = Vec::with_capacity(batch.len());
    let mut keys = std::collections::HashSet::new();
    let mut crms = std::collections::HashSet::new();
    for queued in batch {
        let o = &queued.0.opening;
        let key = o.claim.as_ref().map(|c| (o.org.clone(), c.key.clone()));
        let crm = o.new_case.crm_record_id.as_ref().map(|c| (o.org.clone(), c.clone()));
        if key.as_ref().is_some_and(|k| keys.contains(k)) || crm.as_ref().is_some_and(|c| crms.contains(c)) {
            carried.push(queued);
            continue;
        }
        keys.extend(key);
        crms.extend(crm);
        leaders.push(queued);
    }
    let reqs: Vec<&Request> = leaders.iter().map(|(r, _)| r).collect();
    match batch::run(db, wakers, render, &reqs).await {
        Ok(outcomes) => {
            for ((_, reply), outcome) in leaders.into_iter().zip(outcomes) {
                let _ = reply.send(Ok(outcome));
            }
        }
        Err(e) if leaders.len() > 1 => {
            // One bad request, or a deadlock between nodes on PostgreSQL, must not fail the
            // others: run each alone.
            tracing::warn!(error = %e, size = leaders.len(), "case batch failed; retrying one by one");
            for (req, reply) in leaders {
                let res = batch::run(db, wakers, render, &[&req]).await.map(|mut o| o.remove(0));
                let _ = reply.send(res);
            }
        }
        Err(e) => {
            if let Some((_, reply)) = leaders.into_iter().next() {
                let _ = reply.send(Err(e));
            }
        }
    }
    carried
}
