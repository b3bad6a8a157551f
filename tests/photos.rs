//! Browser tests of the shopper's photo store (`storage::photos`, IndexedDB):
//! deleting a draft forgets its photos and no other draft's.
#![cfg(target_arch = "wasm32")]

use branchpulse::storage::photos::{self, Photo, PhotoStore};
use js_sys::{Array, Uint8Array};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn photo(id: &str, draft: &str) -> Photo {
    let bytes = Uint8Array::from(&[0xFF, 0xD8, 0xFF, 0xD9][..]);
    let blob = web_sys::Blob::new_with_u8_array_sequence(&Array::of1(&bytes)).unwrap();
    Photo {
        id: id.into(),
        draft: draft.into(),
        item: None,
        stage: Some("waiting".into()),
        blob,
        size: 4,
        sha256: "0".repeat(64),
        queued: false,
        received: 0,
    }
}

async fn ids() -> Vec<(String, String)> {
    let store = PhotoStore::open().await.unwrap();
    let mut all: Vec<_> = store
        .all()
        .await
        .unwrap()
        .into_iter()
        .map(|p| (p.draft, p.id))
        .collect();
    store.close();
    all.sort();
    all
}

#[wasm_bindgen_test]
async fn deleting_a_draft_forgets_its_photos_only() {
    let store = PhotoStore::open().await.unwrap();
    for (id, draft) in [("p1", "draft-a"), ("p2", "draft-b"), ("p3", "draft-a")] {
        store.put(&photo(id, draft)).await.unwrap();
    }
    store.close();
    assert_eq!(ids().await.len(), 3);

    photos::forget_draft("draft-a").await.unwrap();
    assert_eq!(ids().await, [("draft-b".to_owned(), "p2".to_owned())]);
    // A draft without photos: nothing else goes.
    photos::forget_draft("draft-c").await.unwrap();
    assert_eq!(ids().await.len(), 1);
    photos::forget_draft("draft-b").await.unwrap();
    assert!(ids().await.is_empty());
}
