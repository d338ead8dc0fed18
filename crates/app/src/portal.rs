//! The customer's side: redeeming a magic link for a portal session, saving the application,
//! reviewing and correcting it, and (re)sending invites.

use fml_domain::application::Application;
use fml_domain::events::{Amendment, CorrectionSource, DataCorrected, WebhookEvent};
use fml_domain::ids::CaseLocator;
use fml_domain::secret::{Secret, SecretHash};
use fml_domain::{CaseStatus, OrgId, Timestamp};
use fml_store::audit::{self, ActorKind};
use fml_store::cases::CaseRecord;
use fml_store::portal::Admission;
use fml_store::unit::UnitOfWork;
use serde_json::json;

use crate::cases::load;
use crate::mail::InviteFor;
use crate::{Analyst, CommandError, Ctx, Customer};

/// Portal session tokens start with this.
pub const SESSION_PREFIX: &str = "fml_ps_";
/// A portal session ends after this long without a visit: a customer gathering documents
/// over a working day keeps it; a browser forgotten overnight does not stay open on the case.
pub const SESSION_IDLE_SECS: i64 = 24 * 3600;
/// However often it is used, a session ends this long after it began (the cookie's lifetime):
/// the way back in is then a new link by email.
pub const SESSION_MAX_SECS: i64 = 14 * 24 * 3600;
/// A session's end moves at most this often (a visit within it writes nothing).
const SESSION_SLIDE_SECS: i64 = 15 * 60;

/// A redeemed invite.
#[derive(Debug)]
pub struct PortalSession {
    pub customer: Customer,
    /// The cookie's value, shown once.
    pub token: Secret,
}

pub(crate) fn customer(a: Admission) -> Customer {
    Customer { org: a.org, case_id: a.case_id, email: a.email }
}

pub(crate) async fn audit_customer(
    unit: &mut UnitOfWork,
    who: &Customer,
    action: &str,
    detail: serde_json::Value,
    now: Timestamp,
) -> Result<(), CommandError> {
    let entry = audit::Entry {
        org: Some(&who.org),
        case_id: Some(who.case_id),
        actor_kind: ActorKind::Customer,
        actor: &who.email,
        action,
        detail,
    };
    unit.audit(&entry, now);
    Ok(())
}

/// What an invitation's landing page names, so that it reads as the tenant's and not as a
/// stranger's: the tenant, and the company the case is about.
#[derive(Debug, Clone)]
pub struct InviteLanding {
    pub org: OrgId,
    pub company_name: Option<String>,
}

/// The landing page of a live invite token, without using it (the confirmation page); `None`
/// for an unknown, used or expired token.
pub async fn invite_landing(ctx: &Ctx, token: &str) -> Result<Option<InviteLanding>, CommandError> {
    let Some(a) = fml_store::portal::live_invite(&ctx.db, &SecretHash::of(token), Timestamp::now()).await? else {
        return Ok(None);
    };
    let mut r = ctx.db.reader().await?;
    let case = fml_store::cases::get_in(r.conn(), &a.org, &CaseLocator::Id(a.case_id)).await?;
    Ok(Some(InviteLanding { org: a.org, company_name: case.and_then(|c| c.company_name) }))
}

/// Redeems a magic link: the invite is used (one conditional update: of two concurrent
/// redemptions one wins) and exchanged for a portal session. `None` for an unknown, used or
/// expired token.
pub async fn redeem(ctx: &Ctx, token: &str) -> Result<Option<PortalSession>, CommandError> {
    let now = Timestamp::now();
    let mut unit = ctx.unit().await?;
    let Some(admission) = fml_store::portal::redeem_invite(unit.conn(), &SecretHash::of(token), now).await? else {
        return Ok(None);
    };
    let session = Secret::generate(SESSION_PREFIX);
    fml_store::portal::create_session(unit.conn(), &admission, &session.hash(), now, session_end(now)).await?;
    let who = customer(admission);
    audit_customer(&mut unit, &who, "invite.redeem", json!({}), now).await?;
    unit.commit().await?;
    Ok(Some(PortalSession { customer: who, token: session }))
}

/// The customer of a live portal session. A visit moves the session's end a day out (at most
/// every quarter hour, never past [`SESSION_MAX_SECS`] from its start).
pub async fn by_session(ctx: &Ctx, token: &str) -> Result<Option<Customer>, CommandError> {
    let now = Timestamp::now();
    let hash = SecretHash::of(token);
    let Some(live) = fml_store::portal::session(&ctx.db, &hash, now).await? else { return Ok(None) };
    if let Some(until) = slid_end(live.created_at, live.expires_at, now) {
        // Bookkeeping: a session's end is not a change anyone made to a case.
        let mut unit = ctx.bookkeeping().await?;
        fml_store::portal::extend_session(unit.conn(), &hash, now, until).await?;
        unit.commit().await?;
    }
    Ok(Some(customer(live.admission)))
}

/// The new end of a session visited at `now`, if it should move.
fn slid_end(created_at: Timestamp, expires_at: Timestamp, now: Timestamp) -> Option<Timestamp> {
    let until = now.plus_secs(SESSION_IDLE_SECS).min(created_at.plus_secs(SESSION_MAX_SECS));
    (until.millis() - expires_at.millis() >= SESSION_SLIDE_SECS * 1000).then_some(until)
}

/// The first end of a session begun at `now`.
pub(crate) fn session_end(now: Timestamp) -> Timestamp {
    now.plus_secs(SESSION_IDLE_SECS)
}

/// Ends a portal session.
pub async fn sign_out(ctx: &Ctx, token: &str) -> Result<(), CommandError> {
    let now = Timestamp::now();
    let hash = SecretHash::of(token);
    let who = fml_store::portal::session(&ctx.db, &hash, now).await?.map(|s| customer(s.admission));
    let mut unit = ctx.unit().await?;
    fml_store::portal::delete_session(unit.conn(), &hash).await?;
    match &who {
        Some(who) => audit_customer(&mut unit, who, "portal.sign_out", json!({}), now).await?,
        // An expired or unknown session: nothing a person did to record.
        None => unit.unchanged(),
    }
    unit.commit().await?;
    Ok(())
}

/// What the portal shows: the customer's case, application and documents, and what the
/// tenant has asked of them since they submitted (outstanding EDD requirements).
#[derive(Debug)]
pub struct PortalView {
    pub case: CaseRecord,
    pub application: Option<Application>,
    pub documents: Vec<fml_store::documents::DocumentRecord>,
    /// The labels of the outstanding EDD requirements (none unless the case is undecided).
    pub asked: Vec<String>,
}

/// The customer's case, application, documents and what is asked of them (for the portal's
/// pages), from one snapshot.
pub async fn view(ctx: &Ctx, who: &Customer) -> Result<PortalView, CommandError> {
    let mut r = ctx.db.snapshot().await?;
    let case = fml_store::cases::get_in(r.conn(), &who.org, &CaseLocator::Id(who.case_id))
        .await?
        .ok_or(CommandError::NotFound("no such case"))?;
    let application = fml_store::portal::application(r.conn(), &who.org, who.case_id).await?;
    let documents = fml_store::documents::for_case(r.conn(), &who.org, who.case_id).await?;
    let asked = if case.status.is_final() { Vec::new() } else { outstanding(r.conn(), &case).await? };
    Ok(PortalView { case, application, documents, asked })
}

/// The labels of a case's outstanding EDD requirements: what the customer may still send.
pub(crate) async fn outstanding(conn: fml_store::db::Conn<'_>, case: &CaseRecord) -> Result<Vec<String>, CommandError> {
    Ok(fml_store::edd::for_case(conn, &case.org_id, case.id)
        .await?
        .into_iter()
        .filter(|r| r.status == "outstanding")
        .map(|r| r.label)
        .collect())
}

/// The application can change only while the customer has the case.
fn editable(case: &CaseRecord) -> Result<(), CommandError> {
    if case.status == CaseStatus::InProgress { Ok(()) } else { Err(CommandError::Illegal { current: case.status }) }
}

/// Saves the application (as often as the customer likes, until they submit).
pub async fn save_application(ctx: &Ctx, who: &Customer, app: &Application) -> Result<(), CommandError> {
    let now = Timestamp::now();
    let mut unit = ctx.unit().await?;
    let case = load(&mut unit, &who.org, &CaseLocator::Id(who.case_id)).await?;
    editable(&case)?;
    fml_store::cases::lock(unit.conn(), &who.org, case.id).await?;
    fml_store::portal::put_application(unit.conn(), &who.org, who.case_id, app, now).await?;
    crate::persons::rebuild_roster(&mut unit, &case, app).await?;
    let detail = json!({"directors": app.directors.len(), "shareholders": app.shareholders.len()});
    audit_customer(&mut unit, who, "application.save", detail, now).await?;
    unit.commit().await?;
    Ok(())
}

/// The customer reviews the data on file and corrects it: the corrected application is saved
/// and, if anything changed, `data.corrected` lists each change. Returns the number of
/// amendments.
pub async fn review(ctx: &Ctx, who: &Customer, corrected: &Application) -> Result<usize, CommandError> {
    let now = Timestamp::now();
    let mut unit = ctx.unit().await?;
    let case = load(&mut unit, &who.org, &CaseLocator::Id(who.case_id)).await?;
    editable(&case)?;
    fml_store::cases::lock(unit.conn(), &who.org, case.id).await?;
    let Some(on_file) = fml_store::portal::application(unit.conn(), &who.org, who.case_id).await? else {
        return Err(CommandError::Conflict("nothing_to_review", "fill in the application before reviewing it".into()));
    };
    let changes = on_file.amendments(corrected);
    fml_store::portal::put_application(unit.conn(), &who.org, who.case_id, corrected, now).await?;
    crate::persons::rebuild_roster(&mut unit, &case, corrected).await?;
    if !changes.is_empty() {
        let amendments: Vec<Amendment> = changes
            .iter()
            .map(|(section, field, original, corrected)| Amendment {
                section: (*section).to_owned(),
                field: field.clone(),
                original_value: original.clone(),
                corrected_value: corrected.clone(),
            })
            .collect();
        let event = DataCorrected {
            case_id: case.id,
            case_reference: case.reference.clone(),
            source: CorrectionSource::CustomerReview,
            amendment_count: Some(u32::try_from(amendments.len()).unwrap_or(u32::MAX)),
            amendments: Some(amendments),
            document_id: None,
            field: None,
            original_value: None,
            corrected_value: None,
            note: None,
            reason: None,
            by: None,
        };
        unit.emit(event.emit(&case.org_id, case.crm_record_id.as_deref(), now));
    }
    let fields: Vec<String> = changes.iter().map(|(s, f, _, _)| format!("{s}.{f}")).collect();
    audit_customer(&mut unit, who, "application.review", json!({"amended": fields}), now).await?;
    unit.commit().await?;
    Ok(changes.len())
}

/// An analyst (re)sends the case's invite: every earlier unused link stops working, a new one
/// is queued, and `inviteSentAt` moves.
pub async fn resend_invite(ctx: &Ctx, who: &Analyst, locator: &CaseLocator) -> Result<CaseRecord, CommandError> {
    let cfg = ctx.mail()?;
    let now = Timestamp::now();
    let branding = crate::settings::branding(ctx, &who.org).await?;
    let mut unit = ctx.unit().await?;
    let case = load(&mut unit, &who.org, locator).await?;
    if case.status.is_final() {
        return Err(CommandError::Illegal { current: case.status });
    }
    let Some(email) = case.customer_email.clone() else {
        return Err(CommandError::Unprocessable(
            "no_customer_email",
            "the case has no customer email to invite".into(),
        ));
    };
    let to = InviteFor {
        org: &case.org_id,
        case_id: case.id,
        email: &email,
        customer_name: case.customer_name.as_deref(),
        company_name: case.company_name.as_deref(),
    };
    let invite = crate::mail::invite(cfg, &branding, &to, now);
    let revoked = fml_store::portal::revoke_invites(unit.conn(), &case.org_id, case.id, now).await?;
    let admission = Admission { org: case.org_id.clone(), case_id: case.id, email: email.clone() };
    fml_store::portal::insert_invite(unit.conn(), &admission, &invite.token.hash(), now, invite.expires_at).await?;
    unit.queue_mail(&[&invite.mail], now).await?;
    let case = fml_store::cases::mark_invited(unit.conn(), &case.org_id, case.id, now)
        .await?
        .ok_or(CommandError::NotFound("no such case"))?;
    let entry = audit::Entry {
        org: Some(&who.org),
        case_id: Some(case.id),
        actor_kind: ActorKind::Analyst,
        actor: &who.email,
        action: "case.invite",
        detail: json!({"to": email, "revoked": revoked}),
    };
    unit.audit(&entry, now);
    unit.commit().await?;
    Ok(case)
}

/// The tenant a public application link names, if it exists.
pub async fn org_exists(ctx: &Ctx, org: &OrgId) -> Result<bool, CommandError> {
    let mut r = ctx.db.reader().await?;
    Ok(fml_store::orgs::get_in(r.conn(), org).await?.is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_session_slides_a_day_at_most_every_quarter_hour_up_to_its_maximum() {
        let start = Timestamp::from_millis(1_000_000_000_000);
        let end = session_end(start);
        assert_eq!(end, start.plus_secs(SESSION_IDLE_SECS));
        // Visited within the quarter hour: nothing is written.
        assert_eq!(slid_end(start, end, start.plus_secs(SESSION_SLIDE_SECS - 1)), None);
        // After it: a day from the visit.
        let visit = start.plus_secs(SESSION_SLIDE_SECS);
        assert_eq!(slid_end(start, end, visit), Some(visit.plus_secs(SESSION_IDLE_SECS)));
        // Near the maximum: capped there, then no more moves.
        let late = start.plus_secs(SESSION_MAX_SECS - 3600);
        let capped = start.plus_secs(SESSION_MAX_SECS);
        assert_eq!(slid_end(start, late.plus_secs(60), late), Some(capped));
        assert_eq!(slid_end(start, capped, late.plus_secs(1800)), None);
    }
}
