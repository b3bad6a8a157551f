use crate::i18n::{dimension_key, t, text, use_locale, Key};
use crate::storage::kept;
use branchpulse_core::collect;
use branchpulse_core::{Dimension, Kind, Questionnaire};
use leptos::prelude::*;
use std::collections::BTreeSet;

/// The server's questionnaires of one kind (or all), each with its sections
/// and items in the current language.
#[component]
pub fn QuestionnaireList(#[prop(optional)] kind: Option<Kind>) -> impl IntoView {
    let list = LocalResource::new(kept::questionnaires);
    view! {
        <section class="questionnaires" aria-labelledby="q-heading">
            <h2 id="q-heading">{t(Key::Questionnaires)}</h2>
            {move || match list.get() {
                None => view! { <p class="loading">{t(Key::Loading)}</p> }.into_any(),
                Some(Err(e)) => {
                    view! {
                        <div class="error" role="alert">
                            <p>{t(Key::LoadFailed)} ": " {e.to_string()}</p>
                            <button type="button" on:click=move |_| list.refetch()>
                                {t(Key::Retry)}
                            </button>
                        </div>
                    }
                        .into_any()
                }
                Some(Ok(all)) => {
                    let chosen: Vec<_> = collect::set(
                            all
                                .into_iter()
                                .filter(|q| kind.is_none_or(|k| q.kind == k))
                                .map(|q| q.id),
                        )
                        .into_iter()
                        .collect();
                    if chosen.is_empty() {
                        view! { <p>{t(Key::NoQuestionnaires)}</p> }.into_any()
                    } else {
                        chosen
                            .into_iter()
                            .map(|id| view! { <QuestionnaireCard id /> })
                            .collect_view()
                            .into_any()
                    }
                }
            }}
        </section>
    }
}

#[component]
fn QuestionnaireCard(id: String) -> impl IntoView {
    let q = LocalResource::new(move || {
        let id = id.clone();
        async move { kept::questionnaire(&id).await }
    });
    move || match q.get() {
        None => view! { <p class="loading">{t(Key::Loading)}</p> }.into_any(),
        Some(Err(e)) => view! {
            <p class="error" role="alert">
                {t(Key::LoadFailed)}
                ": "
                {e.to_string()}
            </p>
        }
        .into_any(),
        Some(Ok(q)) => view! { <QuestionnaireView q /> }.into_any(),
    }
}

#[component]
fn QuestionnaireView(q: Questionnaire) -> impl IntoView {
    let locale = use_locale();
    let kind_key = match q.kind {
        Kind::Kiosk => Key::KindKiosk,
        Kind::MysteryShop => Key::KindMysteryShop,
    };
    let dims: BTreeSet<Dimension> = collect::set(q.items().filter_map(|i| i.dimension));
    let items = q.items().count();
    let sections = q.sections.len();
    let q2 = q.clone();
    view! {
        <article class="questionnaire" data-id=q.id.clone()>
            <h3>{move || q.title.get(locale.get()).to_string()}</h3>
            <p class="meta">
                {t(kind_key)} " · " {t(Key::Version)} " " {q.version} " · " {sections} " "
                {t(Key::Sections)} " · " {items} " " {t(Key::Items)}
            </p>
            <p class="dims">
                {t(Key::Dimensions)} ": "
                {move || {
                    dims.iter()
                        .map(|d| text(locale.get(), dimension_key(*d)))
                        .collect::<Vec<_>>()
                        .join(" · ")
                }}
            </p>
            <details>
                <summary>{t(Key::Items)}</summary>
                {move || {
                    let l = locale.get();
                    q2.sections
                        .iter()
                        .map(|s| {
                            view! {
                                <h4>{s.title.get(l).to_string()}</h4>
                                <ol>
                                    {s
                                        .items
                                        .iter()
                                        .map(|i| view! { <li>{i.text.get(l).to_string()}</li> })
                                        .collect_view()}
                                </ol>
                            }
                        })
                        .collect_view()
                }}
            </details>
        </article>
    }
}
