//! One visit: its header and status, the sticky stage tabs, and the open
//! tab (timing, a stage of the questionnaire, or the review).

use super::draft::{kept_questionnaire, Status, VisitDraft, REVIEW_TAB, TIMING_TAB};
use super::form::Stage;
use super::review::Review;
use super::status_key;
use super::timing::Timing;
use crate::i18n::{t, use_locale, Key};
use crate::storage::outbox::Place;
use crate::sync::use_sync;
use branchpulse_core::Questionnaire;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

/// What every part of the visit page shares: the report, its
/// questionnaire, and the last saving problem.
#[derive(Clone, Copy)]
pub struct Ctx {
    pub draft: RwSignal<VisitDraft>,
    pub q: StoredValue<Questionnaire>,
    pub save_error: RwSignal<Option<String>>,
}

impl Ctx {
    /// Submitted: nothing may change any more.
    pub fn locked(&self) -> bool {
        self.draft.with(|d| d.submitted_at.is_some())
    }

    /// Change the report and save it on the device at once. Refused once
    /// submitted.
    pub fn edit(&self, f: impl FnOnce(&mut VisitDraft)) {
        if self.draft.with_untracked(|d| d.submitted_at.is_some()) {
            return;
        }
        let q = self.q;
        self.draft.update(|d| {
            f(d);
            q.with_value(|q| {
                d.fill_calls(q);
                d.prune(q);
                d.fill_wait(q);
            });
        });
        self.save();
    }

    pub fn save(&self) {
        let result = self.draft.with_untracked(VisitDraft::save);
        self.save_error.set(result.err().map(|e| e.to_string()));
    }

    /// Open `tab`, remember it, and put the focus on its heading.
    pub fn open(&self, tab: String) {
        self.draft.update(|d| d.tab = tab);
        self.save();
        focus_later("tab-title");
    }
}

/// Focus element `id` once the view has been redrawn, scrolled just under
/// the sticky stage tabs (`scroll-margin-top` in the CSS).
pub fn focus_later(id: &str) {
    let id = id.to_owned();
    request_animation_frame(move || {
        if let Some(el) = document().get_element_by_id(&id) {
            el.scroll_into_view();
            if let Ok(el) = wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(el) {
                let _ = el.focus();
            }
        }
    });
}

#[component]
pub fn VisitPage() -> impl IntoView {
    let params = use_params_map();
    move || {
        let id = params.read().get("id").unwrap_or_default();
        let loaded = VisitDraft::load(&id).map(|d| {
            d.map(|d| {
                let q = kept_questionnaire(&d.questionnaire_id, d.questionnaire_version);
                (d, q)
            })
        });
        match loaded {
            Ok(Some((d, Ok(Some(q))))) => view! { <VisitView draft=d q /> }.into_any(),
            Ok(Some((_, Ok(None)))) => problem(Key::ShopNoQuestionnaire, None),
            Ok(Some((_, Err(e)))) => problem(Key::ShopNoQuestionnaire, Some(e.to_string())),
            Ok(None) => problem(Key::ShopNoSuchVisit, None),
            Err(e) => problem(Key::ShopDraftUnreadable, Some(e.to_string())),
        }
    }
}

fn problem(key: Key, detail: Option<String>) -> AnyView {
    view! {
        <div class="shop">
            <h1>{t(Key::ShopTitle)}</h1>
            <p class="error" role="alert">
                {t(key)}
                {detail.map(|d| format!(" ({d})"))}
            </p>
            <A href="/shop">{t(Key::ShopBackToList)}</A>
        </div>
    }
    .into_any()
}

#[component]
fn VisitView(draft: VisitDraft, q: Questionnaire) -> impl IntoView {
    let locale = use_locale();
    let sync = use_sync();
    let ctx = Ctx {
        draft: RwSignal::new(draft),
        q: StoredValue::new(q),
        save_error: RwSignal::new(None),
    };
    // Where the submitted report is: asked again whenever the sync state moves.
    let place = RwSignal::new(None::<Place>);
    Effect::new(move |_| {
        sync.state.track();
        let (id, submitted) = ctx.draft.with(|d| (d.id, d.submitted_at.is_some()));
        if submitted {
            spawn_local(async move {
                if let Ok(p) = sync.place_of(&id.to_string()).await {
                    place.set(Some(p));
                }
            });
        }
    });
    let status = Memo::new(move |_| {
        let s = ctx.draft.with(|d| ctx.q.with_value(|q| d.status(Some(q))));
        match (s, place.get()) {
            (Status::Waiting, Some(Place::Gone)) => Status::Sent,
            (Status::Waiting, Some(Place::Rejected)) => Status::Rejected,
            (s, _) => s,
        }
    });
    let tab = Memo::new(move |_| ctx.draft.with(|d| d.tab.clone()));
    let tabs: Vec<(String, branchpulse_core::Text)> = ctx.q.with_value(|q| {
        q.sections
            .iter()
            .map(|s| (s.id.clone(), s.title.clone()))
            .collect()
    });
    let header = ctx
        .draft
        .with_untracked(|d| (d.branch.clone(), d.scenario.clone(), d.due.clone()));
    let body = move || {
        let current = tab.get();
        match current.as_str() {
            REVIEW_TAB => view! { <Review ctx /> }.into_any(),
            id if ctx.q.with_value(|q| q.section(id).is_some()) => {
                view! { <Stage ctx id=id.to_owned() /> }.into_any()
            }
            _ => view! { <Timing ctx /> }.into_any(),
        }
    };
    view! {
        <div class="shop shop-visit">
            <header class="shop-visit-head">
                <p class="shop-back">
                    <A href="/shop">{t(Key::ShopBackToList)}</A>
                </p>
                <h1>{header.0} " · " {header.1}</h1>
                {header
                    .2
                    .map(|due| {
                        view! { <p class="shop-card-meta">{t(Key::ShopDue)} ": " {due}</p> }
                    })}
                {returned_banner(ctx)}
                <p class=move || super::status_class(status.get()) data-testid="visit-status">
                    {move || t(status_key(status.get()))()}
                </p>
                <p class="shop-readonly" hidden=move || !ctx.locked()>
                    {t(Key::ShopReadOnly)}
                </p>
                <p class="error" role="alert">
                    {move || {
                        ctx.save_error.get().map(|e| format!("{}: {e}", t(Key::ShopNotSaved)()))
                    }}
                </p>
            </header>
            <nav class="shop-stages" aria-label=t(Key::ShopStages)>
                <ul>
                    <li>
                        <TabButton
                            ctx
                            id=TIMING_TAB.to_owned()
                            label=Signal::derive(move || t(Key::ShopTiming)().to_owned())
                            tab
                        />
                    </li>
                    {tabs
                        .into_iter()
                        .map(|(id, title)| {
                            let label = Signal::derive(move || title.get(locale.get()).to_string());
                            let sid = id.clone();
                            let count = Memo::new(move |_| {
                                ctx.draft
                                    .with(|d| {
                                        ctx.q
                                            .with_value(|q| {
                                                let Some(s) = q.section(&sid) else { return (0, 0) };
                                                let shown: Vec<_> = s
                                                    .items
                                                    .iter()
                                                    .filter(|i| {
                                                        q.visible(i, &d.answers)
                                                            && !matches!(
                                                                i.kind,
                                                                branchpulse_core::ItemKind::Text { .. }
                                                            )
                                                    })
                                                    .collect();
                                                (
                                                    shown
                                                        .iter()
                                                        .filter(|i| d.answers.contains_key(&i.id))
                                                        .count(),
                                                    shown.len(),
                                                )
                                            })
                                    })
                            });
                            view! {
                                <li>
                                    <TabButton ctx id label tab count />
                                </li>
                            }
                        })
                        .collect_view()}
                    <li>
                        <TabButton
                            ctx
                            id=REVIEW_TAB.to_owned()
                            label=Signal::derive(move || t(Key::ShopReview)().to_owned())
                            tab
                        />
                    </li>
                </ul>
            </nav>
            {body}
        </div>
    }
}

/// A correction of a returned report: the reviewer's note, on top.
fn returned_banner(ctx: Ctx) -> Option<impl IntoView> {
    let (revises, note) = ctx.draft.with_untracked(|d| (d.revises, d.note.clone()));
    revises?;
    Some(view! {
        <div class="shop-returned" role="note" data-testid="returned-note">
            <p>
                <strong>{t(Key::ShopReturnedBanner)}</strong>
                " "
                {note.unwrap_or_default()}
            </p>
            <p class="hint">{t(Key::ShopReturnedHint)}</p>
        </div>
    })
}

#[component]
fn TabButton(
    ctx: Ctx,
    id: String,
    label: Signal<String>,
    tab: Memo<String>,
    #[prop(optional)] count: Option<Memo<(usize, usize)>>,
) -> impl IntoView {
    let here = {
        let id = id.clone();
        move || tab.with(|t| *t == id)
    };
    let open = {
        let id = id.clone();
        move |_| ctx.open(id.clone())
    };
    view! {
        <button
            type="button"
            data-tab=id
            aria-current=move || here().then_some("step")
            on:click=open
        >
            <span>{label}</span>
            {count
                .map(|c| {
                    view! {
                        <span class="shop-count">
                            {move || {
                                let (a, n) = c.get();
                                format!("{a}/{n}")
                            }}
                        </span>
                    }
                })}
        </button>
    }
}
