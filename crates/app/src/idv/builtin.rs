//! The built-in verification page: its links (a hashed token that expires), the person's
//! upload of their identity document, and the result the document processor reads from it.

use fml_domain::Timestamp;
use fml_domain::ids::CaseLocator;
use fml_domain::idv;
use fml_domain::secret::{Secret, SecretHash};
use fml_store::audit::ActorKind;
use fml_store::cases::CaseRecord;
use fml_store::documents::NewDocument;
use fml_store::idv::IdvCheck;
use fml_store::unit::UnitOfWork;
use serde_json::json;

use super::provider::{IdvProvider, Session, SessionRequest};
use super::record;
use super::results::complete_in;
use crate::cases::load;
use crate::screening::BoxFuture;
use crate::{CommandError, Ctx};

/// Built-in verification links start with this.
pub const TOKEN_PREFIX: &str = "fml_idv_";

/// The built-in verification page (`/portal/verify/{token}`): the person uploads their
/// passport or identity card, and the document processor reads it.
#[derive(Debug, Clone)]
pub struct Builtin {
    /// `FML_PORTAL_URL`.
    pub portal_url: String,
}

impl IdvProvider for Builtin {
    fn vendor(&self) -> &'static str {
        fml_store::idv::VENDOR_BUILTIN
    }

    fn start<'a>(&'a self, _req: SessionRequest<'a>) -> BoxFuture<'a, Result<Session, String>> {
        Box::pin(async move {
            let token = Secret::generate(TOKEN_PREFIX);
            Ok(Session {
                url: format!("{}/verify/{}", self.portal_url, token.expose()),
                session_id: None,
                token_hash: Some(token.hash().as_str().to_owned()),
            })
        })
    }
}

/// How long a built-in page link works after it was sent.
pub const LINK_TTL_SECS: i64 = 7 * 24 * 3600;

/// The built-in page's result: the document the person uploaded has been processed (in the
/// processing command's transaction).
pub(crate) async fn complete_from_document(
    unit: &mut UnitOfWork,
    case: &CaseRecord,
    document_id: i64,
    extraction: Option<&fml_domain::extraction::Extraction>,
    now: Timestamp,
) -> Result<(), CommandError> {
    let Some(check) = fml_store::idv::by_document(unit.conn(), &case.org_id, document_id).await? else {
        return Ok(());
    };
    let roster = fml_store::persons::roster(unit.conn(), &case.org_id, case.id).await?;
    let dob =
        roster.iter().find(|p| p.entry.person_key == check.person_key).and_then(|p| p.entry.date_of_birth.clone());
    let outcome = idv::builtin_outcome(extraction, &check.person_name, dob.as_deref());
    let vendor_status = match extraction {
        Some(e) => format!("document read: {}", e.document_type),
        None => "document unreadable".to_owned(),
    };
    complete_in(unit, case, &check, outcome, &vendor_status, now).await?;
    Ok(())
}

/// Whether a built-in page link is past its [`LINK_TTL_SECS`] (counted from when it was last
/// sent: sending again renews it).
fn link_expired(check: &IdvCheck, now: Timestamp) -> bool {
    now.millis() - check.updated_at.millis() > LINK_TTL_SECS * 1000
}

/// The check behind a built-in page link, with its case, while it waits for a document.
pub async fn by_link(ctx: &Ctx, token: &str) -> Result<Option<(IdvCheck, CaseRecord)>, CommandError> {
    let mut r = ctx.db.reader().await?;
    let Some(check) = fml_store::idv::by_token(r.conn(), SecretHash::of(token).as_str()).await? else {
        return Ok(None);
    };
    if link_expired(&check, Timestamp::now()) {
        return Ok(None);
    }
    let case = fml_store::cases::get_in(r.conn(), &check.org_id, &CaseLocator::Id(check.case_id)).await?;
    Ok(case.filter(|c| !c.status.is_final()).map(|c| (check, c)))
}

/// The person uploads their identity document on the built-in page: it becomes a document of
/// the case (`document.uploaded`, then processing), linked to their check; the link is used up.
pub async fn submit_document(ctx: &Ctx, token: &str, file: NewDocument) -> Result<IdvCheck, CommandError> {
    let now = Timestamp::now();
    let mut unit = ctx.unit().await?;
    let check = fml_store::idv::by_token(unit.conn(), SecretHash::of(token).as_str())
        .await?
        .filter(|c| !link_expired(c, now))
        .ok_or(CommandError::NotFound("this verification link cannot be used"))?;
    let case = load(&mut unit, &check.org_id, &CaseLocator::Id(check.case_id)).await?;
    if case.status.is_final() {
        return Err(CommandError::Illegal { current: case.status });
    }
    let email = check.person_email.clone().unwrap_or_default();
    let docs = crate::documents::insert_upload(&mut unit, &case, "customer", &email, &[file], now).await?;
    let doc = docs.first().ok_or(CommandError::NotFound("no document"))?;
    if !fml_store::idv::attach_document(unit.conn(), check.id, doc.id.0, now).await? {
        return Err(CommandError::NotFound("this verification link cannot be used"));
    }
    let detail = json!({"personKey": check.person_key, "documentId": doc.id.0});
    record(&mut unit, &case, ActorKind::Customer, &email, "idv.document", detail, now).await?;
    unit.commit().await?;
    Ok(IdvCheck { document_id: Some(doc.id.0), ..check })
}
