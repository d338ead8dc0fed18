//! One batch of openings in one unit of work: claim the idempotency keys; read the cases that
//! already exist for the batch's CRM record ids; take reference numbers; insert the cases (the
//! unique index on `(org_id, crm_record_id)` settles races with other nodes); insert invites,
//! invite mail, `case.created` events and an audit row per case; store the answers under the
//! keys; commit.

use std::collections::HashMap;

use fml_domain::events::{CaseCreated, WebhookEvent};
use fml_domain::idempotency::{ExistingKey, Verdict, judge};
use fml_domain::{CaseReference, CaseStatus, OrgId, Timestamp};
use fml_store::audit::{ActorKind, Entry};
use fml_store::cases::CaseRecord;
use fml_store::cases::open::{NewInvite, insert_invites, insert_many, reserve_references};
use fml_store::idempotency::{Claim, claim_many, complete_many, existing_many};
use fml_store::unit::{UnitOfWork, Wakers};
use fml_store::{Db, StoreError};
use serde_json::json;

use super::{Opened, OpenedBy, Renderer, Request};

pub(super) async fn run(
    db: &Db,
    wakers: &Wakers,
    render: &Renderer,
    reqs: &[&Request],
) -> Result<Vec<Opened>, StoreError> {
    let now = Timestamp::now();
    let mut outcomes: Vec<Option<Opened>> = reqs.iter().map(|_| None).collect();
    // The connection for the reference counter (PostgreSQL, below) is taken before the
    // transaction opens: waiting for a second connection while holding the first (and the
    // claimed keys' locks) could stall on a busy pool.
    let mut reserve = if db.backend().concurrent_writers() { Some(db.standalone().await?) } else { None };
    // One unit of work: the batch's writes, its audit rows, its events and their deliveries
    // commit together, and the engine is woken after.
    let mut unit = UnitOfWork::begin(db, wakers).await?;

    // 1. Idempotency keys.
    let refired = refuse_taken_keys(&mut unit, reqs, &mut outcomes, now).await?;

    // 2. Cases that already exist for a CRM record id. A re-fired trigger is answered with
    //    its record's case, or refused as a reused key if that case is gone from its record.
    let mut active: Vec<usize> = (0..reqs.len()).filter(|&i| outcomes[i].is_none()).collect();
    resolve_existing_crm(&mut unit, render, reqs, &active, &mut outcomes).await?;
    for &i in &refired {
        outcomes[i].get_or_insert(Opened::KeyTaken(Verdict::OtherRequest));
    }
    active.retain(|&i| outcomes[i].is_none());

    // 3. Reference numbers, one counter update per tenant in the batch.
    let year = now.year();
    let mut per_org: HashMap<&OrgId, Vec<usize>> = HashMap::new();
    for &i in &active {
        per_org.entry(&reqs[i].opening.org).or_default().push(i);
    }
    let mut records: HashMap<usize, CaseRecord> = HashMap::new();
    // With concurrent writers the numbers are reserved in a statement of their own, committed
    // at once: inside the batch's transaction the counter row stayed locked until its commit,
    // so the two writers ran one after the other (measured: 3.6 ms of lock wait per batch).
    // The price is a gap in the numbers if the batch then fails — which a lost cross-node CRM
    // race already allows. SQLite has one writer, so its counter stays in the transaction.
    for (org, idxs) in &per_org {
        let k = idxs.len() as i64;
        let conn = match reserve.as_mut() {
            Some(c) => c.conn(),
            None => unit.conn(),
        };
        let last = reserve_references(conn, org, year, k).await?;
        for (n, &i) in (last - k + 1..).zip(idxs) {
            records.insert(i, new_record(reqs[i], CaseReference::new(year, n), now));
        }
    }
    drop(reserve);

    // 4. The cases. A CRM record id taken meanwhile by another node's transaction is skipped
    //    here and answered with that case below.
    let new: Vec<&CaseRecord> = active.iter().map(|i| &records[i]).collect();
    let inserted = insert_many(unit.conn(), &new).await?;
    let lost_race: Vec<usize> = active.iter().copied().filter(|i| !inserted.contains(&records[i].id)).collect();
    if !lost_race.is_empty() {
        resolve_existing_crm(&mut unit, render, reqs, &lost_race, &mut outcomes).await?;
    }
    active.retain(|&i| outcomes[i].is_none());

    // 5. Invites, their mail, the case.created events and the audit rows.
    let mut invites = Vec::new();
    let mut mails = Vec::new();
    for &i in &active {
        let (rec, req) = (&records[&i], reqs[i]);
        if let Some(inv) = &req.invite {
            invites.push(NewInvite {
                org: &rec.org_id,
                case_id: rec.id,
                email: req.opening.new_case.customer_email.as_str(),
                token_hash: &inv.token_hash,
                expires_at: inv.expires_at,
            });
            mails.push(&inv.mail);
        }
        let mut created = CaseCreated {
            case_id: rec.id,
            case_reference: rec.reference.clone(),
            company_name: rec.company_name.clone(),
            company_number: rec.company_number.clone(),
            country: rec.country,
            customer_email: rec.customer_email.clone(),
            source: rec.source,
            created_by: rec.created_by.clone(),
        }
        .emit(&rec.org_id, rec.crm_record_id.as_deref(), now);
        created.trace_parent.clone_from(&req.trace);
        unit.emit(created);
        let (actor_kind, actor) = match &req.opening.by {
            OpenedBy::Client(id) => (ActorKind::Client, id.as_str()),
            OpenedBy::Analyst(email) => (ActorKind::Analyst, email.as_str()),
            OpenedBy::Applicant => (ActorKind::Customer, req.opening.new_case.customer_email.as_str()),
        };
        let detail = json!({"reference": rec.reference.as_str(), "source": rec.source.as_str(),
                            "crmRecordId": rec.crm_record_id, "invite": req.invite.is_some()});
        let entry =
            Entry { org: Some(&rec.org_id), case_id: Some(rec.id), actor_kind, actor, action: "case.create", detail };
        unit.audit(&entry, now);
    }
    insert_invites(unit.conn(), &invites, now).await?;
    unit.queue_mail(&mails, now).await?;
    if active.is_empty() {
        // Every request was a replay or found its case: only their answers are stored.
        unit.unchanged();
    }
    for &i in &active {
        let case = records.remove(&i).ok_or_else(|| StoreError::Corrupt("lost a case record".into()))?;
        let body = render(&case);
        outcomes[i] = Some(Opened::Created { case, body });
    }

    // 6. Answers under the keys (a re-fired key keeps the answer it was first given).
    let done: Vec<_> = reqs
        .iter()
        .zip(&outcomes)
        .enumerate()
        .filter(|(i, _)| !refired.contains(i))
        .filter_map(|(_, (req, o))| {
            let claim = req.opening.claim.as_ref()?;
            match o {
                Some(Opened::Created { body, .. }) => Some((&claim.org, &claim.key, 201, body.as_str())),
                Some(Opened::ExistingForCrm { body, .. }) => Some((&claim.org, &claim.key, 200, body.as_str())),
                _ => None,
            }
        })
        .collect();
    complete_many(unit.conn(), &done).await?;
    unit.commit().await?;
    outcomes.into_iter().map(|o| o.ok_or_else(|| StoreError::Corrupt("an opening had no outcome".into()))).collect()
}

/// Claims the batch's keys; a request whose key is taken gets its verdict, except a re-fired
/// trigger: returned (its outcome left to the CRM record's case), see [`refires`].
async fn refuse_taken_keys(
    unit: &mut UnitOfWork,
    reqs: &[&Request],
    outcomes: &mut [Option<Opened>],
    now: Timestamp,
) -> Result<Vec<usize>, StoreError> {
    let claims: Vec<&Claim> = reqs.iter().filter_map(|r| r.opening.claim.as_ref()).collect();
    let taken = claim_many(unit.conn(), &claims, now).await?;
    let refused: Vec<(usize, &Claim)> = reqs
        .iter()
        .enumerate()
        .filter_map(|(i, r)| r.opening.claim.as_ref().map(|c| (i, c)))
        .filter(|(_, c)| !taken.contains(&(c.org.as_str().to_owned(), c.key.as_str().to_owned())))
        .collect();
    if refused.is_empty() {
        return Ok(Vec::new());
    }
    let wanted: Vec<_> = refused.iter().map(|(_, c)| (&c.org, &c.key)).collect();
    let found: HashMap<(String, String), _> =
        existing_many(unit.conn(), &wanted).await?.into_iter().map(|(o, k, e)| ((o, k), e)).collect();
    let mut refired = Vec::new();
    for (i, c) in refused {
        let verdict = match found.get(&(c.org.as_str().to_owned(), c.key.as_str().to_owned())) {
            Some(existing) => match judge(existing.clone(), &c.route, &c.fingerprint) {
                Verdict::OtherRequest if refires(existing, reqs[i].opening.new_case.crm_record_id.as_deref()) => {
                    refired.push(i);
                    continue;
                }
                verdict => verdict,
            },
            None => Verdict::InProgress,
        };
        outcomes[i] = Some(Opened::KeyTaken(verdict));
    }
    Ok(refired)
}

/// Whether a key reused with another body is the recipes' re-fired trigger: both recipes make
/// the key from the CRM record id, so a re-saved record (changed fields) comes back with the
/// same key and a new body. When that body names the same `crmRecordId` as the case the key
/// was answered with, it is a second create for the same record — answered with that case
/// (`200`, `Idempotent-Replay: crm-record-id`), not `422`. A body naming another record, or
/// none, is a reused key. (The order of the two layers: the key is judged first, so an
/// identical retry still replays the first answer byte for byte.)
fn refires(existing: &ExistingKey, crm: Option<&str>) -> bool {
    let (Some(answer), Some(crm)) = (&existing.response, crm) else { return false };
    serde_json::from_str::<serde_json::Value>(&answer.body)
        .ok()
        .and_then(|v| v.get("crmRecordId")?.as_str().map(|stored| stored == crm))
        .unwrap_or(false)
}

fn new_record(req: &Request, reference: CaseReference, now: Timestamp) -> CaseRecord {
    let (o, c) = (&req.opening, &req.opening.new_case);
    CaseRecord {
        id: req.case_id,
        org_id: o.org.clone(),
        reference,
        status: CaseStatus::InProgress,
        source: o.source,
        customer_email: Some(c.customer_email.as_str().to_owned()),
        customer_name: c.customer_name.clone(),
        company_name: c.company_name.clone(),
        company_number: o.company_number.clone(),
        country: c.country,
        entity_type: c.entity_type.clone(),
        crm_record_id: c.crm_record_id.clone(),
        crm_source: c.crm_source.clone(),
        invite_sent_at: req.invite.as_ref().map(|_| now),
        created_at: now,
        updated_at: now,
        created_by: match &o.by {
            OpenedBy::Analyst(email) => Some(email.clone()),
            _ => None,
        },
        owner_id: None,
        decision: None,
    }
}

async fn resolve_existing_crm(
    unit: &mut UnitOfWork,
    render: &Renderer,
    reqs: &[&Request],
    idxs: &[usize],
    outcomes: &mut [Option<Opened>],
) -> Result<(), StoreError> {
    let pairs: Vec<(&OrgId, &str)> = idxs
        .iter()
        .filter_map(|&i| reqs[i].opening.new_case.crm_record_id.as_deref().map(|c| (&reqs[i].opening.org, c)))
        .collect();
    if pairs.is_empty() {
        return Ok(());
    }
    let found = fml_store::cases::find_by_crm_in(unit.conn(), &pairs).await?;
    for &i in idxs {
        let o = &reqs[i].opening;
        let Some(crm) = o.new_case.crm_record_id.as_deref() else { continue };
        if let Some(case) = found.iter().find(|c| c.org_id == o.org && c.crm_record_id.as_deref() == Some(crm)) {
            outcomes[i] = Some(Opened::ExistingForCrm { case: case.clone(), body: render(case) });
        }
    }
    Ok(())
}
