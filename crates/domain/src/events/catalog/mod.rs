//! The 27 event types of the Webhook Integration Guide, one struct each, with the guide's
//! field names, types, nullability and enumerated values. Every case event also carries
//! `caseReference` (an additive field: see docs/decisions.md).
//!
//! `Option<T>` without `skip_serializing_if` is a field that is always present and may be
//! null ("string | null" in the guide); with it, a field present only in some situations.
//!
//! The event types are grouped by the part of the product that emits them, one submodule per
//! family, and re-exported here so every type keeps its `events::catalog::*` path.

/// Implements [`WebhookEvent`] for a payload struct with a `case_id` field.
macro_rules! webhook_event {
    ($ty:ident, $name:literal, $desc:literal $(, optional = [$($opt:literal),* $(,)?])?) => {
        impl WebhookEvent for $ty {
            const TYPE: &'static str = $name;
            const NAME: &'static str = stringify!($ty);
            const DESCRIPTION: &'static str = $desc;
            $(const OPTIONAL: &'static [&'static str] = &[$($opt),*];)?
            fn case_id(&self) -> CaseId {
                self.case_id
            }
        }
    };
}

/// A closed set of string values, serialised exactly as the guide spells them.
macro_rules! string_enum {
    ($(#[$m:meta])* $ty:ident { $($variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize, JsonSchema)]
        pub enum $ty {
            $(#[serde(rename = $text)] $variant),+
        }
    };
}

mod assessment;
mod case;
mod documents;
mod edd;
mod idv;
mod monitoring;
mod persons;
mod screening;
mod values;

pub use assessment::*;
pub use case::*;
pub use documents::*;
pub use edd::*;
pub use idv::*;
pub use monitoring::*;
pub use persons::*;
pub use screening::*;
pub use values::*;
