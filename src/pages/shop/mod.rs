//! Mystery-shopper mode, on the shopper's phone.
//!
//! **The list** (this file, `/shop`): the visits assigned on the server
//! (`GET /api/v1/visits`, kept on the device for offline restarts), an
//! ad-hoc visit (branch + scenario), and every report on this device with
//! its status: draft, ready to submit, waiting to sync, sent (or rejected).
//!
//! **A visit** ([`visit`], `/shop/visit/:id`): sticky stage tabs — timing
//! ([`timing`]: one-tap arrived / joined the queue / served / left, and a
//! stopwatch computed from those stored times), one tab per questionnaire
//! section ([`form`]), and the review ([`review`]: scores from
//! `branchpulse_core::score`, critical failures, missing required items,
//! submit). Every change is saved at once ([`draft`]); submitting puts the
//! report in the outbox and makes it read-only.
//!
//! **Enrolment first**: the phone lists its shopper's visits and sends
//! reports with the token an admin's one-time code gave it
//! (`storage::enrolment`). Until it has one, `/shop` asks for the code;
//! opening `/shop?enrol=CODE` (the admin's QR code) enrols at once, and a
//! bare `/shop?enrol` asks for a new one (the status bar links there when
//! the server refuses the token).

mod call;
pub(crate) mod draft;
mod form;
pub(crate) mod photos;
mod review;
mod timing;
mod visit;

pub use visit::VisitPage;

use crate::components::{describe_window, visit_status_name, StatusBadge};
use crate::components::{take_code_from_address, EnrolForm, QuestionnaireList};
use crate::i18n::{t, text, use_locale, Key};
use crate::storage::enrolment;
use crate::storage::enrolment::Enrolment;
use crate::storage::kept;
use crate::storage::outbox::Place;
use crate::storage::starts;
use crate::sync::{use_sync, SyncHandle};
use branchpulse_core::access::DeviceKind;
use branchpulse_core::programme::VisitStatus;
use branchpulse_core::protocol::{Branch, Visit};
use branchpulse_core::{Kind, Locale, Questionnaire};
use draft::{keep_questionnaire, kept_questionnaire, Status, VisitDraft, DEFAULT_QUESTIONNAIRE};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;
use leptos_router::NavigateOptions;
use std::collections::BTreeMap;
use uuid::Uuid;

#[component]
pub fn ShopPage() -> impl IntoView {
    let sync = use_sync();
    let (kept, unreadable) = match enrolment::load() {
        Ok(kept) => (kept.filter(|e| e.device.kind == DeviceKind::Shopper), false),
        Err(_) => (None, true),
    };
    let unreadable = RwSignal::new(unreadable);
    let enrolled = RwSignal::new(kept);
    // `Some`: the enrolment screen is open, with the code of the address.
    let enrolling = RwSignal::new(take_code_from_address());
    let done = Callback::new(move |e: Enrolment| {
        unreadable.set(false);
        enrolled.set(Some(e));
        enrolling.set(None);
        sync.sync_now();
    });
    let enrol_again = Callback::new(move |()| enrolling.set(Some(String::new())));
    move || {
        let code = enrolling.get();
        match enrolled.get() {
            Some(device) if code.is_none() => {
                view! { <ShopList device on_enrol=enrol_again /> }.into_any()
            }
            device => {
                let cancel = device
                    .is_some()
                    .then(|| Callback::new(move |()| enrolling.set(None)));
                view! {
                    <div class="shop">
                        <h1>{t(Key::ShopTitle)}</h1>
                        <EnrolForm
                            kind=DeviceKind::Shopper
                            code=code.filter(|c| !c.is_empty())
                            unreadable=unreadable.get_untracked()
                            on_done=done
                            on_cancel=cancel
                        />
                        <QuestionnaireList kind=Kind::MysteryShop />
                    </div>
                }
                .into_any()
            }
        }
    }
}

/// The enrolled phone's list: its shopper's visits, an ad-hoc visit, the
/// reports on the device.
#[component]
fn ShopList(device: Enrolment, on_enrol: Callback<()>) -> impl IntoView {
    let sync = use_sync();
    let visits = LocalResource::new(kept::visits);
    let branches = LocalResource::new(kept::branches);
    // Kept on the device, so an ad-hoc visit can start offline later.
    spawn_local(async {
        let _ = kept::questionnaire_text(DEFAULT_QUESTIONNAIRE).await;
    });
    let reports = RwSignal::new(VisitDraft::all());
    let places = places_of(sync, reports);
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let navigate = use_navigate();
    let locale = use_locale();
    let start = Callback::new(
        move |(visit, branch, scenario): (Option<Visit>, String, String)| {
            if busy.get_untracked() {
                return;
            }
            busy.set(true);
            error.set(None);
            let navigate = navigate.clone();
            spawn_local(async move {
                let qid = visit
                    .as_ref()
                    .map_or(DEFAULT_QUESTIONNAIRE.to_owned(), |v| {
                        v.questionnaire_id.clone()
                    });
                if let Some(v) = &visit {
                    // Kept first, so an offline start is told to the server later.
                    if let Err(e) = starts::queue(v.id) {
                        error.set(Some(format!("{}: {e}", t(Key::ShopNotSaved)())));
                    }
                    spawn_local(async {
                        starts::flush().await;
                    });
                }
                match begin(&qid, visit, branch, scenario, locale.get_untracked()).await {
                    Ok(id) => navigate(&format!("/shop/visit/{id}"), NavigateOptions::default()),
                    Err(e) => error.set(Some(e)),
                }
                busy.set(false);
            });
        },
    );
    let branch_list =
        Signal::derive(move || branches.get().and_then(Result::ok).unwrap_or_default());
    // Starts kept on the phone go out whenever the phone may be online.
    Effect::new(move |_| {
        sync.state.track();
        spawn_local(async {
            starts::flush().await;
        });
    });
    // Returned reports are kept as soon as the list says so, to open offline later.
    Effect::new(move |_| {
        if let Some(Ok((list, false))) = visits.get() {
            let returned: Vec<Uuid> = list
                .iter()
                .filter(|v| v.status == VisitStatus::Returned)
                .filter_map(|v| v.report)
                .collect();
            spawn_local(async move {
                for id in returned {
                    let _ = kept::report(id).await;
                }
            });
        }
    });
    let navigate2 = use_navigate();
    let correct = Callback::new(move |visit: Visit| {
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        error.set(None);
        let navigate = navigate2.clone();
        spawn_local(async move {
            match correct(visit, locale.get_untracked()).await {
                Ok(id) => navigate(&format!("/shop/visit/{id}"), NavigateOptions::default()),
                Err(e) => error.set(Some(e)),
            }
            busy.set(false);
        });
    });

    view! {
        <div class="shop">
            <h1>{t(Key::ShopTitle)}</h1>
            <p>{t(Key::ShopIntro)}</p>
            <p class="shop-enrolled">
                {t(Key::ShopShopper)} ": " {device.device.shopper.clone().unwrap_or_default()}
                " · " {t(Key::EnrolledAs)} ": " {device.device.label.clone()} " "
                <button type="button" on:click=move |_| on_enrol.run(())>
                    {t(Key::EnrolAgainLink)}
                </button>
            </p>
            <p class="error" role="alert">
                {move || error.get()}
            </p>
            <section aria-labelledby="shop-assigned">
                <h2 id="shop-assigned">{t(Key::ShopAssigned)}</h2>
                {move || match visits.get() {
                    None => view! { <p>{t(Key::Loading)}</p> }.into_any(),
                    Some(Err(e)) if e.needs_enrolment() => {
                        view! {
                            <div class="error" role="alert">
                                <p>{t(Key::ErrEnrolAgain)}</p>
                                <button type="button" on:click=move |_| on_enrol.run(())>
                                    {t(Key::EnrolAgainLink)}
                                </button>
                            </div>
                        }
                            .into_any()
                    }
                    Some(Err(e)) => {
                        view! {
                            <div class="error" role="alert">
                                <p>{t(Key::LoadFailed)} ": " {e.to_string()}</p>
                                <button type="button" on:click=move |_| visits.refetch()>
                                    {t(Key::Retry)}
                                </button>
                            </div>
                        }
                            .into_any()
                    }
                    Some(Ok((list, _))) if list.is_empty() => {
                        view! { <p>{t(Key::ShopNoAssigned)}</p> }.into_any()
                    }
                    Some(Ok((list, offline))) => {
                        let as_of = kept::visits_as_of().map(|at| day_and_time(&at));
                        view! {
                            {offline
                                .then(|| {
                                    view! {
                                        <p class="shop-note" role="status">
                                            {t(Key::ShopFromDevice)}
                                            {as_of
                                                .map(|at| {
                                                    view! {
                                                        " "
                                                        {t(Key::ShopAsOf)}
                                                        " "
                                                        {at}
                                                    }
                                                })}
                                        </p>
                                    }
                                })}
                            <ul class="shop-cards">
                                {list
                                    .into_iter()
                                    .map(|v| {
                                        view! {
                                            <AssignedCard
                                                visit=v
                                                reports
                                                places
                                                branches=branch_list
                                                start
                                                correct
                                                busy
                                            />
                                        }
                                    })
                                    .collect_view()}
                            </ul>
                        }
                            .into_any()
                    }
                }}
            </section>
            <AdHoc branches=branch_list start busy />
            <section aria-labelledby="shop-mine">
                <h2 id="shop-mine">{t(Key::ShopOnDevice)}</h2>
                {move || {
                    reports
                        .with(|(_, problems)| {
                            problems
                                .iter()
                                .map(|p| {
                                    view! {
                                        <p class="error" role="alert">
                                            {t(Key::ShopDraftUnreadable)}
                                            " ("
                                            {p.to_string()}
                                            ")"
                                        </p>
                                    }
                                })
                                .collect_view()
                        })
                }}
                {move || {
                    let list = reports.with(|(l, _)| l.clone());
                    if list.is_empty() {
                        return view! { <p>{t(Key::ShopNoReports)}</p> }.into_any();
                    }
                    view! {
                        <ul class="shop-cards">
                            {list
                                .into_iter()
                                .map(|d| {
                                    view! {
                                        <ReportCard draft=d reports places branches=branch_list />
                                    }
                                })
                                .collect_view()}
                        </ul>
                    }
                        .into_any()
                }}
            </section>
            // What a visit asks, to prepare it; also keeps the questionnaires on the device.
            <QuestionnaireList kind=Kind::MysteryShop />
        </div>
    }
}

/// Make and keep a new report for `visit` (or an ad-hoc visit), with its
/// questionnaire; its id.
async fn begin(
    qid: &str,
    visit: Option<Visit>,
    branch: String,
    scenario: String,
    locale: Locale,
) -> Result<Uuid, String> {
    let json = kept::questionnaire_text(qid)
        .await
        .map_err(|e| format!("{}: {e}", text(locale, Key::LoadFailed)))?;
    let q: Questionnaire = serde_json::from_str(&json)
        .map_err(|e| format!("{}: {e}", text(locale, Key::LoadFailed)))?;
    let storage =
        |e: crate::storage::drafts::DraftError| format!("{}: {e}", text(locale, Key::ShopNotSaved));
    keep_questionnaire(&q, &json).map_err(storage)?;
    let (assignment, due) = match &visit {
        Some(v) => (Some(v.id), Some(v.due.clone())),
        None => (None, None),
    };
    let draft = VisitDraft::new(&q, branch, scenario, assignment, due, locale);
    draft.save().map_err(storage)?;
    Ok(draft.id)
}

/// Where each submitted report is in the outbox, refreshed whenever the
/// sync client's state changes (a send, a new response).
fn places_of(
    sync: SyncHandle,
    reports: RwSignal<(Vec<VisitDraft>, Vec<crate::storage::drafts::DraftError>)>,
) -> RwSignal<BTreeMap<Uuid, Place>> {
    let places = RwSignal::new(BTreeMap::new());
    Effect::new(move |_| {
        sync.state.track();
        let ids: Vec<Uuid> = reports.with(|(l, _)| {
            l.iter()
                .filter(|d| d.submitted_at.is_some())
                .map(|d| d.id)
                .collect()
        });
        spawn_local(async move {
            let mut found = BTreeMap::new();
            for id in ids {
                if let Ok(place) = sync.place_of(&id.to_string()).await {
                    found.insert(id, place);
                }
            }
            places.set(found);
        });
    });
    places
}

/// The status of `d`, its questionnaire read from the device.
fn status_of(d: &VisitDraft, places: &BTreeMap<Uuid, Place>) -> Status {
    if d.submitted_at.is_some() {
        return match places.get(&d.id) {
            Some(Place::Gone) => Status::Sent,
            Some(Place::Rejected) => Status::Rejected,
            _ => Status::Waiting,
        };
    }
    let q = kept_questionnaire(&d.questionnaire_id, d.questionnaire_version)
        .ok()
        .flatten();
    d.status(q.as_ref())
}

pub(crate) fn status_key(s: Status) -> Key {
    match s {
        Status::Draft => Key::ShopStatusDraft,
        Status::Ready => Key::ShopStatusReady,
        Status::Waiting => Key::ShopStatusWaiting,
        Status::Sent => Key::ShopStatusSent,
        Status::Rejected => Key::ShopStatusRejected,
    }
}

fn status_class(s: Status) -> &'static str {
    match s {
        Status::Draft => "status draft",
        Status::Ready => "status ready",
        Status::Waiting => "status waiting",
        Status::Sent => "status sent",
        Status::Rejected => "status rejected",
    }
}

fn branch_label(branches: &[Branch], code: &str) -> String {
    match branches.iter().find(|b| b.code == code) {
        Some(b) => format!("{} — {}", b.code, b.name),
        None => code.to_owned(),
    }
}

/// An RFC 3339 time as the phone's local `YYYY-MM-DD HH:MM`.
fn day_and_time(at: &str) -> String {
    let d = js_sys::Date::new(&wasm_bindgen::JsValue::from_str(at));
    if d.get_time().is_nan() {
        return at.to_owned();
    }
    format!(
        "{}-{:02}-{:02} {:02}:{:02}",
        d.get_full_year(),
        d.get_month() + 1,
        d.get_date(),
        d.get_hours(),
        d.get_minutes()
    )
}

/// The shopper's words for a visit's status: "to do" until started.
fn shop_status_key(s: VisitStatus) -> Option<Key> {
    matches!(s, VisitStatus::Planned | VisitStatus::Assigned).then_some(Key::ShopToDo)
}

/// The report on this phone that stands for visit `vid` now: of its
/// reports, the one no other report here corrects.
fn current_report(list: &[VisitDraft], vid: Uuid) -> Option<VisitDraft> {
    let mine: Vec<&VisitDraft> = list.iter().filter(|d| d.assignment == Some(vid)).collect();
    mine.iter()
        .find(|d| !mine.iter().any(|o| o.revises == Some(d.id)))
        .map(|d| (*d).clone())
}

#[component]
fn AssignedCard(
    visit: Visit,
    reports: RwSignal<(Vec<VisitDraft>, Vec<crate::storage::drafts::DraftError>)>,
    places: RwSignal<BTreeMap<Uuid, Place>>,
    branches: Signal<Vec<Branch>>,
    start: Callback<(Option<Visit>, String, String)>,
    correct: Callback<Visit>,
    busy: RwSignal<bool>,
) -> impl IntoView {
    let locale = use_locale();
    let vid = visit.id;
    let status = visit.status;
    let returned = visit.report.filter(|_| status == VisitStatus::Returned);
    let mine = Memo::new(move |_| reports.with(|(l, _)| current_report(l, vid)));
    let branch = visit.branch.clone();
    let label = move || branches.with(|b| branch_label(b, &branch));
    let window = visit.window.clone();
    let year = crate::components::this_year();
    let when = move || describe_window(&window, locale.get(), year);
    let v = StoredValue::new(visit.clone());
    let note = visit
        .note
        .clone()
        .filter(|_| matches!(status, VisitStatus::Returned | VisitStatus::Rejected));
    view! {
        <li
            class="shop-card"
            class:overdue=visit.overdue
            data-visit=vid.to_string()
            data-status=visit_status_name(status)
        >
            <p class="shop-card-title">{label}</p>
            <p>{visit.scenario.clone()}</p>
            <p class="shop-card-meta">{t(Key::VisWindow)} ": " {when}</p>
            <p class="shop-card-meta">{t(Key::ShopDue)} ": " {visit.due.clone()}</p>
            <p>
                <StatusBadge status overdue=visit.overdue key=shop_status_key(status) />
            </p>
            {note
                .map(|n| {
                    view! {
                        <p class="review-note" data-testid="review-note">
                            <strong>{t(Key::RevNote)} ": "</strong>
                            {n}
                        </p>
                    }
                })}
            {move || {
                let draft = mine.get();
                let to_correct = returned.is_some()
                    && draft.as_ref().is_none_or(|d| Some(d.id) == returned);
                if to_correct {
                    return // The returned report itself, not yet corrected here.
                    view! {
                        <button
                            type="button"
                            class="primary"
                            disabled=busy
                            on:click=move |_| correct.run(v.get_value())
                        >
                            {t(Key::ShopCorrect)}
                        </button>
                    }
                        .into_any();
                }
                match draft {
                    Some(d) => {
                        let s = places.with(|p| status_of(&d, p));
                        view! {
                            <p class=status_class(
                                s,
                            )>{t(Key::ShopOnThisPhone)} ": " {t(status_key(s))}</p>
                            <A href=format!("/shop/visit/{}", d.id) attr:class="button">
                                {t(Key::ShopOpen)}
                            </A>
                        }
                            .into_any()
                    }
                    None if status.awaits_shopper() => {
                        view! {
                            <button
                                type="button"
                                class="primary"
                                disabled=busy
                                on:click=move |_| {
                                    let v = v.get_value();
                                    start.run((Some(v.clone()), v.branch, v.scenario));
                                }
                            >
                                {t(Key::ShopStart)}
                            </button>
                        }
                            .into_any()
                    }
                    None => ().into_any(),
                }
            }}
        </li>
    }
}

/// Open a new report correcting visit `visit`'s returned report, prefilled
/// from it (the server's copy, or the one kept on the phone); its id.
async fn correct(visit: Visit, locale: Locale) -> Result<Uuid, String> {
    let failed = |e: String| format!("{}: {e}", text(locale, Key::LoadFailed));
    let id = visit.report.ok_or_else(|| failed("no report".into()))?;
    let detail = match kept::report(id).await {
        Ok((d, _)) => d,
        Err(e) => kept::kept_report(id).ok_or_else(|| failed(e.to_string()))?,
    };
    let old = &detail.response;
    let q = match kept_questionnaire(&old.questionnaire_id, old.questionnaire_version)
        .ok()
        .flatten()
    {
        Some(q) => q,
        None => {
            let json = kept::questionnaire_text(&old.questionnaire_id)
                .await
                .map_err(|e| failed(e.to_string()))?;
            let q: Questionnaire =
                serde_json::from_str(&json).map_err(|e| failed(e.to_string()))?;
            keep_questionnaire(&q, &json)
                .map_err(|e| format!("{}: {e}", text(locale, Key::ShopNotSaved)))?;
            q
        }
    };
    let note = detail.summary.note.clone().or(visit.note.clone());
    let draft = VisitDraft::correcting(&q, old, note, visit.scenario, Some(visit.due), locale);
    draft
        .save()
        .map_err(|e| format!("{}: {e}", text(locale, Key::ShopNotSaved)))?;
    Ok(draft.id)
}

#[component]
fn AdHoc(
    branches: Signal<Vec<Branch>>,
    start: Callback<(Option<Visit>, String, String)>,
    busy: RwSignal<bool>,
) -> impl IntoView {
    let branch = RwSignal::new(String::new());
    let scenario = RwSignal::new(String::new());
    let problem = RwSignal::new(None::<Key>);
    let go = move |ev: web_sys::SubmitEvent| {
        ev.prevent_default();
        let (b, s) = (branch.get_untracked(), scenario.get_untracked());
        if b.is_empty() {
            problem.set(Some(Key::ShopChooseBranch));
        } else if s.trim().is_empty() {
            problem.set(Some(Key::ShopEnterScenario));
        } else {
            problem.set(None);
            start.run((None, b, s.trim().to_owned()));
        }
    };
    view! {
        <section aria-labelledby="shop-adhoc">
            <h2 id="shop-adhoc">{t(Key::ShopAdHoc)}</h2>
            <form class="shop-adhoc" on:submit=go novalidate>
                <label class="field">
                    <span>{t(Key::Branch)}</span>
                    <select
                        name="branch"
                        on:change=move |ev| branch.set(event_target_value(&ev))
                        prop:value=move || branch.get()
                    >
                        <option value="">{t(Key::ShopChooseBranchOption)}</option>
                        {move || {
                            branches
                                .get()
                                .into_iter()
                                .filter(|b| b.active)
                                .map(|b| {
                                    let label = format!("{} — {}", b.code, b.name);
                                    view! { <option value=b.code>{label}</option> }
                                })
                                .collect_view()
                        }}
                    </select>
                </label>
                <label class="field">
                    <span>{t(Key::ShopScenario)}</span>
                    <input
                        type="text"
                        name="scenario"
                        maxlength="500"
                        on:input=move |ev| scenario.set(event_target_value(&ev))
                        prop:value=move || scenario.get()
                    />
                </label>
                <p class="error" role="alert">
                    {move || problem.get().map(|k| t(k)())}
                </p>
                <button type="submit" class="primary" disabled=busy>
                    {t(Key::ShopStartAdHoc)}
                </button>
            </form>
        </section>
    }
}

#[component]
fn ReportCard(
    draft: VisitDraft,
    reports: RwSignal<(Vec<VisitDraft>, Vec<crate::storage::drafts::DraftError>)>,
    places: RwSignal<BTreeMap<Uuid, Place>>,
    branches: Signal<Vec<Branch>>,
) -> impl IntoView {
    let confirming = RwSignal::new(false);
    let id = draft.id;
    let submitted = draft.submitted_at.is_some();
    let d = StoredValue::new(draft.clone());
    let status = move || places.with(|p| d.with_value(|d| status_of(d, p)));
    let branch = draft.branch.clone();
    let label = move || branches.with(|b| branch_label(b, &branch));
    let started = crate::pages::shop::timing::clock_time(draft.started_at);
    let delete = move |_| {
        VisitDraft::delete(&id.to_string());
        reports.set(VisitDraft::all());
        leptos::task::spawn_local(async move {
            if let Err(e) = crate::storage::photos::forget_draft(&id.to_string()).await {
                // The uploader's next look drops photos without a draft.
                web_sys::console::warn_1(&format!("BranchPulse: photos: {e}").into());
            }
        });
    };
    view! {
        <li class="shop-card" data-report=id.to_string()>
            <p class="shop-card-title">{label}</p>
            <p>{draft.scenario.clone()}</p>
            <p class="shop-card-meta">
                {t(
                    if draft.assignment.is_some() {
                        Key::ShopKindAssigned
                    } else {
                        Key::ShopKindAdHoc
                    },
                )} " · " {t(Key::ShopStarted)} " " {started}
            </p>
            <p class=move || status_class(status())>{move || t(status_key(status()))()}</p>
            <div class="shop-card-actions">
                <A href=format!("/shop/visit/{id}") attr:class="button">
                    {t(Key::ShopOpen)}
                </A>
                {(!submitted)
                    .then(|| {
                        view! {
                            <button
                                type="button"
                                class="danger"
                                on:click=move |_| confirming.set(true)
                                hidden=confirming
                            >
                                {t(Key::Delete)}
                            </button>
                        }
                    })}
            </div>
            {move || {
                confirming
                    .get()
                    .then(|| {
                        view! {
                            <div
                                class="shop-confirm"
                                role="alertdialog"
                                aria-labelledby=format!("del-{id}")
                            >
                                <p id=format!("del-{id}")>{t(Key::ShopDeleteConfirm)}</p>
                                <button type="button" class="danger primary" on:click=delete>
                                    {t(Key::ShopDeleteYes)}
                                </button>
                                <button type="button" on:click=move |_| confirming.set(false)>
                                    {t(Key::Cancel)}
                                </button>
                            </div>
                        }
                    })
            }}
        </li>
    }
}
