//! Tenant settings: the branding every email and the portal show, and the tenant's controls
//! (maker-checker for high-risk approvals).

use fml_domain::lifecycle::Role;
use fml_domain::{EmailAddress, FieldError, OrgId, Timestamp};
use fml_store::audit::{self, ActorKind};
use fml_store::tenant::TenantSettings;
use serde_json::json;

use crate::{Analyst, CommandError, Ctx};

pub const MAX_DISPLAY_NAME: usize = 100;
pub const MAX_LOGO_URL: usize = 2048;

/// A tenant's settings with its org name, for display.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Branding {
    pub org_name: String,
    pub settings: TenantSettings,
}

impl Branding {
    /// The name shown to customers: the display name, else the org's name.
    pub fn name(&self) -> &str {
        self.settings.display_name.as_deref().unwrap_or(&self.org_name)
    }
}

/// A change to the settings: `None` leaves a field as it is, `Some(None)` clears it. A
/// blank display name also clears it; a blank URL or email is refused (null clears those).
#[derive(Debug, Clone, Default)]
pub struct SettingsPatch {
    pub display_name: Option<Option<String>>,
    pub logo_url: Option<Option<String>>,
    pub support_email: Option<Option<String>>,
    /// Maker-checker for high-risk approvals.
    pub second_approval: Option<bool>,
    /// Whether the public application link is open.
    pub public_applications: Option<bool>,
    /// New public applications per client address per hour (1-1000).
    pub public_applications_per_hour: Option<i64>,
}

/// The most public applications per address per hour a tenant may allow.
pub const MAX_APPLICATIONS_PER_HOUR: i64 = 1000;

/// Reads a tenant's branding (any principal of the tenant may need it to render).
pub async fn branding(ctx: &Ctx, org: &OrgId) -> Result<Branding, CommandError> {
    let mut r = ctx.db.reader().await?;
    let (org_name, settings) =
        fml_store::tenant::get(r.conn(), org).await?.ok_or(CommandError::NotFound("no such org"))?;
    Ok(Branding { org_name, settings })
}

fn require_admin(who: &Analyst) -> Result<(), CommandError> {
    if who.role >= Role::Admin {
        Ok(())
    } else {
        Err(CommandError::Forbidden("only an admin may manage tenant settings"))
    }
}

/// The settings, for an admin.
pub async fn get(ctx: &Ctx, who: &Analyst) -> Result<Branding, CommandError> {
    require_admin(who)?;
    branding(ctx, &who.org).await
}

/// Whether `raw` is an absolute http(s) URL a browser can load as an image source.
fn valid_logo_url(raw: &str) -> bool {
    let rest = raw.strip_prefix("https://").or_else(|| raw.strip_prefix("http://"));
    rest.is_some_and(|r| {
        let host = r.split(['/', '?', '#']).next().unwrap_or("");
        !host.is_empty() && r.chars().all(|c| c.is_ascii_graphic()) && !r.contains(['"', '<', '>', '\\', '`'])
    })
}

/// Validates a patch into the settings it produces from `current`.
pub fn apply(current: &TenantSettings, patch: &SettingsPatch) -> Result<TenantSettings, CommandError> {
    let mut errors = Vec::new();
    let mut next = current.clone();
    if let Some(v) = &patch.display_name {
        next.display_name = match v.as_deref().map(|s| fml_domain::text::clean(s, MAX_DISPLAY_NAME)) {
            None | Some(Ok(None)) => None,
            Some(Ok(Some(s))) => Some(s),
            Some(Err(e)) => {
                errors.push(FieldError::new("displayName", e.to_string()));
                None
            }
        };
    }
    if let Some(v) = &patch.logo_url {
        next.logo_url = match v.as_deref() {
            None => None,
            Some(u) if u.len() <= MAX_LOGO_URL && valid_logo_url(u) => Some(u.to_owned()),
            Some(_) => {
                errors.push(FieldError::new("logoUrl", "must be an absolute http(s) URL of at most 2048 characters"));
                None
            }
        };
    }
    if let Some(v) = &patch.support_email {
        next.support_email = match v.as_deref() {
            None => None,
            Some(e) => match EmailAddress::parse(e) {
                Ok(e) => Some(e.as_str().to_owned()),
                Err(m) => {
                    errors.push(FieldError::new("supportEmail", m));
                    None
                }
            },
        };
    }
    if let Some(v) = patch.second_approval {
        next.second_approval = v;
    }
    if let Some(v) = patch.public_applications {
        next.public_applications = v;
    }
    match patch.public_applications_per_hour.map(i32::try_from) {
        None => {}
        Some(Ok(n)) if (1..=MAX_APPLICATIONS_PER_HOUR).contains(&i64::from(n)) => next.public_applications_per_hour = n,
        Some(_) => errors.push(FieldError::new("publicApplicationsPerHour", "a whole number from 1 to 1000")),
    }
    if errors.is_empty() { Ok(next) } else { Err(CommandError::Validation(errors)) }
}

/// Changes a tenant's settings (admins; the CLI passes `None` as the principal).
pub async fn update(
    ctx: &Ctx,
    who: Option<&Analyst>,
    org: &OrgId,
    patch: &SettingsPatch,
) -> Result<Branding, CommandError> {
    if let Some(who) = who {
        require_admin(who)?;
    }
    let now = Timestamp::now();
    let mut unit = ctx.unit().await?;
    let (org_name, current) =
        fml_store::tenant::get(unit.conn(), org).await?.ok_or(CommandError::NotFound("no such org"))?;
    let next = apply(&current, patch)?;
    fml_store::tenant::put(unit.conn(), org, &next, now).await?;
    let (actor_kind, actor) = match who {
        Some(a) => (ActorKind::Analyst, a.email.as_str()),
        None => (ActorKind::System, "system"),
    };
    let detail = json!({
        "displayName": next.display_name, "logoUrl": next.logo_url, "supportEmail": next.support_email,
        "secondApproval": next.second_approval, "publicApplications": next.public_applications,
        "publicApplicationsPerHour": next.public_applications_per_hour,
    });
    let entry = audit::Entry { org: Some(org), case_id: None, actor_kind, actor, action: "settings.update", detail };
    unit.audit(&entry, now);
    unit.commit().await?;
    Ok(Branding { org_name, settings: next })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patches() {
        let cur = TenantSettings { display_name: Some("Acme".into()), ..TenantSettings::default() };
        let p = SettingsPatch {
            logo_url: Some(Some("https://cdn.example.com/logo.png".into())),
            support_email: Some(Some("help@acme.example".into())),
            ..Default::default()
        };
        let next = apply(&cur, &p).unwrap();
        assert_eq!(next.display_name.as_deref(), Some("Acme"), "absent fields are kept");
        assert_eq!(next.logo_url.as_deref(), Some("https://cdn.example.com/logo.png"));
        let cleared = apply(&next, &SettingsPatch { display_name: Some(None), ..Default::default() }).unwrap();
        assert_eq!(cleared.display_name, None);
        for bad in [
            "",
            " https://x/y",
            "javascript:alert(1)",
            "ftp://x/y",
            "https://",
            "https://a b/",
            "//cdn/x.png",
            "https://x/\"onerror=1",
        ] {
            let p = SettingsPatch { logo_url: Some(Some(bad.into())), ..Default::default() };
            assert!(apply(&cur, &p).is_err(), "{bad}");
        }
        let p = SettingsPatch {
            support_email: Some(Some("nope".into())),
            display_name: Some(Some("\u{202e}x".into())),
            ..Default::default()
        };
        let Err(CommandError::Validation(f)) = apply(&cur, &p) else { panic!() };
        assert_eq!(f.len(), 2);
    }
}
