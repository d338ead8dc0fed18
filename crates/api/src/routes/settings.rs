//! Tenant settings (admins): the display name, logo and support address that every email and
//! the portal show.

use axum::Json;
use axum::extract::State;
use fml_app::settings::{Branding, SettingsPatch};
use fml_domain::FieldError;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;
use utoipa::openapi::KnownFormat;
use utoipa::openapi::schema::{ObjectBuilder, Schema, SchemaFormat, SchemaType, Type};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use fml_web::error::ApiError;
use fml_web::extract::{Admin, JsonBody, Staff, typed_body};
use fml_web::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(get_settings, patch_settings))
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
struct SettingsView {
    /// The org's own name (set when the org was created).
    org_name: String,
    /// Shown to customers instead of the org name; null: the org name.
    display_name: Option<String>,
    logo_url: Option<String>,
    support_email: Option<String>,
    /// Maker-checker: every approval of a high-risk case needs a second, different senior or
    /// admin (default false).
    second_approval: bool,
    /// Whether the public application link (`/portal/apply/{orgId}`) is open (default false).
    public_applications: bool,
    /// How many applications one client address may start per hour on the public link.
    public_applications_per_hour: i32,
}

impl From<Branding> for SettingsView {
    fn from(b: Branding) -> Self {
        Self {
            org_name: b.org_name,
            display_name: b.settings.display_name,
            logo_url: b.settings.logo_url,
            support_email: b.settings.support_email,
            second_approval: b.settings.second_approval,
            public_applications: b.settings.public_applications,
            public_applications_per_hour: b.settings.public_applications_per_hour,
        }
    }
}

/// The tenant's settings.
#[utoipa::path(
    get, path = "/api/settings", tag = "settings",
    responses((status = 200, description = "The settings", body = SettingsView)),
    security(("analystToken" = []), ("analystSession" = []))
)]
async fn get_settings(State(st): State<AppState>, staff: Staff<Admin>) -> Result<Json<SettingsView>, ApiError> {
    Ok(Json(fml_app::settings::get(&st.ctx, &staff).await?.into()))
}

fn display_name_schema() -> Schema {
    fml_web::schema::text(fml_app::settings::MAX_DISPLAY_NAME, true, "Shown to customers; null or blank clears it.")
}
fn logo_url_schema() -> Schema {
    ObjectBuilder::new()
        .schema_type(SchemaType::Array(vec![Type::String, Type::Null]))
        .max_length(Some(fml_app::settings::MAX_LOGO_URL))
        .pattern(Some("^https?://[!$-.0-;=@-\\[\\]-_a-~][!#-;=?-\\[\\]-_a-~]*$"))
        .description(Some("An absolute http(s) URL of the logo; null clears it."))
        .build()
        .into()
}
fn support_email_schema() -> Schema {
    ObjectBuilder::new()
        .schema_type(SchemaType::Array(vec![Type::String, Type::Null]))
        .format(Some(SchemaFormat::KnownFormat(KnownFormat::Email)))
        .max_length(Some(320))
        .description(Some("Where customers can write for help; null clears it."))
        .build()
        .into()
}

/// The body of `PATCH /api/settings`: a field left out is unchanged, null clears it.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", default)]
struct SettingsBody {
    #[schema(schema_with = display_name_schema)]
    display_name: Option<Value>,
    #[schema(schema_with = logo_url_schema)]
    logo_url: Option<Value>,
    #[schema(schema_with = support_email_schema)]
    support_email: Option<Value>,
    /// Maker-checker for high-risk approvals.
    second_approval: Option<bool>,
    /// Opens or closes the public application link.
    public_applications: Option<bool>,
    /// Applications one client address may start per hour on the public link.
    #[schema(minimum = 1, maximum = 1000)]
    public_applications_per_hour: Option<i64>,
}

/// Change the tenant's settings.
#[utoipa::path(
    patch, path = "/api/settings", tag = "settings",
    request_body(content = SettingsBody, content_type = "application/json"),
    responses((status = 200, description = "The settings", body = SettingsView)),
    security(("analystToken" = []), ("analystSession" = []))
)]
async fn patch_settings(
    State(st): State<AppState>,
    staff: Staff<Admin>,
    JsonBody(body, _): JsonBody,
) -> Result<Json<SettingsView>, ApiError> {
    let typed: SettingsBody = typed_body(&body)?;
    let mut errors = Vec::new();
    let mut field = |name: &str| -> Option<Option<String>> {
        match body.get(name) {
            None => None,
            Some(Value::Null) => Some(None),
            Some(Value::String(s)) => Some(Some(s.clone())),
            Some(_) => {
                errors.push(FieldError::new(name, "must be a string or null"));
                None
            }
        }
    };
    let patch = SettingsPatch {
        display_name: field("displayName"),
        logo_url: field("logoUrl"),
        support_email: field("supportEmail"),
        second_approval: typed.second_approval,
        public_applications: typed.public_applications,
        public_applications_per_hour: typed.public_applications_per_hour,
    };
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    let updated = fml_app::settings::update(&st.ctx, Some(&staff), &staff.org, &patch).await?;
    st.branding.forget(&staff.org);
    Ok(Json(updated.into()))
}
