//! The audit log (the latest 100 lines) and removing a response's free
//! text: customers' own words are the one part of a response that may
//! hold personal data, so an admin can remove them and keep the scores.

use super::{short_time, table, Confirm, Problem};
use crate::api::admin as api;
use crate::api::admin::AuditLine;
use crate::api::ApiError;
use crate::i18n::{t, text, use_locale, Key};
use leptos::prelude::*;
use leptos::task::spawn_local;
use uuid::Uuid;

/// Lines of the log shown.
const LATEST: u32 = 100;

#[component]
pub fn Audit() -> impl IntoView {
    let list = LocalResource::new(|| api::audit(LATEST));
    view! {
        <section aria-labelledby="audit-title">
            <h2 id="audit-title">{t(Key::AdmAudit)}</h2>
            <Purge list />
            <h3>{t(Key::AdmAuditLatest)}</h3>
            {table(
                list,
                Key::AdmNoAudit,
                "audit-list",
                &[Key::AdmWhen, Key::AdmWho, Key::AdmWhat, Key::AdmTarget, Key::AdmDetail],
                move |a| {
                    view! {
                        <tr data-action=a.action.clone()>
                            <td>{short_time(&a.at)}</td>
                            <td>{a.actor}</td>
                            <th scope="row">{a.action.clone()}</th>
                            <td class="target">{a.target}</td>
                            <td class="detail">{a.detail}</td>
                        </tr>
                    }
                },
            )}
        </section>
    }
}

#[component]
fn Purge(list: LocalResource<Result<Vec<AuditLine>, ApiError>>) -> impl IntoView {
    let locale = use_locale();
    let problem = Problem::new("purge");
    let id = RwSignal::new(String::new());
    let done = RwSignal::new(None::<usize>);
    let purge = move |()| {
        problem.clear();
        done.set(None);
        let l = locale.get_untracked();
        let Ok(uuid) = id.get_untracked().trim().parse::<Uuid>() else {
            problem.refuse("id", text(l, Key::AdmBadId).into());
            return;
        };
        spawn_local(async move {
            match api::purge_text(uuid).await {
                Ok(purged) => {
                    done.set(Some(purged.removed));
                    id.set(String::new());
                    list.refetch();
                }
                Err(e) => problem.failed(&e, &["id"], l),
            }
        });
    };
    view! {
        <form class="form admin-form" id="purge" on:submit=|e| e.prevent_default()>
            <h3>{t(Key::AdmPurge)}</h3>
            <p class="hint">{t(Key::AdmPurgeHint)}</p>
            <div class="field">
                <label for="purge-id">{t(Key::AdmResponseId)}</label>
                <input
                    id="purge-id"
                    prop:value=id
                    spellcheck="false"
                    aria-invalid=problem.is_at("id")
                    aria-describedby=problem.described("id")
                    on:input=move |e| id.set(event_target_value(&e))
                />
                {problem.show("id")}
            </div>
            {problem.show("")}
            {move || {
                done.get()
                    .map(|n| {
                        view! {
                            <p class="ok" id="purge-done" role="status">
                                {move || {
                                    text(locale.get(), Key::AdmPurged)
                                        .replace("{n}", &n.to_string())
                                }}
                            </p>
                        }
                    })
            }}
            <Confirm
                label=Key::AdmPurge
                question=Key::AdmPurgeAsk
                yes=Key::AdmPurgeYes
                on_yes=Callback::new(purge)
            />
        </form>
    }
}
