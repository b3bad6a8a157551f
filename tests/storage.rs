//! Browser tests of the device's storage against the real IndexedDB and
//! localStorage of headless Chromium: the outbox and the drafts.
#![cfg(target_arch = "wasm32")]

mod common;

use branchpulse::storage::drafts::{self, DraftError};
use branchpulse::storage::keys;
use branchpulse::storage::outbox::{Added, Outbox, FAILED_ALONE, UNREADABLE};
use branchpulse::storage::StorageUse;
use branchpulse_core::Response;
use common::{at, id, json, put_raw, raw_record, response, sleep};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// A fresh outbox in a database of the test's own.
async fn fresh(name: &str) -> Outbox {
    Outbox::delete_named(name).await.unwrap();
    Outbox::open_named(name).await.unwrap()
}

async fn finish(outbox: Outbox, name: &str) {
    outbox.close();
    Outbox::delete_named(name).await.unwrap();
}

fn ids(batch: &branchpulse::storage::outbox::Batch) -> Vec<String> {
    batch.ready.iter().map(|p| p.id.clone()).collect()
}

#[wasm_bindgen_test]
async fn outbox_add_count_pending_remove_and_reject_round_trip() {
    let name = "bp-test-round-trip";
    let outbox = fresh(name).await;
    assert_eq!(outbox.count().await.unwrap(), 0);
    assert!(outbox.pending(10).await.unwrap().ready.is_empty());

    // Added out of id order: the queue follows the time of adding.
    for n in [9, 3, 7, 5] {
        assert_eq!(outbox.add(&response(n)).await.unwrap(), Added::Queued);
        sleep(3).await;
    }
    assert_eq!(outbox.count().await.unwrap(), 4);

    let batch = outbox.pending(3).await.unwrap();
    assert_eq!(
        ids(&batch),
        [id(9), id(3), id(7)],
        "oldest first, at most 3"
    );
    assert!(batch.set_aside.is_empty());
    assert_eq!(
        serde_json::from_str::<Response>(&batch.ready[0].response).unwrap(),
        response(9),
        "the response survives the trip"
    );
    assert_eq!(batch.ready[0].response_id, response(9).id);
    assert_eq!(batch.ready[0].attempts, 0);
    assert!(batch.ready[0].queued_at.as_deref().unwrap().ends_with('Z'));

    outbox.mark_attempt(&[id(3)]).await.unwrap();
    outbox.mark_attempt(&[id(3)]).await.unwrap();
    outbox.remove(&[id(9), id(7)]).await.unwrap();
    outbox
        .reject(&[(id(5), "branch: unknown branch code \"B01\"".into())])
        .await
        .unwrap();

    assert_eq!(outbox.count().await.unwrap(), 1);
    let batch = outbox.pending(10).await.unwrap();
    assert_eq!(ids(&batch), [id(3)]);
    assert_eq!(batch.ready[0].attempts, 2, "attempts are counted");

    assert_eq!(outbox.count_rejected().await.unwrap(), 1);
    let rejected = outbox.list_rejected().await.unwrap();
    assert_eq!(rejected.len(), 1);
    assert_eq!(rejected[0].id, id(5));
    assert_eq!(rejected[0].reason, "branch: unknown branch code \"B01\"");
    assert!(rejected[0].rejected_at.starts_with("20"));

    // What "Export as JSON" saves: the whole records.
    let exported: serde_json::Value =
        serde_json::from_str(&outbox.rejected_json().await.unwrap()).unwrap();
    assert_eq!(exported.as_array().unwrap().len(), 1);
    assert_eq!(exported[0]["id"], id(5));
    assert_eq!(exported[0]["reason"], "branch: unknown branch code \"B01\"");
    assert_eq!(
        exported[0]["response"],
        serde_json::to_value(response(5)).unwrap(),
        "the response as it was queued"
    );
    assert!(exported[0]["rejected_at"].as_str().unwrap().ends_with('Z'));

    // Removing or rejecting what is not there changes nothing.
    outbox.remove(&[id(42)]).await.unwrap();
    outbox.reject(&[(id(42), "x".into())]).await.unwrap();
    assert_eq!(outbox.count().await.unwrap(), 1);
    assert_eq!(outbox.count_rejected().await.unwrap(), 1);

    outbox.delete_rejected(&[id(5)]).await.unwrap();
    assert_eq!(outbox.count_rejected().await.unwrap(), 0);
    finish(outbox, name).await;
}

#[wasm_bindgen_test]
async fn the_outbox_survives_closing_and_reopening() {
    let name = "bp-test-reopen";
    let outbox = fresh(name).await;
    outbox.add(&response(1)).await.unwrap();
    outbox.close();
    let outbox = Outbox::open_named(name).await.unwrap();
    assert_eq!(ids(&outbox.pending(10).await.unwrap()), [id(1)]);
    finish(outbox, name).await;
}

#[wasm_bindgen_test]
async fn adding_the_same_response_twice_stores_it_once() {
    let name = "bp-test-duplicate";
    let outbox = fresh(name).await;
    assert_eq!(outbox.add(&response(1)).await.unwrap(), Added::Queued);
    let first = outbox.pending(10).await.unwrap().ready[0].queued_at.clone();
    sleep(3).await;
    assert_eq!(
        outbox.add(&response(1)).await.unwrap(),
        Added::AlreadyQueued
    );
    assert_eq!(outbox.count().await.unwrap(), 1);
    let batch = outbox.pending(10).await.unwrap();
    assert_eq!(batch.ready.len(), 1);
    assert_eq!(batch.ready[0].queued_at, first, "the first copy is kept");
    finish(outbox, name).await;
}

#[wasm_bindgen_test]
async fn an_unreadable_record_is_set_aside_without_blocking_the_others() {
    let name = "bp-test-corrupt";
    let outbox = fresh(name).await;
    outbox.add(&response(1)).await.unwrap();
    put_raw(
        name,
        &[
            // The oldest, so first in line: not a response at all.
            json(r#"{"id":"junk-1","response":{"hello":1},"queued_at":"2000-01-01T00:00:00.000Z","attempts":0}"#),
            // An id that is not a string, and no response field.
            json(r#"{"id":42,"queued_at":"2000-01-02T00:00:00.000Z"}"#),
            // The key differs from response.id.
            json(&format!(
                r#"{{"id":"{}","response":{},"queued_at":"2000-01-03T00:00:00.000Z","attempts":0}}"#,
                id(77),
                serde_json::to_string(&response(78)).unwrap()
            )),
            // Written straight into the store, as the end-to-end tests do.
            raw_record(3, Some("2001-01-01T00:00:00.000Z")),
            // No queued_at: not in the index, still sent, last.
            raw_record(4, None),
        ],
    )
    .await;
    assert_eq!(outbox.count().await.unwrap(), 6);

    let batch = outbox.pending(10).await.unwrap();
    assert_eq!(ids(&batch), [id(3), id(1), id(4)]);
    let mut aside = batch.set_aside.clone();
    aside.sort();
    let mut expected = vec!["42".to_string(), "junk-1".into(), id(77)];
    expected.sort();
    assert_eq!(aside, expected);
    assert_eq!(
        outbox.count().await.unwrap(),
        3,
        "the readable ones wait on"
    );

    let rejected = outbox.list_rejected().await.unwrap();
    assert_eq!(rejected.len(), 3);
    for entry in &rejected {
        assert!(
            entry.reason.starts_with(UNREADABLE),
            "{}: {}",
            entry.id,
            entry.reason
        );
    }
    let exported: serde_json::Value =
        serde_json::from_str(&outbox.rejected_json().await.unwrap()).unwrap();
    let entry = |id: serde_json::Value| {
        exported
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"] == id)
            .unwrap()
            .clone()
    };
    assert_eq!(
        entry("junk-1".into())["response"],
        serde_json::json!({"hello": 1}),
        "kept as found"
    );
    assert_eq!(
        entry("42".into())["response"],
        serde_json::json!({"id": 42, "queued_at": "2000-01-02T00:00:00.000Z"}),
        "no response field: the whole record is kept"
    );

    // The next read finds only readable records.
    let batch = outbox.pending(10).await.unwrap();
    assert!(batch.set_aside.is_empty());
    assert_eq!(batch.ready.len(), 3);
    finish(outbox, name).await;
}

#[wasm_bindgen_test]
async fn a_thousand_records_written_into_the_store_come_out_oldest_first_in_batches() {
    let name = "bp-test-thousand";
    let outbox = fresh(name).await;
    // Ids run against time, so key order is not queue order.
    let records: Vec<_> = (0..1000u32)
        .map(|i| raw_record(u128::from(1000 - i), Some(&at(i))))
        .collect();
    put_raw(name, &records).await;
    assert_eq!(outbox.count().await.unwrap(), 1000);

    let mut seen = Vec::new();
    loop {
        let batch = outbox.pending(100).await.unwrap();
        if batch.ready.is_empty() {
            break;
        }
        assert!(batch.ready.len() <= 100);
        assert!(batch.set_aside.is_empty());
        let batch_ids = ids(&batch);
        outbox.remove(&batch_ids).await.unwrap();
        seen.extend(batch_ids);
    }
    let expected: Vec<String> = (0..1000u32).map(|i| id(u128::from(1000 - i))).collect();
    assert_eq!(seen, expected);
    assert_eq!(outbox.count().await.unwrap(), 0);
    finish(outbox, name).await;
}

#[wasm_bindgen_test]
fn storage_use_warns_above_eighty_percent() {
    let at = |usage| StorageUse {
        usage,
        quota: 1000.0,
    };
    assert!(!at(800.0).nearly_full());
    assert!(at(801.0).nearly_full());
    assert_eq!(at(853.0).percent(), 85);
    let unknown = StorageUse {
        usage: 5.0,
        quota: 0.0,
    };
    assert!(!unknown.nearly_full());
}

#[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize)]
struct VisitDraft {
    branch: String,
    answers: Vec<u8>,
}

#[wasm_bindgen_test]
fn a_draft_is_saved_loaded_and_removed() {
    let key = keys::draft("visit-1");
    assert_eq!(key, "branchpulse.draft.visit-1");
    drafts::remove(&key);
    assert_eq!(drafts::load::<VisitDraft>(&key), Ok(None));
    let draft = VisitDraft {
        branch: "B01".into(),
        answers: vec![5, 4],
    };
    drafts::save(&key, &draft).unwrap();
    assert_eq!(drafts::load::<VisitDraft>(&key), Ok(Some(draft)));
    assert!(drafts::draft_ids().contains(&"visit-1".to_string()));
    drafts::remove(&key);
    assert_eq!(drafts::load::<VisitDraft>(&key), Ok(None));
}

#[wasm_bindgen_test]
fn a_corrupt_draft_is_moved_aside_and_reported() {
    let storage = web_sys::window().unwrap().local_storage().unwrap().unwrap();
    let key = keys::draft("visit-2");
    let aside = keys::corrupt(&key);
    assert_eq!(aside, "branchpulse.draft.visit-2.corrupt");
    storage.remove_item(&aside).unwrap();
    storage
        .set_item(&key, "{\"branch\": \"B01\", trunc")
        .unwrap();

    match drafts::load::<VisitDraft>(&key) {
        Err(DraftError::Corrupt {
            key: k,
            moved_to,
            reason,
        }) => {
            assert_eq!(k, key);
            assert_eq!(moved_to.as_deref(), Some(aside.as_str()));
            assert!(!reason.is_empty());
        }
        other => panic!("expected a corrupt draft, got {other:?}"),
    }
    // Nothing is lost: the value is kept aside, verbatim.
    assert_eq!(
        storage.get_item(&aside).unwrap().as_deref(),
        Some("{\"branch\": \"B01\", trunc")
    );
    // The page starts afresh.
    assert_eq!(drafts::load::<VisitDraft>(&key), Ok(None));
    assert!(!drafts::draft_ids().iter().any(|id| id.contains("corrupt")));

    // A value of the wrong shape is just as unreadable.
    storage.set_item(&key, "[1, 2, 3]").unwrap();
    assert!(matches!(
        drafts::load::<VisitDraft>(&key),
        Err(DraftError::Corrupt { .. })
    ));
    storage.remove_item(&aside).unwrap();
}

#[wasm_bindgen_test]
async fn failures_and_strikes_are_kept_in_the_record_until_the_last_moves_it() {
    let name = "bp-test-strikes";
    let outbox = fresh(name).await;
    outbox.add(&response(1)).await.unwrap();
    outbox.add(&response(2)).await.unwrap();
    let batch = outbox.pending(10).await.unwrap();
    assert!(batch
        .ready
        .iter()
        .all(|p| p.failing_since.is_none() && p.strikes == 0));

    let before = js_sys::Date::now();
    outbox.mark_attempt(&[id(1)]).await.unwrap();
    let first = outbox.pending(1).await.unwrap().ready[0]
        .failing_since
        .unwrap();
    assert!(first >= before && first <= js_sys::Date::now());
    sleep(5).await;
    outbox.mark_attempt(&[id(1)]).await.unwrap();
    let error = "HTTP 500: internal server error; the details are in the server's log";
    for _ in 0..2 {
        assert!(!outbox.strike(&id(1), error, 3).await.unwrap());
    }

    // A reload (a new connection) finds them as they were.
    outbox.close();
    let outbox = Outbox::open_named(name).await.unwrap();
    let batch = outbox.pending(10).await.unwrap();
    let record = &batch.ready[0];
    assert_eq!(record.id, id(1));
    assert_eq!(record.attempts, 2);
    assert_eq!(
        record.failing_since,
        Some(first),
        "the first failure's time is kept"
    );
    assert_eq!(record.strikes, 2);
    assert_eq!((batch.ready[1].strikes, batch.ready[1].attempts), (0, 0));

    // The third strike of three moves it, with the server's words.
    assert!(outbox.strike(&id(1), error, 3).await.unwrap());
    assert_eq!(outbox.counts().await.unwrap(), (1, 1));
    let rejected = outbox.list_rejected().await.unwrap();
    assert_eq!(rejected[0].id, id(1));
    assert_eq!(
        rejected[0].reason,
        format!("{FAILED_ALONE} 3 times: {error}")
    );
    let exported: serde_json::Value =
        serde_json::from_str(&outbox.rejected_json().await.unwrap()).unwrap();
    assert_eq!(
        exported[0]["response"],
        serde_json::to_value(response(1)).unwrap()
    );

    // A strike against what is not waiting changes nothing.
    assert!(!outbox.strike(&id(42), error, 1).await.unwrap());
    assert_eq!(outbox.counts().await.unwrap(), (1, 1));
    finish(outbox, name).await;
}
