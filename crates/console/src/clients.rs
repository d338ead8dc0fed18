//! Compliance Configuration → Public Pull API: the tenant's OAuth clients. Admins mint them
//! (the form answers 303 to the list, which shows the secret once: [`crate::flash`]) and
//! change their scopes and revoke them.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use fml_app::{CommandError, Operator};
use fml_domain::Scope;

use crate::error::ConsoleError;
use crate::form::Posted;
use crate::session::Viewer;
use crate::view::{Chrome, Confirm, When, notice};
use crate::{DoneQuery, html};
use fml_web::extract::Admin;
use fml_web::state::AppState;

pub struct ClientLine {
    pub id: String,
    pub name: String,
    pub scopes: Vec<String>,
    pub created: When,
    pub last_used: Option<When>,
    pub revoked: Option<When>,
}

pub struct ScopeChoice {
    pub value: &'static str,
    pub hint: &'static str,
    pub checked: bool,
}

/// A client just minted: the one time its secret is shown.
#[derive(serde::Serialize, serde::Deserialize)]
pub struct Minted {
    pub id: String,
    pub secret: String,
    pub scopes: String,
}

#[derive(Template)]
#[template(path = "console/clients.html")]
struct ClientsPage {
    chrome: Chrome,
    clients: Vec<ClientLine>,
    scopes: Vec<ScopeChoice>,
    name: String,
    minted: Option<Minted>,
    notice: Option<&'static str>,
    error: Option<String>,
}

fn hint(s: Scope) -> &'static str {
    match s {
        Scope::CasesWrite => "open cases (POST /v1/cases); includes cases:read",
        Scope::CasesRead => "read cases",
        Scope::WebhooksWrite => "manage webhook endpoints and redeliver; includes webhooks:read",
        Scope::WebhooksRead => "read endpoints and deliveries",
    }
}

/// What the page shows besides the list: the form's values, a just-minted client, a notice
/// or a refusal.
struct Shown {
    name: String,
    scopes: Vec<Scope>,
    minted: Option<Minted>,
    notice: Option<&'static str>,
    error: Option<String>,
}

impl Default for Shown {
    fn default() -> Self {
        // `cases:write` is what the recipes need.
        Shown { name: String::new(), scopes: vec![Scope::CasesWrite], minted: None, notice: None, error: None }
    }
}

async fn page(
    st: &AppState,
    chrome: Chrome,
    org: &fml_domain::OrgId,
    shown: Shown,
    status: StatusCode,
) -> Result<Response, ConsoleError> {
    let rows = fml_app::queries::clients(&st.ctx, org).await?;
    let clients = rows
        .into_iter()
        .rev()
        .map(|c| ClientLine {
            scopes: c.scopes.split_whitespace().map(str::to_owned).collect(),
            created: When::millis(c.created_at),
            last_used: c.last_used_at.map(When::millis),
            revoked: c.revoked_at.map(When::millis),
            id: c.id,
            name: c.name,
        })
        .collect();
    let scopes = Scope::ALL
        .iter()
        .map(|s| ScopeChoice { value: s.as_str(), hint: hint(*s), checked: shown.scopes.contains(s) })
        .collect();
    let view = ClientsPage {
        chrome,
        clients,
        scopes,
        name: shown.name,
        minted: shown.minted,
        notice: shown.notice,
        error: shown.error,
    };
    Ok(html(status, view.render()))
}

/// The flash kind of a just-minted client.
const MINTED: &str = "client";

pub async fn list(
    State(st): State<AppState>,
    who: Viewer,
    headers: HeaderMap,
    Query(q): Query<DoneQuery>,
) -> Result<Response, ConsoleError> {
    let chrome = who.chrome("clients");
    let (minted, clear) = crate::flash::take::<Minted>(&st, &headers, &who.session, MINTED);
    let shown = Shown { notice: notice(q.done.as_deref()), minted, ..Shown::default() };
    let mut res = page(&st, chrome, &who.analyst.org, shown, StatusCode::OK).await?;
    if let Some(clear) = clear {
        res.headers_mut().append(header::SET_COOKIE, clear);
    }
    Ok(res)
}

pub async fn create(State(st): State<AppState>, form: Posted<Admin>) -> Result<Response, ConsoleError> {
    let org = form.analyst().org.clone();
    let name = form.fields.text("name").to_owned();
    let scopes: Vec<Scope> = form.fields.all("scope").into_iter().filter_map(Scope::parse).collect();
    let chrome = form.who.chrome("clients");
    match fml_app::clients::create(
        &st.ctx,
        &org,
        &name,
        scopes.iter().copied().collect(),
        Operator::Analyst(form.analyst()),
    )
    .await
    {
        Ok((id, secret)) => {
            let minted = Minted {
                id: id.as_str().to_owned(),
                secret: secret.expose().to_owned(),
                scopes: scopes.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(" "),
            };
            // POST → 303 → GET: a reload shows the list, and never makes a second client.
            let mut res = Redirect::to("/config/api-clients#minted").into_response();
            if let Some(cookie) = crate::flash::set(&st, &form.who.session, MINTED, minted) {
                res.headers_mut().append(header::SET_COOKIE, cookie);
            }
            Ok(res)
        }
        Err(CommandError::Validation(errors)) => {
            let text = errors.iter().map(|e| format!("{}: {}", e.field, e.message)).collect::<Vec<_>>().join("; ");
            let shown = Shown { name, scopes, error: Some(text), ..Shown::default() };
            page(&st, chrome, &org, shown, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => Err(e.into()),
    }
}

/// A client of the tenant that is not revoked.
async fn live_client(
    st: &AppState,
    org: &fml_domain::OrgId,
    id: &str,
) -> Result<fml_app::queries::records::ClientRow, ConsoleError> {
    let rows = fml_app::queries::clients(&st.ctx, org).await?;
    rows.into_iter().find(|c| c.id == id && c.revoked_at.is_none()).ok_or(ConsoleError::NotFound("no such client"))
}

pub async fn confirm_revoke(
    State(st): State<AppState>,
    who: Viewer<Admin>,
    Path(id): Path<String>,
) -> Result<Response, ConsoleError> {
    let c = live_client(&st, &who.analyst.org, &id).await?;
    let view = Confirm {
        chrome: who.chrome("clients"),
        title: format!("Revoke “{}”?", c.name),
        message: format!(
            "Client {} and every token it holds stop working at once. Integrations using it (Zapier, HubSpot, Workato) will get 401 invalid_client until you give them a new client. This cannot be undone.",
            c.id
        ),
        action: format!("/config/api-clients/{}/revoke", crate::links::path_segment(&c.id)),
        button: "Revoke client",
        back: "/config/api-clients",
    };
    Ok(html(StatusCode::OK, view.render()))
}

pub async fn revoke(
    State(st): State<AppState>,
    Path(id): Path<String>,
    form: Posted<Admin>,
) -> Result<Response, ConsoleError> {
    fml_app::clients::revoke(&st.ctx, &form.analyst().org, &id, Operator::Analyst(form.analyst())).await?;
    Ok(Redirect::to("/config/api-clients?done=revoked").into_response())
}

#[derive(Template)]
#[template(path = "console/client_scopes.html")]
struct ScopesPage {
    chrome: Chrome,
    id: String,
    name: String,
    scopes: Vec<ScopeChoice>,
    error: Option<String>,
}

async fn scopes_page(
    st: &AppState,
    who: &Viewer<Admin>,
    id: &str,
    chosen: Option<Vec<Scope>>,
    error: Option<String>,
    status: StatusCode,
) -> Result<Response, ConsoleError> {
    let c = live_client(st, &who.analyst.org, id).await?;
    let chosen = chosen.unwrap_or_else(|| c.scopes.split_whitespace().filter_map(Scope::parse).collect());
    let scopes = Scope::ALL
        .iter()
        .map(|s| ScopeChoice { value: s.as_str(), hint: hint(*s), checked: chosen.contains(s) })
        .collect();
    let view = ScopesPage { chrome: who.chrome("clients"), id: c.id, name: c.name, scopes, error };
    Ok(html(status, view.render()))
}

/// `GET /config/api-clients/{id}/scopes`: the client's scopes as checkboxes.
pub async fn edit_scopes(
    State(st): State<AppState>,
    who: Viewer<Admin>,
    Path(id): Path<String>,
) -> Result<Response, ConsoleError> {
    scopes_page(&st, &who, &id, None, None, StatusCode::OK).await
}

/// `POST /config/api-clients/{id}/scopes`: the command the analyst API and the CLI call; 303
/// to the list, which says whether live tokens were revoked.
pub async fn set_scopes(
    State(st): State<AppState>,
    Path(id): Path<String>,
    form: Posted<Admin>,
) -> Result<Response, ConsoleError> {
    let scopes: Vec<Scope> = form.fields.all("scope").into_iter().filter_map(Scope::parse).collect();
    let set = scopes.iter().copied().collect();
    match fml_app::clients::set_scopes(&st.ctx, &form.analyst().org, &id, set, Operator::Analyst(form.analyst())).await
    {
        Ok(changed) => {
            let done = if changed.tokens_revoked { "scopes-narrowed" } else { "scopes" };
            Ok(Redirect::to(&format!("/config/api-clients?done={done}")).into_response())
        }
        Err(CommandError::Validation(_)) => {
            let error = Some("Choose at least one scope: a client with none could do nothing.".to_owned());
            scopes_page(&st, &form.who, &id, Some(scopes), error, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => Err(e.into()),
    }
}
