//! Why a command refused or failed. Each HTTP surface maps these one to one.

use fml_domain::{CaseStatus, FieldError};
use fml_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum CommandError {
    /// Nothing of that kind in the principal's tenant (another tenant's object included).
    #[error("{0}")]
    NotFound(&'static str),
    /// The case's status does not allow the action.
    #[error("the case is {}; this action is not allowed from that status", current.as_str())]
    Illegal { current: CaseStatus },
    /// The principal may not do this, whatever the object's state.
    #[error("{0}")]
    Forbidden(&'static str),
    /// A decision control refused the action (four eyes): 403 with a stable code and, when the
    /// case's risk is why, the concerns that make it high-risk.
    #[error("{message}")]
    Control { code: &'static str, message: String, reasons: Vec<String> },
    #[error("validation failed")]
    Validation(Vec<FieldError>),
    /// A uniqueness or state rule other than the lifecycle refused the change.
    #[error("{1}")]
    Conflict(&'static str, String),
    /// Well-formed input naming something that does not exist or cannot be used (e.g. an
    /// owner who is not an analyst of the tenant).
    #[error("{1}")]
    Unprocessable(&'static str, String),
    /// An outside service the command needs (an IDV vendor) failed or did not answer.
    #[error("{0}")]
    Upstream(String),
    /// Work the command depends on (a document being read) has not finished; a job that
    /// meets this is retried later.
    #[error("{0}")]
    NotYet(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl CommandError {
    pub fn field(field: &str, message: impl Into<String>) -> Self {
        CommandError::Validation(vec![FieldError::new(field, message)])
    }
}
