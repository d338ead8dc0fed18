//! Cases: one case, the API's lists, the console's dashboard, a case's timeline and documents.

use fml_domain::document::DocumentId;
use fml_domain::ids::CaseLocator;
use fml_domain::{CaseId, CaseStatus, OrgId};
use fml_store::cases::CasePage as Window;
use fml_store::db::Conn;

use super::records::{AnalystRecord, CaseFilter, CaseOrder, CaseRecord, DocumentRecord, PendingRow};
use crate::{CommandError, Ctx};

/// A case of the tenant, by UUID or reference.
pub async fn get(ctx: &Ctx, org: &OrgId, locator: &CaseLocator) -> Result<CaseRecord, CommandError> {
    get_in(ctx.db.reader().await?.conn(), org, locator).await
}

pub(super) async fn get_in(conn: Conn<'_>, org: &OrgId, locator: &CaseLocator) -> Result<CaseRecord, CommandError> {
    fml_store::cases::get_in(conn, org, locator).await?.ok_or(CommandError::NotFound("no such case"))
}

/// A page of the tenant's cases, newest first, after the cursor `after`; only the case of
/// one CRM record when `crm_record_id` is given (the Public API's list).
pub async fn list(
    ctx: &Ctx,
    org: &OrgId,
    crm_record_id: Option<&str>,
    after: Option<CaseId>,
    limit: u32,
) -> Result<Vec<CaseRecord>, CommandError> {
    Ok(fml_store::cases::list(&ctx.db, org, crm_record_id, after, limit).await?)
}

/// A case with its owner and the first approval waiting for a second (only while the case is
/// in review or returned): the analyst API's view.
#[derive(Debug, Clone)]
pub struct StaffCase {
    pub case: CaseRecord,
    pub owner: Option<AnalystRecord>,
    pub pending: Option<PendingRow>,
    /// The registered address the customer gave (with their corrections), once saved.
    pub registered_address: Option<String>,
}

/// A case of the tenant with its owner and waiting approval, read in one snapshot.
pub async fn staff_case(ctx: &Ctx, org: &OrgId, locator: &CaseLocator) -> Result<StaffCase, CommandError> {
    let mut tx = ctx.db.snapshot().await?;
    let case = get_in(tx.conn(), org, locator).await?;
    staff_case_in(tx.conn(), org, case).await
}

/// [`staff_case`] of a case the caller has in hand (a command's result).
pub async fn staff_case_of(ctx: &Ctx, org: &OrgId, case: CaseRecord) -> Result<StaffCase, CommandError> {
    staff_case_in(ctx.db.snapshot().await?.conn(), org, case).await
}

async fn staff_case_in(mut c: Conn<'_>, org: &OrgId, case: CaseRecord) -> Result<StaffCase, CommandError> {
    let owner = match case.owner_id {
        Some(id) => fml_store::analysts::get_in(c.reborrow(), org, id).await?,
        None => None,
    };
    let pending = match case.status {
        CaseStatus::InReview | CaseStatus::Returned => {
            fml_store::approvals::pending(c.reborrow(), org, case.id).await?
        }
        _ => None,
    };
    let application = fml_store::portal::application(c, org, case.id).await?;
    let registered_address = application.map(|a| a.registered_address).filter(|a| !a.is_empty());
    Ok(StaffCase { case, owner, pending, registered_address })
}

/// The analyst API's list: a page of the tenant's cases matching `filter`, newest first after
/// the cursor `after`, with every analyst of the tenant (who name the owners), read in one
/// snapshot. `owner_email` narrows it to the cases of the analyst with that (lower-case) email,
/// and to none when no analyst of the tenant has it.
pub async fn search(
    ctx: &Ctx,
    org: &OrgId,
    mut filter: CaseFilter,
    owner_email: Option<&str>,
    after: Option<CaseId>,
    limit: u32,
) -> Result<(Vec<CaseRecord>, Vec<AnalystRecord>), CommandError> {
    let mut tx = ctx.db.snapshot().await?;
    let analysts = fml_store::analysts::list_in(tx.conn(), org).await?;
    if let Some(email) = owner_email {
        match analysts.iter().find(|a| a.email == email) {
            Some(a) => filter.owner = Some(Some(a.id)),
            None => return Ok((Vec::new(), analysts)),
        }
    }
    let cases = fml_store::cases::search_in(tx.conn(), org, &filter, Window::After(after), limit).await?;
    Ok((cases, analysts))
}

/// One page of the console's dashboard.
#[derive(Debug, Clone)]
pub struct Dashboard {
    /// The filter applied: an owner who is no analyst of the tenant is dropped (a stale
    /// bookmark still opens the dashboard).
    pub filter: CaseFilter,
    /// Matching cases counted up to the cap, and whether more match.
    pub total: i64,
    pub capped: bool,
    /// The page shown (no further than the last counted one unless the count was capped), and
    /// the pages counted (at least 1).
    pub page: u32,
    pub pages: u32,
    /// At most a page of cases, and whether a page follows.
    pub cases: Vec<CaseRecord>,
    pub more: bool,
    pub analysts: Vec<AnalystRecord>,
}

/// The console's dashboard: page `page` of `size` of the tenant's cases matching `filter` in
/// `order`, counted up to `cap`, with the tenant's analysts; one snapshot, so the count and
/// the page agree.
pub async fn dashboard(
    ctx: &Ctx,
    org: &OrgId,
    mut filter: CaseFilter,
    order: CaseOrder,
    page: u32,
    size: u32,
    cap: i64,
) -> Result<Dashboard, CommandError> {
    let size = size.max(1);
    let mut tx = ctx.db.snapshot().await?;
    let analysts = fml_store::analysts::list_in(tx.conn(), org).await?;
    if let Some(Some(id)) = filter.owner
        && !analysts.iter().any(|a| a.id == id)
    {
        filter.owner = None;
    }
    let counted = fml_store::cases::count_matching_in(tx.conn(), org, &filter, cap + 1).await?;
    let (total, capped) = (counted.min(cap), counted > cap);
    let pages = u32::try_from((total + i64::from(size) - 1) / i64::from(size)).unwrap_or(u32::MAX).max(1);
    // Past the counted pages (only when the count was capped) the pages go on as long as there
    // are cases: one row more than a page says whether there is a next one.
    let page = if capped { page.max(1).min(u32::MAX / size) } else { page.clamp(1, pages) };
    let window = Window::Offset { order, offset: (page - 1) * size };
    let mut cases = fml_store::cases::search_in(tx.conn(), org, &filter, window, size + 1).await?;
    let more = cases.len() > size as usize;
    cases.truncate(size as usize);
    Ok(Dashboard { filter, total, capped, page, pages, cases, more, analysts })
}

/// The payloads of the latest `limit` events of a case of the tenant, newest first.
pub async fn timeline(ctx: &Ctx, org: &OrgId, locator: &CaseLocator, limit: i64) -> Result<Vec<String>, CommandError> {
    let mut tx = ctx.db.snapshot().await?;
    let case = get_in(tx.conn(), org, locator).await?;
    Ok(fml_store::events::for_case_in(tx.conn(), org, case.id, limit).await?)
}

/// The documents of a case of the tenant, oldest first.
pub async fn documents(ctx: &Ctx, org: &OrgId, locator: &CaseLocator) -> Result<Vec<DocumentRecord>, CommandError> {
    let mut tx = ctx.db.snapshot().await?;
    let case = get_in(tx.conn(), org, locator).await?;
    Ok(fml_store::documents::for_case(tx.conn(), org, case.id).await?)
}

/// One document of a case of the tenant.
pub async fn document(
    ctx: &Ctx,
    org: &OrgId,
    locator: &CaseLocator,
    id: DocumentId,
) -> Result<DocumentRecord, CommandError> {
    let mut tx = ctx.db.snapshot().await?;
    let case = get_in(tx.conn(), org, locator).await?;
    fml_store::documents::get(tx.conn(), org, case.id, id).await?.ok_or(CommandError::NotFound("no such document"))
}
