//! The FML platform's types and rules. Nothing here does I/O: values are parsed at the edge
//! (HTTP, CLI) into these types, and everything behind the edge trusts them.

pub mod case;
pub mod country;
pub mod crypto;
pub mod email;
pub mod events;
pub mod idempotency;
pub mod ids;
pub mod scope;
pub mod secret;
pub mod time;
pub mod validation;

pub use case::{CaseSource, CaseStatus};
pub use country::CountryCode;
pub use email::EmailAddress;
pub use idempotency::IdempotencyKey;
pub use ids::{CaseId, CaseReference, ClientId, OrgId};
pub use scope::{Scope, ScopeSet};
pub use time::Timestamp;
pub use validation::FieldError;
