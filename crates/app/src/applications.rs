//! A tenant's public application link, in two steps: the applicant gives the company and their
//! email ([`apply`]) and is mailed a link; following it ([`confirm`]) opens the case
//! (`case.created`, `source: application_form` or `doc_upload`) and a portal session. Until
//! then nothing is opened, so a stranger cannot make cases, jobs or mail in the tenant's name
//! for an address they do not hold. The same link later starts a new session for that case —
//! the applicant's way back in — until it expires.
//!
//! The link is off until the tenant's admin turns it on (`publicApplications`); the HTTP
//! surface also limits applications per client address per hour before reading a body.

use fml_domain::case::{CaseFields, NewCase};
use fml_domain::secret::{Secret, SecretHash};
use fml_domain::{CaseSource, OrgId, Timestamp};
use fml_store::audit::{self, ActorKind};
use fml_store::portal::Admission;
use serde_json::{Value, json};

use crate::portal::{PortalSession, SESSION_PREFIX, audit_customer, customer, session_end};
use crate::{CommandError, Ctx};

/// How long the confirmation link works (and lets the applicant back in).
pub const LINK_TTL_SECS: i64 = 7 * 24 * 3600;
/// A confirmation whose case never appeared (its process died) may be retried after this.
const STALE_CLAIM_MS: i64 = 60_000;

/// What an applicant typed, checked: the case to open.
#[derive(Debug, Clone)]
pub struct Applicant {
    pub new_case: NewCase,
    /// `application_form`, or `doc_upload` when they start with their documents.
    pub source: CaseSource,
    fields: Value,
}

impl Applicant {
    /// Checks the applicant's fields (`companyName`, `country`, `customerName`,
    /// `customerEmail`), all strings.
    pub fn parse(fields: &Value, source: CaseSource) -> Result<Self, CommandError> {
        let mut errors = Vec::new();
        for required in ["companyName", "country"] {
            if fields.get(required).and_then(Value::as_str).is_none_or(|s| s.trim().is_empty()) {
                errors.push(fml_domain::FieldError::new(required, "is required"));
            }
        }
        let raw = CaseFields {
            customer_email: fields.get("customerEmail"),
            customer_name: fields.get("customerName"),
            company_name: fields.get("companyName"),
            country: fields.get("country"),
            entity_type: None,
            crm_record_id: None,
            crm_source: None,
            send_invite: None,
        };
        match NewCase::from_fields(raw) {
            Ok(new_case) if errors.is_empty() => {
                let keep = |k: &str| fields.get(k).cloned().unwrap_or(Value::Null);
                let fields = json!({"companyName": keep("companyName"), "country": keep("country"),
                    "customerName": keep("customerName"), "customerEmail": keep("customerEmail"),
                    "source": source.as_str()});
                Ok(Self { new_case, source, fields })
            }
            Ok(_) => Err(CommandError::Validation(errors)),
            Err(mut more) => {
                errors.append(&mut more);
                Err(CommandError::Validation(errors))
            }
        }
    }

    fn from_stored(details: &str) -> Result<Self, CommandError> {
        let fields: Value = serde_json::from_str(details)
            .map_err(|e| CommandError::Store(fml_store::StoreError::Corrupt(format!("an application: {e}"))))?;
        let source = fields.get("source").and_then(Value::as_str).and_then(CaseSource::parse);
        Self::parse(&fields, source.unwrap_or(CaseSource::ApplicationForm))
    }
}

/// The applicant's first step: the application is recorded and the confirmation link mailed.
/// `NotFound` when the tenant does not exist or its public link is off.
pub async fn apply(ctx: &Ctx, org: &OrgId, applicant: &Applicant, address: &str) -> Result<(), CommandError> {
    let b = crate::settings::branding(ctx, org).await?;
    if !b.settings.public_applications {
        return Err(CommandError::NotFound("no such application link"));
    }
    let cfg = ctx.mail()?;
    let now = Timestamp::now();
    let token = Secret::generate("");
    let link = format!("{}/apply/confirm/{}", cfg.portal_url, token.expose());
    let email = applicant.new_case.customer_email.as_str().to_lowercase();
    let company = applicant.new_case.company_name.as_deref();
    let about = fml_domain::letters::About { customer_name: applicant.new_case.customer_name.as_deref(), company };
    let (subject, body) = fml_domain::letters::application(&crate::mail::sender(&b), &about, &link);
    let mail = fml_store::mail::NewMail {
        org: org.clone(),
        case_id: None,
        kind: "application_confirm",
        recipient: email.clone(),
        subject,
        body_sealed: cfg.master_key.seal(fml_store::mail::SEAL_CONTEXT, body.as_bytes()),
        announce: None,
    };
    let record = fml_store::applications::NewApplication {
        id: uuid::Uuid::new_v4(),
        org,
        token: &token.hash(),
        customer_email: &email,
        details: &applicant.fields.to_string(),
        address,
        expires_at: now.plus_secs(LINK_TTL_SECS),
    };
    let mut unit = ctx.unit().await?;
    fml_store::applications::insert(unit.conn(), &record, now).await?;
    unit.queue_mail(&[&mail], now).await?;
    let entry = audit::Entry {
        org: Some(org),
        case_id: None,
        actor_kind: ActorKind::Anonymous,
        actor: &email,
        action: "application.request",
        detail: json!({"address": address, "source": applicant.source.as_str()}),
    };
    unit.audit(&entry, now);
    unit.commit().await?;
    Ok(())
}

/// What following the confirmation link did.
#[derive(Debug)]
pub enum Confirmed {
    /// The case opened, and the applicant's first session.
    Opened(PortalSession),
    /// The case was open already: a new session for it.
    Returned(PortalSession),
    /// Another confirmation of the same link is opening the case at this moment.
    Opening,
}

/// The applicant follows the link. `None` for an unknown or expired link.
pub async fn confirm(
    ctx: &Ctx,
    opener: &crate::opener::Opener,
    token: &str,
) -> Result<Option<Confirmed>, CommandError> {
    let now = Timestamp::now();
    let hash = SecretHash::of(token);
    let found = {
        let mut r = ctx.db.reader().await?;
        fml_store::applications::live(r.conn(), &hash, now).await?
    };
    let Some(found) = found else { return Ok(None) };
    let org = OrgId::parse(&found.org_id)
        .map_err(|_| CommandError::Store(fml_store::StoreError::Corrupt("an application's org".into())))?;
    if let Some(case_id) = &found.case_id {
        let case_id = case_id
            .parse()
            .map_err(|_| CommandError::Store(fml_store::StoreError::Corrupt("an application's case".into())))?;
        let admission = Admission { org, case_id, email: found.customer_email };
        let mut unit = ctx.unit().await?;
        let session = session(&mut unit, admission, "application.return", now).await?;
        unit.commit().await?;
        return Ok(Some(Confirmed::Returned(session)));
    }
    // A lease on the application while its case opens (the opening and the session audit).
    let mut unit = ctx.bookkeeping().await?;
    let claimed = fml_store::applications::claim(unit.conn(), &found.id, now, STALE_CLAIM_MS).await?;
    unit.commit().await?;
    if !claimed {
        return Ok(Some(Confirmed::Opening));
    }
    let applicant = Applicant::from_stored(&found.details)?;
    let opening = crate::opener::Opening {
        org: org.clone(),
        source: applicant.source,
        by: crate::opener::OpenedBy::Applicant,
        company_number: None,
        new_case: applicant.new_case,
        claim: None,
    };
    let case = match crate::opener::open(ctx, opener, opening, None).await? {
        crate::opener::Opened::Created { case, .. } => case,
        _ => return Err(CommandError::Conflict("not_created", "the case could not be opened".into())),
    };
    // Their way back later: a link by email, as an invited customer has.
    let branding = crate::settings::branding(ctx, &org).await?;
    let to = crate::mail::InviteFor {
        org: &org,
        case_id: case.id,
        email: &found.customer_email,
        customer_name: case.customer_name.as_deref(),
        company_name: case.company_name.as_deref(),
    };
    let link = crate::mail::opened_link(ctx.mail()?, &branding, &to, now);
    let admission = Admission { org: org.clone(), case_id: case.id, email: found.customer_email.clone() };
    let mut unit = ctx.unit().await?;
    fml_store::applications::set_case(unit.conn(), &found.id, case.id).await?;
    fml_store::portal::insert_invite(unit.conn(), &admission, &link.token.hash(), now, link.expires_at).await?;
    unit.queue_mail(&[&link.mail], now).await?;
    let session = session(&mut unit, admission, "application.start", now).await?;
    unit.commit().await?;
    Ok(Some(Confirmed::Opened(session)))
}

/// A new portal session for the admitted applicant, in the caller's unit.
async fn session(
    unit: &mut fml_store::unit::UnitOfWork,
    admission: Admission,
    action: &str,
    now: Timestamp,
) -> Result<PortalSession, CommandError> {
    let token = Secret::generate(SESSION_PREFIX);
    fml_store::portal::create_session(unit.conn(), &admission, &token.hash(), now, session_end(now)).await?;
    let who = customer(admission);
    audit_customer(unit, &who, action, json!({}), now).await?;
    Ok(PortalSession { customer: who, token })
}
