//! Tenant settings: what every email and the portal show of a tenant.

use fml_domain::{OrgId, Timestamp};

use crate::db::Conn;
use crate::{StoreError, execute, fetch_optional};

/// A tenant's branding. Unset fields fall back to the org's name and to no logo or support
/// address.
#[derive(Debug, Clone, Default, PartialEq, Eq, sqlx::FromRow)]
pub struct TenantSettings {
    pub display_name: Option<String>,
    pub logo_url: Option<String>,
    pub support_email: Option<String>,
}

/// The settings of `org` with the org's name (`None` if there is no such org).
pub async fn get(conn: Conn<'_>, org: &OrgId) -> Result<Option<(String, TenantSettings)>, StoreError> {
    #[derive(sqlx::FromRow)]
    struct Row {
        name: String,
        #[sqlx(flatten)]
        settings: TenantSettings,
    }
    let row = fetch_optional!(
        conn,
        Row,
        "SELECT o.name, s.display_name, s.logo_url, s.support_email FROM orgs o \
         LEFT JOIN org_settings s ON s.org_id = o.id WHERE o.id = $1",
        org.as_str()
    )?;
    Ok(row.map(|r| (r.name, r.settings)))
}

/// Replaces the settings of `org`.
pub async fn put(conn: Conn<'_>, org: &OrgId, s: &TenantSettings, now: Timestamp) -> Result<(), StoreError> {
    execute!(
        conn,
        "INSERT INTO org_settings (org_id, display_name, logo_url, support_email, updated_at) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (org_id) DO UPDATE SET display_name = excluded.display_name, logo_url = excluded.logo_url, \
         support_email = excluded.support_email, updated_at = excluded.updated_at",
        org.as_str(),
        s.display_name.as_deref(),
        s.logo_url.as_deref(),
        s.support_email.as_deref(),
        now.millis()
    )?;
    Ok(())
}
