//! The visits a shopper started on this phone, until the server has heard
//! of it (`POST /api/v1/visits/{id}/start`). Starting works offline: the id
//! is kept in localStorage ([`keys::SHOP_STARTS`]) first, and sent
//! whenever the phone is online again; the server takes a start twice
//! without harm, so a resend after a lost answer is fine.

use super::{keys, local};
use crate::api::{self, ApiError};
use uuid::Uuid;

/// The starts not yet told to the server, oldest first.
pub fn pending() -> Vec<Uuid> {
    local()
        .and_then(|s| s.get_item(keys::SHOP_STARTS).ok().flatten())
        .and_then(|v| serde_json::from_str(&v).ok())
        .unwrap_or_default()
}

fn save(list: &[Uuid]) -> Result<(), String> {
    let s = local().ok_or("localStorage is not available")?;
    let text = serde_json::to_string(list).map_err(|e| e.to_string())?;
    s.set_item(keys::SHOP_STARTS, &text)
        .map_err(|e| format!("{e:?}"))
}

/// Keep visit `id`'s start to send; an error if the phone could not keep it.
pub fn queue(id: Uuid) -> Result<(), String> {
    let mut list = pending();
    if !list.contains(&id) {
        list.push(id);
    }
    save(&list)
}

/// Send the kept starts, oldest first; each leaves once the server
/// answered for it (accepted, or refused for good: a visit cancelled
/// meanwhile is not started). Stops at the first that cannot be sent now.
/// How many are left.
pub async fn flush() -> usize {
    loop {
        let Some(id) = pending().first().copied() else {
            return 0;
        };
        let result = api::start_visit(id).send().await;
        if let Err(e) = &result {
            if e.is_transient() || matches!(e, ApiError::Server { status: 401, .. }) {
                return pending().len();
            }
        }
        let mut list = pending();
        list.retain(|x| *x != id);
        if save(&list).is_err() {
            return list.len();
        }
    }
}
