//! The traits the vendor adapters implement (a remote matching service, a hit triager) and the
//! offline rules they fall back to, so the run never depends on which one is configured.

use fml_domain::screening::ftm::Entity;
use fml_domain::screening::matching::{Features, Subject, compare};
use fml_domain::screening::triage::{self, Triage};
use fml_store::StoreError;

use super::{BoxFuture, MAX_HITS_PER_SUBJECT};
use crate::CommandError;

/// A matching service other than the local list (a yente-compatible API): the entities it
/// returns for a subject, each with its score.
pub trait RemoteMatcher: Send + Sync + std::fmt::Debug {
    /// How runs record it (`screening_runs.source`).
    fn source(&self) -> &'static str;
    fn matches<'a>(&'a self, subject: &'a Subject, threshold: f64)
    -> BoxFuture<'a, Result<Vec<(Entity, f64)>, String>>;
}

/// A remote service's matches with the local features beside its score (so each hit is
/// explained the same way whatever found it), above the tenant's threshold.
pub(super) async fn remote_matches(
    remote: &dyn RemoteMatcher,
    subject: &Subject,
    threshold: f64,
) -> Result<Vec<(Entity, Features, f64)>, CommandError> {
    let found = remote
        .matches(subject, threshold)
        .await
        .map_err(|e| CommandError::Store(StoreError::Config(format!("the screening service failed: {e}"))))?;
    let mut out: Vec<(Entity, Features, f64)> = found
        .into_iter()
        .filter(|(_, score)| *score >= threshold)
        .map(|(entity, score)| {
            let features = compare(subject, &entity);
            (entity, features, score)
        })
        .collect();
    out.sort_by(|a, b| b.2.total_cmp(&a.2).then_with(|| a.0.id.cmp(&b.0.id)));
    out.truncate(MAX_HITS_PER_SUBJECT);
    Ok(out)
}

/// A triage as a triager gives it, with who gave it.
#[derive(Debug, Clone)]
pub struct Judged {
    pub triage: Triage,
    pub model: String,
    pub version: String,
}

/// Triages hits: the offline rules, or a model adapter that falls back to them.
pub trait HitTriager: Send + Sync + std::fmt::Debug {
    fn triage<'a>(&'a self, subject: &'a Subject, entity: &'a Entity, features: &'a Features) -> BoxFuture<'a, Judged>;
}

/// The offline triager (`rules-v1`).
#[derive(Debug, Default, Clone, Copy)]
pub struct Rules;

impl HitTriager for Rules {
    fn triage<'a>(
        &'a self,
        _subject: &'a Subject,
        _entity: &'a Entity,
        features: &'a Features,
    ) -> BoxFuture<'a, Judged> {
        Box::pin(async move { rules(features) })
    }
}

/// The rules' judgement, for adapters to fall back to.
pub fn rules(features: &Features) -> Judged {
    Judged { triage: triage::triage(features), model: triage::MODEL.into(), version: triage::VERSION.into() }
}
