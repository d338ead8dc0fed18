//! What every portal page shows the same way: the tenant's branding.

use fml_app::settings::Branding;
use fml_domain::OrgId;
use fml_web::state::AppState;

/// The tenant's branding (none if the tenant cannot be read: the page shows the default).
pub async fn branding(st: &AppState, org: &OrgId) -> Option<Branding> {
    st.branding.get(&st.ctx, org).await.ok()
}
