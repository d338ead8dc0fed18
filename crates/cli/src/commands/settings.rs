//! `fml settings`: a tenant's branding and controls.

use anyhow::Result;
use clap::Subcommand;
use serde_json::json;

use super::{command_error, ctx, open_db, print, require_org};

#[derive(Debug, Subcommand)]
pub enum SettingsCommand {
    /// Print an organisation's settings.
    Show {
        #[arg(long)]
        org: String,
        #[arg(long)]
        json: bool,
    },
    /// Change an organisation's settings; a field left out is unchanged, an empty value clears it.
    Set {
        #[arg(long)]
        org: String,
        #[arg(long)]
        display_name: Option<String>,
        #[arg(long)]
        logo_url: Option<String>,
        #[arg(long)]
        support_email: Option<String>,
        /// Maker-checker: every high-risk approval needs a second senior or admin.
        #[arg(long)]
        second_approval: Option<bool>,
        /// Opens (true) or closes (false) the public application link.
        #[arg(long)]
        public_applications: Option<bool>,
        /// Applications one client address may start per hour on the public link (1 to 1000).
        #[arg(long)]
        public_applications_per_hour: Option<i64>,
        #[arg(long)]
        json: bool,
    },
}

pub(crate) async fn settings(url: &str, cmd: SettingsCommand) -> Result<()> {
    let db = open_db(url).await?;
    let (org, json, branding) = match cmd {
        SettingsCommand::Show { org, json } => {
            let org = require_org(&db, &org).await?;
            let b = fml_app::settings::branding(&ctx(&db), &org).await.map_err(command_error)?;
            (org, json, b)
        }
        SettingsCommand::Set {
            org,
            display_name,
            logo_url,
            support_email,
            second_approval,
            public_applications,
            public_applications_per_hour,
            json,
        } => {
            let org = require_org(&db, &org).await?;
            // An empty value clears the field.
            let field = |v: Option<String>| v.map(|s| Some(s).filter(|s| !s.is_empty()));
            let patch = fml_app::settings::SettingsPatch {
                display_name: field(display_name),
                logo_url: field(logo_url),
                support_email: field(support_email),
                second_approval,
                public_applications,
                public_applications_per_hour,
            };
            let b = fml_app::settings::update(&ctx(&db), None, &org, &patch).await.map_err(command_error)?;
            (org, json, b)
        }
    };
    let s = &branding.settings;
    print(
        json,
        &json!({"orgId": org.as_str(), "orgName": branding.org_name, "displayName": s.display_name,
                "logoUrl": s.logo_url, "supportEmail": s.support_email, "secondApproval": s.second_approval,
                "publicApplications": s.public_applications, "publicApplicationsPerHour": s.public_applications_per_hour}),
        || {
            format!(
                "org:             {org} ({})\ndisplay name:    {}\nlogo URL:        {}\nsupport email:   {}\nsecond approval: {}\npublic link:     {} ({} an hour per address)",
                branding.org_name,
                s.display_name.as_deref().unwrap_or("-"),
                s.logo_url.as_deref().unwrap_or("-"),
                s.support_email.as_deref().unwrap_or("-"),
                if s.second_approval { "on" } else { "off" },
                if s.public_applications { "open" } else { "closed" },
                s.public_applications_per_hour
            )
        },
    );
    Ok(())
}
