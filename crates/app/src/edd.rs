//! Enhanced due diligence and customer outreach: requirements an analyst marks outstanding,
//! received or waived; the evidence-request email listing what is outstanding; and outreach
//! emails requesting documents.

use fml_domain::Timestamp;
use fml_domain::events::{
    EddRequested, EddRequirementsChanged, EddStatus, OutreachEmailSent, RequestedItem, WebhookEvent,
};
use fml_domain::ids::CaseLocator;
use fml_domain::letters::{self, About};
use fml_store::audit::{self, ActorKind};
use fml_store::cases::CaseRecord;
use fml_store::edd::EddRow;
use serde_json::json;

use crate::cases::load;
use crate::{Analyst, CommandError, Ctx};

pub use fml_domain::edd::{KEY_PATTERN, MAX_ITEMS, MAX_LABEL, label_of, parse_status, status_str, valid_key};

fn audit_entry<'a>(
    who: &'a Analyst,
    case: &CaseRecord,
    action: &'a str,
    detail: serde_json::Value,
) -> audit::Entry<'a> {
    audit::Entry {
        org: Some(&who.org),
        case_id: Some(case.id),
        actor_kind: ActorKind::Analyst,
        actor: &who.email,
        action,
        detail,
    }
}

/// Sets a requirement's status (and note; `label` names a new one): `edd.requirements.changed`
/// with the previous status. Setting what is already there changes nothing and emits nothing.
pub async fn set_requirement(
    ctx: &Ctx,
    who: &Analyst,
    locator: &CaseLocator,
    key: &str,
    status: EddStatus,
    note: String,
    label: Option<String>,
) -> Result<EddRow, CommandError> {
    if !valid_key(key) {
        return Err(CommandError::NotFound("no such requirement key (lower-case letters, digits, _ - .)"));
    }
    let now = Timestamp::now();
    let mut unit = ctx.unit().await?;
    let case = load(&mut unit, &who.org, locator).await?;
    if case.status.is_final() {
        return Err(CommandError::Illegal { current: case.status });
    }
    let previous = fml_store::edd::get(unit.conn(), &who.org, case.id, key).await?;
    let label = label.or_else(|| previous.as_ref().map(|p| p.label.clone())).unwrap_or_else(|| label_of(key));
    let row = EddRow {
        req_key: key.to_owned(),
        label,
        status: status_str(status).to_owned(),
        note,
        updated_by: who.email.clone(),
        updated_at: now.millis(),
    };
    if let Some(p) = &previous
        && (p.status == row.status && p.note == row.note && p.label == row.label)
    {
        return Ok(p.clone());
    }
    fml_store::edd::put(unit.conn(), &who.org, case.id, &row).await?;
    let event = EddRequirementsChanged {
        case_id: case.id,
        case_reference: case.reference.clone(),
        req_key: row.req_key.clone(),
        label: row.label.clone(),
        status,
        previous_status: previous.as_ref().and_then(|p| parse_status(&p.status)),
        note: row.note.clone(),
        updated_by: who.email.clone(),
    };
    unit.emit(event.emit(&case.org_id, case.crm_record_id.as_deref(), now));
    let detail = json!({"reqKey": key, "status": row.status, "note": row.note});
    unit.audit(&audit_entry(who, &case, "edd.requirement", detail), now);
    unit.commit().await?;
    Ok(row)
}

/// A case's requirements.
pub async fn requirements(ctx: &Ctx, who: &Analyst, locator: &CaseLocator) -> Result<Vec<EddRow>, CommandError> {
    let mut r = ctx.db.reader().await?;
    let case =
        fml_store::cases::get_in(r.conn(), &who.org, locator).await?.ok_or(CommandError::NotFound("no such case"))?;
    Ok(fml_store::edd::for_case(r.conn(), &who.org, case.id).await?)
}

fn recipient(case: &CaseRecord) -> Result<String, CommandError> {
    case.customer_email
        .clone()
        .ok_or_else(|| CommandError::Unprocessable("no_customer_email", "the case has no customer email".into()))
}

/// Emails the customer the outstanding requirements: `edd.requested`.
pub async fn request_evidence(
    ctx: &Ctx,
    who: &Analyst,
    locator: &CaseLocator,
) -> Result<(String, Vec<RequestedItem>), CommandError> {
    let cfg = ctx.mail()?;
    let branding = crate::settings::branding(ctx, &who.org).await?;
    let now = Timestamp::now();
    let mut unit = ctx.unit().await?;
    let case = load(&mut unit, &who.org, locator).await?;
    if case.status.is_final() {
        return Err(CommandError::Illegal { current: case.status });
    }
    let to = recipient(&case)?;
    let items: Vec<(String, String)> = fml_store::edd::for_case(unit.conn(), &who.org, case.id)
        .await?
        .into_iter()
        .filter(|r| r.status == "outstanding")
        .map(|r| (r.req_key, r.label))
        .collect();
    if items.is_empty() {
        return Err(CommandError::Conflict(
            "nothing_outstanding",
            "no EDD requirement of this case is outstanding".into(),
        ));
    }
    let intro = format!(
        "To complete our enhanced due diligence we need the following. You can upload them securely at {}/ \
         (enter this email address there to get a sign-in link):",
        cfg.portal_url
    );
    let about = About { customer_name: case.customer_name.as_deref(), company: case.company_name.as_deref() };
    let (subject, body) = letters::request(&crate::mail::sender(&branding), &about, &intro, &items);
    let mail = crate::mail::sealed(cfg, &case.org_id, Some(case.id), "edd_request", &to, subject, &body);
    let items: Vec<RequestedItem> = items.into_iter().map(|(key, label)| RequestedItem { key, label }).collect();
    let event = EddRequested {
        case_id: case.id,
        case_reference: case.reference.clone(),
        recipient_email: to.clone(),
        item_count: u32::try_from(items.len()).unwrap_or(u32::MAX),
        items: items.clone(),
        sent_by: who.email.clone(),
        sent_at: cfg.sending_time(now),
    };
    crate::mail::queue_announcing(&mut unit, cfg, mail, &event, case.crm_record_id.as_deref(), now).await?;
    let detail = json!({"to": to, "items": items.iter().map(|i| &i.key).collect::<Vec<_>>()});
    unit.audit(&audit_entry(who, &case, "edd.request", detail), now);
    unit.commit().await?;
    Ok((to, items))
}

/// Checks an outreach's items (see [`fml_domain::edd::check_items`]).
pub fn check_items(items: Vec<(String, String)>) -> Result<Vec<(String, String)>, CommandError> {
    fml_domain::edd::check_items(items).map_err(CommandError::Validation)
}

/// Sends the customer an outreach email (e.g. `document_request`) listing items:
/// `outreach.email.sent`.
pub async fn outreach(
    ctx: &Ctx,
    who: &Analyst,
    locator: &CaseLocator,
    kind: &str,
    items: Vec<(String, String)>,
) -> Result<OutreachEmailSent, CommandError> {
    let cfg = ctx.mail()?;
    let branding = crate::settings::branding(ctx, &who.org).await?;
    let now = Timestamp::now();
    let mut unit = ctx.unit().await?;
    let case = load(&mut unit, &who.org, locator).await?;
    if case.status.is_final() {
        return Err(CommandError::Illegal { current: case.status });
    }
    let to = recipient(&case)?;
    let intro = match kind {
        "document_request" => "To continue your business verification we need the following documents:".to_owned(),
        _ => "To continue your business verification we need the following:".to_owned(),
    };
    let about = About { customer_name: case.customer_name.as_deref(), company: case.company_name.as_deref() };
    let (subject, body) = letters::request(&crate::mail::sender(&branding), &about, &intro, &items);
    let mail = crate::mail::sealed(cfg, &case.org_id, Some(case.id), "outreach", &to, subject.clone(), &body);
    let items: Vec<RequestedItem> = items.into_iter().map(|(key, label)| RequestedItem { key, label }).collect();
    let event = OutreachEmailSent {
        case_id: case.id,
        case_reference: case.reference.clone(),
        kind: kind.to_owned(),
        recipient_email: to.clone(),
        subject,
        item_count: u32::try_from(items.len()).unwrap_or(u32::MAX),
        items,
        sent_by: who.email.clone(),
    };
    crate::mail::queue_announcing(&mut unit, cfg, mail, &event, case.crm_record_id.as_deref(), now).await?;
    let detail = json!({"kind": kind, "to": to, "items": event.items.iter().map(|i| &i.key).collect::<Vec<_>>()});
    unit.audit(&audit_entry(who, &case, "outreach.send", detail), now);
    unit.commit().await?;
    Ok(event)
}
