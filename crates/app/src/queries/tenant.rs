//! The tenant's own lists (analysts, API clients, endpoints, jobs, mail) and the watch lists.

use fml_domain::OrgId;
use fml_domain::jobs::JobStatus;

use super::records::{AnalystRecord, ClientRow, Endpoint, JobRecord, MailRow};
use crate::{CommandError, Ctx};

/// The tenant's analysts, by email.
pub async fn analysts(ctx: &Ctx, org: &OrgId) -> Result<Vec<AnalystRecord>, CommandError> {
    Ok(fml_store::analysts::list(&ctx.db, org).await?)
}

/// The tenant's API clients.
pub async fn clients(ctx: &Ctx, org: &OrgId) -> Result<Vec<ClientRow>, CommandError> {
    Ok(fml_store::clients::list(&ctx.db, org).await?)
}

/// The tenant's live webhook endpoints, oldest first.
pub async fn endpoints(ctx: &Ctx, org: &OrgId) -> Result<Vec<Endpoint>, CommandError> {
    Ok(fml_store::endpoints::list(&ctx.db, org).await?)
}

/// One live webhook endpoint of the tenant.
pub async fn endpoint(ctx: &Ctx, org: &OrgId, id: &str) -> Result<Endpoint, CommandError> {
    fml_store::endpoints::get(&ctx.db, org, id).await?.ok_or(CommandError::NotFound("no such endpoint"))
}

/// Jobs, newest first: of one tenant or all (`None`), of one status or all.
pub async fn jobs(
    ctx: &Ctx,
    org: Option<&OrgId>,
    status: Option<JobStatus>,
    limit: i64,
) -> Result<Vec<JobRecord>, CommandError> {
    Ok(fml_store::jobs::list(&ctx.db, org, status, limit).await?)
}

/// The tenant's mail outbox.
pub async fn outbox(ctx: &Ctx, org: &OrgId) -> Result<Vec<MailRow>, CommandError> {
    Ok(fml_store::mail::list(&ctx.db, org).await?)
}

/// The watch lists loaded (dataset, entities) and the list version.
pub async fn watch_lists(ctx: &Ctx) -> Result<(Vec<(String, i64)>, i64), CommandError> {
    let mut r = ctx.db.reader().await?;
    let lists = fml_store::watchlist::lists(r.conn()).await?;
    let version = fml_store::watchlist::version(r.conn()).await?;
    Ok((lists, version))
}
