//! Mystery-shop visits: assigning one (branch, scenario, questionnaire,
//! due day, optionally the shopper) and the list of assigned visits.

use super::{given, missing, table, Problem};
use crate::api::admin as api;
use crate::i18n::{t, use_locale, Key};
use branchpulse_core::access::check_label;
use branchpulse_core::programme::Window;
use branchpulse_core::protocol::{NewVisit, Visit};
use branchpulse_core::{Kind, ProblemCode};
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::collections::BTreeSet;

const FIELDS: [&str; 5] = ["branch", "scenario", "questionnaire_id", "due", "shopper"];

#[component]
pub fn Visits() -> impl IntoView {
    let list = LocalResource::new(api::visits);
    view! {
        <section aria-labelledby="visits-title">
            <h2 id="visits-title">{t(Key::AdmVisits)}</h2>
            <AssignVisit list />
            {table(
                list,
                Key::ShopNoAssigned,
                "visit-list",
                &[
                    Key::ShopDue,
                    Key::Branch,
                    Key::ShopScenario,
                    Key::Questionnaire,
                    Key::AdmShopper,
                ],
                move |v| {
                    view! {
                        <tr>
                            <td>{v.due}</td>
                            <th scope="row">{v.branch}</th>
                            <td class="scenario">{v.scenario}</td>
                            <td>{v.questionnaire_id}</td>
                            <td>{v.shopper.unwrap_or_else(|| "—".into())}</td>
                        </tr>
                    }
                },
            )}
        </section>
    }
}

#[component]
fn AssignVisit(list: LocalResource<Result<Vec<Visit>, crate::api::ApiError>>) -> impl IntoView {
    let locale = use_locale();
    let branches = LocalResource::new(api::branches);
    let questionnaires = LocalResource::new(api::questionnaire_versions);
    let problem = Problem::new("visit");
    let branch = RwSignal::new(String::new());
    let scenario = RwSignal::new(String::new());
    let questionnaire = RwSignal::new(String::new());
    let due = RwSignal::new(String::new());
    let shopper = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let done = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        problem.clear();
        done.set(false);
        let due_text = due.get_untracked();
        let due_day = parse_day(&due_text);
        // Until the form asks for a window: from today (or the due day, if
        // earlier) to the due day, any day and hour.
        let today = parse_day(
            &String::from(js_sys::Date::new_0().to_iso_string())
                .chars()
                .take(10)
                .collect::<String>(),
        );
        let window = due_day.map(|d| Window::days(today.map_or(d, |t| t.min(d)), d));
        let visit = NewVisit {
            branch: branch.get_untracked(),
            scenario: scenario.get_untracked().trim().to_string(),
            questionnaire_id: questionnaire.get_untracked(),
            window: window
                .clone()
                .unwrap_or_else(|| Window::days(time::Date::MIN, time::Date::MIN)),
            shopper: given(shopper.get_untracked()),
        };
        // A date input gives a whole day or nothing.
        let checked = check_label("scenario", &visit.scenario)
            .and_then(|()| {
                visit
                    .shopper
                    .as_deref()
                    .map_or(Ok(()), |s| check_label("shopper", s))
            })
            .and_then(|()| match () {
                _ if visit.branch.is_empty() => Err(missing("branch", ProblemCode::UnknownBranch)),
                _ if visit.questionnaire_id.is_empty() => Err(missing(
                    "questionnaire_id",
                    ProblemCode::UnknownQuestionnaire,
                )),
                _ if window.is_none() => Err(missing("due", ProblemCode::BadDate)),
                _ => Ok(()),
            });
        if !problem.check(checked) {
            return;
        }
        busy.set(true);
        spawn_local(async move {
            let result = api::assign_visit(&visit).await;
            busy.set(false);
            match result {
                Ok(()) => {
                    scenario.set(String::new());
                    shopper.set(String::new());
                    done.set(true);
                    list.refetch();
                }
                Err(e) => problem.failed(&e, &FIELDS, locale.get_untracked()),
            }
        });
    };
    let branch_options = move || {
        let open: Vec<_> = branches
            .get()
            .and_then(Result::ok)
            .unwrap_or_default()
            .into_iter()
            .filter(|b| b.active)
            .collect();
        open.into_iter()
            .map(
                |b| view! { <option value=b.code.clone()>{b.code.clone()} " — " {b.name}</option> },
            )
            .collect_view()
    };
    let questionnaire_options = move || {
        let ids: BTreeSet<String> = questionnaires
            .get()
            .and_then(Result::ok)
            .unwrap_or_default()
            .into_iter()
            .filter(|v| v.kind == Kind::MysteryShop)
            .map(|v| v.id)
            .collect();
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
    view! {
        <form class="form admin-form" id="assign-visit" on:submit=submit>
            <h3>{t(Key::AdmAssignVisit)}</h3>
            {select("branch", Key::Branch, branch, branch_options.into_any())}
            {input("scenario", Key::ShopScenario, scenario, "text")}
            {select(
                "questionnaire_id",
                Key::Questionnaire,
                questionnaire,
                questionnaire_options.into_any(),
            )}
            {input("due", Key::ShopDue, due, "date")}
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
                {t(Key::AdmAssignVisit)}
            </button>
        </form>
    }
}

fn parse_day(text: &str) -> Option<time::Date> {
    time::Date::parse(
        text.trim(),
        time::macros::format_description!("[year]-[month]-[day]"),
    )
    .ok()
}
