//! The FML platform's types and rules. Nothing here does I/O: values are parsed at the edge
//! (HTTP, CLI) into these types, and everything behind the edge trusts them.

pub mod application;
pub mod case;
pub mod controls;
pub mod country;
pub mod crypto;
pub mod document;
pub mod edd;
pub mod email;
pub mod events;
pub mod extraction;
pub mod idempotency;
pub mod ids;
pub mod idv;
pub mod jobs;
pub mod letters;
pub mod lifecycle;
pub mod password;
pub mod percent;
pub mod persons;
pub mod policy;
pub mod review;
pub mod risk;
pub mod scope;
pub mod screening;
pub mod secret;
pub mod text;
pub mod time;
pub mod validation;

/// A JSON Schema for a type that serialises as a plain string.
macro_rules! string_schema {
    ($ty:ty, $name:literal, $schema:tt) => {
        impl schemars::JsonSchema for $ty {
            fn schema_name() -> std::borrow::Cow<'static, str> {
                $name.into()
            }
            fn inline_schema() -> bool {
                true
            }
            fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
                schemars::json_schema!($schema)
            }
        }
    };
}

string_schema!(ids::CaseId, "CaseId", { "type": "string", "format": "uuid" });
string_schema!(ids::CaseReference, "CaseReference", { "type": "string", "pattern": "^CS-[0-9]{4}-[0-9]{5,}$" });
string_schema!(ids::OrgId, "OrgId", { "type": "string" });
string_schema!(country::CountryCode, "CountryCode", { "type": "string", "pattern": "^[A-Z]{2}$" });
string_schema!(time::Timestamp, "Timestamp", { "type": "string", "format": "date-time" });

pub use case::{CaseSource, CaseStatus};
pub use country::CountryCode;
pub use email::EmailAddress;
pub use idempotency::IdempotencyKey;
pub use ids::{AnalystId, CaseId, CaseReference, ClientId, OrgId};
pub use percent::Percent;
pub use scope::{Scope, ScopeSet};
pub use time::Timestamp;
pub use validation::FieldError;
