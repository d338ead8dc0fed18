//! Sanctions, PEP and adverse-media screening of a case: the company and every person on its
//! roster against the watch list, each hit triaged, the run recorded with `screening.completed`
//! and one `screening.hit.triaged` per hit in one transaction.
//!
//! The match itself is `fml_domain::screening`; this module finds candidates with the
//! process's index ([`Screener`]), reads them from the store and writes the outcome.
//!
//! The index, the run, the analyst's commands, the adapters' traits and the stored spellings
//! of a hit are submodules; what several of them share stays here.

mod adapters;
mod analyst;
mod index;
mod labels;
mod run;

pub use adapters::{HitTriager, Judged, RemoteMatcher, Rules, rules};
pub use analyst::{THRESHOLD_RANGE, latest, request, results, review_hit, set_threshold, threshold};
pub use index::{Loaded, Screener, build, matches};
pub use labels::{disposition_str, features_json, parse_disposition, standing_str};
pub use run::{Hit, Matched, RunOutcome, Screened, match_case, run, subjects};

/// Hits kept per subject, the best first.
pub const MAX_HITS_PER_SUBJECT: usize = 10;

/// A boxed future, as the adapters' traits return them.
pub type BoxFuture<'a, T> = std::pin::Pin<Box<dyn std::future::Future<Output = T> + Send + 'a>>;
