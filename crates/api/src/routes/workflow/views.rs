//! How the analyst API shows a case (the Public API's view plus its owner, its creator, the
//! decision and a waiting approval), and finding a case by UUID or reference.

use fml_app::queries::cases::StaffCase;
use fml_app::queries::records::{AnalystRecord, CaseRecord};
use fml_domain::Timestamp;
use fml_domain::ids::CaseLocator;
use serde::Serialize;
use utoipa::ToSchema;

use crate::view::CaseView;
use fml_web::error::ApiError;
use fml_web::state::AppState;

pub(crate) fn locate(raw: &str) -> Result<CaseLocator, ApiError> {
    CaseLocator::parse(raw).ok_or(ApiError::NotFound("no such case"))
}

/// A case owner or other analyst, by name and email.
#[derive(Debug, Serialize, ToSchema)]
pub struct PersonRef {
    pub name: String,
    pub email: String,
}

/// The final decision.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DecisionView {
    pub notes: String,
    pub decided_by: String,
    #[schema(value_type = String, format = DateTime)]
    pub decided_at: Timestamp,
}

/// A case as the analyst API shows it: the Public API's representation, plus its owner, who
/// opened it and the decision.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct StaffCaseView {
    #[serde(flatten)]
    pub case: CaseView,
    pub owner: Option<PersonRef>,
    /// The analyst who opened a manual case.
    pub created_by: Option<String>,
    pub decision: Option<DecisionView>,
    /// A first approval waiting for a second senior or admin (maker-checker). Given on the
    /// routes that return one case; absent from lists and when none waits.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pending_approval: Option<PendingApprovalView>,
    /// The registered address the customer gave in the portal (with their corrections). Given
    /// on the routes that return one case, once the customer has saved their application.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub registered_address: Option<String>,
}

/// A first approval of a high-risk case, waiting for a different senior or admin.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PendingApprovalView {
    pub requested_by: String,
    pub notes: String,
    /// Why the case is high-risk, as the first approver saw it.
    pub reasons: Vec<String>,
    #[schema(value_type = String, format = DateTime)]
    pub requested_at: Timestamp,
}

impl StaffCaseView {
    pub fn new(c: &CaseRecord, owner: Option<&AnalystRecord>, config: &fml_web::Config) -> Self {
        Self {
            case: CaseView::new(c, config),
            owner: owner.map(|a| PersonRef { name: a.name.clone(), email: a.email.clone() }),
            created_by: c.created_by.clone(),
            decision: c.decision.as_ref().map(|d| DecisionView {
                notes: d.notes.clone(),
                decided_by: d.decided_by.clone(),
                decided_at: d.decided_at,
            }),
            pending_approval: None,
            registered_address: None,
        }
    }

    /// The view of one case with its owner and its waiting approval.
    pub fn of(s: StaffCase, config: &fml_web::Config) -> Self {
        let mut v = Self::new(&s.case, s.owner.as_ref(), config);
        v.registered_address = s.registered_address;
        v.pending_approval = s.pending.map(|p| PendingApprovalView {
            reasons: p.concerns(),
            requested_by: p.requested_by,
            notes: p.notes,
            requested_at: Timestamp::from_millis(p.requested_at),
        });
        v
    }
}

/// Renders one case (a command's result) with its owner and waiting approval, read together.
pub(crate) async fn view(st: &AppState, c: &CaseRecord) -> Result<StaffCaseView, ApiError> {
    let s = fml_app::queries::cases::staff_case_of(&st.ctx, &c.org_id, c.clone()).await?;
    Ok(StaffCaseView::of(s, &st.config))
}
