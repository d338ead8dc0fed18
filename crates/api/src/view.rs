//! The JSON representation of a case in the Public API.

use fml_app::queries::records::CaseRecord;
use fml_domain::{CaseId, CaseReference, CaseSource, CaseStatus, CountryCode, Timestamp};
use serde::Serialize;
use utoipa::ToSchema;

use fml_web::config::Config;

/// A case, as `POST /v1/cases` and the lookups return it.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CaseView {
    /// The case UUID.
    #[schema(value_type = String, example = "0196f5a0-7b1a-7f2e-9c3b-2d1e8f7a4b6c")]
    pub case_id: CaseId,
    /// The per-tenant human reference, `CS-<year>-<n>`; routes accept it in place of `caseId`.
    #[schema(value_type = String, example = "CS-2026-00471")]
    pub case_reference: CaseReference,
    pub customer_email: Option<String>,
    pub customer_name: Option<String>,
    pub company_name: Option<String>,
    pub company_number: Option<String>,
    /// ISO 3166-1 alpha-2.
    #[schema(value_type = Option<String>, example = "GB")]
    pub country: Option<CountryCode>,
    pub entity_type: Option<String>,
    pub crm_record_id: Option<String>,
    pub crm_source: Option<String>,
    /// How the case was opened: `api` (this API), `manual` (an analyst), `application_form` or
    /// `doc_upload` (the customer, from the tenant's public link).
    #[schema(value_type = String, example = "api")]
    pub source: CaseSource,
    /// snake_case: `in_progress`, `in_review`, `pending_senior`, `returned`, `approved`, `declined`.
    #[schema(value_type = String, example = "in_progress")]
    pub status: CaseStatus,
    /// When the magic-link invite was queued; null if none was sent.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub invite_sent_at: Option<Timestamp>,
    pub customer_portal_url: String,
    pub analyst_url: String,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: Timestamp,
}

impl CaseView {
    pub fn new(c: &CaseRecord, config: &Config) -> Self {
        Self {
            case_id: c.id,
            case_reference: c.reference.clone(),
            customer_email: c.customer_email.clone(),
            customer_name: c.customer_name.clone(),
            company_name: c.company_name.clone(),
            company_number: c.company_number.clone(),
            country: c.country,
            entity_type: c.entity_type.clone(),
            crm_record_id: c.crm_record_id.clone(),
            crm_source: c.crm_source.clone(),
            source: c.source,
            status: c.status,
            invite_sent_at: c.invite_sent_at,
            customer_portal_url: format!("{}/", config.portal_url),
            analyst_url: format!("{}/?case={}", config.public_url, c.id),
            created_at: c.created_at,
            updated_at: c.updated_at,
        }
    }
}

/// The bytes of a case's representation (what idempotent replays return verbatim).
pub fn render_case(c: &CaseRecord, config: &Config) -> String {
    serde_json::to_string(&CaseView::new(c, config)).unwrap_or_else(|_| "{}".to_owned())
}
