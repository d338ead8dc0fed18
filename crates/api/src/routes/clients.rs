//! The tenant's Public API clients, for admins: listed, and their scopes changed (the recipes'
//! "extend the existing client's scopes"). Creating and revoking stay in the console and the
//! CLI, where a one-time secret can be shown safely.

use axum::Json;
use axum::extract::{Path, State};
use fml_app::clients::ScopesChanged;
use fml_app::queries::records::ClientRow;
use fml_domain::{FieldError, Scope, ScopeSet, Timestamp};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use fml_web::error::{ApiError, ErrorBody};
use fml_web::extract::{Admin, JsonBody, Staff, typed_body};
use fml_web::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_clients)).routes(routes!(set_scopes))
}

/// A Public API client (never its secret).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
struct ClientView {
    client_id: String,
    name: String,
    /// The scopes its tokens may carry.
    #[schema(value_type = Vec<String>, example = json!(["cases:write", "cases:read"]))]
    scopes: Vec<String>,
    #[schema(value_type = String, format = DateTime)]
    created_at: Timestamp,
    /// When it last obtained an access token.
    #[schema(value_type = Option<String>, format = DateTime)]
    last_used_at: Option<Timestamp>,
    #[schema(value_type = Option<String>, format = DateTime)]
    revoked_at: Option<Timestamp>,
}

impl From<&ClientRow> for ClientView {
    fn from(c: &ClientRow) -> Self {
        Self {
            client_id: c.id.clone(),
            name: c.name.clone(),
            scopes: c.scopes.split_ascii_whitespace().map(str::to_owned).collect(),
            created_at: Timestamp::from_millis(c.created_at),
            last_used_at: c.last_used_at.map(Timestamp::from_millis),
            revoked_at: c.revoked_at.map(Timestamp::from_millis),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
struct ClientList {
    data: Vec<ClientView>,
}

/// The tenant's API clients, oldest first (revoked ones too, with `revokedAt`).
#[utoipa::path(
    get, path = "/api/clients", tag = "clients",
    responses(
        (status = 200, description = "The clients", body = ClientList),
        (status = 403, description = "forbidden: admins only", body = ErrorBody),
    ),
    security(("analystToken" = []), ("analystSession" = []))
)]
async fn list_clients(State(st): State<AppState>, staff: Staff<Admin>) -> Result<Json<ClientList>, ApiError> {
    let rows = fml_app::queries::clients(&st.ctx, &staff.org).await?;
    Ok(Json(ClientList { data: rows.iter().map(ClientView::from).collect() }))
}

fn scopes_schema() -> utoipa::openapi::schema::Schema {
    use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, Type};
    let item = ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(Scope::ALL.iter().map(|s| Value::String(s.as_str().to_owned()))));
    ArrayBuilder::new()
        .items(utoipa::openapi::RefOr::T(utoipa::openapi::schema::Schema::Object(item.build())))
        .min_items(Some(1))
        .description(Some("Every scope the client may have from now on (at least one; repeats count once)."))
        .build()
        .into()
}

/// The body of `PATCH /api/clients/{clientId}`.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", default)]
struct ScopesBody {
    #[schema(required = true, schema_with = scopes_schema)]
    scopes: Option<Value>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
struct ScopesAnswer {
    #[serde(flatten)]
    client: ClientView,
    /// A scope was taken away, so the client's live access tokens were revoked (it asks for
    /// a new one); widening keeps them, and its next token carries the new scopes.
    tokens_revoked: bool,
}

/// Change the scopes a client may be granted (audited as `client.scopes`).
#[utoipa::path(
    patch, path = "/api/clients/{clientId}", tag = "clients",
    params(("clientId" = String, Path, description = "The client's id")),
    request_body(content = ScopesBody, content_type = "application/json"),
    responses(
        (status = 200, description = "The client with its new scopes", body = ScopesAnswer),
        (status = 403, description = "forbidden: admins only", body = ErrorBody),
        (status = 404, description = "not_found: the tenant has no such client", body = ErrorBody),
        (status = 409, description = "client_revoked", body = ErrorBody),
    ),
    security(("analystToken" = []), ("analystSession" = []))
)]
async fn set_scopes(
    State(st): State<AppState>,
    staff: Staff<Admin>,
    Path(client_id): Path<String>,
    JsonBody(body, _): JsonBody,
) -> Result<Json<ScopesAnswer>, ApiError> {
    let typed: ScopesBody = typed_body(&body)?;
    let scopes = parse_scopes(typed.scopes.as_ref()).map_err(|e| ApiError::Validation(vec![e]))?;
    let operator = fml_app::Operator::Analyst(&staff);
    let ScopesChanged { client, tokens_revoked } =
        fml_app::clients::set_scopes(&st.ctx, &staff.org, &client_id, scopes, operator).await?;
    Ok(Json(ScopesAnswer { client: ClientView::from(&client), tokens_revoked }))
}

fn parse_scopes(v: Option<&Value>) -> Result<ScopeSet, FieldError> {
    let Some(Value::Array(items)) = v else {
        return Err(FieldError::new("scopes", "must be an array of scopes"));
    };
    let mut set = Vec::with_capacity(items.len());
    for item in items {
        match item.as_str().and_then(Scope::parse) {
            Some(s) => set.push(s),
            None => {
                let known: Vec<&str> = Scope::ALL.iter().map(|s| s.as_str()).collect();
                return Err(FieldError::new("scopes", format!("each scope must be one of {}", known.join(", "))));
            }
        }
    }
    let set: ScopeSet = set.into_iter().collect();
    if set.is_empty() {
        return Err(FieldError::new("scopes", "choose at least one scope"));
    }
    Ok(set)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn scopes_are_a_non_empty_array_of_known_scopes() {
        let ok = parse_scopes(Some(&json!(["cases:read", "cases:write", "cases:read"]))).unwrap();
        assert_eq!(ok.to_space_separated(), "cases:write cases:read");
        for bad in [json!([]), json!("cases:read"), json!(["admin"]), json!([1]), Value::Null] {
            assert!(parse_scopes(Some(&bad)).is_err(), "{bad}");
        }
        assert!(parse_scopes(None).is_err());
    }
}
