//! The answer input of one questionnaire item, for every item kind, shared
//! by the kiosk and the shopper's form. Each form draws it in its own
//! [`Look`]: the kiosk a customer's large faces and buttons, the shopper's
//! form compact toggles that lock once the report is submitted.
//!
//! The answer comes in as `answer` and leaves through `set` (`None`: no
//! answer, e.g. an emptied field). An item that offers "does not apply"
//! gets that button after its scale or options.

use super::{FaceScale, NumberScale, SecondsInput, TextInput};
use crate::i18n::{t, use_locale, Key};
use branchpulse_core::{Answer, Item, ItemKind, YesNo};
use leptos::prelude::*;

/// Which form the input is drawn for: the classes, labels and attributes
/// that form's CSS and tests know.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Look {
    Kiosk,
    Shop,
}

impl Look {
    fn choices_class(self, kind: &ItemKind) -> &'static str {
        match (self, kind) {
            (Look::Kiosk, _) => "kiosk-choices",
            (Look::Shop, ItemKind::YesNo) => "shop-yesno",
            (Look::Shop, _) => "shop-choices",
        }
    }
}

#[component]
pub fn ItemInput(
    look: Look,
    item: Item,
    answer: Memo<Option<Answer>>,
    set: Callback<Option<Answer>>,
    /// The id of the element holding the question.
    labelledby: String,
    /// The id of the item's help, where the form shows it with the input.
    #[prop(default = None)]
    describedby: Option<String>,
    /// Read-only (a submitted report).
    #[prop(into, optional)]
    locked: Signal<bool>,
) -> impl IntoView {
    let shop = look == Look::Shop;
    let class = look.choices_class(&item.kind);
    let not_applicable = item.not_applicable.then(|| {
        let (class, key) = if shop {
            ("shop-na", Key::ShopNa)
        } else {
            ("kiosk-na", Key::NotApplicable)
        };
        view! {
            <button
                type="button"
                class=class
                data-answer="not_applicable"
                aria-pressed=move || (answer.get() == Some(Answer::NotApplicable)).to_string()
                disabled=locked
                on:click=move |_| set.run(Some(Answer::NotApplicable))
            >
                {t(key)}
            </button>
        }
    });
    let scale = item.scale();
    let kind = item.kind;
    let input = match kind {
        ItemKind::Rating if look == Look::Kiosk => {
            let value = Signal::derive(move || match answer.get() {
                Some(Answer::Rating(n)) => Some(n),
                _ => None,
            });
            let on_pick = Callback::new(move |n| set.run(Some(Answer::Rating(n))));
            view! { <FaceScale value on_pick labelledby scale /> }.into_any()
        }
        ItemKind::Rating | ItemKind::Nps => {
            let (from, to, wrap): (u8, u8, fn(u8) -> Answer) = match kind {
                ItemKind::Rating => (1, 5, Answer::Rating),
                _ => (0, 10, Answer::Nps),
            };
            let value = Signal::derive(move || match answer.get() {
                Some(Answer::Rating(n) | Answer::Nps(n)) => Some(n),
                _ => None,
            });
            let on_pick = Callback::new(move |n| set.run(Some(wrap(n))));
            view! { <NumberScale from to value on_pick labelledby describedby /> }.into_any()
        }
        ItemKind::YesNo => {
            let not_applicable = if shop {
                Key::ShopNa
            } else {
                Key::NotApplicable
            };
            let choices = [
                (YesNo::Yes, Key::Yes, "yes"),
                (YesNo::No, Key::No, "no"),
                (YesNo::Na, not_applicable, "na"),
            ];
            view! {
                <div class=class role="group" aria-labelledby=labelledby>
                    {choices
                        .into_iter()
                        .map(|(v, key, name)| {
                            let name = shop.then_some(name);
                            // The shopper's CSS colours each answer, and its tests find it by name.
                            view! {
                                <button
                                    type="button"
                                    class=name
                                    data-answer=name
                                    aria-pressed=move || {
                                        (answer.get() == Some(Answer::YesNo(v))).to_string()
                                    }
                                    disabled=locked
                                    on:click=move |_| set.run(Some(Answer::YesNo(v)))
                                >
                                    {t(key)}
                                </button>
                            }
                        })
                        .collect_view()}
                </div>
            }
            .into_any()
        }
        ItemKind::Choice { options } => {
            let locale = use_locale();
            view! {
                <div class=class role="group" aria-labelledby=labelledby>
                    {options
                        .into_iter()
                        .map(|o| {
                            let id = o.id.clone();
                            let name = shop.then(|| o.id.clone());
                            let label = o.label;
                            let pressed = {
                                let id = id.clone();
                                move || {
                                    (answer.get() == Some(Answer::Choice(id.clone()))).to_string()
                                }
                            };
                            view! {
                                <button
                                    type="button"
                                    data-answer=name
                                    aria-pressed=pressed
                                    disabled=locked
                                    on:click=move |_| set.run(Some(Answer::Choice(id.clone())))
                                >
                                    {move || label.get(locale.get()).to_string()}
                                </button>
                            }
                        })
                        .collect_view()}
                </div>
            }
            .into_any()
        }
        ItemKind::Seconds { max, .. } => {
            let class = if shop {
                "shop-seconds"
            } else {
                "kiosk-seconds"
            };
            view! { <SecondsInput class max answer set labelledby readonly=locked /> }.into_any()
        }
        ItemKind::Text { max_len } => {
            let (class, rows) = if shop {
                ("shop-comment", 4)
            } else {
                ("kiosk-comment", 5)
            };
            view! { <TextInput class rows max_len answer set labelledby describedby readonly=locked /> }
                .into_any()
        }
        // Counted by a mystery shopper's ring counter (the shop form's own
        // widget); anywhere else only what was counted is shown.
        ItemKind::Call { .. } => view! {
            <p class="call-answer" aria-labelledby=labelledby>
                {move || match answer.get() {
                    Some(Answer::Call { rings, answered, seconds }) => {
                        let key = if answered {
                            Key::ShopCallDoneAnswered
                        } else {
                            Key::ShopCallDoneLost
                        };
                        t(key)()
                            .replace("{rings}", &rings.to_string())
                            .replace("{seconds}", &seconds.to_string())
                    }
                    _ => t(Key::ShopCallNotStarted)().to_owned(),
                }}
            </p>
        }
        .into_any(),
    };
    (input, not_applicable)
}
