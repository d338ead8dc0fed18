//! The receiver against real payloads: every sample the server's catalog emits, signed as the
//! webhook engine signs them.

use std::time::{Duration, SystemTime};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use fml_domain::OrgId;
use fml_domain::events::{OutboxEvent, ping, samples};
use hmac::{Hmac, KeyInit, Mac};
use http::HeaderMap;
use sha2::Sha256;

use crate::*;

const SECRET: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

fn sign(secret: &str, body: &[u8]) -> String {
    let mut m = <Hmac<Sha256> as KeyInit>::new_from_slice(secret.as_bytes()).unwrap();
    m.update(body);
    format!("sha256={}", hex::encode(m.finalize().into_bytes()))
}

fn headers(signature: &str) -> HeaderMap {
    let mut h = HeaderMap::new();
    h.insert("x-fml-signature", signature.parse().unwrap());
    h
}

/// When the samples were emitted (all share one time).
fn emitted(e: &OutboxEvent) -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_millis(e.created_at.millis() as u64)
}

fn one() -> OutboxEvent {
    samples::all().into_iter().next().unwrap()
}

#[test]
fn every_event_type_parses_into_its_variant() {
    let mut all = samples::all();
    let org = OrgId::parse("org_demo_bank").unwrap();
    let (id, body) = ping(&org, all[0].created_at);
    all.push(OutboxEvent {
        event_id: id,
        event_type: "ping",
        org_id: org,
        case_id: None,
        created_at: all[0].created_at,
        payload: body,
        trace_parent: None,
    });
    let mut seen: Vec<&str> = Vec::new();
    for e in &all {
        let r = Receiver::new(SECRET);
        let got = r.verify_at(&headers(&sign(SECRET, e.payload.as_bytes())), e.payload.as_bytes(), emitted(e));
        let got = got.unwrap_or_else(|err| panic!("{}: {err}", e.event_type));
        assert!(!matches!(got, Event::Unknown(_)), "{} parsed as unknown", e.event_type);
        assert_eq!(got.event_type(), e.event_type);
        assert_eq!(got.event_id(), e.event_id.to_string());
        // Nothing the server sends is lost in the typed form.
        assert_eq!(got.to_value(), serde_json::from_str::<serde_json::Value>(&e.payload).unwrap(), "{}", e.event_type);
        seen.push(e.event_type);
    }
    seen.sort_unstable();
    seen.dedup();
    let mut known = EVENT_TYPES.to_vec();
    known.sort_unstable();
    assert_eq!(seen, known, "a sample for every type the crate knows, and no other");
    if let Some(Event::CaseCreated(c)) =
        all.first().map(|e| Event::from_value(serde_json::from_str(&e.payload).unwrap()).unwrap())
    {
        assert_eq!(c.source, CaseSource::Manual);
    } else {
        panic!("the first sample is case.created");
    }
}

#[test]
fn a_tampered_body_or_the_wrong_secret_is_refused() {
    let e = one();
    let good = sign(SECRET, e.payload.as_bytes());
    let tampered = e.payload.replace("Acme", "Acne");
    let r = Receiver::new(SECRET).without_dedup();
    assert_eq!(r.verify_at(&headers(&good), tampered.as_bytes(), emitted(&e)).unwrap_err(), VerifyError::BadSignature);
    let other = Receiver::new("another-secret").without_dedup();
    assert_eq!(
        other.verify_at(&headers(&good), e.payload.as_bytes(), emitted(&e)).unwrap_err(),
        VerifyError::BadSignature
    );
    for bad in ["", "sha256=", "sha256=zz", "md5=abc", &good[..good.len() - 2]] {
        assert_eq!(
            r.verify_at(&headers(bad), e.payload.as_bytes(), emitted(&e)).unwrap_err(),
            VerifyError::BadSignature
        );
    }
    assert_eq!(
        r.verify_at(&HeaderMap::new(), e.payload.as_bytes(), emitted(&e)).unwrap_err(),
        VerifyError::MissingSignature
    );
    assert!(r.verify_at(&headers(&good), e.payload.as_bytes(), emitted(&e)).is_ok());
    // The free function: one secret, no memory.
    assert!(
        verify(SECRET, &headers(&good), e.payload.as_bytes()).is_err_and(|e| matches!(e, VerifyError::Stale { .. }))
    );
}

#[test]
fn the_window_is_on_the_signed_body_timestamp() {
    let e = one();
    let h = headers(&sign(SECRET, e.payload.as_bytes()));
    let r = Receiver::new(SECRET).without_dedup();
    let late_retry = emitted(&e) + Duration::from_secs(36 * 60);
    assert!(r.verify_at(&h, e.payload.as_bytes(), late_retry).is_ok(), "the last retry is inside the default window");
    let mut fresh_header = h.clone();
    fresh_header.insert("x-fml-timestamp", "9999999999".parse().unwrap());
    let replay = emitted(&e) + Duration::from_secs(41 * 60);
    assert_eq!(
        r.verify_at(&fresh_header, e.payload.as_bytes(), replay).unwrap_err(),
        VerifyError::Stale { age_secs: 41 * 60 },
        "a fresh X-FML-Timestamp does not make an old body new"
    );
    let early = emitted(&e) - Duration::from_secs(41 * 60);
    assert!(matches!(r.verify_at(&h, e.payload.as_bytes(), early), Err(VerifyError::Stale { .. })));
    let wide = Receiver::new(SECRET).without_dedup().window(Duration::from_secs(3 * 86_400));
    assert!(wide.verify_at(&h, e.payload.as_bytes(), emitted(&e) + Duration::from_secs(2 * 86_400)).is_ok());
}

#[test]
fn a_duplicate_id_is_refused_once_taken() {
    let e = one();
    let h = headers(&sign(SECRET, e.payload.as_bytes()));
    let r = Receiver::new(SECRET);
    assert!(r.verify_at(&h, e.payload.as_bytes(), emitted(&e)).is_ok());
    let again = r.clone().verify_at(&h, e.payload.as_bytes(), emitted(&e) + Duration::from_secs(5));
    assert_eq!(again.unwrap_err(), VerifyError::Duplicate { event_id: e.event_id.to_string() });
    // A forged or stale copy never takes the id.
    let r2 = Receiver::new(SECRET);
    let _ = r2.verify_at(&headers("sha256=00"), e.payload.as_bytes(), emitted(&e));
    let _ = r2.verify_at(&h, e.payload.as_bytes(), emitted(&e) + Duration::from_secs(3600));
    assert!(r2.verify_at(&h, e.payload.as_bytes(), emitted(&e)).is_ok());
}

#[test]
fn rotations_on_either_side() {
    let e = one();
    let body = e.payload.as_bytes();
    // Ours: the header carries the new and the old signature.
    let both = format!("{}, {}", sign("new-secret", body), sign(SECRET, body));
    let r = Receiver::new(SECRET).without_dedup();
    assert!(r.verify_at(&headers(&both), body, emitted(&e)).is_ok());
    // Yours: you accept the old and the new secret for a while.
    let r = Receiver::new("new-secret").also_accept(SECRET).without_dedup();
    assert!(r.verify_at(&headers(&sign(SECRET, body)), body, emitted(&e)).is_ok());
}

#[test]
fn standard_webhooks_headers_verify() {
    let e = one();
    let secret = format!("whsec_{}", STANDARD.encode([7u8; 32]));
    let ts = "1778836452";
    let id = e.event_id.to_string();
    let mut m = <Hmac<Sha256> as KeyInit>::new_from_slice(&[7u8; 32]).unwrap();
    m.update(format!("{id}.{ts}.").as_bytes());
    m.update(e.payload.as_bytes());
    let sig = format!("v1,{}", STANDARD.encode(m.finalize().into_bytes()));
    let mut h = HeaderMap::new();
    h.insert("webhook-id", id.parse().unwrap());
    h.insert("webhook-timestamp", ts.parse().unwrap());
    h.insert("webhook-signature", format!("v1,bm90IGl0 {sig}").parse().unwrap());
    let r = Receiver::new(secret.clone()).without_dedup();
    assert!(r.verify_at(&h, e.payload.as_bytes(), emitted(&e)).is_ok());
    h.insert("webhook-timestamp", "1778836453".parse().unwrap());
    assert_eq!(r.verify_at(&h, e.payload.as_bytes(), emitted(&e)).unwrap_err(), VerifyError::BadSignature);
}

#[test]
fn a_later_contracts_additions_still_parse() {
    let mut v: serde_json::Value = serde_json::from_str(&one().payload).unwrap();
    v["source"] = "carrier_pigeon".into();
    v["newField"] = 1.into();
    match Event::from_value(v.clone()).unwrap() {
        Event::CaseCreated(c) => assert_eq!(c.source, CaseSource::Unknown),
        other => panic!("{other:?}"),
    }
    v["event"] = "case.teleported".into();
    let e = Event::from_value(v).unwrap();
    assert!(matches!(e, Event::Unknown(_)));
    assert_eq!(e.event_type(), "case.teleported");
}

#[test]
fn a_signed_body_that_is_no_event_is_malformed() {
    let body = br#"{"event":"case.created","eventId":"x","timestamp":"2026-05-15T09:14:11Z"}"#;
    let r = Receiver::new(SECRET).without_dedup();
    let got = r.verify_at(&headers(&sign(SECRET, body)), body, SystemTime::now());
    assert!(matches!(got, Err(VerifyError::Malformed(_))), "{got:?}");
    let body = b"not json";
    let got = r.verify_at(&headers(&sign(SECRET, body)), body, SystemTime::now());
    assert!(matches!(got, Err(VerifyError::Malformed(_))), "{got:?}");
}
