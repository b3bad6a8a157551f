//! Sending the kiosk customers' requests to be contacted, each after its
//! response.
//!
//! A request waits in IndexedDB (`storage::contacts`) while its response is
//! still in the outbox (or set aside as needing attention): the server
//! takes a contact only for a response it has. Once the outbox has let the
//! response go (the server confirmed it), the request is sent
//! (`POST /api/v1/contacts`) and leaves the device when the server says it
//! has it (201, or 200 for one it had already). Each look is run when a
//! request is kept, when a sync pass confirmed responses, when the browser
//! comes back online, every [`INTERVAL`], and after a failure with the
//! outbox's back-off ([`super::backoff`], scaled like the outbox's by
//! `branchpulse.sync.retry_ms`): no answer, a 5xx, a refused token, or a
//! 409 saying the response has not arrived.
//!
//! A request the server will never take is dropped, with a line in the
//! console: a number or address it refuses (422), one for a response of
//! another branch (403 at `response`), or one whose response already has a
//! contact (409 at `response` or `id`: the server has one). Keeping a
//! customer's phone number on a shared lobby tablet for no one would help
//! nobody.
//!
//! Only the kiosk starts this.

use super::{backoff, use_sync, SyncHandle};
use crate::api::{self, ApiError};
use crate::storage::contacts::{self, ContactStore};
use crate::storage::outbox::Place;
use crate::storage::{keys, settings, StoreError};
use branchpulse_core::cases::ContactRequest;
use branchpulse_core::ProblemCode;
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::Duration;

/// How often to look while nothing else asks.
const INTERVAL: Duration = Duration::from_secs(30);

/// The kiosk's contact sender, provided by [`provide_contact_sync`].
#[derive(Clone, Copy)]
pub struct ContactSync {
    sender: StoredValue<Rc<Sender>, LocalStorage>,
}

struct Sender {
    sync: SyncHandle,
    running: Cell<bool>,
    /// A look was asked for while one ran.
    again: Cell<bool>,
    /// Looks in a row that left something to try again.
    failures: Cell<u32>,
    retry: RefCell<Option<TimeoutHandle>>,
    base_ms: f64,
    max_ms: f64,
}

/// Start sending contact requests and provide [`ContactSync`] (the kiosk only).
pub fn provide_contact_sync() -> ContactSync {
    let base_ms = settings::ms(keys::SYNC_RETRY_MS).map_or(backoff::BASE_MS, f64::from);
    let sender = Rc::new(Sender {
        sync: use_sync(),
        running: Cell::new(false),
        again: Cell::new(false),
        failures: Cell::new(0),
        retry: RefCell::new(None),
        base_ms,
        max_ms: base_ms * (backoff::MAX_MS / backoff::BASE_MS),
    });
    let handle = ContactSync {
        sender: StoredValue::new_local(sender),
    };
    provide_context(handle);
    if let Ok(h) = set_interval_with_handle(
        move || {
            // During a back-off the retry's timer looks, not the interval.
            let waiting = handle
                .sender
                .try_with_value(|s| s.retry.borrow().is_some())
                .unwrap_or(true);
            if !waiting {
                handle.kick();
            }
        },
        INTERVAL,
    ) {
        on_cleanup(move || h.clear());
    }
    let online = window_event_listener_untyped("online", move |_| handle.kick());
    on_cleanup(move || online.remove());
    // At start-up, and whenever a sync pass confirmed responses: theirs
    // may be waiting.
    let sync = use_sync();
    Effect::new(move |was: Option<()>| {
        sync.state.with(|s| s.last_sync);
        // At start-up, once the page has loaded: opening IndexedDB does
        // not help the first question (`crate::loaded`).
        if was.is_none() {
            crate::loaded::after_load(move || handle.kick());
        } else {
            handle.kick();
        }
    });
    on_cleanup(move || {
        if let Some(sender) = handle.sender.try_get_value() {
            if let Some(retry) = sender.retry.borrow_mut().take() {
                retry.clear();
            }
        }
    });
    handle
}

pub fn use_contact_sync() -> ContactSync {
    expect_context::<ContactSync>()
}

impl ContactSync {
    /// Keep `request` on the device, then look at once (its response may
    /// be on the server already). Resolves once the request is committed.
    pub async fn save(self, request: &ContactRequest) -> Result<(), StoreError> {
        contacts::save(request).await?;
        self.kick();
        Ok(())
    }

    /// Look now (one look at a time; one asked for during a look runs
    /// after it), also during a back-off.
    pub fn kick(self) {
        let Some(sender) = self.sender.try_get_value() else {
            return;
        };
        if sender.running.get() {
            sender.again.set(true);
            return;
        }
        if let Some(retry) = sender.retry.borrow_mut().take() {
            retry.clear();
        }
        sender.running.set(true);
        // No lock across tabs (a kiosk runs one): two tabs sending the same
        // request get "accepted" and "duplicate", and both let it go.
        spawn_local(async move {
            let later = loop {
                sender.again.set(false);
                let later = sender.look().await;
                if !sender.again.get() {
                    break later;
                }
            };
            sender.running.set(false);
            if later {
                self.back_off(&sender);
            } else {
                sender.failures.set(0);
            }
        });
    }

    fn back_off(self, sender: &Sender) {
        let failures = sender.failures.get().saturating_add(1);
        sender.failures.set(failures);
        let ms = backoff::delay_within(
            sender.base_ms,
            sender.max_ms,
            failures,
            js_sys::Math::random(),
        );
        *sender.retry.borrow_mut() =
            set_timeout_with_handle(move || self.kick(), Duration::from_millis(ms as u64)).ok();
    }
}

impl Sender {
    /// Send what may go; `true` when something is left to try again later.
    async fn look(&self) -> bool {
        let store = match ContactStore::open().await {
            Ok(store) => store,
            Err(e) => {
                warn("contacts", &e.0);
                return true;
            }
        };
        let later = self.send_all(&store).await;
        store.close();
        later
    }

    async fn send_all(&self, store: &ContactStore) -> bool {
        let kept = match store.all().await {
            Ok(kept) => kept,
            Err(e) => {
                warn("contacts", &e.0);
                return true;
            }
        };
        let mut later = false;
        for c in kept {
            match self.sync.place_of(&c.response).await {
                Ok(Place::Gone) => {}
                // Its response goes first; its confirmation looks again.
                Ok(Place::Waiting | Place::Rejected) => continue,
                Err(e) => {
                    warn("contacts", &e.0);
                    return true;
                }
            }
            match api::send_contact(c.body).await {
                // Not removed (storage failing): sent again, "duplicate".
                Ok(()) => drop(store.remove(&c.id).await),
                Err(e) => match never(&e) {
                    Some(why) => {
                        warn("a contact request refused for good, dropped:", why);
                        drop(store.remove(&c.id).await);
                    }
                    None => {
                        later = true;
                        // No answer: the others would get none either.
                        if !matches!(e, ApiError::Server { .. }) {
                            return true;
                        }
                    }
                },
            }
        }
        later
    }
}

/// Why the server will never take the request, if it will not: it
/// refuses the value, the response is not this kiosk's, or the response or
/// the id already has a contact. A 409 whose code is `not_found` means its
/// response has not arrived: that one is tried again.
fn never(e: &ApiError) -> Option<&str> {
    let ApiError::Server {
        status,
        code,
        field,
        message,
    } = e
    else {
        return None;
    };
    let permanent = match status {
        409 => *code != Some(ProblemCode::NotFound),
        403 => field.as_deref() == Some("response"),
        413 | 422 => true,
        _ => false,
    };
    permanent.then_some(message.as_str())
}

fn warn(what: &str, detail: &str) {
    web_sys::console::warn_3(&"BranchPulse:".into(), &what.into(), &detail.into());
}
