//! One stage of the visit: its items (large yes / no / N-A toggles,
//! choices, seconds, text), a comment per item and one for the stage, and
//! the way to the next stage.

use super::call::CallItem;
use super::draft::{VisitDraft, REVIEW_TAB, TIMING_TAB, WAIT_ITEM};
use super::photos::{Photos, Place};
use super::visit::Ctx;
use crate::components::{ItemInput, Look};
use crate::i18n::{t, use_locale, Key};
use branchpulse_core::{Answer, Item, ItemKind, YesNo};
use leptos::prelude::*;

#[component]
pub fn Stage(ctx: Ctx, id: String) -> impl IntoView {
    let locale = use_locale();
    let Some(section) = ctx.q.with_value(|q| q.section(&id).cloned()) else {
        return ().into_any();
    };
    let (prev, next) = ctx.q.with_value(|q| {
        let i = q.sections.iter().position(|s| s.id == id).unwrap_or(0);
        let prev = if i == 0 {
            TIMING_TAB.to_owned()
        } else {
            q.sections[i - 1].id.clone()
        };
        let next = q
            .sections
            .get(i + 1)
            .map_or(REVIEW_TAB.to_owned(), |s| s.id.clone());
        (prev, next)
    });
    let title = section.title.clone();
    let items = section.items.clone();
    let sid = id.clone();
    view! {
        <section class="shop-stage" data-section=id.clone() aria-labelledby="tab-title">
            <h2 id="tab-title" tabindex="-1">
                {move || title.get(locale.get()).to_string()}
            </h2>
            {items
                .into_iter()
                .map(|item| {
                    let iid = item.id.clone();
                    let shown = Memo::new(move |_| {
                        ctx.draft
                            .with(|d| {
                                ctx.q
                                    .with_value(|q| {
                                        q.item(&iid).is_some_and(|i| q.visible(i, &d.answers))
                                    })
                            })
                    });
                    let item = StoredValue::new(item);
                    move || shown.get().then(|| view! { <ItemCard ctx item=item.get_value() /> })
                })
                .collect_view()}
            <label class="shop-stage-comment">
                <span>{t(Key::ShopStageComment)}</span>
                <CommentBox ctx key=sid />
            </label>
            <Photos ctx place=Place::Stage(id.clone()) />
            <div class="shop-stage-nav">
                <button type="button" on:click=move |_| ctx.open(prev.clone())>
                    {t(Key::ShopPrevStage)}
                </button>
                <button type="button" class="primary" on:click=move |_| ctx.open(next.clone())>
                    {t(Key::ShopNextStage)}
                </button>
            </div>
        </section>
    }
    .into_any()
}

/// A comment under `key` (an item or section id), saved as typed.
#[component]
fn CommentBox(ctx: Ctx, key: String, #[prop(optional)] label: Option<String>) -> impl IntoView {
    let initial = ctx
        .draft
        .with_untracked(|d| d.comments.get(&key).cloned().unwrap_or_default());
    view! {
        <textarea
            class="shop-comment"
            rows="3"
            maxlength="2000"
            aria-label=label
            readonly=move || ctx.locked()
            prop:value=initial
            on:input=move |ev| {
                let v = event_target_value(&ev);
                let key = key.clone();
                ctx.edit(move |d: &mut VisitDraft| {
                    if v.trim().is_empty() {
                        d.comments.remove(&key);
                    } else {
                        d.comments.insert(key, v);
                    }
                });
            }
        ></textarea>
    }
}

#[component]
fn ItemCard(ctx: Ctx, item: Item) -> impl IntoView {
    let locale = use_locale();
    let id = item.id.clone();
    let label_id = format!("label-{id}");
    let help_id = format!("help-{id}");
    let answer = {
        let id = id.clone();
        Memo::new(move |_| ctx.draft.with(|d| d.answers.get(&id).cloned()))
    };
    let set = {
        let id = id.clone();
        Callback::new(move |a: Option<Answer>| {
            let id = id.clone();
            ctx.edit(move |d: &mut VisitDraft| {
                match a {
                    Some(a) => d.answers.insert(id, a),
                    None => d.answers.remove(&id),
                };
            });
        })
    };
    let failed = move || item.critical && answer.get() == Some(Answer::YesNo(YesNo::No));
    let has_comment = ctx.draft.with_untracked(|d| d.comments.contains_key(&id));
    let text = item.text.clone();
    let help = item.help.clone();
    // A yes_no item filled from a call is read-only: the ring counter sets it.
    let from_call = item.from_call.is_some();
    let widget = if id == WAIT_ITEM {
        view! { <WaitItem ctx labelledby=label_id.clone() /> }.into_any()
    } else if matches!(item.kind, ItemKind::Call { .. }) {
        view! { <CallItem ctx id=id.clone() labelledby=label_id.clone() /> }.into_any()
    } else {
        view! {
            <ItemInput
                look=Look::Shop
                item=item.clone()
                answer
                set
                labelledby=label_id.clone()
                locked=Signal::derive(move || from_call || ctx.locked())
            />
            {from_call
                .then(|| {
                    view! {
                        <p class="shop-hint" data-testid="from-call">
                            {t(Key::ShopFromCall)}
                        </p>
                    }
                })}
        }
        .into_any()
    };
    let item_label = item.text.clone();
    view! {
        <div
            class="shop-item"
            class:critical=item.critical
            class:failed=failed
            id=format!("item-{id}")
            tabindex="-1"
            data-item=id.clone()
        >
            <p class="shop-item-text" id=label_id.clone()>
                {move || text.get(locale.get()).to_string()}
            </p>
            <p class="shop-badges">
                {item
                    .required
                    .then(|| view! { <span class="badge required">{t(Key::ShopRequired)}</span> })}
                {item
                    .critical
                    .then(|| view! { <span class="badge critical">{t(Key::ShopCritical)}</span> })}
            </p>
            {help
                .map(|h| {
                    view! {
                        <p class="shop-help" id=help_id.clone()>
                            {move || h.get(locale.get()).to_string()}
                        </p>
                    }
                })}
            {widget}
            <p class="shop-failed" hidden=move || !failed()>
                {t(Key::ShopCriticalFailed)}
            </p>
            <details class="shop-item-comment" open=has_comment>
                <summary>{t(Key::ShopItemComment)}</summary>
                <CommentBox
                    ctx
                    key=id.clone()
                    label=format!(
                        "{} — {}",
                        text_now(Key::ShopItemComment),
                        item_label.get(locale.get_untracked()),
                    )
                />
            </details>
            <Photos ctx place=Place::Item(id.clone()) />
        </div>
    }
}

fn text_now(key: Key) -> &'static str {
    crate::i18n::text(use_locale().get_untracked(), key)
}

/// The waiting time: filled from the taps (joined the queue → served);
/// entered by hand only with a reason, which goes with the report.
#[component]
fn WaitItem(ctx: Ctx, labelledby: String) -> impl IntoView {
    let value = Memo::new(move |_| {
        ctx.draft.with(|d| match d.answers.get(WAIT_ITEM) {
            Some(Answer::Seconds(s)) => Some(*s),
            _ => None,
        })
    });
    let by_hand = Memo::new(move |_| ctx.draft.with(|d| d.wait_reason.is_some()));
    let from_taps = Memo::new(move |_| ctx.draft.with(|d| d.marks.wait_seconds()));
    let editing = RwSignal::new(ctx.draft.with_untracked(|d| d.wait_reason.is_some()));
    let reason = RwSignal::new(
        ctx.draft
            .with_untracked(|d| d.wait_reason.clone().unwrap_or_default()),
    );
    let typed = RwSignal::new(
        value
            .get_untracked()
            .map(|s| s.to_string())
            .unwrap_or_default(),
    );
    // By hand only once a reason is given; without one the taps rule again.
    let apply = move || {
        let why = reason.get_untracked();
        let secs = typed.get_untracked().trim().parse::<u32>().ok();
        ctx.edit(move |d: &mut VisitDraft| {
            if why.trim().is_empty() {
                d.wait_reason = None;
            } else {
                d.wait_reason = Some(why);
                match secs {
                    Some(s) => d
                        .answers
                        .insert(WAIT_ITEM.into(), branchpulse_core::Answer::Seconds(s)),
                    None => d.answers.remove(WAIT_ITEM),
                };
            }
        });
    };
    let use_taps = move |_| {
        editing.set(false);
        reason.set(String::new());
        ctx.edit(|d: &mut VisitDraft| d.wait_reason = None);
        typed.set(
            value
                .get_untracked()
                .map(|s| s.to_string())
                .unwrap_or_default(),
        );
    };
    view! {
        <div class="shop-wait" role="group" aria-labelledby=labelledby>
            <p class="shop-wait-value" data-testid="wait-value">
                {move || match value.get() {
                    Some(s) => format!("{s} {}", t(Key::Seconds)()),
                    None => t(Key::ShopWaitNotYet)().to_owned(),
                }}
            </p>
            <p class="shop-hint">
                {move || t(
                    if by_hand.get() { Key::ShopWaitByHand } else { Key::ShopWaitFromTaps },
                )()}
                {move || {
                    (by_hand.get() && from_taps.get().is_some())
                        .then(|| {
                            format!(
                                " ({} {} {})",
                                t(Key::ShopWaitTapsSaid)(),
                                from_taps.get().unwrap_or(0),
                                t(Key::Seconds)(),
                            )
                        })
                }}
            </p>
            <button
                type="button"
                hidden=move || editing.get() || ctx.locked()
                on:click=move |_| editing.set(true)
            >
                {t(Key::ShopWaitChange)}
            </button>
            <div class="shop-wait-edit" hidden=move || !editing.get() || ctx.locked()>
                <label class="field">
                    <span>{t(Key::ShopWaitReason)}</span>
                    <textarea
                        name="wait-reason"
                        rows="2"
                        maxlength="2000"
                        prop:value=move || reason.get()
                        on:input=move |ev| {
                            reason.set(event_target_value(&ev));
                            apply();
                        }
                    ></textarea>
                </label>
                <label class="field">
                    <span>{t(Key::ShopWaitSeconds)}</span>
                    <input
                        type="number"
                        name="wait-seconds"
                        inputmode="numeric"
                        min="0"
                        disabled=move || reason.with(|r| r.trim().is_empty())
                        prop:value=move || typed.get()
                        on:input=move |ev| {
                            typed.set(event_target_value(&ev));
                            apply();
                        }
                    />
                </label>
                <button type="button" on:click=use_taps>
                    {t(Key::ShopWaitUseTaps)}
                </button>
            </div>
        </div>
    }
}
