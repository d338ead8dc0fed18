//! `fml endpoint`: outbound webhook endpoints.

use anyhow::{Result, bail};
use clap::Subcommand;
use serde_json::json;

use super::{OrgListing, allow_private_env, command_error, ctx, master_key, open_db, print, require_org, secret_arg};

#[derive(Debug, Subcommand)]
pub enum EndpointCommand {
    /// Register an endpoint; its secret is printed this once.
    Create {
        #[arg(long)]
        org: String,
        #[arg(long)]
        url: String,
        #[arg(long)]
        label: Option<String>,
        /// The shared secret; `-` reads it from standard input (keeps it out of shell
        /// history). Omitted: a 64-hex-character secret is generated.
        #[arg(long)]
        secret: Option<String>,
        /// Event types to deliver (repeatable); default: all.
        #[arg(long = "event-type")]
        event_types: Vec<String>,
        #[arg(long)]
        json: bool,
    },
    /// List an organisation's endpoints.
    List(OrgListing),
    /// Change an endpoint.
    Update {
        #[arg(long)]
        org: String,
        #[arg(long)]
        id: String,
        #[arg(long)]
        url: Option<String>,
        #[arg(long)]
        label: Option<String>,
        /// A new secret (rotation); `-` reads it from standard input.
        #[arg(long, conflicts_with = "generate_secret")]
        secret: Option<String>,
        /// Rotate to a new generated secret, printed this once.
        #[arg(long)]
        generate_secret: bool,
        #[arg(long = "event-type")]
        event_types: Vec<String>,
        #[arg(long, conflicts_with = "disable")]
        enable: bool,
        #[arg(long)]
        disable: bool,
        #[arg(long)]
        json: bool,
    },
    /// Re-send every failed delivery of an endpoint created in a window (one attempt each),
    /// with a progress bar; a running server finishes it if this is interrupted.
    Recover {
        #[arg(long)]
        org: String,
        #[arg(long)]
        id: String,
        /// The window's start, RFC 3339 (2026-12-01T09:00:00Z).
        #[arg(long)]
        since: String,
        /// The window's end, RFC 3339; default now.
        #[arg(long)]
        until: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Delete an endpoint (its delivery history stays readable).
    Delete {
        #[arg(long)]
        org: String,
        #[arg(long)]
        id: String,
        #[arg(long)]
        json: bool,
    },
}

/// The JSON body the API's endpoint validation takes, from CLI flags.
pub(crate) fn endpoint_body(
    url: Option<String>,
    label: Option<String>,
    secret: Option<String>,
    generate_secret: bool,
    event_types: Vec<String>,
    enabled: Option<bool>,
) -> serde_json::Value {
    let mut body = serde_json::Map::new();
    if let Some(v) = url {
        body.insert("url".into(), json!(v));
    }
    if let Some(v) = label {
        body.insert("label".into(), json!(v));
    }
    if let Some(v) = secret {
        body.insert("secret".into(), json!(v));
    }
    if generate_secret {
        body.insert("generateSecret".into(), json!(true));
    }
    if !event_types.is_empty() {
        body.insert("eventTypes".into(), json!(event_types));
    }
    if let Some(v) = enabled {
        body.insert("enabled".into(), json!(v));
    }
    serde_json::Value::Object(body)
}

/// Every refusal of the endpoint validator, on one line.
fn invalid(fields: Vec<fml_domain::FieldError>) -> anyhow::Error {
    api_error(fml_web::error::ApiError::Validation(fields))
}

pub(crate) fn api_error(e: fml_web::error::ApiError) -> anyhow::Error {
    match e {
        fml_web::error::ApiError::Validation(fields) => anyhow::anyhow!(
            "{}",
            fields.iter().map(|f| format!("{}: {}", f.field, f.message)).collect::<Vec<_>>().join("; ")
        ),
        other => anyhow::anyhow!("{other}"),
    }
}

pub(crate) async fn endpoint(url: &str, cmd: EndpointCommand) -> Result<()> {
    use fml_api::routes::endpoints::{CreateEndpointBody, EndpointView, UpdateEndpointBody};
    use fml_outbound::endpoints::Operator;
    use fml_outbound::endpoints::validate;
    use fml_web::extract::typed_body;
    let allow_private = allow_private_env();
    let db = open_db(url).await?;
    let show = |json_out: bool, v: &EndpointView| {
        let value = serde_json::to_value(v).unwrap_or_default();
        print(json_out, &value, || {
            let mut s =
                format!("{}  {}  {}  [{}]", v.id, v.url, v.label, if v.enabled { "enabled" } else { "disabled" });
            if let Some(secret) = &v.secret {
                s.push_str(&format!("\nsecret: {}   (shown once)", secret.expose()));
            }
            s
        });
    };
    match cmd {
        EndpointCommand::Create { org, url: target, label, secret, event_types, json } => {
            let org = require_org(&db, &org).await?;
            let body = endpoint_body(Some(target), label, secret_arg(secret)?, false, event_types, None);
            let typed: CreateEndpointBody = typed_body(&body).map_err(api_error)?;
            let input = validate(typed.fields(), true, allow_private).await.map_err(invalid)?;
            let key = master_key(&db, url).await?;
            let (ep, secret) = fml_outbound::endpoints::create(&ctx(&db), &key, &org, input, Operator::Cli)
                .await
                .map_err(command_error)?;
            show(json, &EndpointView::new(ep, Some(secret)));
        }
        EndpointCommand::List(OrgListing { org, json }) => {
            let org = require_org(&db, &org).await?;
            let views: Vec<EndpointView> = fml_app::queries::endpoints(&ctx(&db), &org)
                .await
                .map_err(command_error)?
                .into_iter()
                .map(|e| EndpointView::new(e, None))
                .collect();
            print(json, &serde_json::to_value(&views)?, || {
                views.iter().map(|v| format!("{}  {}  {}", v.id, v.url, v.label)).collect::<Vec<_>>().join("\n")
            });
        }
        EndpointCommand::Update {
            org,
            id,
            url: target,
            label,
            secret,
            generate_secret,
            event_types,
            enable,
            disable,
            json,
        } => {
            let org = require_org(&db, &org).await?;
            let enabled = if enable {
                Some(true)
            } else if disable {
                Some(false)
            } else {
                None
            };
            let body = endpoint_body(target, label, secret_arg(secret)?, generate_secret, event_types, enabled);
            let typed: UpdateEndpointBody = typed_body(&body).map_err(api_error)?;
            let input = validate(typed.fields(), false, allow_private).await.map_err(invalid)?;
            let key = master_key(&db, url).await?;
            let (ep, secret) = fml_outbound::endpoints::update(&ctx(&db), &key, &org, &id, input, Operator::Cli)
                .await
                .map_err(command_error)?;
            show(json, &EndpointView::new(ep, secret));
        }
        EndpointCommand::Recover { org, id, since, until, json } => {
            let org = require_org(&db, &org).await?;
            recover(&ctx(&db), &org, &id, &since, until.as_deref(), json).await?;
        }
        EndpointCommand::Delete { org, id, json } => {
            let org = require_org(&db, &org).await?;
            match fml_outbound::endpoints::delete(&ctx(&db), &org, &id, Operator::Cli).await {
                Ok(()) => {}
                Err(fml_app::CommandError::NotFound(_)) => bail!("organisation {org} has no endpoint {id}"),
                Err(e) => return Err(command_error(e)),
            }
            print(json, &json!({ "id": id, "deleted": true }), || format!("deleted {id}"));
        }
    }
    Ok(())
}

/// Begins a recovery and drives it here batch by batch, showing its progress. The job it
/// queued stays behind it: a server finishes whatever this leaves (both move one cursor, by
/// compare-and-set, so no batch is sent twice).
async fn recover(
    ctx: &fml_app::Ctx,
    org: &fml_domain::OrgId,
    id: &str,
    since: &str,
    until: Option<&str>,
    json_out: bool,
) -> Result<()> {
    let time = |flag: &str, raw: &str| {
        fml_domain::Timestamp::parse_iso(raw)
            .ok_or_else(|| anyhow::anyhow!("--{flag} must be an RFC 3339 time, e.g. 2026-12-01T09:00:00Z"))
    };
    let since = time("since", since)?;
    let until = until.map(|u| time("until", u)).transpose()?;
    let operator = fml_outbound::endpoints::Operator::Cli;
    let mut r = match fml_outbound::recover::start(ctx, org, id, since, until, operator).await {
        Ok(r) => r,
        Err(fml_app::CommandError::NotFound(_)) => bail!("organisation {org} has no endpoint {id}"),
        Err(e) => return Err(command_error(e)),
    };
    let bar = if json_out { indicatif::ProgressBar::hidden() } else { indicatif::ProgressBar::new(r.total as u64) };
    bar.set_style(
        indicatif::ProgressStyle::with_template("recovering [{bar:30}] {pos}/{len} re-queued {per_sec} eta {eta}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    while r.status == "running" {
        r = fml_outbound::recover::step(ctx, &r.id).await.map_err(command_error)?;
        bar.set_position(r.requeued as u64);
    }
    bar.finish_and_clear();
    let value =
        json!({"id": r.id, "endpointId": r.endpoint_id, "status": r.status, "total": r.total, "requeued": r.requeued});
    print(json_out, &value, || {
        format!("{}: {} of {} failed deliveries re-queued; the engine sends them now", r.id, r.requeued, r.total)
    });
    Ok(())
}
