//! The OpenAPI 3.1 document, generated from the handlers' annotations.

use utoipa::openapi::security::{ClientCredentials, Flow, OAuth2, Scopes, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;

use crate::routes;
use crate::state::AppState;

pub const OPENAPI_PATH: &str = "/openapi.json";

#[derive(OpenApi)]
#[openapi(
    info(title = "First Mile Labs Public API", version = "1", description = "Open KYB cases from a CRM, safely retried."),
    modifiers(&SecurityAddon),
    tags((name = "oauth"), (name = "cases"), (name = "webhooks"), (name = "health"))
)]
struct ApiDoc;

struct SecurityAddon;

impl Modify for SecurityAddon {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        let scopes = Scopes::from_iter(fml_domain::Scope::ALL.iter().map(|s| (s.as_str(), s.as_str())));
        let flow = Flow::ClientCredentials(ClientCredentials::new("/v1/oauth/token", scopes));
        doc.components
            .get_or_insert_with(Default::default)
            .add_security_scheme("oauth2", SecurityScheme::OAuth2(OAuth2::new([flow])));
    }
}

/// Every documented route.
pub fn api_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(routes::health::router())
        .merge(routes::oauth::router())
        .merge(routes::cases::router())
        .merge(routes::catalog::router())
        .merge(routes::endpoints::router())
        .merge(routes::deliveries::router())
}
