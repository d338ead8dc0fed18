//! Reads for the surfaces that list a tenant's things (the CLI today): each scoped to the
//! tenant, each one query, answered with the store's rows (re-exported in [`records`]).

use fml_domain::OrgId;
use fml_domain::jobs::JobStatus;

use crate::{CommandError, Ctx};

/// The rows the reads answer with.
pub mod records {
    pub use fml_store::analysts::AnalystRecord;
    pub use fml_store::cases::CaseRecord;
    pub use fml_store::clients::ClientRow;
    pub use fml_store::documents::DocumentRecord;
    pub use fml_store::endpoints::Endpoint;
    pub use fml_store::idv::IdvCheck;
    pub use fml_store::jobs::JobRecord;
    pub use fml_store::mail::MailRow;
}

use records::{AnalystRecord, ClientRow, Endpoint, JobRecord, MailRow};

/// The tenant's analysts.
pub async fn analysts(ctx: &Ctx, org: &OrgId) -> Result<Vec<AnalystRecord>, CommandError> {
    Ok(fml_store::analysts::list(&ctx.db, org).await?)
}

/// The tenant's API clients.
pub async fn clients(ctx: &Ctx, org: &OrgId) -> Result<Vec<ClientRow>, CommandError> {
    Ok(fml_store::clients::list(&ctx.db, org).await?)
}

/// The tenant's webhook endpoints.
pub async fn endpoints(ctx: &Ctx, org: &OrgId) -> Result<Vec<Endpoint>, CommandError> {
    Ok(fml_store::endpoints::list(&ctx.db, org).await?)
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
