//! The analyst API's case routes: list and read cases with their timeline, and the lifecycle
//! actions (owner, decision, escalation and its response). Each action is one command of
//! [`fml_app::cases`]; these handlers only parse, authorise by type and render.

mod actions;
mod read;
mod views;

pub(crate) use views::locate;
pub use views::{DecisionView, PendingApprovalView, PersonRef, StaffCaseView};

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use fml_web::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(read::list_cases, actions::create_case))
        .routes(routes!(actions::send_invite))
        .routes(routes!(read::get_case))
        .routes(routes!(read::timeline))
        .routes(routes!(actions::set_owner))
        .routes(routes!(actions::decide))
        .routes(routes!(actions::escalate))
        .routes(routes!(actions::respond))
}
