//! Browser tests of the dashboard's kept item figures (`storage::kept::items`,
//! the drill-down's offline copy): kept per filter, answered from the copy
//! when the server is down, the oldest dropped beyond the limit, and all of
//! them dropped on sign-out with the aggregates — other kept answers stay.
//! `window.fetch` is replaced for `/api/v1/items` only, by a server that
//! answers the items below, or 503 when told it is down.
#![cfg(target_arch = "wasm32")]

use branchpulse::api::{self, ApiError};
use branchpulse::storage::{kept, keys};
use branchpulse_core::aggregate::{Figure, Filter};
use branchpulse_core::scorecard::{BranchItems, ItemFigure, Items};
use branchpulse_core::stats::{Comparison, Estimate};
use branchpulse_core::Dimension;
use gloo_storage::{LocalStorage, Storage};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn items() -> Items {
    let figure = |n: u64, value: f64, comparison| Figure {
        n,
        too_few: n < 30,
        estimate: Some(Estimate {
            n,
            value,
            low: value - 4.0,
            high: value + 4.0,
        }),
        comparison,
    };
    let staff_care = |f| ItemFigure {
        questionnaire_id: "lobby".into(),
        item: "staff_care".into(),
        dimension: Some(Dimension::Empathy),
        yes_no: false,
        max_rings: None,
        figure: f,
    };
    Items {
        filter: Filter::default(),
        network: vec![staff_care(figure(400, 70.0, None))],
        branches: vec![BranchItems {
            code: "N02".into(),
            items: vec![staff_care(figure(40, 60.0, Some(Comparison::Worse)))],
        }],
        names: Default::default(),
        peers: Default::default(),
        flags: Default::default(),
    }
}

/// Answer `/api/v1/items` with `body` (any query), or 503 once
/// `window.__bpItemsDown` is set; count the requests.
fn install_items_server(body: &str) {
    js_sys::Reflect::set(&js_sys::global(), &"__bpItemsBody".into(), &body.into()).unwrap();
    js_sys::eval(
        r#"
        window.__bpItemsDown = false;
        window.__bpItemsAsked = 0;
        if (!window.__bpRealFetch) window.__bpRealFetch = window.fetch;
        window.fetch = (input, init) => {
            const req = input instanceof Request ? input : new Request(input, init);
            if (!new URL(req.url).pathname.endsWith('/api/v1/items')) return window.__bpRealFetch(input, init);
            window.__bpItemsAsked += 1;
            const json = { 'Content-Type': 'application/json' };
            if (window.__bpItemsDown) {
                return Promise.resolve(new Response('{"error":"down"}', { status: 503, headers: json }));
            }
            return Promise.resolve(new Response(window.__bpItemsBody, { status: 200, headers: json }));
        };
        "#,
    )
    .unwrap();
}

fn server_down(down: bool) {
    js_sys::eval(&format!("window.__bpItemsDown = {down};")).unwrap();
}

fn asked() -> u32 {
    js_sys::eval("window.__bpItemsAsked")
        .unwrap()
        .as_f64()
        .unwrap() as u32
}

fn remove_items_server() {
    js_sys::eval("if (window.__bpRealFetch) window.fetch = window.__bpRealFetch;").unwrap();
}

/// A filter of one branch: a different kept copy for each code.
fn filter(code: &str) -> Filter {
    Filter {
        branches: vec![code.to_string()],
        ..Filter::default()
    }
}

#[wasm_bindgen_test]
async fn item_figures_are_kept_per_filter_and_dropped_on_sign_out() {
    LocalStorage::clear();
    let expected = items();
    install_items_server(&serde_json::to_string(&expected).unwrap());

    let (got, from_copy) = kept::items(&filter("N02")).await.unwrap();
    assert_eq!((got, from_copy), (expected.clone(), false));

    server_down(true);
    let (got, from_copy) = kept::items(&filter("N02")).await.unwrap();
    assert_eq!((got, from_copy), (expected.clone(), true), "the kept copy");
    assert_eq!(asked(), 2, "the server is asked first each time");
    let never_fetched = kept::items(&filter("S01")).await;
    assert!(
        matches!(never_fetched, Err(ApiError::Server { status: 503, .. })),
        "no copy of another filter: {never_fetched:?}"
    );

    // Another kept answer, which signing out leaves.
    let branches = keys::device_copy(&api::url("/branches"));
    LocalStorage::raw().set_item(&branches, "[]").unwrap();
    let aggregates = keys::device_copy(&api::url("/aggregates?branches=N02"));
    LocalStorage::raw().set_item(&aggregates, "{}").unwrap();

    kept::drop_figures();
    let gone = kept::items(&filter("N02")).await;
    assert!(
        matches!(gone, Err(ApiError::Server { status: 503, .. })),
        "dropped on sign-out: {gone:?}"
    );
    assert_eq!(LocalStorage::raw().get_item(&aggregates).unwrap(), None);
    assert_eq!(
        LocalStorage::raw().get_item(&branches).unwrap().as_deref(),
        Some("[]")
    );
    remove_items_server();
    LocalStorage::clear();
}

#[wasm_bindgen_test]
async fn only_the_latest_filters_item_figures_are_kept() {
    LocalStorage::clear();
    install_items_server(&serde_json::to_string(&items()).unwrap());
    let codes: Vec<String> = (0..=kept::KEPT_AGGREGATES)
        .map(|i| format!("B{i}"))
        .collect();
    for code in &codes {
        kept::items(&filter(code)).await.unwrap();
    }
    // Asked again, B0 is kept anew, and the oldest, B1, goes.
    kept::items(&filter(&codes[0])).await.unwrap();
    server_down(true);
    assert!(kept::items(&filter(&codes[0])).await.unwrap().1);
    assert!(kept::items(&filter(&codes[2])).await.unwrap().1);
    let last = codes.last().unwrap();
    assert!(kept::items(&filter(last)).await.unwrap().1);
    assert!(
        kept::items(&filter(&codes[1])).await.is_err(),
        "beyond {} filters the oldest copy goes",
        kept::KEPT_AGGREGATES
    );
    remove_items_server();
    LocalStorage::clear();
}
