//! Browser tests: components mounted into a real (headless) Chromium page.
//! Run by `cargo xtask test` through wasm-bindgen-test-runner.
#![cfg(target_arch = "wasm32")]

use branchpulse::components::{LanguageSwitch, QuestionnaireList};
use branchpulse::i18n::{provide_i18n, text, Key};
use branchpulse_core::Locale;
use gloo_storage::{LocalStorage, Storage};
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// A fresh `<section>` in the test page to mount into.
fn stage() -> web_sys::HtmlElement {
    let doc = document();
    let el = doc.create_element("section").unwrap();
    doc.body().unwrap().append_child(&el).unwrap();
    el.unchecked_into()
}

/// Poll until `cond` holds; async work (fetches) needs a few turns.
async fn wait_for(what: &str, cond: impl Fn() -> bool) {
    for _ in 0..250 {
        if cond() {
            return;
        }
        gloo_timers::future::TimeoutFuture::new(20).await;
    }
    panic!("timed out waiting for {what}");
}

#[wasm_bindgen_test]
async fn language_switch_sets_remembers_and_marks_the_language() {
    LocalStorage::clear();
    let el = stage();
    let handle = leptos::mount::mount_to(el.clone(), || {
        provide_i18n();
        view! { <LanguageSwitch/> }
    });
    let buttons = el.query_selector_all("button").unwrap();
    assert_eq!(buttons.length(), 3, "one button per language");
    let es: web_sys::HtmlElement = el
        .query_selector("button[lang=es]")
        .unwrap()
        .unwrap()
        .unchecked_into();
    assert_eq!(es.text_content().unwrap(), "Español");
    es.click();
    wait_for("aria-pressed on Español", || {
        es.get_attribute("aria-pressed").as_deref() == Some("true")
    })
    .await;
    assert_eq!(
        document()
            .document_element()
            .unwrap()
            .get_attribute("lang")
            .as_deref(),
        Some("es")
    );
    let saved: String = LocalStorage::get("branchpulse.locale").unwrap();
    assert_eq!(saved, "es");
    let others = el.query_selector_all("button[aria-pressed=true]").unwrap();
    assert_eq!(others.length(), 1, "only the chosen language is pressed");
    drop(handle);
}

#[wasm_bindgen_test]
async fn a_corrupt_saved_language_falls_back_instead_of_failing() {
    LocalStorage::raw()
        .set_item("branchpulse.locale", "{not json")
        .unwrap();
    let el = stage();
    let handle = leptos::mount::mount_to(el.clone(), || {
        provide_i18n();
        view! { <LanguageSwitch/> }
    });
    let pressed = el.query_selector_all("button[aria-pressed=true]").unwrap();
    assert_eq!(pressed.length(), 1, "some language is chosen");
    drop(handle);
}

#[wasm_bindgen_test]
async fn questionnaire_list_reports_a_server_it_cannot_reach() {
    // The test runner's page has no BranchPulse API behind it.
    LocalStorage::set("branchpulse.locale", "en").unwrap();
    let el = stage();
    let handle = leptos::mount::mount_to(el.clone(), || {
        provide_i18n();
        view! { <QuestionnaireList/> }
    });
    wait_for("the error alert", || {
        el.query_selector("[role=alert]").unwrap().is_some()
    })
    .await;
    let alert = el
        .query_selector("[role=alert]")
        .unwrap()
        .unwrap()
        .text_content()
        .unwrap();
    assert!(alert.contains(text(Locale::En, Key::LoadFailed)), "{alert}");
    let retry = el.query_selector("[role=alert] button").unwrap().unwrap();
    assert_eq!(retry.text_content().unwrap(), text(Locale::En, Key::Retry));
    drop(handle);
}

#[wasm_bindgen_test]
fn every_language_names_itself() {
    assert_eq!(text(Locale::ZhCn, Key::Offline), "离线");
    assert_eq!(text(Locale::Es, Key::Offline), "Sin conexión");
    assert_ne!(
        text(Locale::En, Key::Offline),
        text(Locale::Es, Key::Offline)
    );
}
