//! Receive First Mile Labs webhooks safely.
//!
//! ```
//! # fn handle(headers: &http::HeaderMap, body: &[u8]) -> Result<(), fml_receiver::VerifyError> {
//! use fml_receiver::{Event, Receiver};
//! let receiver = Receiver::new("your endpoint's signing secret");
//! match receiver.verify(headers, body)? {
//!     Event::CaseDecisionMade(e) => println!("{} decided: {:?}", e.case_reference, e.outcome),
//!     other => println!("{} ignored", other.event_type()),
//! }
//! # Ok(()) }
//! ```
//!
//! What [`Receiver::verify`] checks, in order:
//! 1. the signature, in constant time, against every secret you accept (so a rotation on your
//!    side is two secrets for a while): `X-FML-Signature: sha256=<hex HMAC-SHA256 of the body>`,
//!    which may carry several comma-separated values during a rotation on ours; or, for an
//!    endpoint set to `standard-webhooks`, the `webhook-id`, `webhook-timestamp` and
//!    `webhook-signature` headers of the Standard Webhooks specification;
//! 2. the replay window on the body's own `timestamp`, which the signature covers (the
//!    `X-FML-Timestamp` header does not: it can be altered and it is the emission time, so a
//!    window on it refuses our own late retries). The window defaults to the retry horizon;
//! 3. that this `eventId` was not processed already (an in-memory store by default; implement
//!    [`Dedup`] over your database to share it between processes);
//! 4. the payload, parsed into a typed [`Event`] (an event type newer than this crate is
//!    [`Event::Unknown`], not an error).

mod dedup;
#[rustfmt::skip] // generated (crates/domain/src/events/rust.rs), kept as generated
mod events;
#[cfg(feature = "axum")]
mod extract;
mod verify;

#[cfg(test)]
mod tests;

pub use dedup::{Dedup, MemoryDedup};
pub use events::*;
#[cfg(feature = "axum")]
pub use extract::{Rejection, Verified};
pub use verify::{DEFAULT_WINDOW, MAX_BODY_BYTES, Receiver, VerifyError, verify};
