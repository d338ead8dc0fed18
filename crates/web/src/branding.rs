//! Tenant branding, cached per process for a short while: every invite and portal page needs
//! it, and it changes rarely. A change made on this node is seen at once; other nodes see it
//! within [`TTL`].

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use fml_app::settings::Branding;
use fml_domain::OrgId;

pub const TTL: Duration = Duration::from_secs(30);
/// Tenants kept; past it the cache starts over (a deployment has far fewer).
const MAX_ORGS: usize = 10_000;

#[derive(Debug, Default)]
pub struct BrandingCache {
    entries: Mutex<HashMap<OrgId, (Branding, Instant)>>,
}

impl BrandingCache {
    /// The tenant's branding (`NotFound` if there is no such tenant).
    pub async fn get(&self, ctx: &fml_app::Ctx, org: &OrgId) -> Result<Branding, fml_app::CommandError> {
        if let Some((b, at)) = self.entries.lock().unwrap_or_else(|p| p.into_inner()).get(org)
            && at.elapsed() < TTL
        {
            return Ok(b.clone());
        }
        let b = fml_app::settings::branding(ctx, org).await?;
        let mut map = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        if map.len() >= MAX_ORGS {
            map.clear();
        }
        map.insert(org.clone(), (b.clone(), Instant::now()));
        Ok(b)
    }

    pub fn forget(&self, org: &OrgId) {
        self.entries.lock().unwrap_or_else(|p| p.into_inner()).remove(org);
    }
}
