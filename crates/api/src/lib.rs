//! The JSON APIs: the Public API a CRM calls (OAuth 2.0 client credentials, cases, webhook
//! endpoints and deliveries) and the analyst API behind the console, each route registered
//! through the OpenAPI router so the published document lists exactly what is served.
//! Handlers parse, authorise by type, call one command of `fml-app` and render its result.

pub mod openapi;
pub mod routes;
pub mod view;
