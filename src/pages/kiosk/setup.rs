//! The manager's setup form: questionnaire, languages and the one each
//! customer starts in, idle timeout, whether customers are offered to be
//! contacted (on by default); the branch is the enrolled device's,
//! shown and not chosen. The staff PIN is not set here but by an admin (see
//! `pin.rs`). Saving keeps the questionnaire itself on the device and turns
//! kiosk mode on.

use super::config::{KioskSetup, MIN_IDLE_SECS};
use crate::api;
use crate::i18n::{t, text, use_locale, Key};
use crate::storage::kept;
use branchpulse_core::{Kind, Locale, Questionnaire};
use leptos::prelude::*;
use leptos::task::spawn_local;

#[component]
pub fn SetupForm(
    /// The current setup when changing it.
    current: Option<KioskSetup>,
    /// The enrolled device's branch: the kiosk's, not chosen here.
    branch: String,
    on_done: Callback<KioskSetup>,
    /// Shown as "Cancel" when changing an existing setup.
    #[prop(optional)]
    on_cancel: Option<Callback<()>>,
) -> impl IntoView {
    let locale = use_locale();
    let branches = LocalResource::new(kept::branches);
    let questionnaires = LocalResource::new(kept::questionnaires);
    let cur = current.as_ref();
    let branch = StoredValue::new(branch);
    let qid = RwSignal::new(cur.map(|s| s.questionnaire.id.clone()).unwrap_or_default());
    let languages = RwSignal::new(
        cur.map(|s| s.languages.clone())
            .unwrap_or_else(|| Locale::ALL.to_vec()),
    );
    let idle = RwSignal::new(cur.map_or(60, |s| s.idle_secs).to_string());
    let offer_contact = RwSignal::new(cur.is_none_or(|s| s.offer_contact));
    // `None`: the first language offered.
    let home = RwSignal::new(cur.and_then(|s| s.default_language));
    let chosen = move || {
        let offered = |l: &Locale| languages.with(|v| v.contains(l));
        home.get()
            .filter(offered)
            .or_else(|| Locale::ALL.into_iter().find(offered))
    };
    let problem = RwSignal::new(None::<String>);
    let saving = RwSignal::new(false);
    let current = StoredValue::new(current);

    let submit = move |ev: web_sys::SubmitEvent| {
        ev.prevent_default();
        let l = locale.get_untracked();
        let say = |k| Some(text(l, k).to_string());
        let Some(idle_secs) = idle
            .get_untracked()
            .trim()
            .parse::<u32>()
            .ok()
            .filter(|s| *s >= MIN_IDLE_SECS)
        else {
            return problem.set(say(Key::SetupErrIdle));
        };
        let (b, q, langs) = (
            branch.get_value(),
            qid.get_untracked(),
            languages.get_untracked(),
        );
        if b.is_empty() || q.is_empty() || langs.is_empty() {
            return problem.set(say(Key::SetupErrChoose));
        }
        let branch_name = branches
            .get_untracked()
            .and_then(Result::ok)
            .and_then(|all| all.into_iter().find(|x| x.code == b).map(|x| x.name))
            .or_else(|| {
                current.with_value(|c| {
                    c.as_ref()
                        .filter(|c| c.branch == b)
                        .map(|c| c.branch_name.clone())
                })
            })
            .unwrap_or_else(|| b.clone());
        saving.set(true);
        problem.set(None);
        spawn_local(async move {
            let fetched = api::questionnaire_json(&q)
                .await
                .map_err(|e| e.to_string())
                .and_then(|json| {
                    let parsed: Questionnaire =
                        serde_json::from_str(&json).map_err(|e| e.to_string())?;
                    Ok((parsed, json))
                });
            let (questionnaire, questionnaire_json) = match fetched {
                Ok(found) => found,
                // Offline: the questionnaire already on the device will do.
                Err(e) => match current.with_value(|c| {
                    c.as_ref()
                        .filter(|c| c.questionnaire.id == q)
                        .map(|c| (c.questionnaire.clone(), c.questionnaire_json.clone()))
                }) {
                    Some(kept) => kept,
                    None => {
                        saving.set(false);
                        return problem.set(Some(format!("{}: {e}", text(l, Key::LoadFailed))));
                    }
                },
            };
            let languages: Vec<Locale> = Locale::ALL
                .into_iter()
                .filter(|x| langs.contains(x))
                .collect();
            let setup = KioskSetup {
                branch: b,
                branch_name,
                default_language: home.get_untracked().filter(|l| languages.contains(l)),
                languages,
                questionnaire,
                questionnaire_json,
                idle_secs,
                offer_contact: offer_contact.get_untracked(),
                locked: true,
            };
            saving.set(false);
            match setup.save() {
                Ok(()) => on_done.run(setup),
                Err(e) => problem.set(Some(format!("{}: {e}", text(l, Key::SetupErrSave)))),
            }
        });
    };

    let branch_label = move || {
        let code = branch.get_value();
        let name = branches
            .get()
            .and_then(Result::ok)
            .and_then(|all| all.into_iter().find(|b| b.code == code).map(|b| b.name))
            .or_else(|| {
                current.with_value(|c| {
                    c.as_ref()
                        .filter(|c| c.branch == code)
                        .map(|c| c.branch_name.clone())
                })
            });
        match name {
            Some(name) => format!("{code} — {name}"),
            None => code,
        }
    };

    let questionnaire_field = move || match questionnaires.get() {
        None => view! { <p class="loading">{t(Key::Loading)}</p> }.into_any(),
        Some(result) => {
            let l = locale.get();
            let mut list: Vec<(String, String)> = Vec::new();
            for q in result
                .unwrap_or_default()
                .into_iter()
                .filter(|q| q.kind == Kind::Kiosk)
            {
                if !list.iter().any(|(id, _)| *id == q.id) {
                    list.push((q.id.clone(), q.title.get(l).to_string()));
                }
            }
            if let Some((id, title)) = current.with_value(|c| {
                c.as_ref().map(|c| {
                    (
                        c.questionnaire.id.clone(),
                        c.questionnaire.title.get(l).to_string(),
                    )
                })
            }) {
                if !list.iter().any(|(i, _)| *i == id) {
                    list.push((id, title));
                }
            }
            if qid.get_untracked().is_empty() {
                if let Some((id, _)) = list.first() {
                    qid.set(id.clone());
                }
            }
            view! {
                <select
                    id="kiosk-questionnaire"
                    on:change=move |ev| qid.set(event_target_value(&ev))
                >
                    {list
                        .into_iter()
                        .map(|(id, title)| {
                            let selected = qid.get_untracked() == id;
                            view! {
                                <option value=id selected=selected>
                                    {title}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
            }
            .into_any()
        }
    };

    view! {
        <form class="kiosk-setup" on:submit=submit>
            <h2>{t(Key::ChangeSetup)}</h2>
            <p>{t(Key::KioskSetupIntro)}</p>
            <div class="field">
                <span class="label">{t(Key::Branch)}</span>
                <p
                    id="kiosk-branch"
                    class="fixed"
                    data-branch=branch.get_value()
                    aria-describedby="kiosk-branch-hint"
                >
                    {branch_label}
                </p>
                <p id="kiosk-branch-hint" class="hint">
                    {t(Key::EnrolBranchFixed)}
                </p>
            </div>
            <div class="field">
                <label for="kiosk-questionnaire">{t(Key::Questionnaire)}</label>
                {questionnaire_field}
            </div>
            <fieldset class="field">
                <legend>{t(Key::LanguagesOffered)}</legend>
                {Locale::ALL
                    .into_iter()
                    .map(|l| {
                        view! {
                            <label class="check" lang=l.tag()>
                                <input
                                    type="checkbox"
                                    value=l.tag()
                                    prop:checked=move || languages.with(|v| v.contains(&l))
                                    on:change=move |ev| {
                                        let on = event_target_checked(&ev);
                                        languages
                                            .update(|v| {
                                                v.retain(|x| *x != l);
                                                if on {
                                                    v.push(l);
                                                }
                                            });
                                    }
                                />
                                {l.native_name()}
                            </label>
                        }
                    })
                    .collect_view()}
            </fieldset>
            <div class="field">
                <label for="kiosk-home">{t(Key::DefaultLanguage)}</label>
                <select
                    id="kiosk-home"
                    on:change=move |ev| home.set(Locale::from_tag(&event_target_value(&ev)))
                >
                    {Locale::ALL
                        .into_iter()
                        .map(|l| {
                            view! {
                                <option
                                    value=l.tag()
                                    lang=l.tag()
                                    hidden=move || languages.with(|v| !v.contains(&l))
                                    prop:selected=move || chosen() == Some(l)
                                >
                                    {l.native_name()}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="kiosk-idle">{t(Key::IdleTimeout)}</label>
                <input
                    id="kiosk-idle"
                    type="number"
                    inputmode="numeric"
                    min=MIN_IDLE_SECS
                    prop:value=idle
                    on:input=move |ev| idle.set(event_target_value(&ev))
                />
            </div>
            <label class="check">
                <input
                    id="kiosk-offer-contact"
                    type="checkbox"
                    prop:checked=offer_contact
                    on:change=move |ev| offer_contact.set(event_target_checked(&ev))
                />
                {t(Key::SetupOfferContact)}
            </label>
            <p class="error" role="alert">
                {move || problem.get()}
            </p>
            <div class="kiosk-nav">
                {on_cancel
                    .map(|c| {
                        view! {
                            <button type="button" on:click=move |_| c.run(())>
                                {t(Key::Cancel)}
                            </button>
                        }
                    })} <button type="submit" class="primary" disabled=saving>
                    {t(Key::StartKiosk)}
                </button>
            </div>
        </form>
    }
}
