//! Mystery-shop visits, as a coordinator plans them: a visit with its
//! window (days, weekdays, hours), branch, scenario, questionnaire and
//! optionally the shopper; the list with each visit's status, overdue ones
//! marked, filters; editing and cancelling where the visit's status still
//! allows it (`programme::next`); and the quarter's quotas ([`super::quotas`]).

use super::quotas::Quotas;
use super::{given, missing, table, Problem};
use crate::api::admin::{self as api, VisitFilter};
use crate::api::ApiError;
use crate::components::{
    describe_window, parse_day, this_year, visit_status_key, visit_status_name, weekday,
    StatusBadge,
};
use crate::i18n::{t, text, use_locale, Key};
use branchpulse_core::access::check_label;
use branchpulse_core::collect;
use branchpulse_core::programme::{next, Event, Hours, VisitStatus, Window};
use branchpulse_core::protocol::{NewVisit, Visit};
use branchpulse_core::{Kind, ProblemCode};
use leptos::prelude::*;
use std::collections::BTreeSet;
use uuid::Uuid;

const FIELDS: [&str; 8] = [
    "branch",
    "scenario",
    "questionnaire_id",
    "window.from",
    "window.to",
    "window.weekdays",
    "window.hours",
    "shopper",
];

type List = LocalResource<Result<Vec<Visit>, ApiError>>;

#[component]
pub fn Visits() -> impl IntoView {
    let filter = RwSignal::new(VisitFilter::default());
    let list: List = LocalResource::new(move || api::visits(filter.get()));
    let branches = LocalResource::new(api::branches);
    // The visit being edited: the form shows it instead of a new one.
    let editing = RwSignal::new(None::<Visit>);
    let locale = use_locale();
    let year = this_year();
    view! {
        <section aria-labelledby="visits-title">
            <h2 id="visits-title">{t(Key::AdmVisits)}</h2>
            {move || {
                let current = editing.get();
                view! { <VisitForm list editing current branches /> }
            }}
            <Filters filter branches />
            {table(
                list,
                Key::VisNone,
                "visit-list",
                &[
                    Key::VisWindow,
                    Key::ShopDue,
                    Key::Branch,
                    Key::ShopScenario,
                    Key::Questionnaire,
                    Key::AdmShopper,
                    Key::VisStatus,
                    Key::AdmActions,
                ],
                move |v: Visit| {
                    let window = v.window.clone();
                    let described = move || describe_window(&window, locale.get(), year);
                    let editable = next(v.status, Event::Assign(true)).is_ok();
                    let cancellable = next(v.status, Event::Cancel).is_ok();
                    let stored = StoredValue::new(v.clone());
                    view! {
                        <tr class:overdue=v.overdue data-visit=v.id.to_string()>
                            <td class="window">{described}</td>
                            <td>{v.due.clone()}</td>
                            <th scope="row">{v.branch.clone()}</th>
                            <td class="scenario">{v.scenario.clone()}</td>
                            <td>{v.questionnaire_id.clone()}</td>
                            <td>{v.shopper.clone().unwrap_or_else(|| "—".into())}</td>
                            <td>
                                <StatusBadge status=v.status overdue=v.overdue />
                                {v.note.clone().map(|n| view! { <p class="visit-note">{n}</p> })}
                            </td>
                            <td class="actions">
                                {editable
                                    .then(|| {
                                        view! {
                                            <button
                                                type="button"
                                                class="edit-visit"
                                                on:click=move |_| {
                                                    editing.set(Some(stored.get_value()));
                                                    super::focus_later("visit-form-title");
                                                }
                                            >
                                                {t(Key::VisEdit)}
                                            </button>
                                        }
                                    })}
                                {cancellable.then(|| view! { <CancelVisit id=v.id list /> })}
                            </td>
                        </tr>
                    }
                },
            )}
            <Quotas />
        </section>
    }
}

#[component]
fn Filters(
    filter: RwSignal<VisitFilter>,
    branches: LocalResource<Result<Vec<branchpulse_core::protocol::Branch>, ApiError>>,
) -> impl IntoView {
    let branch_options = move || {
        branches
            .get()
            .and_then(Result::ok)
            .unwrap_or_default()
            .into_iter()
            .map(
                |b| view! { <option value=b.code.clone()>{b.code.clone()} " — " {b.name}</option> },
            )
            .collect_view()
    };
    view! {
        <form
            class="filters visit-filters"
            aria-label=t(Key::VisFilters)
            on:submit=|e| e.prevent_default()
        >
            <div class="field">
                <label for="visit-filter-status">{t(Key::VisStatus)}</label>
                <select
                    id="visit-filter-status"
                    on:change=move |e| filter.update(|f| f.status = event_target_value(&e))
                >
                    <option value="">{t(Key::VisAny)}</option>
                    {VisitStatus::ALL
                        .into_iter()
                        .map(|s| {
                            view! {
                                <option value=visit_status_name(s)>{t(visit_status_key(s))}</option>
                            }
                        })
                        .collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="visit-filter-branch">{t(Key::Branch)}</label>
                <select
                    id="visit-filter-branch"
                    on:change=move |e| filter.update(|f| f.branch = event_target_value(&e))
                >
                    <option value="">{t(Key::VisAny)}</option>
                    {branch_options}
                </select>
            </div>
            <div class="field check">
                <input
                    id="visit-filter-overdue"
                    type="checkbox"
                    on:change=move |e| filter.update(|f| f.overdue = event_target_checked(&e))
                />
                <label for="visit-filter-overdue">{t(Key::VisOnlyOverdue)}</label>
            </div>
        </form>
    }
}

/// "Cancel visit", then the reason and a second click to confirm.
#[component]
fn CancelVisit(id: Uuid, list: List) -> impl IntoView {
    let asking = RwSignal::new(false);
    let reason = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let problem = Problem::new(format!("cancel-{id}"));
    let confirm = move |_| {
        problem.clear();
        let why = given(reason.get_untracked());
        if let Some(w) = &why {
            if !problem.check(check_label("reason", w)) {
                return;
            }
        }
        let request = async move { api::cancel_visit(id, why.as_deref()).await };
        problem.send(busy, &["reason"], request, move |_| {
            asking.set(false);
            list.refetch();
        });
    };
    move || {
        if !asking.get() {
            return view! {
                <button type="button" class="cancel-visit" on:click=move |_| asking.set(true)>
                    {t(Key::VisCancel)}
                </button>
            }
            .into_any();
        }
        view! {
            <div class="confirm" role="group" aria-label=t(Key::VisCancel)>
                <label for=problem.id("reason")>{t(Key::VisCancelReason)}</label>
                <input
                    id=problem.id("reason")
                    type="text"
                    prop:value=reason
                    aria-invalid=problem.is_at("reason")
                    aria-describedby=problem.described("reason")
                    on:input=move |e| reason.set(event_target_value(&e))
                />
                {problem.show("reason")}
                {problem.show("")}
                <button type="button" class="danger" disabled=busy on:click=confirm>
                    {t(Key::VisCancelYes)}
                </button>
                <button type="button" on:click=move |_| asking.set(false)>
                    {t(Key::VisKeep)}
                </button>
            </div>
        }
        .into_any()
    }
}

/// The form's text of an hour select: `""` for none.
fn hour_text(h: Option<u8>) -> String {
    h.map(|h| h.to_string()).unwrap_or_default()
}

/// Plan a visit, or change `current` (then the form is prefilled and
/// saving sends `PUT`).
#[component]
fn VisitForm(
    list: List,
    editing: RwSignal<Option<Visit>>,
    current: Option<Visit>,
    branches: LocalResource<Result<Vec<branchpulse_core::protocol::Branch>, ApiError>>,
) -> impl IntoView {
    let locale = use_locale();
    let questionnaires = LocalResource::new(api::questionnaire_versions);
    let problem = Problem::new("visit");
    let editing_id = current.as_ref().map(|v| v.id);
    let c = current.as_ref();
    let branch = RwSignal::new(c.map(|v| v.branch.clone()).unwrap_or_default());
    let scenario = RwSignal::new(c.map(|v| v.scenario.clone()).unwrap_or_default());
    let questionnaire = RwSignal::new(c.map(|v| v.questionnaire_id.clone()).unwrap_or_default());
    let from = RwSignal::new(c.map(|v| v.window.from.to_string()).unwrap_or_default());
    let to = RwSignal::new(c.map(|v| v.window.to.to_string()).unwrap_or_default());
    let days = RwSignal::new(
        c.map(|v| collect::set(v.window.weekdays.iter().copied()))
            .unwrap_or_default(),
    );
    let hour_from = RwSignal::new(hour_text(c.and_then(|v| v.window.hours).map(|h| h.from)));
    let hour_to = RwSignal::new(hour_text(c.and_then(|v| v.window.hours).map(|h| h.to)));
    let shopper = RwSignal::new(c.and_then(|v| v.shopper.clone()).unwrap_or_default());
    let busy = RwSignal::new(false);
    let done = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        problem.clear();
        done.set(false);
        let l = locale.get_untracked();
        let window = match read_window(
            &from.get_untracked(),
            &to.get_untracked(),
            &days.get_untracked(),
            &hour_from.get_untracked(),
            &hour_to.get_untracked(),
        ) {
            Ok(w) => w,
            Err((field, key)) => {
                problem.refuse(field, text(l, key).into());
                return;
            }
        };
        let visit = NewVisit {
            branch: branch.get_untracked(),
            scenario: scenario.get_untracked().trim().to_string(),
            questionnaire_id: questionnaire.get_untracked(),
            window,
            shopper: given(shopper.get_untracked()),
        };
        let checked = match () {
            _ if visit.branch.is_empty() => Err(missing("branch", ProblemCode::UnknownBranch)),
            _ => Ok(()),
        }
        .and_then(|()| check_label("scenario", &visit.scenario))
        .and_then(|()| match () {
            _ if visit.questionnaire_id.is_empty() => Err(missing(
                "questionnaire_id",
                ProblemCode::UnknownQuestionnaire,
            )),
            _ => Ok(()),
        })
        .and_then(|()| {
            visit
                .shopper
                .as_deref()
                .map_or(Ok(()), |s| check_label("shopper", s))
        });
        if !problem.check(checked) {
            return;
        }
        let request = async move {
            match editing_id {
                Some(id) => api::change_visit(id, &visit).await,
                None => api::plan_visit(&visit).await,
            }
        };
        problem.send(busy, &FIELDS, request, move |_| {
            list.refetch();
            if editing_id.is_some() {
                editing.set(None);
            } else {
                scenario.set(String::new());
                shopper.set(String::new());
                done.set(true);
            }
        });
    };
    let branch_options = move || {
        branches
            .get()
            .and_then(Result::ok)
            .unwrap_or_default()
            .into_iter()
            .filter(|b| b.active)
            .map(
                |b| view! { <option value=b.code.clone()>{b.code.clone()} " — " {b.name}</option> },
            )
            .collect_view()
    };
    let questionnaire_options = move || {
        let ids: BTreeSet<String> = collect::set(
            questionnaires
                .get()
                .and_then(Result::ok)
                .unwrap_or_default()
                .into_iter()
                .filter(|v| v.kind == Kind::MysteryShop)
                .map(|v| v.id),
        );
        ids.into_iter()
            .map(|id| view! { <option value=id.clone()>{id.clone()}</option> })
            .collect_view()
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
    let select = move |f: &'static str, key: Key, value: RwSignal<String>, options: AnyView| {
        view! {
            <div class="field">
                <label for=problem.id(f)>{t(key)}</label>
                <select
                    id=problem.id(f)
                    aria-invalid=problem.is_at(f)
                    aria-describedby=problem.described(f)
                    prop:value=value
                    on:change=move |e| value.set(event_target_value(&e))
                >
                    <option value="">{t(Key::AdmChoose)}</option>
                    {options}
                </select>
                {problem.show(f)}
            </div>
        }
    };
    let hour = move |id: String,
                     key: Key,
                     value: RwSignal<String>,
                     range: std::ops::RangeInclusive<u8>| {
        view! {
            <label for=id.clone()>{t(key)}</label>
            <select
                id=id
                aria-invalid=problem.is_at("window.hours")
                aria-describedby=problem.described("window.hours")
                prop:value=value
                on:change=move |e| value.set(event_target_value(&e))
            >
                <option value="">"—"</option>
                {range
                    .map(|h| view! { <option value=h.to_string()>{format!("{h:02}:00")}</option> })
                    .collect_view()}
            </select>
        }
    };
    let preview = move || {
        read_window(
            &from.get(),
            &to.get(),
            &days.get(),
            &hour_from.get(),
            &hour_to.get(),
        )
        .ok()
        .map(|w| {
            view! {
                <p class="hint window-preview" aria-live="polite">
                    {t(Key::VisWindow)}
                    ": "
                    {describe_window(&w, locale.get(), this_year())}
                </p>
            }
        })
    };
    let title = if editing_id.is_some() {
        Key::VisEditTitle
    } else {
        Key::VisPlanTitle
    };
    view! {
        <form class="form admin-form" id="assign-visit" on:submit=submit>
            <h3 id="visit-form-title" tabindex="-1">
                {t(title)}
            </h3>
            {select("branch", Key::Branch, branch, branch_options.into_any())}
            {input("scenario", Key::ShopScenario, scenario, "text")}
            {move || {
                if matches!(questionnaires.get(), Some(Err(_))) {
                    input("questionnaire_id", Key::Questionnaire, questionnaire, "text").into_any()
                } else {
                    select(
                            "questionnaire_id",
                            Key::Questionnaire,
                            questionnaire,
                            questionnaire_options.into_any(),
                        )
                        .into_any()
                }
            }}
            <fieldset class="window">
                <legend>{t(Key::VisWindow)}</legend>
                {input("window.from", Key::VisFirstDay, from, "date")}
                {input("window.to", Key::VisLastDay, to, "date")}
                <fieldset class="weekdays" aria-describedby=problem.described("window.weekdays")>
                    <legend>{t(Key::VisWeekdays)}</legend>
                    {(1..=7u8)
                        .map(|d| {
                            let id = format!("visit-day-{d}");
                            view! {
                                <span class="check">
                                    <input
                                        id=id.clone()
                                        type="checkbox"
                                        prop:checked=move || days.with(|s| s.contains(&d))
                                        on:change=move |e| {
                                            let on = event_target_checked(&e);
                                            days.update(|s| {
                                                if on {
                                                    s.insert(d);
                                                } else {
                                                    s.remove(&d);
                                                }
                                            });
                                        }
                                    />
                                    <label for=id>{move || weekday(d, locale.get())}</label>
                                </span>
                            }
                        })
                        .collect_view()}
                    <button
                        type="button"
                        class="link"
                        on:click=move |_| days.set(collect::set(1..=5))
                    >
                        {t(Key::VisMonFri)}
                    </button>
                    <p class="hint">{t(Key::VisWeekdaysHint)}</p>
                    {problem.show("window.weekdays")}
                </fieldset>
                <fieldset class="hours">
                    <legend>{t(Key::VisHours)}</legend>
                    {hour("visit-hours-from".into(), Key::VisHourFrom, hour_from, 0..=23)}
                    {hour("visit-hours-to".into(), Key::VisHourTo, hour_to, 1..=24)}
                    <p class="hint">{t(Key::VisHoursHint)}</p>
                    {problem.show("window.hours")}
                </fieldset>
                {preview}
            </fieldset>
            {input("shopper", Key::AdmShopperOptional, shopper, "text")}
            {problem.show("")}
            {move || {
                done.get()
                    .then(|| {
                        view! {
                            <p class="ok" role="status">
                                {t(Key::AdmSaved)}
                            </p>
                        }
                    })
            }}
            <button type="submit" class="primary" disabled=busy>
                {t(if editing_id.is_some() { Key::VisSave } else { Key::VisPlan })}
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

/// The window the form describes, checked with core's rules, or the
/// field at fault and what to say.
fn read_window(
    from: &str,
    to: &str,
    days: &BTreeSet<u8>,
    hour_from: &str,
    hour_to: &str,
) -> Result<Window, (&'static str, Key)> {
    let from = parse_day(from).ok_or(("window.from", Key::VisErrDay))?;
    let to = parse_day(to).ok_or(("window.to", Key::VisErrDay))?;
    let hours = match (hour_from.parse::<u8>().ok(), hour_to.parse::<u8>().ok()) {
        (None, None) => None,
        (Some(from), Some(to)) => Some(Hours { from, to }),
        _ => return Err(("window.hours", Key::VisErrHoursBoth)),
    };
    let window = Window {
        from,
        to,
        weekdays: days.iter().copied().collect(),
        hours,
    };
    window.check().map_err(|e| {
        let key = match e.field {
            "window.to" if to < from => Key::VisErrToBeforeFrom,
            "window.to" => Key::VisErrTooLong,
            "window.weekdays" => Key::VisErrWeekdays,
            "window.hours" => Key::VisErrHours,
            _ => Key::VisErrDay,
        };
        (e.field, key)
    })?;
    Ok(window)
}
