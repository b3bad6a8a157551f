//! Browser tests of the mystery-shop programme's app side: a visit's window
//! in words in each language (hand-written expectations), the shopper's
//! kept visits and returned reports (answered from the copy, with its time,
//! when the server is down; dropped on a new enrolment), and the starts
//! kept on the phone until the server has answered for them.
//! `window.fetch` is replaced for `/api/v1/visits…` and `/api/v1/reports/…`
//! by a server that answers what the test set, or a status it was told.
#![cfg(target_arch = "wasm32")]

mod common;

use branchpulse::api::ApiError;
use branchpulse::components::describe_window;
use branchpulse::storage::{kept, starts};
use branchpulse_core::programme::{
    Hours, ReportDetail, ReportStatus, ReportSummary, VisitStatus, Window,
};
use branchpulse_core::protocol::Visit;
use branchpulse_core::{Channel, Locale};
use gloo_storage::{LocalStorage, Storage};
use time::macros::date;
use uuid::Uuid;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn window(from: time::Date, to: time::Date, days: &[u8], hours: Option<(u8, u8)>) -> Window {
    Window {
        from,
        to,
        weekdays: days.to_vec(),
        hours: hours.map(|(from, to)| Hours { from, to }),
    }
}

#[wasm_bindgen_test]
fn a_weekday_lunchtime_window_in_each_language() {
    let w = window(
        date!(2026 - 01 - 05),
        date!(2026 - 01 - 30),
        &[5, 4, 3, 2, 1],
        Some((12, 14)),
    );
    assert_eq!(
        describe_window(&w, Locale::En, 2026),
        "Mon–Fri, 12:00–14:00, 5–30 Jan"
    );
    assert_eq!(
        describe_window(&w, Locale::ZhCn, 2026),
        "周一至周五，12:00–14:00，1月5日至30日"
    );
    assert_eq!(
        describe_window(&w, Locale::Es, 2026),
        "lun–vie, 12:00–14:00, 5–30 ene"
    );
}

#[wasm_bindgen_test]
fn weekdays_runs_months_and_years_are_said_as_needed() {
    // Two days are listed, not a range; months differ.
    let weekend = window(date!(2026 - 01 - 28), date!(2026 - 02 - 03), &[7, 6], None);
    assert_eq!(
        describe_window(&weekend, Locale::En, 2026),
        "Sat, Sun, 28 Jan – 3 Feb"
    );
    assert_eq!(
        describe_window(&weekend, Locale::ZhCn, 2026),
        "周六、周日，1月28日至2月3日"
    );
    // Another year than this one is said once.
    let odd = window(
        date!(2027 - 03 - 01),
        date!(2027 - 03 - 29),
        &[1, 3, 5],
        Some((9, 24)),
    );
    assert_eq!(
        describe_window(&odd, Locale::En, 2026),
        "Mon, Wed, Fri, 09:00–24:00, 1–29 Mar 2027"
    );
    assert_eq!(
        describe_window(&odd, Locale::ZhCn, 2026),
        "周一、周三、周五，09:00–24:00，2027年3月1日至29日"
    );
    // Across the new year: each day with its year. Every weekday is any day.
    let turn = window(
        date!(2026 - 12 - 28),
        date!(2027 - 01 - 08),
        &[1, 2, 3, 4, 5, 6, 7],
        None,
    );
    assert_eq!(
        describe_window(&turn, Locale::En, 2026),
        "28 Dec 2026 – 8 Jan 2027"
    );
    assert_eq!(
        describe_window(&turn, Locale::Es, 2026),
        "28 dic 2026 – 8 ene 2027"
    );
    let one = window(date!(2026 - 02 - 14), date!(2026 - 02 - 14), &[], None);
    assert_eq!(describe_window(&one, Locale::En, 2026), "14 Feb");
    assert_eq!(describe_window(&one, Locale::ZhCn, 2026), "2月14日");
}

/// Answer `/api/v1/visits…` and `/api/v1/reports/…` with the bodies set
/// in `window.__bpProgramme` (by path), or with `window.__bpStatus` when set.
fn install_server() {
    js_sys::eval(
        r#"
        window.__bpProgramme = {};
        window.__bpStatus = 0;
        window.__bpAsked = [];
        if (!window.__bpRealFetch) window.__bpRealFetch = window.fetch;
        window.fetch = (input, init) => {
            const req = input instanceof Request ? input : new Request(input, init);
            const path = new URL(req.url).pathname;
            if (!path.startsWith('/api/v1/visits') && !path.startsWith('/api/v1/reports/')) {
                return window.__bpRealFetch(input, init);
            }
            window.__bpAsked.push(req.method + ' ' + path);
            const json = { 'Content-Type': 'application/json' };
            if (window.__bpStatus) {
                return Promise.resolve(new Response('{"error":"no"}', { status: window.__bpStatus, headers: json }));
            }
            const body = window.__bpProgramme[path];
            if (body === undefined) {
                return Promise.resolve(new Response('{"error":"not found"}', { status: 404, headers: json }));
            }
            return Promise.resolve(new Response(body, { status: 200, headers: json }));
        };
        "#,
    )
    .unwrap();
}

fn answer(path: &str, body: &str) {
    let all = js_sys::Reflect::get(&js_sys::global(), &"__bpProgramme".into()).unwrap();
    js_sys::Reflect::set(&all, &path.into(), &body.into()).unwrap();
}

fn status(code: u16) {
    js_sys::eval(&format!("window.__bpStatus = {code};")).unwrap();
}

fn asked() -> Vec<String> {
    let list = js_sys::eval("window.__bpAsked").unwrap();
    js_sys::Array::from(&list)
        .iter()
        .filter_map(|v| v.as_string())
        .collect()
}

fn remove_server() {
    js_sys::eval("if (window.__bpRealFetch) window.fetch = window.__bpRealFetch;").unwrap();
}

fn returned_visit(report: Uuid) -> Visit {
    Visit {
        id: Uuid::from_u128(7),
        branch: "B01".into(),
        scenario: "open a savings account".into(),
        questionnaire_id: "branch_visit".into(),
        due: "2026-01-30".into(),
        window: window(
            date!(2026 - 01 - 05),
            date!(2026 - 01 - 30),
            &[1, 2, 3, 4, 5],
            Some((12, 14)),
        ),
        created_at: "2026-01-02T08:00:00Z".into(),
        shopper: Some("ana".into()),
        status: VisitStatus::Returned,
        overdue: false,
        note: Some("The wait was not timed".into()),
        report: Some(report),
    }
}

fn returned_report(id: Uuid) -> ReportDetail {
    let mut response = common::response(id.as_u128());
    response.channel = Channel::MysteryShop;
    response.assignment = Some(Uuid::from_u128(7));
    let summary = ReportSummary {
        id,
        visit: Some(Uuid::from_u128(7)),
        branch: "B01".into(),
        questionnaire_id: "lobby".into(),
        questionnaire_version: 1,
        shopper: None,
        submitted_at: "2026-01-12T12:40:00Z".into(),
        status: ReportStatus::Returned,
        note: Some("The wait was not timed".into()),
        revises: None,
        revised_by: None,
        evidence: 0,
    };
    ReportDetail {
        summary: summary.clone(),
        response,
        versions: vec![summary],
        history: Vec::new(),
    }
}

#[wasm_bindgen_test]
async fn the_visits_and_a_returned_report_are_kept_with_their_time_and_forgotten_on_enrolment() {
    LocalStorage::clear();
    install_server();
    let report_id = Uuid::from_u128(0x21);
    let visits = vec![returned_visit(report_id)];
    let detail = returned_report(report_id);
    answer("/api/v1/visits", &serde_json::to_string(&visits).unwrap());
    let report_path = format!("/api/v1/reports/{report_id}");
    answer(&report_path, &serde_json::to_string(&detail).unwrap());

    assert_eq!(kept::visits_as_of(), None, "nothing read yet");
    assert_eq!(kept::visits().await.unwrap(), (visits.clone(), false));
    let as_of = kept::visits_as_of().expect("the time of the fresh list");
    assert!(
        as_of.ends_with('Z') && as_of.len() == 24,
        "RFC 3339: {as_of}"
    );
    assert_eq!(
        kept::report(report_id).await.unwrap(),
        (detail.clone(), false)
    );

    // Offline: the copies, and the same time.
    status(503);
    assert_eq!(kept::visits().await.unwrap(), (visits.clone(), true));
    assert_eq!(kept::visits_as_of(), Some(as_of));
    assert_eq!(
        kept::report(report_id).await.unwrap(),
        (detail.clone(), true)
    );
    assert_eq!(kept::kept_report(report_id), Some(detail));
    assert!(kept::kept_report(Uuid::from_u128(0x22)).is_none());

    // A new enrolment: the previous shopper's copies go.
    kept::forget_visits();
    assert_eq!(kept::visits_as_of(), None);
    assert!(kept::kept_report(report_id).is_none());
    assert!(matches!(
        kept::visits().await,
        Err(ApiError::Server { status: 503, .. })
    ));
    remove_server();
    LocalStorage::clear();
}

#[wasm_bindgen_test]
async fn a_start_is_kept_until_the_server_has_answered_for_it() {
    LocalStorage::clear();
    install_server();
    let (a, b) = (Uuid::from_u128(1), Uuid::from_u128(2));
    starts::queue(a).unwrap();
    starts::queue(a).unwrap();
    starts::queue(b).unwrap();
    assert_eq!(starts::pending(), vec![a, b], "once each, in order");

    // Offline: nothing is lost, and the first failure stops the round.
    status(503);
    assert_eq!(starts::flush().await, 2);
    assert_eq!(starts::pending(), vec![a, b]);
    assert_eq!(asked(), vec![format!("POST /api/v1/visits/{a}/start")]);

    // Back online: the first is taken; the second is refused for good
    // (a 4xx, as for a visit cancelled meanwhile), which no resend
    // changes: it leaves too.
    status(0);
    answer(&format!("/api/v1/visits/{a}/start"), "{}");
    js_sys::eval("window.__bpAsked = [];").unwrap();
    let before = starts::pending();
    assert_eq!(before.len(), 2);
    assert_eq!(starts::flush().await, 0);
    assert!(starts::pending().is_empty());
    assert_eq!(
        asked(),
        vec![
            format!("POST /api/v1/visits/{a}/start"),
            format!("POST /api/v1/visits/{b}/start")
        ]
    );
    remove_server();
    LocalStorage::clear();
}
