//! Browser tests of alerts and cases on the app's side: what an alert
//! found and a rule's thresholds in words in each language (hand-written
//! expectations), the case steps offered from each status, the case list's
//! query and order, times to resolve, the badge's interval, and the
//! frame's unread count: asked when signed in, shown in words inside a
//! polite live region, gone at zero, and not asked while the tab is hidden.
//! `window.fetch` is replaced for `/api/v1/alerts/unread` by an answer the
//! test sets.
#![cfg(target_arch = "wasm32")]

mod common;

use branchpulse::components::{
    case_steps, describe_finding, describe_rule, duration_words, local_time, poll_ms,
    provide_inbox, sort_cases, use_inbox, CaseFilter, InboxLink,
};
use branchpulse::i18n::{provide_i18n, Key};
use branchpulse::session::{Account, Auth};
use branchpulse_core::access::{Role, Session, User};
use branchpulse_core::alerts::{Alert, Finding, RuleKind};
use branchpulse_core::cases::{Case, CaseStatus};
use branchpulse_core::Locale;
use common::{stage, wait_for};
use leptos::prelude::*;
use uuid::Uuid;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn named(id: &str) -> String {
    match id {
        "greeted" => "Greeted within a minute".into(),
        "wait" => "Waiting time within 10 minutes".into(),
        other => other.into(),
    }
}

#[wasm_bindgen_test]
fn what_an_alert_found_in_each_language() {
    let burst = Finding::UnhappyBurst {
        n: 10,
        low: 6,
        window_minutes: 30,
        until: "2026-03-02T10:00:00Z".into(),
    };
    assert_eq!(
        describe_finding(&burst, Locale::En, &named),
        "6 of 10 answers unhappy in 30 min"
    );
    assert_eq!(
        describe_finding(&burst, Locale::ZhCn, &named),
        "30 分钟内 10 个回答中有 6 个不满意"
    );
    assert_eq!(
        describe_finding(&burst, Locale::Es, &named),
        "6 de 10 respuestas insatisfechas en 30 min"
    );
    let critical = Finding::CriticalFailure {
        items: vec!["greeted".into(), "unknown_item".into()],
    };
    assert_eq!(
        describe_finding(&critical, Locale::En, &named),
        "Critical failure: Greeted within a minute, unknown_item"
    );
    assert_eq!(
        describe_finding(&critical, Locale::ZhCn, &named),
        "关键项未通过：Greeted within a minute、unknown_item"
    );
    let missed = Finding::MissedCommitment {
        items: vec!["wait".into()],
    };
    assert_eq!(
        describe_finding(&missed, Locale::En, &named),
        "Commitment missed: Waiting time within 10 minutes"
    );
    let low = Finding::LowScoreComment {
        score: 1,
        comment: "Nobody at the counter".into(),
    };
    assert_eq!(
        describe_finding(&low, Locale::En, &named),
        "Score 1 with comment: “Nobody at the counter”"
    );
    assert_eq!(
        describe_finding(&low, Locale::Es, &named),
        "Calificación 1 con comentario: “Nobody at the counter”"
    );
    assert_eq!(
        describe_finding(&Finding::ContactRequest, Locale::ZhCn, &named),
        "客户希望被联系"
    );
    let silent = Finding::SilentKiosk {
        device: "Lobby A".into(),
        since: "not a time".into(),
    };
    assert_eq!(
        describe_finding(&silent, Locale::En, &named),
        "Kiosk Lobby A silent since not a time"
    );
}

#[wasm_bindgen_test]
fn a_time_reads_in_the_local_zone_and_a_non_time_as_it_is() {
    let said = local_time("2026-03-01T12:15:00Z");
    // Any zone is within a day of UTC noon.
    assert!(said.starts_with("2026-03-01 "), "{said}");
    assert_eq!(said.len(), "2026-03-01 12:15".len(), "{said}");
    assert_eq!(local_time("yesterday"), "yesterday");
}

#[wasm_bindgen_test]
fn a_rules_thresholds_in_words() {
    let burst = RuleKind::UnhappyBurst {
        window_minutes: 30,
        min_count: 10,
        share_percent: 50,
        low_max: 2,
    };
    assert_eq!(
        describe_rule(&burst, Locale::En).unwrap(),
        "50 % or more of at least 10 answers at 2 or below, within 30 min"
    );
    assert_eq!(
        describe_rule(&burst, Locale::ZhCn).unwrap(),
        "30 分钟内至少 10 个回答，其中 50% 以上为 2 分及以下"
    );
    assert_eq!(
        describe_rule(&RuleKind::SilentKiosk { hours: 24 }, Locale::Es).unwrap(),
        "sin respuestas durante 24 h"
    );
    assert_eq!(
        describe_rule(&RuleKind::LowScoreComment { low_max: 1 }, Locale::En).unwrap(),
        "a score of 1 or below, with a comment"
    );
    assert_eq!(describe_rule(&RuleKind::CriticalFailure, Locale::En), None);
}

#[wasm_bindgen_test]
fn each_status_offers_the_steps_core_allows_forward_first() {
    use CaseStatus::*;
    assert_eq!(
        case_steps(Open),
        [
            (InProgress, Key::CaseStepStart),
            (Resolved, Key::CaseStepResolve)
        ]
    );
    assert_eq!(case_steps(InProgress), [(Resolved, Key::CaseStepResolve)]);
    assert_eq!(
        case_steps(Resolved),
        [
            (CustomerInformed, Key::CaseStepInform),
            (InProgress, Key::CaseStepReopen)
        ]
    );
    assert_eq!(case_steps(CustomerInformed), []);
}

fn alert(n: u128) -> Alert {
    Alert {
        id: Uuid::from_u128(n),
        rule: Uuid::from_u128(1),
        rule_name: "Unhappy lobby".into(),
        branch: "N03".into(),
        raised_at: "2026-03-01T10:00:00Z".into(),
        finding: Finding::ContactRequest,
        response: None,
        read: false,
        case: None,
    }
}

fn case(n: u128, owner: u128, status: CaseStatus, due: &str, overdue: bool) -> Case {
    Case {
        id: Uuid::from_u128(n),
        alert: alert(n),
        branch: "N03".into(),
        owner: Uuid::from_u128(owner),
        owner_name: format!("user{owner}"),
        due: due.into(),
        status,
        overdue,
        created_at: format!("2026-03-0{n}T09:00:00Z"),
        resolved_at: None,
        informed_at: None,
        has_contact: false,
        contact: None,
        history: Vec::new(),
    }
}

#[wasm_bindgen_test]
fn the_case_list_puts_what_is_due_first() {
    use CaseStatus::*;
    let mut all = vec![
        case(1, 7, CustomerInformed, "2026-03-05", false),
        case(2, 8, InProgress, "2026-03-09", false),
        case(3, 7, Resolved, "2026-03-04", false),
        case(4, 7, Open, "2026-03-02", true),
        case(5, 8, CustomerInformed, "2026-03-01", false),
    ];
    sort_cases(&mut all);
    let order: Vec<u128> = all.iter().map(|c| c.id.as_u128()).collect();
    // Pending by due date, then resolved, then closed latest made first.
    assert_eq!(order, [4, 2, 3, 5, 1]);
}

#[wasm_bindgen_test]
fn the_case_filters_ask_the_server() {
    assert_eq!(CaseFilter::default().query(), "");
    assert_eq!(
        CaseFilter {
            mine: true,
            status: Some(CaseStatus::InProgress),
            overdue: true
        }
        .query(),
        "owner=me&status=in_progress&overdue=true"
    );
    assert_eq!(
        CaseFilter {
            status: Some(CaseStatus::CustomerInformed),
            ..CaseFilter::default()
        }
        .query(),
        "status=customer_informed"
    );
}

#[wasm_bindgen_test]
fn times_to_resolve_in_hours_then_days() {
    assert_eq!(duration_words(0.5, Locale::En), "0.5 h");
    assert_eq!(duration_words(3.25, Locale::En), "3.3 h");
    assert_eq!(duration_words(4.0, Locale::En), "4 h");
    assert_eq!(duration_words(12.4, Locale::En), "12 h");
    assert_eq!(duration_words(47.6, Locale::En), "48 h");
    // 50 h = 2.083 days.
    assert_eq!(duration_words(50.0, Locale::En), "2.1 d");
    assert_eq!(duration_words(72.0, Locale::ZhCn), "3 天");
    assert_eq!(duration_words(60.0, Locale::Es), "2.5 días");
}

#[wasm_bindgen_test]
fn the_badge_polls_every_minute_unless_the_address_says_otherwise() {
    assert_eq!(poll_ms(""), 60_000);
    assert_eq!(poll_ms("?poll=1"), 1_000);
    assert_eq!(poll_ms("?s=inbox&poll=5"), 5_000);
    assert_eq!(poll_ms("?poll=0"), 60_000);
    assert_eq!(poll_ms("?poll=fast"), 60_000);
    assert_eq!(poll_ms("?poll=3601"), 60_000);
    assert_eq!(poll_ms("?repoll=2"), 60_000);
}

/// Answer `GET /api/v1/alerts/unread` with `window.__bpUnread`, counting
/// the requests in `window.__bpUnreadAsked`.
fn install_server(count: u32) {
    js_sys::eval(&format!(
        r#"
        window.__bpUnread = {count};
        window.__bpUnreadAsked = 0;
        if (!window.__bpRealFetch) window.__bpRealFetch = window.fetch;
        window.fetch = (input, init) => {{
            const req = input instanceof Request ? input : new Request(input, init);
            if (new URL(req.url).pathname !== '/api/v1/alerts/unread') return window.__bpRealFetch(input, init);
            window.__bpUnreadAsked += 1;
            return Promise.resolve(new Response(JSON.stringify({{ count: window.__bpUnread }}),
                {{ status: 200, headers: {{ 'Content-Type': 'application/json' }} }}));
        }};
        "#
    ))
    .unwrap();
}

fn set_unread(count: u32) {
    js_sys::eval(&format!("window.__bpUnread = {count};")).unwrap();
}

fn asked() -> u32 {
    js_sys::eval("window.__bpUnreadAsked")
        .unwrap()
        .as_f64()
        .unwrap_or_default() as u32
}

fn set_hidden(hidden: bool) {
    js_sys::eval(&format!(
        "Object.defineProperty(document, 'hidden', {{ configurable: true, get: () => {hidden} }});
         document.dispatchEvent(new Event('visibilitychange', {{ bubbles: true }}));"
    ))
    .unwrap();
}

fn remove_server() {
    js_sys::eval(
        "if (window.__bpRealFetch) window.fetch = window.__bpRealFetch; delete document.hidden;",
    )
    .unwrap();
}

fn signed_in() -> Auth {
    Auth(RwSignal::new(Account::SignedIn(Session {
        user: User {
            id: Uuid::from_u128(7),
            username: "maria".into(),
            role: Role::Manager,
            branch: Some("N03".into()),
            region: None,
            active: true,
            created_at: "2026-01-01T00:00:00Z".into(),
        },
        csrf: "token".into(),
        expires_at: "2026-12-31T00:00:00Z".into(),
    })))
}

#[wasm_bindgen_test]
async fn the_frame_says_how_many_alerts_are_unread_and_asks_only_when_visible() {
    <gloo_storage::LocalStorage as gloo_storage::Storage>::clear();
    install_server(2);
    let el = stage();
    let refresh = RwSignal::new(None);
    let handle = leptos::mount::mount_to(el.clone(), move || {
        provide_i18n();
        let auth = signed_in();
        provide_context(auth);
        provide_inbox(auth);
        refresh.set(use_inbox());
        view! { <InboxLink external=false /> }
    });
    let count = || {
        el.query_selector(".inbox-count")
            .unwrap()
            .map(|e| (e.get_attribute("data-count"), e.text_content()))
    };
    wait_for("the count", 5, || {
        count() == Some((Some("2".into()), Some(" 2 unread".into())))
    })
    .await;
    let live = el.query_selector(".inbox-count").unwrap().unwrap();
    assert_eq!(live.get_attribute("aria-live").as_deref(), Some("polite"));
    assert_eq!(
        el.query_selector("#inbox-link")
            .unwrap()
            .unwrap()
            .get_attribute("href")
            .as_deref(),
        Some("/dashboard?s=inbox")
    );

    // Read elsewhere: the inbox asks again, and the badge goes.
    set_unread(0);
    refresh.get_untracked().unwrap().refresh();
    wait_for("no badge", 5, || {
        count() == Some((Some("0".into()), Some(String::new())))
    })
    .await;

    // A hidden tab asks nothing; shown again, it asks at once.
    let before = asked();
    set_unread(4);
    set_hidden(true);
    common::sleep(200).await;
    assert_eq!(asked(), before, "a hidden tab asks nothing");
    set_hidden(false);
    wait_for("the count once shown", 5, || {
        count() == Some((Some("4".into()), Some(" 4 unread".into())))
    })
    .await;
    assert_eq!(asked(), before + 1);

    drop(handle);
    remove_server();
}
