//! The reads of `fml_app::queries` called as the surfaces call them: the console's case page
//! is one read of the analyst's tenant that holds what every panel shows.

use fml_app::CommandError;
use fml_domain::ids::CaseLocator;
use fml_domain::lifecycle::Role;
use fml_domain::{OrgId, ScopeSet};
use serde_json::{Value, json};

use crate::helpers::{Backend, eventually, seed_org, spawn};
use crate::receiver::Receiver;

async fn the_case_page_is_one_read_of_the_tenant(b: Backend) {
    let rx = Receiver::start().await;
    let app = spawn(b).await;
    crate::screening::load_samples(&app).await;
    let token = app.token().await;
    app.create_endpoint(&token, json!({"url": rx.url("/ok"), "label": "Case page hooks"})).await;
    let a = app.analyst(Role::Analyst).await;
    let case =
        crate::screening::submitted_case(&app, "crm-case-page", "Inter Tobacco LLC", crate::screening::people()).await;
    let files: [(&str, &[u8]); 1] = [("scan.png", crate::documents::PNG)];
    assert_eq!(crate::documents::upload(&app, &a.token, &case, &files).await.0, 201);
    let ctx = app.ctx();
    let by_id = CaseLocator::parse(&case).unwrap();
    // Submission queues the screening; the page shows its run once it is done.
    let page = eventually(20, || async {
        let page = fml_app::queries::case_page(&ctx, &a.analyst, &by_id).await.unwrap();
        page.engines.screening.is_some().then_some(page)
    })
    .await;

    assert_eq!(page.engines.case.id.to_string(), case);
    assert!(page.analysts.iter().any(|x| x.email == a.email), "the owners to choose from");
    assert_eq!(page.people.len(), 3, "{:?}", page.people);
    assert_eq!(page.engines.documents.iter().map(|d| d.filename.as_str()).collect::<Vec<_>>(), ["scan.png"]);
    let (run, hits) = page.engines.screening.as_ref().unwrap();
    assert!(hits.iter().any(|h| h.entity_id == "NK-2Tbri3s6GgNtAwsSXh4qpL"), "{hits:?}");
    // The decision panel's strip counts the open hits of the run the screening panel shows.
    let open = hits.iter().filter(|h| h.review_disposition.is_none()).count();
    assert_eq!(page.controls.strip.open_hits, Some(open));
    let events: Vec<Value> = page.events.iter().map(|e| serde_json::from_str(e).unwrap()).collect();
    let names: Vec<&str> = events.iter().filter_map(|e| e["event"].as_str()).collect();
    for name in ["case.created", "document.uploaded", "screening.completed"] {
        assert!(names.contains(&name), "{name} in {names:?}");
    }
    assert_eq!(names.last(), Some(&"case.created"), "newest first");
    // The case's deliveries, each named by its endpoint's label.
    assert!(!page.deliveries.rows.is_empty());
    for d in &page.deliveries.rows {
        assert_eq!(d.case_id.as_deref(), Some(case.as_str()));
        assert_eq!(
            page.deliveries.labels.get(d.endpoint_id.as_deref().unwrap()).map(String::as_str),
            Some("Case page hooks")
        );
    }
    // The same case by its reference is the same page.
    let by_reference = CaseLocator::Reference(page.engines.case.reference.clone());
    let again = fml_app::queries::case_page(&ctx, &a.analyst, &by_reference).await.unwrap();
    let run_of = |p: &fml_app::queries::CasePage| p.engines.screening.as_ref().map(|s| s.0.id);
    assert_eq!((again.engines.case.id, run_of(&again)), (page.engines.case.id, Some(run.id)));

    // Another tenant's analyst finds no such case, by id or by reference.
    let other = OrgId::parse("org_other_bank").unwrap();
    seed_org(&app.db, &other, ScopeSet::all()).await;
    let stranger = app.analyst_in(&other, Role::Admin).await;
    for locator in [by_id, by_reference] {
        let err = fml_app::queries::case_page(&ctx, &stranger.analyst, &locator).await.unwrap_err();
        assert!(matches!(err, CommandError::NotFound("no such case")), "{err:?}");
    }
}

crate::on_both_backends!(the_case_page_is_one_read_of_the_tenant);
