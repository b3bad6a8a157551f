//! Browser tests of the sync client: the backoff schedule, the Web Lock,
//! the request timeout, and whole syncs through the status bar against a
//! fake server (`window.fetch` replaced for `/api/v1/responses` only).
#![cfg(target_arch = "wasm32")]

mod common;

use branchpulse::api::{self, ApiError, DEFAULT_SYNC_TIMEOUT_MS};
use branchpulse::components::StatusBar;
use branchpulse::i18n::{provide_i18n, text, Key};
use branchpulse::storage::keys::{LAST_SYNC as LAST_SYNC_KEY, SYNC_TIMEOUT_MS as SYNC_TIMEOUT_KEY};
use branchpulse::storage::outbox::{Outbox, FAILED_ALONE};
use branchpulse::sync::{backoff, lock, provide_sync_with, SyncConfig, SyncHandle};
use branchpulse_core::Locale;
use common::{at, id, put_raw, raw_record, response, stage, test_id_text, wait_for};
use leptos::prelude::*;
use std::cell::Cell;
use std::rc::Rc;
use std::time::Duration;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn backoff_grows_is_capped_and_jittered_within_bounds() {
    assert_eq!(backoff::ceiling_ms(0), 0.0);
    assert_eq!(backoff::ceiling_ms(1), 1_000.0);
    assert_eq!(backoff::ceiling_ms(2), 2_000.0);
    assert_eq!(backoff::ceiling_ms(5), 16_000.0);
    for n in 1..12 {
        assert!(
            backoff::ceiling_ms(n + 1) >= backoff::ceiling_ms(n),
            "never shrinks"
        );
    }
    assert_eq!(backoff::ceiling_ms(9), 256_000.0);
    assert_eq!(backoff::ceiling_ms(10), backoff::MAX_MS, "capped at 5 min");
    assert_eq!(backoff::ceiling_ms(u32::MAX), backoff::MAX_MS);
    for n in [1, 3, 8, 30] {
        let ceiling = backoff::ceiling_ms(n);
        assert_eq!(backoff::delay_ms(n, 0.0), 0.0);
        assert_eq!(backoff::delay_ms(n, 0.5), ceiling / 2.0);
        for _ in 0..100 {
            let d = backoff::delay_ms(n, js_sys::Math::random());
            assert!((0.0..=ceiling).contains(&d), "{d} within 0..={ceiling}");
        }
        assert!(backoff::delay_ms(n, 0.999_999) <= ceiling);
    }
    assert_eq!(
        backoff::delay_ms(3, 7.0),
        backoff::ceiling_ms(3),
        "bad random: clamped"
    );
    assert_eq!(backoff::delay_ms(3, f64::NAN), backoff::ceiling_ms(3) / 2.0);
}

#[wasm_bindgen_test]
fn a_failing_batch_is_halved_every_three_failures_down_to_one() {
    assert_eq!(backoff::split_size(100, 0, 3), 100);
    assert_eq!(backoff::split_size(100, 2, 3), 100, "two failures: a blip");
    assert_eq!(backoff::split_size(100, 3, 3), 50);
    assert_eq!(backoff::split_size(100, 5, 3), 50);
    assert_eq!(backoff::split_size(100, 6, 3), 25);
    assert_eq!(backoff::split_size(100, 9, 3), 12);
    assert_eq!(backoff::split_size(100, 18, 3), 1);
    assert_eq!(backoff::split_size(100, 40, 3), 1, "never below one");
    assert_eq!(backoff::split_size(100, u32::MAX, 3), 1);
    assert_eq!(backoff::split_size(8, 1, 0), 4, "0 is read as 1");
    // The shrunk schedules tests use.
    assert_eq!(backoff::ceiling_within(10.0, 60.0, 1), 10.0);
    assert_eq!(backoff::ceiling_within(10.0, 60.0, 3), 40.0);
    assert_eq!(backoff::ceiling_within(10.0, 60.0, 30), 60.0);
    assert_eq!(backoff::delay_within(10.0, 60.0, 3, 0.5), 20.0);
}

fn local_storage() -> web_sys::Storage {
    web_sys::window().unwrap().local_storage().unwrap().unwrap()
}

#[wasm_bindgen_test]
fn the_sync_timeout_is_an_operator_setting() {
    let storage = local_storage();
    storage.remove_item(SYNC_TIMEOUT_KEY).unwrap();
    assert_eq!(api::sync_timeout_ms(), DEFAULT_SYNC_TIMEOUT_MS);
    assert_eq!(DEFAULT_SYNC_TIMEOUT_MS, 20_000);
    storage.set_item(SYNC_TIMEOUT_KEY, "1500").unwrap();
    assert_eq!(api::sync_timeout_ms(), 1500);
    storage.set_item(SYNC_TIMEOUT_KEY, "\"2500\"").unwrap();
    assert_eq!(api::sync_timeout_ms(), 2500);
    for bad in ["0", "-5", "soon", ""] {
        storage.set_item(SYNC_TIMEOUT_KEY, bad).unwrap();
        assert_eq!(api::sync_timeout_ms(), DEFAULT_SYNC_TIMEOUT_MS, "{bad:?}");
    }
    storage.remove_item(SYNC_TIMEOUT_KEY).unwrap();
}

#[wasm_bindgen_test]
async fn only_one_holder_of_the_sync_lock_runs() {
    js_sys::eval(
        "window.__bpRelease = null;
         navigator.locks.request('bp-test-lock', () =>
             new Promise((resolve) => { window.__bpRelease = resolve; }));",
    )
    .unwrap();
    wait_for("the other tab's lock", 5, || {
        js_sys::eval("typeof window.__bpRelease === 'function'")
            .unwrap()
            .as_bool()
            .unwrap()
    })
    .await;
    let ran = lock::run_exclusive("bp-test-lock", || async { 1 }).await;
    assert_eq!(ran, None, "busy elsewhere: the work does not run");
    js_sys::eval("window.__bpRelease()").unwrap();
    common::sleep(20).await;
    let ran = lock::run_exclusive("bp-test-lock", || async { 2 }).await;
    assert_eq!(ran, Some(2));
}

/// Replace `fetch` for `/api/v1/responses` and `/api/v1/health` with a
/// fake server; every other request goes to the real `fetch`.
/// `window.__bpFake.mode` picks the answer to a batch: "accept" (per
/// response: accepted, or duplicate when seen before, rejected when its id
/// is in `reject`, deferred when in `defer`; but a 500 for the whole batch
/// when it holds an id of `poison`), "500" and "503" (every batch), "400"
/// or "hang" (never answers, but honours the abort signal). The health
/// check answers `health` (200) and is counted in `healthChecks`.
fn install_fake_server() {
    js_sys::eval(
        r#"
        window.__bpFake = { mode: 'accept', reject: [], defer: [], poison: [], health: 200,
            healthChecks: 0, calls: [], seen: [] };
        if (!window.__bpRealFetch) window.__bpRealFetch = window.fetch;
        window.fetch = async (input, init) => {
            const req = input instanceof Request ? input : new Request(input, init);
            const fake = window.__bpFake;
            const json = (status, value) => new Response(JSON.stringify(value),
                { status, headers: { 'content-type': 'application/json' } });
            if (req.url.endsWith('/api/v1/health')) {
                fake.healthChecks += 1;
                return json(fake.health, fake.health === 200 ? { status: 'ok', version: 'test' }
                    : { error: 'the database does not answer' });
            }
            if (!req.url.endsWith('/api/v1/responses')) return window.__bpRealFetch(input, init);
            const body = await req.json();
            fake.calls.push(body.responses.map((r) => r.id));
            const failed = () => json(500, { error: "internal server error; the details are in the server's log" });
            if (fake.mode === 'hang') {
                return new Promise((_, reject) => req.signal.addEventListener('abort',
                    () => reject(new DOMException('The operation was aborted.', 'AbortError'))));
            }
            if (fake.mode === '503') return json(503, { error: 'the database is busy; nothing was stored, try again shortly' });
            if (fake.mode === '500') return failed();
            if (fake.mode === '400') return json(400, { error: 'the batch is empty: send 1 to 500 responses' });
            if (body.responses.some((r) => fake.poison.includes(r.id))) return failed();
            const results = body.responses.map((r) => {
                if (fake.reject.includes(r.id)) return { status: 'rejected', id: r.id, reason: 'branch: unknown branch code "B01"' };
                if (fake.defer.includes(r.id)) return { status: 'deferred', id: r.id,
                    reason: 'submitted_at: ahead of the server clock; sent again later' };
                if (fake.seen.includes(r.id)) return { status: 'duplicate', id: r.id };
                fake.seen.push(r.id);
                return { status: 'accepted', id: r.id };
            });
            return json(200, { results });
        };
        "#,
    )
    .unwrap();
}

fn remove_fake_server() {
    js_sys::eval("if (window.__bpRealFetch) window.fetch = window.__bpRealFetch;").unwrap();
}

fn fake(js: &str) -> serde_json::Value {
    let v = js_sys::eval(&format!("JSON.stringify(window.__bpFake.{js})")).unwrap();
    serde_json::from_str(&v.as_string().unwrap()).unwrap()
}

fn set_fake(js: &str) {
    js_sys::eval(&format!("window.__bpFake.{js}")).unwrap();
}

fn config(name: &str) -> SyncConfig {
    SyncConfig {
        db_name: name.into(),
        lock_name: format!("{name}-lock"),
        ..SyncConfig::default()
    }
}

/// [`config`] with retries after 0–10 ms, then up to 60 ms: the schedule
/// of the app, shrunk.
fn fast(name: &str) -> SyncConfig {
    SyncConfig {
        retry_base: Duration::from_millis(10),
        retry_max: Duration::from_millis(60),
        ..config(name)
    }
}

/// Every batch the fake server received, as lists of ids.
fn calls() -> Vec<Vec<String>> {
    serde_json::from_value(fake("calls")).unwrap()
}

/// Mount the status bar with a sync client on database `name`, in English.
/// Dropping the third value unmounts, which stops the sync client.
fn mount(name: &str) -> (web_sys::HtmlElement, SyncHandle, Box<dyn std::any::Any>) {
    mount_with(config(name))
}

/// [`mount`] with a sync client of `config`.
fn mount_with(config: SyncConfig) -> (web_sys::HtmlElement, SyncHandle, Box<dyn std::any::Any>) {
    local_storage()
        .set_item("branchpulse.locale", "\"en\"")
        .unwrap();
    let el = stage();
    let slot = Rc::new(Cell::new(None));
    let handle = {
        let slot = slot.clone();
        leptos::mount::mount_to(el.clone(), move || {
            provide_i18n();
            slot.set(Some(provide_sync_with(config)));
            view! { <StatusBar/> }
        })
    };
    (el, slot.get().unwrap(), Box::new(handle))
}

fn waiting(el: &web_sys::HtmlElement) -> String {
    test_id_text(el, "waiting").unwrap_or_default()
}

fn last_error(el: &web_sys::HtmlElement) -> String {
    test_id_text(el, "last-error").unwrap_or_default()
}

async fn fresh_db(name: &str) {
    Outbox::delete_named(name).await.unwrap();
    Outbox::open_named(name).await.unwrap().close();
}

#[wasm_bindgen_test]
async fn a_thousand_stored_records_are_synced_oldest_first_in_batches_of_100() {
    let name = "bp-test-sync-thousand";
    fresh_db(name).await;
    let records: Vec<_> = (0..1000u32)
        .map(|i| raw_record(u128::from(5000 - i), Some(&at(i))))
        .collect();
    put_raw(name, &records).await;
    install_fake_server();

    // Start-up alone syncs them.
    let (el, sync, mounted) = mount(name);
    // (The count shows 0 before the outbox is first read: wait for the sends.)
    wait_for("ten batches sent and an empty outbox", 60, || {
        fake("calls").as_array().unwrap().len() >= 10
            && !sync.state.get_untracked().syncing
            && waiting(&el) == "0"
    })
    .await;

    let calls = fake("calls");
    let calls = calls.as_array().unwrap();
    assert_eq!(calls.len(), 10, "ten requests");
    let sent: Vec<String> = calls
        .iter()
        .flat_map(|c| {
            c.as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_str().unwrap().to_owned())
        })
        .collect();
    let expected: Vec<String> = (0..1000u32).map(|i| id(u128::from(5000 - i))).collect();
    assert_eq!(sent, expected, "oldest first, each once");
    assert!(calls.iter().all(|c| c.as_array().unwrap().len() == 100));
    assert!(sync.state.get_untracked().last_sync.is_some());
    assert_eq!(last_error(&el), "");
    let last = el.query_selector(".last-sync").unwrap().unwrap();
    assert!(!last
        .text_content()
        .unwrap()
        .contains(text(Locale::En, Key::Never)));

    drop(mounted);
    remove_fake_server();
    Outbox::delete_named(name).await.unwrap();
}

#[wasm_bindgen_test]
async fn saved_responses_are_sent_and_rejected_ones_need_attention() {
    let name = "bp-test-sync-save";
    fresh_db(name).await;
    install_fake_server();
    set_fake(&format!("reject = ['{}']", id(2)));
    let (el, sync, mounted) = mount(name);
    assert!(el.query_selector("[role=status]").unwrap().is_some());
    let sync_now = el
        .query_selector("[data-testid=sync-now]")
        .unwrap()
        .unwrap();
    assert_eq!(sync_now.text_content().unwrap(), "Sync now");

    for n in 1..=3 {
        sync.save(&response(n)).await.unwrap();
    }
    wait_for("the outbox to drain", 20, || waiting(&el) == "0").await;
    let details = el
        .query_selector("[data-testid=needs-attention]")
        .unwrap()
        .unwrap();
    wait_for("one response needing attention", 10, || {
        details
            .text_content()
            .unwrap()
            .contains("Needs attention (1)")
    })
    .await;
    assert_eq!(fake("seen"), serde_json::json!([id(1), id(3)]));

    // Opening the disclosure lists it with the server's reason.
    let summary: web_sys::HtmlElement = details
        .query_selector("summary")
        .unwrap()
        .unwrap()
        .unchecked_into();
    summary.click();
    wait_for("the rejected response listed", 10, || {
        details
            .query_selector(&format!("li[data-id=\"{}\"]", id(2)))
            .unwrap()
            .is_some_and(|li| {
                li.text_content()
                    .unwrap()
                    .contains("branch: unknown branch code \"B01\"")
            })
    })
    .await;
    let rejected = sync.list_rejected().await.unwrap();
    assert_eq!(rejected.len(), 1);
    assert_eq!(rejected[0].id, id(2));

    // Sent again (a reply lost on the way): the server says duplicate, and
    // that confirms it too.
    let before = fake("calls").as_array().unwrap().len();
    sync.save(&response(1)).await.unwrap();
    wait_for("the duplicate confirmed", 20, || {
        fake("calls").as_array().unwrap().len() > before
            && !sync.state.get_untracked().syncing
            && waiting(&el) == "0"
    })
    .await;
    let calls = fake("calls");
    assert_eq!(
        calls.as_array().unwrap().last().unwrap(),
        &serde_json::json!([id(1)])
    );
    assert_eq!(sync.state.get_untracked().waiting, 0);

    drop(mounted);
    remove_fake_server();
    Outbox::delete_named(name).await.unwrap();
}

#[wasm_bindgen_test]
async fn a_server_error_keeps_the_records_and_sync_now_retries() {
    let name = "bp-test-sync-503";
    fresh_db(name).await;
    install_fake_server();
    set_fake("mode = '503'");
    let (el, sync, mounted) = mount(name);
    sync.save(&response(1)).await.unwrap();
    sync.save(&response(2)).await.unwrap();
    wait_for("the error shown", 20, || {
        last_error(&el).contains("HTTP 503")
    })
    .await;
    assert!(last_error(&el).contains(text(Locale::En, Key::ErrServer)));
    let error_box = el.query_selector(".last-error").unwrap().unwrap();
    assert!(!error_box.has_attribute("hidden"), "the error is visible");
    assert_eq!(waiting(&el), "2", "nothing leaves the outbox unconfirmed");

    // The attempt is counted on each record.
    let outbox = Outbox::open_named(name).await.unwrap();
    let batch = outbox.pending(10).await.unwrap();
    assert_eq!(batch.ready.len(), 2);
    assert!(batch.ready.iter().all(|p| p.attempts >= 1));
    outbox.close();

    // The server recovers; "Sync now" does not wait for the backoff.
    set_fake("mode = 'accept'");
    let button: web_sys::HtmlElement = el
        .query_selector("[data-testid=sync-now]")
        .unwrap()
        .unwrap()
        .unchecked_into();
    button.click();
    wait_for("the outbox to drain", 20, || waiting(&el) == "0").await;
    wait_for("the error cleared", 10, || last_error(&el).is_empty()).await;
    assert!(error_box.has_attribute("hidden"));

    drop(mounted);
    remove_fake_server();
    Outbox::delete_named(name).await.unwrap();
}

#[wasm_bindgen_test]
async fn a_refused_request_keeps_the_records() {
    let name = "bp-test-sync-400";
    fresh_db(name).await;
    install_fake_server();
    set_fake("mode = '400'");
    let (el, sync, mounted) = mount(name);
    sync.save(&response(1)).await.unwrap();
    wait_for("the error shown", 20, || {
        last_error(&el).contains("HTTP 400")
    })
    .await;
    assert!(
        last_error(&el).contains("the batch is empty"),
        "the server's words"
    );
    assert_eq!(waiting(&el), "1");
    assert_eq!(
        sync.state.get_untracked().rejected,
        0,
        "not rejected: the records stay"
    );

    drop(mounted);
    remove_fake_server();
    Outbox::delete_named(name).await.unwrap();
}

#[wasm_bindgen_test]
async fn a_server_that_does_not_answer_times_out() {
    let name = "bp-test-sync-timeout";
    fresh_db(name).await;
    install_fake_server();
    set_fake("mode = 'hang'");
    local_storage().set_item(SYNC_TIMEOUT_KEY, "300").unwrap();

    // The HTTP client alone.
    let started = js_sys::Date::now();
    let result = api::send_batch(&[response(1)]).await;
    assert_eq!(result, Err(ApiError::Timeout { ms: 300 }));
    assert!(js_sys::Date::now() - started < 5_000.0);

    // And through the sync client.
    let (el, sync, mounted) = mount(name);
    sync.save(&response(1)).await.unwrap();
    wait_for("the timeout shown", 20, || {
        last_error(&el).contains(text(Locale::En, Key::ErrTimeout))
    })
    .await;
    assert!(last_error(&el).contains("300 ms"));
    assert_eq!(waiting(&el), "1");

    drop(mounted);
    local_storage().remove_item(SYNC_TIMEOUT_KEY).unwrap();
    remove_fake_server();
    Outbox::delete_named(name).await.unwrap();
}

#[wasm_bindgen_test]
async fn while_another_tab_syncs_this_one_waits_its_turn() {
    let name = "bp-test-sync-tabs";
    fresh_db(name).await;
    install_fake_server();
    // "Another tab" holds this client's lock.
    js_sys::eval(&format!(
        "window.__bpReleaseTab = null;
         navigator.locks.request('{name}-lock', () =>
             new Promise((resolve) => {{ window.__bpReleaseTab = resolve; }}));"
    ))
    .unwrap();
    wait_for("the other tab's lock", 5, || {
        js_sys::eval("typeof window.__bpReleaseTab === 'function'")
            .unwrap()
            .as_bool()
            .unwrap()
    })
    .await;
    let (el, sync, mounted) = mount(name);
    sync.save(&response(1)).await.unwrap();
    sync.save(&response(2)).await.unwrap();
    wait_for("the count shown", 10, || waiting(&el) == "2").await;
    common::sleep(500).await;
    assert_eq!(
        fake("calls"),
        serde_json::json!([]),
        "nothing sent while the lock is held"
    );
    assert_eq!(last_error(&el), "", "another tab syncing is not an error");

    js_sys::eval("window.__bpReleaseTab()").unwrap();
    wait_for("this tab to take over", 15, || waiting(&el) == "0").await;
    assert_eq!(fake("seen"), serde_json::json!([id(1), id(2)]));

    drop(mounted);
    remove_fake_server();
    Outbox::delete_named(name).await.unwrap();
}

/// An outbox record that has failed `attempts` times (so it goes alone),
/// with `strikes` strikes, first failed at `failing_since` if given.
fn failing_record(n: u128, attempts: u32, strikes: u32, failing_since: Option<f64>) -> JsValue {
    let record = raw_record(n, Some(&at(n as u32)));
    let set = |k: &str, v: JsValue| js_sys::Reflect::set(&record, &k.into(), &v).unwrap();
    set("attempts", attempts.into());
    set("strikes", strikes.into());
    if let Some(ms) = failing_since {
        set("failing_since", ms.into());
    }
    record
}

/// The strikes kept in the stored records, by id.
async fn strikes(name: &str) -> Vec<(String, u32)> {
    let outbox = Outbox::open_named(name).await.unwrap();
    let batch = outbox.pending(100).await.unwrap();
    outbox.close();
    batch.ready.into_iter().map(|p| (p.id, p.strikes)).collect()
}

fn rejected_count(sync: &SyncHandle) -> u32 {
    sync.state.get_untracked().rejected
}

#[wasm_bindgen_test]
async fn a_deferred_response_stays_and_goes_again_only_after_the_next_tick() {
    let name = "bp-test-sync-deferred";
    fresh_db(name).await;
    install_fake_server();
    set_fake(&format!("defer = ['{}']", id(2)));
    let (el, sync, mounted) = mount_with(SyncConfig {
        interval: Duration::from_millis(3_000),
        ..fast(name)
    });
    let sent_2 = || calls().iter().filter(|c| c.contains(&id(2))).count();
    for n in 1..=3 {
        sync.save(&response(n)).await.unwrap();
    }
    wait_for("1 and 3 accepted, 2 deferred", 10, || {
        fake("seen") == serde_json::json!([id(1), id(3)])
            && sent_2() == 1
            && waiting(&el) == "1"
            && !sync.state.get_untracked().syncing
    })
    .await;
    let deferred = el
        .query_selector("[data-testid=deferred]")
        .unwrap()
        .unwrap();
    wait_for("the reason shown", 5, || !deferred.has_attribute("hidden")).await;
    let shown = deferred.text_content().unwrap();
    assert!(shown.contains(text(Locale::En, Key::Deferred)), "{shown}");
    assert!(shown.contains('1'), "{shown}");

    // Passes before the next tick send the others, never it again.
    sync.save(&response(4)).await.unwrap();
    wait_for("4 accepted", 5, || {
        fake("seen").as_array().unwrap().len() == 3 && !sync.state.get_untracked().syncing
    })
    .await;
    assert_eq!(calls().last().unwrap(), &vec![id(4)]);
    assert_eq!(sent_2(), 1, "not resent before the next tick");
    assert_eq!(waiting(&el), "1");

    // Each tick sends it once more, until the server takes it.
    wait_for("2 sent again on a tick", 10, || sent_2() == 2).await;
    set_fake("defer = []");
    wait_for("2 accepted on a later tick", 10, || waiting(&el) == "0").await;
    wait_for("the note gone", 5, || deferred.has_attribute("hidden")).await;
    assert_eq!(rejected_count(&sync), 0, "deferred never needs attention");
    assert_eq!(fake("seen").as_array().unwrap().len(), 4);

    drop(mounted);
    remove_fake_server();
    Outbox::delete_named(name).await.unwrap();
}

#[wasm_bindgen_test]
async fn a_batch_that_keeps_failing_is_split_and_the_poison_set_aside_after_five_strikes() {
    let name = "bp-test-sync-poison";
    fresh_db(name).await;
    let records: Vec<_> = (1..=20u32)
        .map(|i| raw_record(u128::from(i), Some(&at(i))))
        .collect();
    put_raw(name, &records).await;
    install_fake_server();
    set_fake(&format!("poison = ['{}']", id(5)));
    let (el, sync, mounted) = mount_with(SyncConfig {
        batch_size: 8,
        ..fast(name)
    });
    wait_for("the others delivered, the poison set aside", 60, || {
        waiting(&el) == "0" && rejected_count(&sync) == 1
    })
    .await;

    let calls = calls();
    let ids = |range: std::ops::RangeInclusive<u128>| range.map(id).collect::<Vec<_>>();
    // The first pass goes past the failing batch: nothing behind it waits.
    assert_eq!(calls[0], ids(1..=8));
    assert_eq!(calls[1], ids(9..=16));
    assert_eq!(calls[2], ids(17..=20));
    let mut seen: Vec<String> = serde_json::from_value(fake("seen")).unwrap();
    seen.sort();
    let mut others: Vec<String> = (1..=20).filter(|n| *n != 5).map(id).collect();
    others.sort();
    assert_eq!(seen, others, "every other response stored");
    // Three failures, then what waits is halved: 1–4 go through, and of
    // 5–8 (four failures for 5) 5 and 6 are sent together, then 5 alone
    // (five failures): five strikes.
    assert_eq!(calls[5], ids(1..=4));
    assert_eq!(calls[6], ids(5..=6));
    let sizes: Vec<usize> = calls
        .iter()
        .filter(|c| c.contains(&id(5)))
        .map(Vec::len)
        .collect();
    assert_eq!(sizes, [8, 8, 8, 2, 1, 1, 1, 1, 1]);
    assert_eq!(
        fake("healthChecks"),
        5,
        "one health check per failure alone"
    );

    let rejected = sync.list_rejected().await.unwrap();
    assert_eq!(rejected.len(), 1);
    assert_eq!(rejected[0].id, id(5));
    assert_eq!(
        rejected[0].reason,
        format!(
            "{FAILED_ALONE} 5 times: HTTP 500: internal server error; the details are in the server's log"
        )
    );
    wait_for("the status bar says so", 5, || {
        last_error(&el).contains(text(Locale::En, Key::ErrGaveUp))
    })
    .await;
    let details = el
        .query_selector("[data-testid=needs-attention]")
        .unwrap()
        .unwrap();
    assert!(details
        .text_content()
        .unwrap()
        .contains("Needs attention (1)"));

    drop(mounted);
    remove_fake_server();
    Outbox::delete_named(name).await.unwrap();
}

#[wasm_bindgen_test]
async fn a_busy_server_never_sets_anything_aside() {
    let name = "bp-test-sync-busy";
    fresh_db(name).await;
    // One strike short of the rejected list, failing since a minute ago;
    // the server stored something since.
    let now = js_sys::Date::now();
    let records: Vec<_> = (1..=3)
        .map(|n| failing_record(n, 30, 4, Some(now - 60_000.0)))
        .collect();
    put_raw(name, &records).await;
    local_storage()
        .set_item(LAST_SYNC_KEY, &now.to_string())
        .unwrap();
    install_fake_server();
    set_fake("mode = '503'");
    let (el, sync, mounted) = mount_with(fast(name));
    wait_for("a dozen tries", 30, || calls().len() >= 12).await;
    assert!(
        calls().iter().all(|c| c == &vec![id(1)]),
        "alone, one request a pass"
    );
    assert_eq!(rejected_count(&sync), 0);
    assert_eq!(
        strikes(name)
            .await
            .iter()
            .map(|(_, s)| *s)
            .collect::<Vec<_>>(),
        [4, 4, 4]
    );
    assert!(last_error(&el).contains("HTTP 503"));

    // Had the server failed on it while working, the next failure would
    // have been its last.
    set_fake(&format!(
        "mode = 'accept'; window.__bpFake.poison = ['{}']",
        id(1)
    ));
    wait_for("1 set aside, 2 and 3 stored", 30, || {
        rejected_count(&sync) == 1 && waiting(&el) == "0"
    })
    .await;

    drop(mounted);
    remove_fake_server();
    Outbox::delete_named(name).await.unwrap();
}

#[wasm_bindgen_test]
async fn every_write_failing_sets_nothing_aside_and_costs_two_requests_a_pass() {
    let name = "bp-test-sync-writes-fail";
    fresh_db(name).await;
    // They go alone, one strike short; the server last stored something
    // before they first failed.
    let now = js_sys::Date::now();
    local_storage()
        .set_item(LAST_SYNC_KEY, &(now - 1_000.0).to_string())
        .unwrap();
    let records: Vec<_> = (1..=3).map(|n| failing_record(n, 30, 4, None)).collect();
    put_raw(name, &records).await;
    install_fake_server();
    set_fake("mode = '500'");
    let (el, sync, mounted) = mount_with(fast(name));
    wait_for("a dozen tries", 30, || calls().len() >= 12).await;
    assert_eq!(rejected_count(&sync), 0);
    assert_eq!(
        strikes(name)
            .await
            .iter()
            .map(|(_, s)| *s)
            .collect::<Vec<_>>(),
        [4, 4, 4]
    );
    assert!(
        !calls().iter().any(|c| c.contains(&id(3))),
        "a second failure in a row ends the pass"
    );
    assert!(last_error(&el).contains("HTTP 500"));

    // Once the server stores the others, 1 failing alone is its fault.
    set_fake(&format!(
        "mode = 'accept'; window.__bpFake.poison = ['{}']",
        id(1)
    ));
    wait_for("1 set aside, 2 and 3 stored", 30, || {
        rejected_count(&sync) == 1 && waiting(&el) == "0"
    })
    .await;

    drop(mounted);
    remove_fake_server();
    Outbox::delete_named(name).await.unwrap();
}

#[wasm_bindgen_test]
async fn a_failure_alone_is_no_strike_while_the_health_check_fails() {
    let name = "bp-test-sync-unhealthy";
    fresh_db(name).await;
    let now = js_sys::Date::now();
    local_storage()
        .set_item(LAST_SYNC_KEY, &now.to_string())
        .unwrap();
    put_raw(name, &[failing_record(1, 30, 4, Some(now - 60_000.0))]).await;
    install_fake_server();
    set_fake(&format!(
        "poison = ['{}']; window.__bpFake.health = 503",
        id(1)
    ));
    let (el, sync, mounted) = mount_with(fast(name));
    wait_for("eight tries", 30, || {
        fake("healthChecks").as_u64().unwrap() >= 8
    })
    .await;
    assert_eq!(rejected_count(&sync), 0);
    assert_eq!(strikes(name).await, [(id(1), 4)]);
    assert_eq!(waiting(&el), "1");

    set_fake("health = 200");
    wait_for("1 set aside", 30, || {
        rejected_count(&sync) == 1 && waiting(&el) == "0"
    })
    .await;

    drop(mounted);
    remove_fake_server();
    Outbox::delete_named(name).await.unwrap();
}
