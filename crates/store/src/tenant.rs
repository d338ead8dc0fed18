//! Tenant settings: what every email and the portal show of a tenant.

use fml_domain::{OrgId, Timestamp};

use crate::db::Conn;
use crate::{StoreError, execute, fetch_optional};

/// A tenant's branding. Unset fields fall back to the org's name and to no logo or support
/// address.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct TenantSettings {
    pub display_name: Option<String>,
    pub logo_url: Option<String>,
    pub support_email: Option<String>,
    /// Maker-checker: every high-risk approval needs a second, different senior or admin.
    pub second_approval: bool,
    /// Whether the public application link is open (`/portal/apply/{orgId}`).
    pub public_applications: bool,
    /// New public applications allowed per client address per hour.
    pub public_applications_per_hour: i32,
}

impl Default for TenantSettings {
    fn default() -> Self {
        Self {
            display_name: None,
            logo_url: None,
            support_email: None,
            second_approval: false,
            public_applications: false,
            public_applications_per_hour: DEFAULT_APPLICATIONS_PER_HOUR,
        }
    }
}

/// New public applications allowed per client address per hour unless a tenant says otherwise.
pub const DEFAULT_APPLICATIONS_PER_HOUR: i32 = 5;

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
        "SELECT o.name, s.display_name, s.logo_url, s.support_email, \
         COALESCE(s.second_approval, FALSE) AS second_approval, \
         COALESCE(s.public_applications, FALSE) AS public_applications, \
         COALESCE(s.public_applications_per_hour, 5) AS public_applications_per_hour FROM orgs o \
         LEFT JOIN org_settings s ON s.org_id = o.id WHERE o.id = $1",
        org.as_str()
    )?;
    Ok(row.map(|r| (r.name, r.settings)))
}

/// Replaces the settings of `org`.
pub async fn put(conn: Conn<'_>, org: &OrgId, s: &TenantSettings, now: Timestamp) -> Result<(), StoreError> {
    execute!(
        conn,
        "INSERT INTO org_settings (org_id, display_name, logo_url, support_email, second_approval, \
         public_applications, public_applications_per_hour, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
         ON CONFLICT (org_id) DO UPDATE SET display_name = excluded.display_name, logo_url = excluded.logo_url, \
         support_email = excluded.support_email, second_approval = excluded.second_approval, \
         public_applications = excluded.public_applications, \
         public_applications_per_hour = excluded.public_applications_per_hour, updated_at = excluded.updated_at",
        org.as_str(),
        s.display_name.as_deref(),
        s.logo_url.as_deref(),
        s.support_email.as_deref(),
        s.second_approval,
        s.public_applications,
        s.public_applications_per_hour,
        now.millis()
    )?;
    Ok(())
}
