//! Reading and writing cases (opening them in bulk is [`open`]).
//!
//! This module holds the stored shape of a case and how a row becomes one; the reads, the
//! writes and the filtered searches live in their own submodules and are re-exported here.

pub mod open;
mod read;
mod search;
mod write;

pub use read::find_by_crm_in;
pub use read::{count, get, get_in, list, references_in};
pub use search::{CaseFilter, CaseOrder, CasePage, count_matching_in, search_in};
pub use write::{SetCrmOutcome, lock, mark_invited, set_crm_record_id, set_owner, transition};

use fml_domain::{AnalystId, CaseId, CaseReference, CaseSource, CaseStatus, CountryCode, OrgId, Timestamp};

use crate::StoreError;

/// A case as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseRecord {
    pub id: CaseId,
    pub org_id: OrgId,
    pub reference: CaseReference,
    pub status: CaseStatus,
    pub source: CaseSource,
    pub customer_email: Option<String>,
    pub customer_name: Option<String>,
    pub company_name: Option<String>,
    pub company_number: Option<String>,
    pub country: Option<CountryCode>,
    pub entity_type: Option<String>,
    pub crm_record_id: Option<String>,
    pub crm_source: Option<String>,
    pub invite_sent_at: Option<Timestamp>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    /// The analyst working the case.
    pub owner_id: Option<AnalystId>,
    /// The analyst who opened a manual case (email).
    pub created_by: Option<String>,
    /// Set with the final decision.
    pub decision: Option<Decision>,
}

/// The final decision on a case (its outcome is the status).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    pub notes: String,
    pub decided_by: String,
    pub decided_at: Timestamp,
}

/// The columns a new case is inserted with (the rest start null).
pub(crate) const INSERT_COLUMNS: &str = "id, org_id, reference, status, source, customer_email, customer_name, company_name, \
     company_number, country, entity_type, crm_record_id, crm_source, invite_sent_at, created_at, updated_at, created_by";

pub(crate) const CASE_COLUMNS: &str = "id, org_id, reference, status, source, customer_email, customer_name, company_name, \
     company_number, country, entity_type, crm_record_id, crm_source, invite_sent_at, created_at, updated_at, created_by, \
     owner_id, decision_notes, decided_by, decided_at";

#[derive(Debug, sqlx::FromRow)]
pub(crate) struct CaseRow {
    id: String,
    org_id: String,
    reference: String,
    status: String,
    source: String,
    customer_email: Option<String>,
    customer_name: Option<String>,
    company_name: Option<String>,
    company_number: Option<String>,
    country: Option<String>,
    entity_type: Option<String>,
    crm_record_id: Option<String>,
    crm_source: Option<String>,
    invite_sent_at: Option<i64>,
    created_at: i64,
    updated_at: i64,
    created_by: Option<String>,
    owner_id: Option<String>,
    decision_notes: Option<String>,
    decided_by: Option<String>,
    decided_at: Option<i64>,
}

impl TryFrom<CaseRow> for CaseRecord {
    type Error = StoreError;
    fn try_from(r: CaseRow) -> Result<Self, StoreError> {
        let corrupt = |what: &str| StoreError::Corrupt(format!("case {}: bad {what}", r.id));
        Ok(CaseRecord {
            id: r.id.parse().map_err(|_| corrupt("id"))?,
            status: CaseStatus::parse(&r.status).ok_or_else(|| corrupt("status"))?,
            source: CaseSource::parse(&r.source).ok_or_else(|| corrupt("source"))?,
            country: match &r.country {
                Some(c) => Some(CountryCode::from_stored(c).ok_or_else(|| corrupt("country"))?),
                None => None,
            },
            owner_id: match &r.owner_id {
                Some(o) => Some(o.parse().map_err(|_| corrupt("owner"))?),
                None => None,
            },
            decision: match (r.decision_notes, r.decided_by, r.decided_at) {
                (Some(notes), Some(decided_by), Some(at)) => {
                    Some(Decision { notes, decided_by, decided_at: Timestamp::from_millis(at) })
                }
                _ => None,
            },
            created_by: r.created_by,
            org_id: OrgId::from_trusted(r.org_id),
            reference: CaseReference::from_trusted(r.reference),
            customer_email: r.customer_email,
            customer_name: r.customer_name,
            company_name: r.company_name,
            company_number: r.company_number,
            entity_type: r.entity_type,
            crm_record_id: r.crm_record_id,
            crm_source: r.crm_source,
            invite_sent_at: r.invite_sent_at.map(Timestamp::from_millis),
            created_at: Timestamp::from_millis(r.created_at),
            updated_at: Timestamp::from_millis(r.updated_at),
        })
    }
}

fn convert(rows: Vec<CaseRow>) -> Result<Vec<CaseRecord>, StoreError> {
    rows.into_iter().map(CaseRecord::try_from).collect()
}
