//! Webhooks, below the alert rules: the list, a form (name, address,
//! active), the signing secret shown once after making one or giving it a
//! new secret (with a copy button; the list shows only its end), a test
//! post with what came of it, and each webhook's delivery log (every
//! attempt with its status or error and time).

use super::{cards, given, listing, short_time, Confirm, Problem};
use crate::api::alerts::{self as api, Attempt, Delivery, Webhook};
use crate::api::ApiError;
use crate::i18n::{t, text, use_locale, Key};
use branchpulse_core::webhooks::{check_webhook, NewWebhook};
use branchpulse_core::Locale;
use leptos::prelude::*;
use leptos::task::spawn_local;
use uuid::Uuid;
use wasm_bindgen::JsValue;

const FIELDS: [&str; 2] = ["name", "url"];

type Hooks = LocalResource<Result<Vec<Webhook>, ApiError>>;

/// A secret just given, to show once: the webhook's name and the secret.
type Secret = RwSignal<Option<(String, String)>>;

#[component]
pub fn Webhooks(hooks: Hooks) -> impl IntoView {
    let editing = RwSignal::new(None::<Webhook>);
    let secret: Secret = RwSignal::new(None);
    // The webhook whose delivery log is open.
    let log = RwSignal::new(None::<Uuid>);
    view! {
        <section aria-labelledby="hooks-title">
            <h2 id="hooks-title">{t(Key::HookTitle)}</h2>
            <p class="hint">{t(Key::HookIntro)}</p>
            <SecretBox secret />
            {cards(
                hooks,
                Key::HookNone,
                "hook-list",
                move |h: Webhook| view! { <HookRow h hooks editing secret log /> },
            )}
            {move || {
                log.get()
                    .map(|id| {
                        let name = hooks
                            .get()
                            .and_then(Result::ok)
                            .and_then(|all| all.into_iter().find(|h| h.id == id))
                            .map(|h| h.name)
                            .unwrap_or_default();
                        view! { <DeliveryLog id name log /> }
                    })
            }}
            {move || {
                let current = editing.get();
                view! { <HookForm hooks editing current secret /> }
            }}
        </section>
    }
}

#[component]
fn HookRow(
    h: Webhook,
    hooks: Hooks,
    editing: RwSignal<Option<Webhook>>,
    secret: Secret,
    log: RwSignal<Option<Uuid>>,
) -> impl IntoView {
    let locale = use_locale();
    let problem = Problem::new(format!("hook-{}", h.id));
    let id = h.id;
    let stored = StoredValue::new(h.clone());
    // What the last test came to, in words.
    let tested = RwSignal::new(None::<String>);
    let rotate = move |()| {
        problem.clear();
        spawn_local(async move {
            match api::new_secret(id).await {
                Ok(w) => secret.set(w.secret.map(|s| (w.name, s))),
                Err(e) => problem.failed(&e, &[], locale.get_untracked()),
            }
        });
    };
    let test = move |_| {
        problem.clear();
        tested.set(None);
        spawn_local(async move {
            match api::test_webhook(id).await {
                Ok(a) => tested.set(Some(attempt_words(&a, locale.get_untracked()))),
                Err(e) => problem.failed(&e, &[], locale.get_untracked()),
            }
        });
    };
    view! {
        <li class="follow-item" data-hook=h.id.to_string() class:inactive=!h.active>
            <p class="follow-head">
                <strong>{h.name.clone()}</strong>
                " · "
                {t(if h.active { Key::HookOn } else { Key::HookOff })}
            </p>
            <dl class="facts">
                <dt>{t(Key::HookUrl)}</dt>
                <dd class="detail">{h.url.clone()}</dd>
                <dt>{t(Key::HookSecret)}</dt>
                <dd class="detail">{h.secret_hint.clone()}</dd>
            </dl>
            <p class="actions">
                <button type="button" on:click=move |_| editing.set(Some(stored.get_value()))>
                    {t(Key::AdmEdit)}
                </button>
                <button
                    type="button"
                    class="hook-log"
                    aria-expanded=move || (log.get() == Some(id)).to_string()
                    on:click=move |_| {
                        log.update(|l| *l = if *l == Some(id) { None } else { Some(id) })
                    }
                >
                    {t(Key::HookLog)}
                </button>
                <button type="button" class="hook-test" on:click=test>
                    {t(Key::HookTest)}
                </button>
                <span class="hook-tested" role="status">
                    {move || tested.get()}
                </span>
                <Confirm
                    label=Key::HookRotate
                    question=Key::HookRotateAsk
                    yes=Key::HookRotate
                    on_yes=Callback::new(rotate)
                />
                <Confirm
                    label=Key::RuleDelete
                    question=Key::HookDeleteAsk
                    yes=Key::RuleDeleteYes
                    on_yes=Callback::new(move |()| {
                        spawn_local(async move {
                            match api::delete_webhook(id).await {
                                Ok(()) => hooks.refetch(),
                                Err(e) => problem.failed(&e, &[], locale.get_untracked()),
                            }
                        })
                    })
                />
            </p>
            {problem.show("")}
        </li>
    }
}

/// The secret just given, once, with a copy button.
#[component]
fn SecretBox(secret: Secret) -> impl IntoView {
    let copied = RwSignal::new(false);
    move || {
        secret.get().map(|(name, value)| {
            let v = value.clone();
            let copy = move |_| {
                copied.set(copy_text(&v));
            };
            view! {
                <div class="enrolment secret" role="status" id="hook-secret">
                    <h3>{t(Key::HookSecret)} ": " {name}</h3>
                    <p class="hint">{t(Key::HookSecretHint)}</p>
                    <label for="hook-secret-value">{t(Key::HookSecret)}</label>
                    <input id="hook-secret-value" type="text" readonly prop:value=value />
                    <button type="button" id="hook-secret-copy" on:click=copy>
                        {t(Key::HookCopy)}
                    </button>
                    {move || {
                        copied.get().then(|| view! { <span class="ok">{t(Key::HookCopied)}</span> })
                    }}
                    <button
                        type="button"
                        on:click=move |_| {
                            copied.set(false);
                            secret.set(None);
                        }
                    >
                        {t(Key::HookSecretDone)}
                    </button>
                </div>
            }
        })
    }
}

/// `navigator.clipboard.writeText(text)`, where the browser has it (a
/// secure context); whether it was asked.
fn copy_text(text: &str) -> bool {
    let navigator = window().navigator();
    let Ok(clipboard) = js_sys::Reflect::get(&navigator, &JsValue::from_str("clipboard")) else {
        return false;
    };
    let Ok(write) = js_sys::Reflect::get(&clipboard, &JsValue::from_str("writeText")) else {
        return false;
    };
    match write.dyn_ref::<js_sys::Function>() {
        Some(f) => f.call1(&clipboard, &JsValue::from_str(text)).is_ok(),
        None => false,
    }
}

use wasm_bindgen::JsCast;

#[component]
fn HookForm(
    hooks: Hooks,
    editing: RwSignal<Option<Webhook>>,
    current: Option<Webhook>,
    secret: Secret,
) -> impl IntoView {
    let problem = Problem::new("hook");
    let editing_id = current.as_ref().map(|h| h.id);
    let name = RwSignal::new(current.as_ref().map(|h| h.name.clone()).unwrap_or_default());
    let url = RwSignal::new(current.as_ref().map(|h| h.url.clone()).unwrap_or_default());
    let active = RwSignal::new(current.as_ref().is_none_or(|h| h.active));
    let busy = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        problem.clear();
        let hook = NewWebhook {
            name: given(name.get_untracked()).unwrap_or_default(),
            url: url.get_untracked().trim().to_string(),
            active: active.get_untracked(),
        };
        // The server's checks, first: a name, an address it can post to.
        if !problem.check(check_webhook(&hook)) {
            return;
        }
        let request = async move {
            match editing_id {
                Some(id) => api::change_webhook(id, &hook).await,
                None => api::add_webhook(&hook).await,
            }
        };
        problem.send(busy, &FIELDS, request, move |w| {
            hooks.refetch();
            if let Some(s) = w.secret {
                secret.set(Some((w.name, s)));
            }
            if editing_id.is_some() {
                editing.set(None);
            } else {
                name.set(String::new());
                url.set(String::new());
            }
        });
    };
    let input = move |f: &'static str, key: Key, value: RwSignal<String>, kind: &'static str| {
        view! {
            <div class="field">
                <label for=problem.id(f)>{t(key)}</label>
                <input
                    id=problem.id(f)
                    type=kind
                    prop:value=value
                    aria-invalid=problem.is_at(f)
                    aria-describedby=problem.described(f)
                    on:input=move |e| value.set(event_target_value(&e))
                />
                {problem.show(f)}
            </div>
        }
    };
    view! {
        <form class="form admin-form" id="hook-form" novalidate on:submit=submit>
            <h3>{t(if editing_id.is_some() { Key::HookEditTitle } else { Key::HookAdd })}</h3>
            {input("name", Key::AdmName, name, "text")}
            {input("url", Key::HookUrl, url, "url")}
            <div class="field check">
                <input
                    id="hook-active"
                    type="checkbox"
                    prop:checked=active
                    on:change=move |e| active.set(event_target_checked(&e))
                />
                <label for="hook-active">{t(Key::HookOn)}</label>
            </div>
            {problem.show("")}
            <button type="submit" class="primary" disabled=busy>
                {t(Key::AdmSave)}
            </button>
            {editing_id
                .is_some()
                .then(|| {
                    view! {
                        <button type="button" on:click=move |_| editing.set(None)>
                            {t(Key::Cancel)}
                        </button>
                    }
                })}
        </form>
    }
}

/// An attempt in words: "#2 delivered: HTTP 200, 35 ms", or why not.
fn attempt_words(a: &Attempt, l: Locale) -> String {
    let how = match (a.http_status, &a.error) {
        (Some(s), Some(e)) => format!("HTTP {s}, {e}"),
        (Some(s), None) => format!("HTTP {s}"),
        (None, Some(e)) => e.clone(),
        (None, None) => String::new(),
    };
    text(
        l,
        if a.delivered {
            Key::HookAttemptOk
        } else {
            Key::HookAttemptFailed
        },
    )
    .replace("{n}", &a.attempt.max(1).to_string())
    .replace("{how}", &how)
    .replace("{ms}", &a.millis.to_string())
}

fn delivery_key(status: &str) -> Key {
    match status {
        "delivered" => Key::HookDelivered,
        "failed" => Key::HookFailed,
        _ => Key::HookPending,
    }
}

/// Webhook `id`'s deliveries, newest first, each with its attempts.
#[component]
fn DeliveryLog(id: Uuid, name: String, log: RwSignal<Option<Uuid>>) -> impl IntoView {
    let list = LocalResource::new(move || api::deliveries(id));
    let locale = use_locale();
    view! {
        <section class="delivery-log" id="delivery-log" aria-labelledby="delivery-log-title">
            <h3 id="delivery-log-title">{t(Key::HookLog)} ": " {name}</h3>
            <button type="button" on:click=move |_| list.refetch()>
                {t(Key::HookRefresh)}
            </button>
            <button type="button" on:click=move |_| log.set(None)>
                {t(Key::DashDrillClose)}
            </button>
            {listing(
                list,
                Key::HookNoLog,
                move |all: Vec<Delivery>| {
                    view! {
                        <ol class="deliveries">
                            {all
                                .into_iter()
                                .map(|d| {
                                    let l = locale.get_untracked();
                                    view! {
                                        <li
                                            data-delivery=d.id.to_string()
                                            data-status=d.status.clone()
                                        >
                                            <strong>{t(delivery_key(&d.status))}</strong>
                                            {d
                                                .next_at
                                                .filter(|_| d.status == "pending")
                                                .map(|n| {
                                                    format!(
                                                        " · {} {}",
                                                        text(l, Key::HookNextTry),
                                                        short_time(&n),
                                                    )
                                                })}
                                            <ul>
                                                {d
                                                    .log
                                                    .into_iter()
                                                    .map(|a| {
                                                        view! {
                                                            <li data-delivered=a.delivered.to_string()>
                                                                <time datetime=a.at.clone()>{short_time(&a.at)}</time>
                                                                " UTC · "
                                                                {attempt_words(&a, l)}
                                                            </li>
                                                        }
                                                    })
                                                    .collect_view()}
                                            </ul>
                                        </li>
                                    }
                                })
                                .collect_view()}
                        </ol>
                    }
                },
            )}
        </section>
    }
}
