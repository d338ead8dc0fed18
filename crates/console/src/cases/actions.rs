//! The case page's forms: each handler parses what was posted, calls the command the analyst API
//! calls, and answers with the case page (a notice, or the refusal beside the form).

use axum::extract::{Path, State};
use axum::response::Response;
use fml_app::CommandError;
use fml_domain::lifecycle::{Outcome, Recommendation};

use super::page::{after, locate};
use crate::error::ConsoleError;
use crate::form::Posted;
use fml_web::extract::{MinRole, Senior};
use fml_web::state::AppState;

fn note(form: &Posted<impl MinRole>, field: &str, required: bool) -> Result<String, CommandError> {
    fml_app::cases::note(field, form.fields.get(field), required)
}

pub async fn owner(State(st): State<AppState>, Path(id): Path<String>, form: Posted) -> Result<Response, ConsoleError> {
    // "Assign to me" is its own button (the form's select is posted beside it).
    let email = if form.fields.text("assign") == "me" {
        Some(form.analyst().email.as_str())
    } else {
        Some(form.fields.text("owner")).filter(|e| !e.is_empty())
    };
    let r = fml_app::cases::assign_owner(&st.ctx, form.analyst(), &locate(&id)?, email).await.map(drop);
    after(&st, &form, &id, r, ("owner", "owner")).await
}

pub async fn decide(
    State(st): State<AppState>,
    Path(id): Path<String>,
    form: Posted,
) -> Result<Response, ConsoleError> {
    let (outcome, done) = match form.fields.text("outcome") {
        "approved" => (Outcome::Approved, "approved"),
        "declined" => (Outcome::Declined, "declined"),
        _ => {
            return after(
                &st,
                &form,
                &id,
                Err(CommandError::field("outcome", "choose approve or decline")),
                ("", "decision"),
            )
            .await;
        }
    };
    let locator = locate(&id)?;
    let r = async {
        let notes = note(&form, "notes", false)?;
        fml_app::cases::decide(&st.ctx, form.analyst(), &locator, outcome, notes).await
    }
    .await;
    let done = match &r {
        Ok(fml_app::cases::Decided::AwaitingSecond(_)) => "approval-pending",
        _ => done,
    };
    after(&st, &form, &id, r.map(drop), (done, "decision")).await
}

pub async fn escalate(
    State(st): State<AppState>,
    Path(id): Path<String>,
    form: Posted,
) -> Result<Response, ConsoleError> {
    let locator = locate(&id)?;
    let r = async {
        let n = note(&form, "note", true)?;
        fml_app::cases::escalate(&st.ctx, form.analyst(), &locator, n).await.map(drop)
    }
    .await;
    after(&st, &form, &id, r, ("escalated", "escalation")).await
}

pub async fn respond(
    State(st): State<AppState>,
    Path(id): Path<String>,
    form: Posted<Senior>,
) -> Result<Response, ConsoleError> {
    let locator = locate(&id)?;
    let rec = match form.fields.text("recommendation") {
        "approve" => Ok(Recommendation::Approve),
        "decline" => Ok(Recommendation::Decline),
        "refer" => Ok(Recommendation::Refer),
        _ => Err(CommandError::field("recommendation", "choose approve, decline or refer")),
    };
    let r = async {
        let n = note(&form, "note", false)?;
        fml_app::cases::respond_to_escalation(&st.ctx, form.analyst(), &locator, rec?, n).await.map(drop)
    }
    .await;
    after(&st, &form, &id, r, ("responded", "response")).await
}

pub async fn resend_invite(
    State(st): State<AppState>,
    Path(id): Path<String>,
    form: Posted,
) -> Result<Response, ConsoleError> {
    let r = fml_app::portal::resend_invite(&st.ctx, form.analyst(), &locate(&id)?).await.map(drop);
    after(&st, &form, &id, r, ("invite", "invite")).await
}

pub async fn edd_requirement(
    State(st): State<AppState>,
    Path(id): Path<String>,
    form: Posted,
) -> Result<Response, ConsoleError> {
    let locator = locate(&id)?;
    let f = &form.fields;
    let r = async {
        let status = fml_app::edd::parse_status(f.text("status"))
            .ok_or_else(|| CommandError::field("status", "choose outstanding, received or waived"))?;
        let n = note(&form, "note", false)?;
        let label = Some(f.text("label").to_owned()).filter(|l| !l.is_empty());
        fml_app::edd::set_requirement(&st.ctx, form.analyst(), &locator, f.text("key"), status, n, label)
            .await
            .map(drop)
    }
    .await;
    after(&st, &form, &id, r, ("edd", "edd")).await
}

pub async fn screen(
    State(st): State<AppState>,
    Path(id): Path<String>,
    form: Posted,
) -> Result<Response, ConsoleError> {
    let r = fml_app::screening::request(&st.ctx, form.analyst(), &locate(&id)?).await.map(drop);
    after(&st, &form, &id, r, ("screening", "screening")).await
}

pub async fn recompute_risk(
    State(st): State<AppState>,
    Path(id): Path<String>,
    form: Posted,
) -> Result<Response, ConsoleError> {
    let r = fml_app::risk::request(&st.ctx, form.analyst(), &locate(&id)?).await.map(drop);
    after(&st, &form, &id, r, ("risk", "risk")).await
}

pub async fn monitor(
    State(st): State<AppState>,
    Path(id): Path<String>,
    form: Posted,
) -> Result<Response, ConsoleError> {
    let r = fml_app::monitoring::request(&st.ctx, form.analyst(), &locate(&id)?).await.map(drop);
    after(&st, &form, &id, r, ("monitoring", "monitoring")).await
}

/// "Send identity links": every person who needs one and has none.
pub async fn send_idv_all(
    State(st): State<AppState>,
    Path(id): Path<String>,
    form: Posted,
) -> Result<Response, ConsoleError> {
    let by = fml_app::idv::Dispatcher::Everyone(form.analyst());
    let r = fml_app::idv::dispatch(&st.ctx, &form.analyst().org, &locate(&id)?, by).await.map(drop);
    after(&st, &form, &id, r, ("idv-all", "idv")).await
}

pub async fn send_idv(
    State(st): State<AppState>,
    Path((id, key)): Path<(String, String)>,
    form: Posted,
) -> Result<Response, ConsoleError> {
    let by = fml_app::idv::Dispatcher::Analyst(form.analyst(), &key);
    let r = fml_app::idv::dispatch(&st.ctx, &form.analyst().org, &locate(&id)?, by).await.map(drop);
    after(&st, &form, &id, r, ("idv", "idv")).await
}

pub async fn resolve_alert(
    State(st): State<AppState>,
    Path((id, alert)): Path<(String, i64)>,
    form: Posted,
) -> Result<Response, ConsoleError> {
    let r = async {
        let n = note(&form, "note", false)?;
        fml_app::monitoring::resolve(&st.ctx, form.analyst(), alert, n).await.map(drop)
    }
    .await;
    after(&st, &form, &id, r, ("alert", &format!("alert-{alert}"))).await
}

pub async fn ai_review(
    State(st): State<AppState>,
    Path(id): Path<String>,
    form: Posted,
) -> Result<Response, ConsoleError> {
    let r = fml_app::review::run_for(&st.ctx, form.analyst(), &locate(&id)?, &mut |_| {}).await.map(drop);
    after(&st, &form, &id, r, ("ai-review", "ai-review")).await
}

pub async fn review_hit(
    State(st): State<AppState>,
    Path((id, hit)): Path<(String, i64)>,
    form: Posted,
) -> Result<Response, ConsoleError> {
    let locator = locate(&id)?;
    let r = async {
        let d = fml_app::screening::parse_disposition(form.fields.text("disposition"))
            .ok_or_else(|| CommandError::field("disposition", "choose false positive, true match or escalate"))?;
        let n = note(&form, "note", false)?;
        fml_app::screening::review_hit(&st.ctx, form.analyst(), &locator, hit, d, n).await.map(drop)
    }
    .await;
    after(&st, &form, &id, r, ("hit", &format!("hit-{hit}"))).await
}

pub async fn resolve_idv(
    State(st): State<AppState>,
    Path((id, key)): Path<(String, String)>,
    form: Posted,
) -> Result<Response, ConsoleError> {
    let locator = locate(&id)?;
    let r = async {
        let outcome = fml_app::idv::parse_analyst_outcome(form.fields.text("outcome"))
            .ok_or_else(|| CommandError::field("outcome", "choose confirm or reject"))?;
        let n = note(&form, "note", false)?;
        fml_app::idv::resolve(&st.ctx, form.analyst(), &locator, &key, outcome, &n).await.map(drop)
    }
    .await;
    after(&st, &form, &id, r, ("idv-result", "idv")).await
}

pub async fn edd_request(
    State(st): State<AppState>,
    Path(id): Path<String>,
    form: Posted,
) -> Result<Response, ConsoleError> {
    let r = fml_app::edd::request_evidence(&st.ctx, form.analyst(), &locate(&id)?).await.map(drop);
    after(&st, &form, &id, r, ("edd-request", "edd-request")).await
}

/// An item key from its label: lower case, runs of anything else as `_`; `item_<n>` when the
/// label has no ASCII letter or digit; made unique within the request by a suffix.
fn keys_of<'a>(labels: impl Iterator<Item = &'a str>) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for (n, label) in labels.enumerate() {
        let mut key = String::new();
        for c in label.trim().chars().flat_map(char::to_lowercase) {
            if c.is_ascii_alphanumeric() {
                key.push(c);
            } else if !key.ends_with('_') && !key.is_empty() {
                key.push('_');
            }
        }
        let mut key: String = key.trim_end_matches('_').chars().take(56).collect();
        if key.is_empty() {
            key = format!("item_{}", n + 1);
        }
        let base = key.clone();
        let mut i = 2;
        while out.iter().any(|(k, _)| *k == key) {
            key = format!("{base}_{i}");
            i += 1;
        }
        out.push((key, label.trim().to_owned()));
    }
    out
}

pub async fn outreach(
    State(st): State<AppState>,
    Path(id): Path<String>,
    form: Posted,
) -> Result<Response, ConsoleError> {
    let locator = locate(&id)?;
    let items = keys_of(form.fields.text("items").lines().map(str::trim).filter(|l| !l.is_empty()));
    let r = async {
        let items = fml_app::edd::check_items(items)?;
        fml_app::edd::outreach(&st.ctx, form.analyst(), &locator, "document_request", items).await.map(drop)
    }
    .await;
    after(&st, &form, &id, r, ("outreach", "outreach")).await
}

pub async fn override_document(
    State(st): State<AppState>,
    Path((id, doc)): Path<(String, String)>,
    form: Posted,
) -> Result<Response, ConsoleError> {
    use fml_app::documents::Override;
    let locator = locate(&id)?;
    let doc = doc
        .parse::<i64>()
        .map(fml_domain::document::DocumentId)
        .map_err(|_| ConsoleError::NotFound("no such document"))?;
    let r = async {
        let action = match form.fields.text("action") {
            "approve" => Override::Approve { note: note(&form, "note", false)? },
            "escalate" => Override::Escalate { reason: note(&form, "note", false)? },
            _ => return Err(CommandError::field("action", "choose approve or escalate")),
        };
        fml_app::documents::override_document(&st.ctx, form.analyst(), &locator, doc, action).await.map(drop)
    }
    .await;
    after(&st, &form, &id, r, ("document", &format!("document-{}", doc.0))).await
}

pub async fn link_person(
    State(st): State<AppState>,
    Path((id, key)): Path<(String, String)>,
    form: Posted,
) -> Result<Response, ConsoleError> {
    let locator = locate(&id)?;
    let r = async {
        let person = form
            .fields
            .text("person")
            .parse::<i64>()
            .map(fml_domain::persons::PersonId)
            .map_err(|_| CommandError::field("person", "choose a person"))?;
        fml_app::persons::link(&st.ctx, form.analyst(), &locator, &key, person).await.map(drop)
    }
    .await;
    after(&st, &form, &id, r, ("person", &format!("link-{key}"))).await
}

pub async fn unlink_person(
    State(st): State<AppState>,
    Path((id, key)): Path<(String, String)>,
    form: Posted,
) -> Result<Response, ConsoleError> {
    let locator = locate(&id)?;
    let reason = Some(form.fields.text("reason").to_owned()).filter(|r| !r.is_empty());
    let r = fml_app::persons::unlink(&st.ctx, form.analyst(), &locator, &key, reason).await.map(drop);
    after(&st, &form, &id, r, ("person", &format!("unlink-{key}"))).await
}

pub async fn mark_new(
    State(st): State<AppState>,
    Path((id, key)): Path<(String, String)>,
    form: Posted,
) -> Result<Response, ConsoleError> {
    let r = fml_app::persons::mark_new(&st.ctx, form.analyst(), &locate(&id)?, &key).await.map(drop);
    after(&st, &form, &id, r, ("person", "mark-new")).await
}

#[cfg(test)]
mod tests {
    use super::keys_of;

    #[test]
    fn item_keys_from_labels() {
        let keys = |labels: &[&str]| keys_of(labels.iter().copied()).into_iter().map(|(k, _)| k).collect::<Vec<_>>();
        assert_eq!(keys(&["Proof of address"]), ["proof_of_address"]);
        assert_eq!(keys(&["  Bank statement (last 3 months) "]), ["bank_statement_last_3_months"]);
        assert_eq!(keys(&["Выписка из банка", "€€€"]), ["item_1", "item_2"]);
        assert_eq!(keys(&["Passport", "passport!", "PASSPORT"]), ["passport", "passport_2", "passport_3"]);
    }
}
