//! The cases dashboard and the case view, with the workflow's actions as forms. Which actions
//! a page offers is decided by the same rule the commands apply (`lifecycle::judge`), and every
//! form posts to a handler that calls the command the analyst API calls.

mod actions;
mod dashboard;
mod files;
mod new;
mod page;

pub use actions::{
    ai_review, decide, edd_request, edd_requirement, escalate, link_person, mark_new, monitor, outreach,
    override_document, owner, recompute_risk, resend_invite, resolve_alert, resolve_idv, respond, review_hit, screen,
    send_idv, send_idv_all, unlink_person,
};
pub use dashboard::dashboard;
pub use files::{attach, upload};
pub use new::{create, form as new_form};
pub use page::show;
