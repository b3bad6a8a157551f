//! The frame's way into the alert inbox, with the number of unread alerts.
//!
//! The count is asked of the server (`GET /api/v1/alerts/unread`) when the
//! reader signs in, then every minute while the page is visible (a hidden
//! tab asks nothing, and asks at once when shown again), and whenever the
//! inbox marks alerts read. `?poll=<seconds>` in the page's address sets
//! another interval (the end-to-end tests use 1 s).

use super::follow_up::poll_ms;
use crate::api::alerts as api;
use crate::i18n::{t, text, use_locale, Key};
use crate::session::Auth;
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::time::Duration;

/// The unread count, shared by the frame's link and the inbox.
#[derive(Clone, Copy)]
pub struct Inbox {
    unread: RwSignal<Option<u32>>,
    auth: Auth,
}

impl Inbox {
    /// The unread count last heard (tracked): the inbox lists again when
    /// it changes.
    pub fn count(self) -> Option<u32> {
        self.unread.get()
    }

    /// Ask the server again (signed in only).
    pub fn refresh(self) {
        if self.auth.user().is_none() {
            return;
        }
        let unread = self.unread;
        spawn_local(async move {
            if let Ok(u) = api::unread().await {
                unread.set(Some(u.count));
            }
        });
    }
}

pub fn use_inbox() -> Option<Inbox> {
    use_context()
}

fn hidden() -> bool {
    document().hidden()
}

/// Share the count and keep it fresh; after `provide_session`.
pub fn provide_inbox(auth: Auth) {
    let inbox = Inbox {
        unread: RwSignal::new(None),
        auth,
    };
    provide_context(inbox);
    let signed_in = Memo::new(move |_| auth.user().is_some());
    Effect::new(move |_| {
        if signed_in.get() {
            inbox.refresh();
        } else {
            inbox.unread.set(None);
        }
    });
    let every = poll_ms(&window().location().search().unwrap_or_default());
    set_interval(
        move || {
            if !hidden() {
                inbox.refresh();
            }
        },
        Duration::from_millis(u64::from(every)),
    );
    // `visibilitychange` bubbles from the document to the window; the
    // listener lives as long as the page.
    _ = window_event_listener_untyped("visibilitychange", move |_| {
        if !hidden() {
            inbox.refresh();
        }
    });
}

/// "Inbox" and, when there are some, how many alerts are unread (read out
/// politely when it changes).
#[component]
pub fn InboxLink(
    /// Whether the inbox is another bundle's page (a page load).
    external: bool,
) -> impl IntoView {
    let Some(inbox) = use_inbox() else {
        return ().into_any();
    };
    let locale = use_locale();
    let count = move || inbox.unread.get().unwrap_or(0);
    view! {
        <Show when=move || inbox.auth.user().is_some()>
            <a
                href="/dashboard?s=inbox"
                class="inbox-link"
                id="inbox-link"
                rel=external.then_some("external")
            >
                {t(Key::AlInbox)}
                <span class="inbox-count" aria-live="polite" data-count=count>
                    {move || {
                        (count() > 0)
                            .then(|| {
                                view! {
                                    " "
                                    <span class="badge unread">
                                        {text(locale.get(), Key::AlUnread)
                                            .replace("{n}", &count().to_string())}
                                    </span>
                                }
                            })
                    }}
                </span>
            </a>
        </Show>
    }
    .into_any()
}
