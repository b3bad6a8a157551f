//! Browser tests of the kiosk's contact store (`storage::contacts`,
//! IndexedDB): a request is kept apart from the outbox as the body the
//! server takes, and leaves only when removed.
#![cfg(target_arch = "wasm32")]

use branchpulse::storage::contacts::{self, ContactStore};
use branchpulse_core::cases::{ContactRequest, ContactWay};
use branchpulse_core::Locale;
use uuid::Uuid;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn request(n: u128, way: ContactWay, value: &str) -> ContactRequest {
    ContactRequest {
        id: Uuid::from_u128(0xC0_0000 + n),
        response: Uuid::from_u128(0xAE_0000 + n),
        way,
        value: value.into(),
        locale: Locale::Es,
    }
}

async fn kept() -> Vec<(String, String, ContactRequest)> {
    let store = ContactStore::open().await.unwrap();
    let mut all: Vec<_> = store
        .all()
        .await
        .unwrap()
        .into_iter()
        .map(|k| {
            let body: ContactRequest = serde_json::from_str(&k.body).unwrap();
            (k.id, k.response, body)
        })
        .collect();
    store.close();
    all.sort_by(|a, b| a.0.cmp(&b.0));
    all
}

#[wasm_bindgen_test]
async fn a_request_is_kept_as_the_server_takes_it_until_removed() {
    let phone = request(1, ContactWay::Phone, "+44 20 7946 0000");
    let email = request(2, ContactWay::Email, "ana.lopez@example.mx");
    contacts::save(&phone).await.unwrap();
    contacts::save(&email).await.unwrap();
    // Saved again (a double tap): still one record.
    contacts::save(&phone).await.unwrap();
    let all = kept().await;
    assert_eq!(all.len(), 2);
    assert_eq!(
        all[0],
        (
            phone.id.to_string(),
            phone.response.to_string(),
            phone.clone()
        )
    );
    assert_eq!(all[1].2, email);

    let store = ContactStore::open().await.unwrap();
    store.remove(&phone.id.to_string()).await.unwrap();
    store.close();
    let all = kept().await;
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].2, email);
    let store = ContactStore::open().await.unwrap();
    store.remove(&email.id.to_string()).await.unwrap();
    store.close();
    assert!(kept().await.is_empty());
}
