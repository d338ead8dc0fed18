//! Opening cases with group commit.
//!
//! `POST /v1/cases` must be cheap: a commit costs a round trip (and, on SQLite, an fsync) no
//! matter how much it carries. So requests queue here and one task per connection takes
//! everything queued, runs the whole batch as a handful of multi-row statements in one
//! transaction, and answers each request after the commit. Under load a batch holds dozens of
//! creates; when idle it holds one, and latency is a single transaction.
//!
//! Per batch: claim the idempotency keys; read the cases that already exist for the batch's CRM
//! record ids; take reference numbers; insert the cases (the unique index on
//! `(org_id, crm_record_id)` settles races with other nodes); insert invites, invite mail and
//! `case.created` events; store the responses under the keys; commit.
//!
//! Two requests of one batch that share an idempotency key or a CRM record id cannot both go
//! in: the later one is carried to the next batch, where it sees the first one's result.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use fml_domain::case::NewCase;
use fml_domain::events::{CaseCreated, WebhookEvent};
use fml_domain::idempotency::{Verdict, judge};
use fml_domain::secret::SecretHash;
use fml_domain::{CaseId, CaseReference, CaseSource, CaseStatus, OrgId, Timestamp};
use tokio::sync::{Mutex, mpsc, oneshot};

use crate::cases::{CaseRecord, INSERT_COLUMNS, find_by_crm_in};
use crate::db::{Arg, values_clause};
use crate::idempotency::{Claim, claim_many, complete_many, existing_many};
use crate::mail::NewMail;
use crate::unit::{UnitOfWork, Wakers};
use crate::{Db, StoreError, fetch_all_args, fetch_optional};

/// Most creates one transaction carries (bounded by bind-parameter limits and latency).
const MAX_BATCH: usize = 64;

/// A request to open a case, already validated.
#[derive(Debug)]
pub struct CreateCase {
    pub org: OrgId,
    /// The id the case gets if it is created (unused if an existing case is returned).
    pub case_id: CaseId,
    pub claim: Option<Claim>,
    pub new_case: NewCase,
    pub invite: Option<PreparedInvite>,
    /// `api` from the Public API, `manual` from an analyst.
    pub source: CaseSource,
    /// The analyst's email, for manual cases.
    pub created_by: Option<String>,
    /// The company's registration number (manual cases).
    pub company_number: Option<String>,
}

/// A magic-link invite prepared by the caller: only the token's hash reaches the store.
#[derive(Debug)]
pub struct PreparedInvite {
    pub token_hash: SecretHash,
    pub expires_at: Timestamp,
    pub mail: NewMail,
}

/// What became of a [`CreateCase`].
#[derive(Debug)]
pub enum CreateOutcome {
    /// A new case: 201.
    Created { case: CaseRecord, body: String },
    /// The tenant already has a case for this CRM record id: 200, `Idempotent-Replay: crm-record-id`.
    ExistingForCrm { case: CaseRecord, body: String },
    /// The idempotency key was already taken.
    KeyTaken(Verdict),
}

/// Renders a case as the response body stored under idempotency keys (the HTTP layer owns the
/// representation; the store only keeps the bytes).
pub type Renderer = Arc<dyn Fn(&CaseRecord) -> String + Send + Sync>;

type Job = (CreateCase, oneshot::Sender<Result<CreateOutcome, StoreError>>);

/// Handle on the writer tasks.
#[derive(Debug, Clone)]
pub struct CaseWriter {
    tx: mpsc::Sender<Job>,
}

impl CaseWriter {
    /// Starts the writer: one task on SQLite (it has one write connection), two on
    /// PostgreSQL so one batch's round trips overlap another's commit.
    /// `wakers` are woken after a commit (through the unit of work).
    pub fn spawn(db: Db, render: Renderer, wakers: Wakers) -> Self {
        let (tx, rx) = mpsc::channel::<Job>(4096);
        let rx = Arc::new(Mutex::new(rx));
        // Measured (docs/benchmarks.md): two overlapping writers beat one, while more mostly
        // queue on the per-tenant reference counter and lose throughput.
        let workers = if db.backend().concurrent_writers() { 2 } else { 1 };
        for _ in 0..workers {
            tokio::spawn(run(db.clone(), render.clone(), rx.clone(), wakers.clone()));
        }
        Self { tx }
    }

    pub async fn create(&self, cmd: CreateCase) -> Result<CreateOutcome, StoreError> {
        let (reply, answer) = oneshot::channel();
        self.tx.send((cmd, reply)).await.map_err(|_| StoreError::WriterGone)?;
        answer.await.map_err(|_| StoreError::WriterGone)?
    }
}

async fn run(db: Db, render: Renderer, rx: Arc<Mutex<mpsc::Receiver<Job>>>, wakers: Wakers) {
    let mut carry: Vec<Job> = Vec::new();
    loop {
        let mut batch = std::mem::take(&mut carry);
        // A worker with carried jobs must not wait for the receiver: another worker may be
        // parked on it until the next request arrives. It then runs its carry alone.
        let guard = if batch.is_empty() { Some(rx.lock().await) } else { rx.try_lock().ok() };
        if let Some(mut rx) = guard {
            if batch.is_empty() {
                match rx.recv().await {
                    Some(job) => batch.push(job),
                    None => return,
                }
            }
            while batch.len() < MAX_BATCH {
                match rx.try_recv() {
                    Ok(job) => batch.push(job),
                    Err(_) => break,
                }
            }
        }
        carry = process(&db, &render, batch, &wakers).await;
    }
}

/// Runs one batch; returns the jobs carried to the next one.
async fn process(db: &Db, render: &Renderer, batch: Vec<Job>, wakers: &Wakers) -> Vec<Job> {
    let mut carried = Vec::new();
    let mut leaders = Vec::with_capacity(batch.len());
    let mut keys = HashSet::new();
    let mut crms = HashSet::new();
    for job in batch {
        let cmd = &job.0;
        let key = cmd.claim.as_ref().map(|c| (cmd.org.clone(), c.key.clone()));
        let crm = cmd.new_case.crm_record_id.as_ref().map(|c| (cmd.org.clone(), c.clone()));
        let clash = key.as_ref().is_some_and(|k| keys.contains(k)) || crm.as_ref().is_some_and(|c| crms.contains(c));
        if clash {
            carried.push(job);
            continue;
        }
        keys.extend(key);
        crms.extend(crm);
        leaders.push(job);
    }
    let cmds: Vec<&CreateCase> = leaders.iter().map(|(c, _)| c).collect();
    match run_batch(db, render, &cmds, wakers).await {
        Ok(outcomes) => {
            for ((_, reply), outcome) in leaders.into_iter().zip(outcomes) {
                let _ = reply.send(Ok(outcome));
            }
        }
        Err(e) if leaders.len() > 1 => {
            // One bad request, or a deadlock between nodes on PostgreSQL, must not fail the
            // others: run each alone.
            tracing::warn!(error = %e, size = leaders.len(), "case batch failed; retrying one by one");
            for (cmd, reply) in leaders {
                let res = run_batch(db, render, &[&cmd], wakers).await.map(|mut o| o.remove(0));
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

async fn run_batch(
    db: &Db,
    render: &Renderer,
    cmds: &[&CreateCase],
    wakers: &Wakers,
) -> Result<Vec<CreateOutcome>, StoreError> {
    let now = Timestamp::now();
    let mut outcomes: Vec<Option<CreateOutcome>> = cmds.iter().map(|_| None).collect();
    // The connection for the reference counter (PostgreSQL, below) is taken before the
    // transaction opens: waiting for a second connection while holding the first (and the
    // claimed keys' locks) could stall on a busy pool.
    let mut reserve = if db.backend().concurrent_writers() { Some(db.standalone().await?) } else { None };
    // One unit of work: the batch's writes, its events and their deliveries commit together,
    // and the engine is woken after.
    let mut unit = UnitOfWork::begin(db, wakers).await?;

    // 1. Idempotency keys.
    let claims: Vec<&Claim> = cmds.iter().filter_map(|c| c.claim.as_ref()).collect();
    let taken = claim_many(unit.conn(), &claims, now).await?;
    let refused: Vec<usize> = (0..cmds.len())
        .filter(|&i| {
            cmds[i]
                .claim
                .as_ref()
                .is_some_and(|c| !taken.contains(&(c.org.as_str().to_owned(), c.key.as_str().to_owned())))
        })
        .collect();
    if !refused.is_empty() {
        let wanted: Vec<_> = refused.iter().filter_map(|&i| cmds[i].claim.as_ref().map(|c| (&c.org, &c.key))).collect();
        let found: HashMap<(String, String), _> =
            existing_many(unit.conn(), &wanted).await?.into_iter().map(|(o, k, e)| ((o, k), e)).collect();
        for &i in &refused {
            let Some(c) = cmds[i].claim.as_ref() else { continue };
            let verdict = match found.get(&(c.org.as_str().to_owned(), c.key.as_str().to_owned())) {
                Some(existing) => judge(existing.clone(), &c.route, &c.fingerprint),
                None => Verdict::InProgress,
            };
            outcomes[i] = Some(CreateOutcome::KeyTaken(verdict));
        }
    }

    // 2. Cases that already exist for a CRM record id.
    let mut active: Vec<usize> = (0..cmds.len()).filter(|&i| outcomes[i].is_none()).collect();
    resolve_existing_crm(unit.tx(), render, cmds, &active, &mut outcomes).await?;
    active.retain(|&i| outcomes[i].is_none());

    // 3. Reference numbers, one counter update per tenant in the batch.
    let year = now.year();
    let mut per_org: HashMap<&OrgId, Vec<usize>> = HashMap::new();
    for &i in &active {
        per_org.entry(&cmds[i].org).or_default().push(i);
    }
    let mut records: HashMap<usize, CaseRecord> = HashMap::new();
    // With concurrent writers the numbers are reserved in a statement of their own, committed
    // at once: inside the batch's transaction the counter row stayed locked until its commit, so the
    // two writers ran one after the other (measured: 3.6 ms of lock wait per batch). The
    // price is a gap in the numbers if the batch then fails — which a lost cross-node CRM
    // race already allows. SQLite has one writer, so its counter stays in the transaction.
    for (org, idxs) in &per_org {
        let k = idxs.len() as i64;
        let conn = match reserve.as_mut() {
            Some(c) => c.conn(),
            None => unit.conn(),
        };
        let (last,): (i64,) = fetch_optional!(
            conn,
            (i64,),
            "INSERT INTO case_counters (org_id, year, last) VALUES ($1, $2, $3) \
             ON CONFLICT (org_id, year) DO UPDATE SET last = case_counters.last + excluded.last RETURNING last",
            org.as_str(),
            year,
            k
        )?
        .ok_or_else(|| StoreError::Corrupt("case counter upsert returned nothing".into()))?;
        for (n, &i) in (last - k + 1..).zip(idxs) {
            records.insert(i, new_record(cmds[i], CaseReference::new(year, n), now));
        }
    }
    drop(reserve);

    // 4. The cases. A CRM record id taken meanwhile by another node's transaction is skipped
    //    here and answered with that case below.
    let inserted = insert_cases(unit.tx(), &active, &records).await?;
    let lost_race: Vec<usize> =
        active.iter().copied().filter(|i| !inserted.contains(&records[i].id.to_string())).collect();
    if !lost_race.is_empty() {
        resolve_existing_crm(unit.tx(), render, cmds, &lost_race, &mut outcomes).await?;
    }
    active.retain(|&i| outcomes[i].is_none());

    // 5. Invites, their mail, and the case.created events.
    let mut invite_args = Vec::new();
    let mut mails = Vec::new();
    for &i in &active {
        let rec = &records[&i];
        if let Some(inv) = &cmds[i].invite {
            invite_args.extend([
                Arg::Text(uuid::Uuid::new_v4().to_string()),
                Arg::Text(rec.org_id.as_str().to_owned()),
                Arg::Text(rec.id.to_string()),
                Arg::Text(cmds[i].new_case.customer_email.as_str().to_owned()),
                Arg::Text(inv.token_hash.as_str().to_owned()),
                Arg::Int(now.millis()),
                Arg::Int(inv.expires_at.millis()),
            ]);
            mails.push(&inv.mail);
        }
        unit.emit(
            CaseCreated {
                case_id: rec.id,
                case_reference: rec.reference.clone(),
                company_name: rec.company_name.clone(),
                company_number: rec.company_number.clone(),
                country: rec.country,
                customer_email: rec.customer_email.clone(),
                source: rec.source,
                created_by: rec.created_by.clone(),
            }
            .emit(&rec.org_id, rec.crm_record_id.as_deref(), now),
        );
    }
    if !invite_args.is_empty() {
        let sql = format!(
            "INSERT INTO case_invites (id, org_id, case_id, email, token_hash, created_at, expires_at) VALUES {}",
            values_clause(invite_args.len() / 7, 7, 1)
        );
        crate::execute_args!(unit.conn(), sql, invite_args)?;
    }
    unit.queue_mail(&mails, now).await?;
    for &i in &active {
        let case = records.remove(&i).ok_or_else(|| StoreError::Corrupt("lost a case record".into()))?;
        let body = render(&case);
        outcomes[i] = Some(CreateOutcome::Created { case, body });
    }

    // 6. Responses under the keys.
    let done: Vec<_> = cmds
        .iter()
        .zip(&outcomes)
        .filter_map(|(cmd, o)| {
            let claim = cmd.claim.as_ref()?;
            match o {
                Some(CreateOutcome::Created { body, .. }) => Some((&claim.org, &claim.key, 201, body.as_str())),
                Some(CreateOutcome::ExistingForCrm { body, .. }) => Some((&claim.org, &claim.key, 200, body.as_str())),
                _ => None,
            }
        })
        .collect();
    complete_many(unit.conn(), &done).await?;
    unit.commit().await?;
    outcomes.into_iter().map(|o| o.ok_or_else(|| StoreError::Corrupt("a create had no outcome".into()))).collect()
}

fn new_record(cmd: &CreateCase, reference: CaseReference, now: Timestamp) -> CaseRecord {
    let c = &cmd.new_case;
    CaseRecord {
        id: cmd.case_id,
        org_id: cmd.org.clone(),
        reference,
        status: CaseStatus::InProgress,
        source: cmd.source,
        customer_email: Some(c.customer_email.as_str().to_owned()),
        customer_name: c.customer_name.clone(),
        company_name: c.company_name.clone(),
        company_number: cmd.company_number.clone(),
        country: c.country,
        entity_type: c.entity_type.clone(),
        crm_record_id: c.crm_record_id.clone(),
        crm_source: c.crm_source.clone(),
        invite_sent_at: cmd.invite.as_ref().map(|_| now),
        created_at: now,
        updated_at: now,
        created_by: cmd.created_by.clone(),
        owner_id: None,
        decision: None,
    }
}

async fn resolve_existing_crm(
    tx: &mut crate::db::Tx,
    render: &Renderer,
    cmds: &[&CreateCase],
    idxs: &[usize],
    outcomes: &mut [Option<CreateOutcome>],
) -> Result<(), StoreError> {
    let pairs: Vec<(&OrgId, &str)> =
        idxs.iter().filter_map(|&i| cmds[i].new_case.crm_record_id.as_deref().map(|c| (&cmds[i].org, c))).collect();
    if pairs.is_empty() {
        return Ok(());
    }
    let found = find_by_crm_in(tx.conn(), &pairs).await?;
    for &i in idxs {
        let Some(crm) = cmds[i].new_case.crm_record_id.as_deref() else { continue };
        if let Some(case) = found.iter().find(|c| c.org_id == cmds[i].org && c.crm_record_id.as_deref() == Some(crm)) {
            let body = render(case);
            outcomes[i] = Some(CreateOutcome::ExistingForCrm { case: case.clone(), body });
        }
    }
    Ok(())
}

#[derive(sqlx::FromRow)]
struct IdRow {
    id: String,
}

async fn insert_cases(
    tx: &mut crate::db::Tx,
    active: &[usize],
    records: &HashMap<usize, CaseRecord>,
) -> Result<HashSet<String>, StoreError> {
    if active.is_empty() {
        return Ok(HashSet::new());
    }
    let sql = format!(
        "INSERT INTO cases ({INSERT_COLUMNS}) VALUES {} ON CONFLICT (org_id, crm_record_id) DO NOTHING RETURNING id",
        values_clause(active.len(), 17, 1)
    );
    let mut args = Vec::with_capacity(active.len() * 17);
    for i in active {
        let r = &records[i];
        args.extend([
            Arg::Text(r.id.to_string()),
            Arg::Text(r.org_id.as_str().to_owned()),
            Arg::Text(r.reference.as_str().to_owned()),
            Arg::Text(r.status.as_str().to_owned()),
            Arg::Text(r.source.as_str().to_owned()),
            Arg::OptText(r.customer_email.clone()),
            Arg::OptText(r.customer_name.clone()),
            Arg::OptText(r.company_name.clone()),
            Arg::OptText(r.company_number.clone()),
            Arg::OptText(r.country.map(|c| c.as_str().to_owned())),
            Arg::OptText(r.entity_type.clone()),
            Arg::OptText(r.crm_record_id.clone()),
            Arg::OptText(r.crm_source.clone()),
            Arg::OptInt(r.invite_sent_at.map(Timestamp::millis)),
            Arg::Int(r.created_at.millis()),
            Arg::Int(r.updated_at.millis()),
            Arg::OptText(r.created_by.clone()),
        ]);
    }
    let rows = fetch_all_args!(tx.conn(), IdRow, sql, args)?;
    Ok(rows.into_iter().map(|r| r.id).collect())
}
