//! The customer's way back in: at `/portal`, without a session, anyone may ask for a new link
//! by email. Each undecided case of that address, in every tenant, gets a fresh single-use
//! link in a message branded by its tenant; the case's earlier links stop working (an
//! applicant's confirmation link included). The answer is the same whether or not the address
//! has a case (no enumeration), and the HTTP surface counts requests per address and per
//! client before calling this.

use std::collections::HashMap;

use fml_domain::email::EmailAddress;
use fml_domain::jobs::Job;
use fml_domain::{OrgId, Timestamp};
use fml_store::audit::{self, ActorKind};
use fml_store::portal::{Admission, LinkTarget};
use serde_json::json;

use crate::mail::InviteFor;
use crate::settings::Branding;
use crate::{CommandError, Ctx};

/// Someone asked for new links for `email` (already counted by the HTTP surface): a
/// `send_portal_links` job does the looking and the sending, so the request costs the same
/// whether or not the address has a case. No audit row here: the request changes nothing;
/// each link the job sends is audited on its case.
pub async fn request(ctx: &Ctx, email: &EmailAddress) -> Result<(), CommandError> {
    let now = Timestamp::now();
    let job = Job::SendPortalLinks { email: email.as_str().to_owned() };
    let mut unit = ctx.bookkeeping().await?;
    unit.enqueue_one(None, &job, now).await?;
    unit.commit().await?;
    Ok(())
}

/// The most cases one request mails links for (newest first): one address rarely has more
/// than one or two; this bounds what a request can cost.
pub const MAX_CASES_PER_REQUEST: i64 = 10;

/// Mails a new portal link for each undecided case whose customer is `email` (ASCII letters
/// compared in any case). Returns how many were sent, for the audit and the tests; callers
/// must not tell the requester.
pub(crate) async fn send_links(ctx: &Ctx, email: &EmailAddress) -> Result<usize, CommandError> {
    let cfg = ctx.mail()?;
    let now = Timestamp::now();
    let targets = {
        let mut r = ctx.db.reader().await?;
        let key = email.as_str().to_ascii_lowercase();
        fml_store::portal::undecided_cases_of_email(r.conn(), &key, MAX_CASES_PER_REQUEST).await?
    };
    if targets.is_empty() {
        return Ok(0);
    }
    let mut brandings: HashMap<String, Branding> = HashMap::new();
    for t in &targets {
        if !brandings.contains_key(&t.org_id) {
            let b = crate::settings::branding(ctx, &org_of(t)).await?;
            brandings.insert(t.org_id.clone(), b);
        }
    }
    let mut unit = ctx.unit().await?;
    for t in &targets {
        let org = org_of(t);
        let case_id = t
            .case_id
            .parse()
            .map_err(|_| CommandError::Store(fml_store::StoreError::Corrupt(format!("bad case id {}", t.case_id))))?;
        let to = InviteFor {
            org: &org,
            case_id,
            email: &t.customer_email,
            customer_name: t.customer_name.as_deref(),
            company_name: t.company_name.as_deref(),
        };
        let Some(b) = brandings.get(&t.org_id) else { continue };
        let link = crate::mail::new_link(cfg, b, &to, now);
        let revoked = fml_store::portal::revoke_invites(unit.conn(), &org, case_id, now).await?
            + fml_store::applications::expire_for_case(unit.conn(), case_id, now).await?;
        let admission = Admission { org: org.clone(), case_id, email: t.customer_email.clone() };
        fml_store::portal::insert_invite(unit.conn(), &admission, &link.token.hash(), now, link.expires_at).await?;
        unit.queue_mail(&[&link.mail], now).await?;
        let entry = audit::Entry {
            org: Some(&org),
            case_id: Some(case_id),
            actor_kind: ActorKind::Anonymous,
            actor: &t.customer_email,
            action: "portal.link_sent",
            detail: json!({"revoked": revoked}),
        };
        unit.audit(&entry, now);
    }
    unit.commit().await?;
    Ok(targets.len())
}

fn org_of(t: &LinkTarget) -> OrgId {
    OrgId::from_trusted(t.org_id.clone())
}
