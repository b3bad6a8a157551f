//! Review before submit: the scores of `branchpulse_core::score` per stage,
//! per dimension and overall, critical failures, the required items still
//! missing (each a link to the item), and Submit — which puts the report
//! in the outbox and makes it read-only.

use super::visit::{focus_later, Ctx};
use crate::i18n::{dimension_key, t, text, use_locale, Key};
use crate::sync::use_sync;
use branchpulse_core::score::score;
use leptos::prelude::*;
use leptos::task::spawn_local;

fn pct(v: Option<f64>) -> String {
    v.map_or("–".to_owned(), |v| format!("{}", v.round() as i64))
}

/// A link to item `id`: opens its stage and puts the focus on it.
#[component]
fn ItemLink(ctx: Ctx, id: String, label: String) -> impl IntoView {
    let href = format!("#item-{id}");
    let go = move |ev: web_sys::MouseEvent| {
        ev.prevent_default();
        let section = ctx.q.with_value(|q| {
            q.sections
                .iter()
                .find(|s| s.items.iter().any(|i| i.id == id))
                .map(|s| s.id.clone())
        });
        if let Some(section) = section {
            ctx.draft.update(|d| d.tab = section);
            ctx.save();
            focus_later(&format!("item-{id}"));
        }
    };
    view! {
        <a href=href on:click=go>
            {label}
        </a>
    }
}

#[component]
pub fn Review(ctx: Ctx) -> impl IntoView {
    let locale = use_locale();
    let sync = use_sync();
    let photos = crate::sync::photos::use_photo_sync();
    let card = Memo::new(move |_| {
        ctx.draft
            .with(|d| ctx.q.with_value(|q| score(q, &d.answers)))
    });
    let missing = Memo::new(move |_| {
        ctx.draft.with(|d| {
            ctx.q.with_value(|q| {
                d.missing(q)
                    .into_iter()
                    .map(|i| (i.id.clone(), i.text.clone()))
                    .collect::<Vec<_>>()
            })
        })
    });
    let problems = RwSignal::new(Vec::<String>::new());
    let sending = RwSignal::new(false);
    let submit = move |_| {
        if sending.get_untracked() || ctx.locked() || !missing.with_untracked(Vec::is_empty) {
            return;
        }
        let now = js_sys::Date::now();
        let result = ctx
            .draft
            .with_untracked(|d| ctx.q.with_value(|q| d.to_response(q, now)));
        match result {
            Err(found) => problems.set(found.iter().map(ToString::to_string).collect()),
            Ok(response) => {
                problems.set(Vec::new());
                sending.set(true);
                spawn_local(async move {
                    match sync.save(&response).await {
                        Ok(_) => {
                            ctx.draft.update(|d| d.submitted_at = Some(now));
                            ctx.save();
                            photos.queue(&response.id.to_string()).await;
                            focus_later("tab-title");
                        }
                        Err(e) => ctx.save_error.set(Some(format!(
                            "{}: {e}",
                            text(locale.get_untracked(), Key::ShopNotSubmitted)
                        ))),
                    }
                    sending.set(false);
                });
            }
        }
    };
    let item_text = move |id: &str| {
        ctx.q.with_value(|q| {
            q.item(id)
                .map(|i| i.text.get(locale.get()).to_string())
                .unwrap_or_else(|| id.to_owned())
        })
    };
    let sections: Vec<(String, branchpulse_core::Text)> = ctx.q.with_value(|q| {
        q.sections
            .iter()
            .map(|s| (s.id.clone(), s.title.clone()))
            .collect()
    });
    view! {
        <section class="shop-review" aria-labelledby="tab-title">
            <h2 id="tab-title" tabindex="-1">
                {t(Key::ShopReview)}
            </h2>
            <div
                class="shop-verdict"
                class:failed=move || !card.with(|c| c.passed)
                data-testid="verdict"
            >
                <p class="shop-overall">
                    {t(Key::ShopOverall)} ": "
                    <strong data-testid="overall">{move || pct(card.with(|c| c.overall))}</strong>
                    " / 100"
                </p>
                <p class="shop-result">
                    {move || t(
                        if card.with(|c| c.passed) { Key::ShopPassed } else { Key::ShopFailed },
                    )()}
                </p>
                {move || {
                    let failures = card.with(|c| c.critical_failures.clone());
                    (!failures.is_empty())
                        .then(|| {
                            view! {
                                <div class="shop-critical" role="alert">
                                    <p>{t(Key::ShopCriticalFailures)}</p>
                                    <ul>
                                        {failures
                                            .into_iter()
                                            .map(|id| {
                                                let label = item_text(&id);
                                                let attr = id.clone();
                                                view! {
                                                    <li data-critical=attr>
                                                        <ItemLink ctx id label />
                                                    </li>
                                                }
                                            })
                                            .collect_view()}
                                    </ul>
                                </div>
                            }
                        })
                }}
            </div>
            {move || {
                let list = missing.get();
                (!list.is_empty())
                    .then(|| {
                        view! {
                            <div class="shop-missing" data-testid="missing">
                                <h3>{t(Key::ShopMissing)} " (" {list.len()} ")"</h3>
                                <ul>
                                    {list
                                        .into_iter()
                                        .map(|(id, text)| {
                                            let label = text.get(locale.get()).to_string();
                                            let attr = id.clone();
                                            view! {
                                                <li data-missing=attr>
                                                    <ItemLink ctx id label />
                                                </li>
                                            }
                                        })
                                        .collect_view()}
                                </ul>
                            </div>
                        }
                    })
            }}
            <table class="shop-scores" data-testid="stage-scores">
                <caption>{t(Key::ShopByStage)}</caption>
                <tbody>
                    {sections
                        .into_iter()
                        .map(|(id, title)| {
                            let sid = id.clone();
                            view! {
                                <tr data-section=id>
                                    <th scope="row">
                                        {move || title.get(locale.get()).to_string()}
                                    </th>
                                    <td>
                                        {move || pct(
                                            card.with(|c| c.sections.get(&sid).copied().flatten()),
                                        )}
                                    </td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
            <table class="shop-scores" data-testid="dimension-scores">
                <caption>{t(Key::ShopByDimension)}</caption>
                <tbody>
                    {move || {
                        card.with(|c| {
                            c.dimensions
                                .iter()
                                .map(|(d, v)| {
                                    let v = *v;
                                    view! {
                                        <tr data-dimension=d.key()>
                                            <th scope="row">{t(dimension_key(*d))}</th>
                                            <td>{pct(v)}</td>
                                        </tr>
                                    }
                                })
                                .collect_view()
                        })
                    }}
                </tbody>
            </table>
            <div class="error" role="alert">
                {move || {
                    problems
                        .with(|p| {
                            (!p.is_empty())
                                .then(|| {
                                    view! {
                                        <p>{t(Key::ShopProblems)}</p>
                                        <ul>
                                            {p
                                                .iter()
                                                .map(|p| view! { <li>{p.clone()}</li> })
                                                .collect_view()}
                                        </ul>
                                    }
                                })
                        })
                }}
            </div>
            {move || {
                (!ctx.locked())
                    .then(|| {
                        view! {
                            <p class="shop-hint">{t(Key::ShopSubmitHint)}</p>
                            <button
                                type="button"
                                class="primary shop-submit"
                                disabled=move || sending.get() || !missing.with(Vec::is_empty)
                                on:click=submit
                            >
                                {t(Key::ShopSubmit)}
                            </button>
                        }
                    })
            }}
        </section>
    }
}
