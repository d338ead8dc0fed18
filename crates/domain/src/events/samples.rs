//! One sample of every event type (the guide's sample payloads), serialised through the real
//! types and validated against the generated schemas.

use super::catalog::*;
use super::{OutboxEvent, WebhookEvent};
use crate::{CaseId, CaseReference, CaseSource, CaseStatus, CountryCode, OrgId, Timestamp};

fn at() -> Timestamp {
    Timestamp::from_millis(1_778_836_451_421)
}

fn s(v: &str) -> String {
    v.to_owned()
}

/// Every event type emitted once.
pub fn all() -> Vec<OutboxEvent> {
    // A valid id written here, not input: nothing to check.
    let org = OrgId::from_trusted("org_demo_bank".to_owned());
    let (case_id, r) = (CaseId::generate(), CaseReference::new(2026, 471));
    let crm = Some("0035g00000Abc12AAA");
    let co = Some(s("Acme Holdings Ltd"));
    let key = s("00000000-0000-0000-0000-000000000001");
    let e = |ev: OutboxEvent| ev;
    vec![
        e(CaseCreated {
            case_id,
            case_reference: r.clone(),
            company_name: co.clone(),
            company_number: Some(s("12345678")),
            country: CountryCode::parse("GB").ok(),
            customer_email: Some(s("ops@acmeholdings.example")),
            source: CaseSource::Manual,
            created_by: Some(s("alex.kim@demobank.com")),
        }
        .emit(&org, None, at())),
        CaseSubmitted {
            case_id,
            case_reference: r.clone(),
            company_name: co.clone(),
            country: None,
            customer_email: None,
            source: SubmissionSource::ApplicationForm,
        }
        .emit(&org, crm, at()),
        CaseDecisionMade {
            case_id,
            case_reference: r.clone(),
            outcome: DecisionOutcome::Approved,
            notes: s("All documentation verified."),
            analyst_email: s("alex.kim@demobank.com"),
            decided_at: at(),
            company_name: co.clone(),
        }
        .emit(&org, crm, at()),
        CaseStatusChanged {
            case_id,
            case_reference: r.clone(),
            company_name: None,
            status: CaseStatus::Returned,
            previous_status: CaseStatus::PendingSenior,
            changed_by: s("senior@demobank.com"),
            recommendation: Some(SeniorRecommendation::Approve),
        }
        .emit(&org, crm, at()),
        DataCorrected {
            case_id,
            case_reference: r.clone(),
            source: CorrectionSource::CustomerReview,
            amendment_count: Some(1),
            amendments: Some(vec![Amendment {
                section: s("company"),
                field: s("registeredAddress"),
                original_value: Some(s("10 High Street")),
                corrected_value: None,
            }]),
            document_id: None,
            field: None,
            original_value: None,
            corrected_value: None,
            note: None,
            reason: None,
            by: None,
        }
        .emit(&org, crm, at()),
        DataCorrected {
            case_id,
            case_reference: r.clone(),
            source: CorrectionSource::AnalystOverride,
            amendment_count: None,
            amendments: None,
            document_id: Some(4711),
            field: Some(OverrideField::DocumentStatus),
            original_value: Some(s("error")),
            corrected_value: Some(OverrideValue::Escalated),
            note: None,
            reason: Some(s("Unreadable scan")),
            by: Some(s("alex.kim@demobank.com")),
        }
        .emit(&org, crm, at()),
        DocumentUploaded {
            case_id,
            case_reference: r.clone(),
            document_ids: vec![4711, 4712],
            file_count: 2,
            filenames: vec![s("a.pdf"), s("b.jpg")],
        }
        .emit(&org, crm, at()),
        ScreeningCompleted {
            case_id,
            case_reference: r.clone(),
            screened: 2,
            summary: vec![
                ScreeningSubject { name: s("Acme Holdings Ltd"), role: None, status: ScreeningStatus::Clear },
                ScreeningSubject { name: s("Maria Lopez"), role: Some(s("shareholder")), status: ScreeningStatus::Pep },
            ],
            completed_at: at(),
        }
        .emit(&org, crm, at()),
        AiReviewCompleted {
            case_id,
            case_reference: r.clone(),
            review_id: 8421,
            company_name: co.clone(),
            triggered_by: s("system:form-submission:ops@acme.example"),
            recommendation: AiRecommendation::Refer,
            confidence: Confidence::Medium,
            risk_factor_count: 1,
            risk_factors: vec![RiskFactor { text: s("PEP hit pending"), severity: RiskSeverity::Medium }],
            completed_at: at(),
        }
        .emit(&org, crm, at()),
        DocumentProcessed {
            case_id,
            case_reference: r.clone(),
            document_id: 4711,
            document_type: s("Certificate of Incorporation"),
            filename: s("coi.pdf"),
            status: DocumentStatus::Complete,
            confidence: Confidence::High,
            warning_count: 0,
            missing_field_count: 0,
        }
        .emit(&org, crm, at()),
        RiskAssessed {
            case_id,
            case_reference: r.clone(),
            assessment_id: 3301,
            config_id: 7,
            composite_score: crate::Percent::of(27.0),
            band_id: RiskBand::Low,
            band_label: s("Low"),
            assessed_by: s("system"),
            assessed_at: at(),
        }
        .emit(&org, crm, at()),
        RoutingEvaluated {
            case_id,
            case_reference: r.clone(),
            policy_id: 4,
            policy_name: s("EU MSB — standard routing"),
            matched_rule_index: None,
            outcome: s("REVIEW_LEVEL_1"),
            evaluated_at: at(),
        }
        .emit(&org, crm, at()),
        EddRequirementsChanged {
            case_id,
            case_reference: r.clone(),
            req_key: s("source_of_funds"),
            label: s("Source of Funds evidence"),
            status: EddStatus::Received,
            previous_status: None,
            note: s("Bank statement received."),
            updated_by: s("alex.kim@demobank.com"),
        }
        .emit(&org, crm, at()),
        EddRequested {
            case_id,
            case_reference: r.clone(),
            recipient_email: s("ops@acme.example"),
            item_count: 1,
            items: vec![RequestedItem { key: s("source_of_funds"), label: s("Source of Funds evidence") }],
            sent_by: s("alex.kim@demobank.com"),
            sent_at: at(),
        }
        .emit(&org, crm, at()),
        IdvDispatched {
            case_id,
            case_reference: r.clone(),
            recipient_email: s("jane.smith@example.com"),
            recipient_name: s("Jane Smith"),
            person_key: key.clone(),
            roles: vec![s("director"), s("ubo")],
            dispatched_by: s("system"),
        }
        .emit(&org, crm, at()),
        IdvCompleted {
            case_id,
            case_reference: r.clone(),
            verification_type: VerificationType::Identity,
            vendor_name: s("Didit"),
            position: 1,
            role: s("director"),
            outcome: IdvOutcome::ManualReview,
            completed_at: at(),
        }
        .emit(&org, crm, at()),
        IdvSatisfiedByDocument {
            case_id,
            case_reference: r.clone(),
            person_name: s("Jane Smith"),
            person_email: None,
            person_key: key.clone(),
            roles: vec![s("director")],
            satisfied_by_doc_id: 4713,
        }
        .emit(&org, crm, at()),
        MonitoringAlertCreated {
            case_id,
            case_reference: r.clone(),
            company_name: None,
            run_id: 5001,
            alert_type: s("sanctions_hit"),
            severity: AlertSeverity::High,
            title: s("New OpenSanctions hit"),
            detail: s("PEP designation added."),
        }
        .emit(&org, crm, at()),
        MonitoringRunCompleted {
            case_id,
            case_reference: r.clone(),
            run_id: 5001,
            triggered_by: s("scheduled"),
            alerts_generated: 1,
            checks_run: vec![CheckRun { check: s("sanctions"), status: s("ok"), subjects: 3 }],
        }
        .emit(&org, crm, at()),
        ScreeningHitTriaged {
            case_id,
            case_reference: r.clone(),
            hit_id: s("am:12"),
            subject_name: s("Maria Lopez"),
            confidence: crate::Percent::of(92.0),
            disposition: HitDisposition::TrueMatch,
            short_reason: s("Strong identity match."),
            model: s("claude-opus-4-5"),
            prompt_version: s("1"),
        }
        .emit(&org, crm, at()),
        PersonLinked {
            case_id,
            case_reference: r.clone(),
            person_id: 7001,
            person_key: key.clone(),
            display_name: s("Jane Smith"),
            email: None,
            roles: vec![s("director")],
            linked_by: s("alex.kim@demobank.com"),
        }
        .emit(&org, crm, at()),
        PersonUnlinked {
            case_id,
            case_reference: r.clone(),
            person_id: 7001,
            person_key: key.clone(),
            unlinked_by: s("alex.kim@demobank.com"),
            reason: None,
        }
        .emit(&org, crm, at()),
        PersonMarkedNew {
            case_id,
            case_reference: r.clone(),
            person_id: 7002,
            person_key: key.clone(),
            display_name: s("Jane Smith"),
            email: Some(s("jane.smith@example.com")),
            resolved_by: s("alex.kim@demobank.com"),
        }
        .emit(&org, crm, at()),
        PersonDocumentAttached {
            case_id,
            case_reference: r.clone(),
            person_id: 7001,
            document_id: 4713,
            document_type: s("Passport"),
            attached_by: s("alex.kim@demobank.com"),
        }
        .emit(&org, crm, at()),
        OutreachEmailSent {
            case_id,
            case_reference: r.clone(),
            kind: s("document_request"),
            recipient_email: s("ops@acme.example"),
            subject: s("Additional documentation requested"),
            item_count: 1,
            items: vec![RequestedItem { key: s("register_of_directors"), label: s("Register of Directors") }],
            sent_by: s("alex.kim@demobank.com"),
        }
        .emit(&org, crm, at()),
        EscalationCreated {
            case_id,
            case_reference: r.clone(),
            company_name: co.clone(),
            note: s("Senior review requested."),
            raised_by: s("alex.kim@demobank.com"),
        }
        .emit(&org, crm, at()),
        EscalationResponded {
            case_id,
            case_reference: r.clone(),
            company_name: co.clone(),
            recommendation: SeniorRecommendation::Refer,
            note: s("Needs more EDD."),
            responded_by: s("senior@demobank.com"),
        }
        .emit(&org, crm, at()),
        OwnerChanged {
            case_id,
            case_reference: r,
            previous_owner: None,
            new_owner: Some(Owner { name: s("Alex Kim"), email: s("alex.kim@demobank.com") }),
            changed_by: None,
        }
        .emit(&org, crm, at()),
    ]
}

/// A sample of `event_type` for `fml trigger`: the catalog's sample as `org` would get it at
/// `now`, under a new `eventId`. `None` for a type the catalog does not have.
pub fn for_trigger(event_type: &str, org: &OrgId, now: Timestamp) -> Option<(uuid::Uuid, String)> {
    if event_type == super::PING {
        return Some(super::ping(org, now));
    }
    let sample = all().into_iter().find(|e| e.event_type == event_type)?;
    let mut v: serde_json::Value = serde_json::from_str(&sample.payload).ok()?;
    let id = uuid::Uuid::new_v4();
    v["eventId"] = id.to_string().into();
    v["orgId"] = org.as_str().into();
    v["timestamp"] = serde_json::to_value(now).ok()?;
    Some((id, serde_json::to_string(&v).ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::ping;
    use crate::events::schema::CATALOG;
    use crate::events::schema::find;

    #[test]
    fn a_triggered_sample_is_the_tenants_own_and_valid() {
        let org = OrgId::parse("org_mine").unwrap();
        let now = Timestamp::from_millis(1_800_000_000_000);
        for e in CATALOG.iter() {
            let (id, body) = for_trigger(e.event, &org, now).unwrap_or_else(|| panic!("{}", e.event));
            validate(e.event, &body).unwrap_or_else(|why| panic!("{}: {why}", e.event));
            let v: serde_json::Value = serde_json::from_str(&body).unwrap();
            assert_eq!((v["eventId"].as_str(), v["orgId"].as_str()), (Some(id.to_string().as_str()), Some("org_mine")));
            assert_eq!(v["timestamp"], "2027-01-15T08:00:00.000Z");
        }
        assert!(for_trigger("case.teleported", &org, now).is_none());
    }

    /// Validates a serialised event against its schema; `Err` lists what failed.
    pub fn validate(event_type: &str, payload: &str) -> Result<(), String> {
        let entry = find(event_type).ok_or_else(|| format!("no schema for {event_type}"))?;
        let instance: serde_json::Value = serde_json::from_str(payload).map_err(|e| e.to_string())?;
        let validator = jsonschema::validator_for(&entry.schema).map_err(|e| e.to_string())?;
        let errors: Vec<String> =
            validator.iter_errors(&instance).map(|e| format!("{e} at {}", e.instance_path())).collect();
        if errors.is_empty() { Ok(()) } else { Err(errors.join("; ")) }
    }

    #[test]
    fn every_sample_validates_against_its_schema() {
        let samples = all();
        let mut covered: Vec<&str> = samples.iter().map(|e| e.event_type).collect();
        covered.sort_unstable();
        covered.dedup();
        assert_eq!(covered.len(), 27, "a sample for every event type");
        for ev in &samples {
            validate(ev.event_type, &ev.payload).unwrap_or_else(|e| panic!("{}: {e}\n{}", ev.event_type, ev.payload));
        }
        let (_, body) = ping(&OrgId::parse("org_demo_bank").unwrap(), at());
        validate("ping", &body).unwrap();
        assert_eq!(CATALOG.len(), 28);
    }

    #[test]
    fn schemas_reject_what_the_contract_forbids() {
        let ev = &all()[2]; // case.decision.made
        let mut v: serde_json::Value = serde_json::from_str(&ev.payload).unwrap();
        v["outcome"] = "maybe".into();
        assert!(validate("case.decision.made", &v.to_string()).is_err());
        let mut v: serde_json::Value = serde_json::from_str(&ev.payload).unwrap();
        v.as_object_mut().unwrap().remove("crmRecordId");
        assert!(validate("case.decision.made", &v.to_string()).is_err(), "crmRecordId is required with caseId");
        let mut v: serde_json::Value = serde_json::from_str(&ev.payload).unwrap();
        v["eventVersion"] = 2.into();
        assert!(validate("case.decision.made", &v.to_string()).is_err());
        let mut v: serde_json::Value = serde_json::from_str(&ev.payload).unwrap();
        v["aNewField"] = "additive".into();
        assert!(validate("case.decision.made", &v.to_string()).is_ok(), "additive fields are allowed");
        let mut v: serde_json::Value = serde_json::from_str(&all()[27].payload).unwrap();
        v["newOwner"]["email"] = serde_json::Value::Null;
        assert!(validate("owner.changed", &v.to_string()).is_err());
    }
}
