//! Helpers shared by the browser test files.
#![allow(dead_code)]

use branchpulse_core::{Answer, Channel, Locale, Response};
use idb::{Factory, TransactionMode};
use std::collections::BTreeMap;
use time::macros::datetime;
use uuid::Uuid;
use wasm_bindgen::{JsCast, JsValue};

/// A kiosk response with id `n` (as a UUID).
pub fn response(n: u128) -> Response {
    Response {
        id: Uuid::from_u128(n),
        questionnaire_id: "lobby".into(),
        questionnaire_version: 1,
        branch: "B01".into(),
        device_id: "kiosk-test".into(),
        channel: Channel::Kiosk,
        locale: Locale::En,
        started_at: datetime!(2025-03-01 09:00 UTC),
        submitted_at: datetime!(2025-03-01 09:01 UTC),
        answers: BTreeMap::from([("greeting".to_string(), Answer::Rating(5))]),
        comments: BTreeMap::new(),
        visit: None,
        assignment: None,
        revises: None,
        partial: false,
    }
}

pub fn id(n: u128) -> String {
    Uuid::from_u128(n).to_string()
}

/// An outbox record of the documented shape, as a plain JS object, the way
/// the end-to-end tests write them.
pub fn raw_record(n: u128, queued_at: Option<&str>) -> JsValue {
    let mut record = serde_json::json!({
        "id": id(n),
        "response": serde_json::to_value(response(n)).unwrap(),
        "attempts": 0,
    });
    if let Some(at) = queued_at {
        record["queued_at"] = at.into();
    }
    json(&record.to_string())
}

pub fn json(text: &str) -> JsValue {
    js_sys::JSON::parse(text).unwrap()
}

/// Write `records` straight into the `outbox` store of database `db_name`.
pub async fn put_raw(db_name: &str, records: &[JsValue]) {
    let db = Factory::new()
        .unwrap()
        .open(db_name, None)
        .unwrap()
        .await
        .unwrap();
    let tx = db
        .transaction(&["outbox"], TransactionMode::ReadWrite)
        .unwrap();
    let store = tx.object_store("outbox").unwrap();
    for record in records {
        store.put(record, None).unwrap().await.unwrap();
    }
    assert!(tx.await.unwrap().is_committed());
    db.close();
}

/// `2025-03-01T00:00:00.000Z` plus `seconds`.
pub fn at(seconds: u32) -> String {
    format!(
        "2025-03-01T{:02}:{:02}:{:02}.000Z",
        seconds / 3600,
        seconds / 60 % 60,
        seconds % 60
    )
}

pub async fn sleep(ms: u32) {
    gloo_timers::future::TimeoutFuture::new(ms).await;
}

/// Poll until `cond` holds, up to `seconds`.
pub async fn wait_for(what: &str, seconds: u32, cond: impl Fn() -> bool) {
    for _ in 0..seconds * 50 {
        if cond() {
            return;
        }
        sleep(20).await;
    }
    panic!("timed out waiting for {what}");
}

/// A fresh `<section>` in the test page to mount into.
pub fn stage() -> web_sys::HtmlElement {
    let doc = leptos::prelude::document();
    let el = doc.create_element("section").unwrap();
    doc.body().unwrap().append_child(&el).unwrap();
    el.unchecked_into()
}

/// The text of the element with `data-testid=<id>` under `root`.
pub fn test_id_text(root: &web_sys::Element, id: &str) -> Option<String> {
    root.query_selector(&format!("[data-testid=\"{id}\"]"))
        .unwrap()
        .and_then(|e| e.text_content())
}
