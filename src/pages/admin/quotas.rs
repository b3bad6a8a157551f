//! A quarter's visit quotas: per branch the approved visits wanted, and how
//! far the quarter has got (planned, approved, overdue).

use super::{listing, Problem};
use crate::api::admin as api;
use crate::components::today;
use crate::i18n::{t, Key};
use branchpulse_core::collect;
use branchpulse_core::programme::{Quarter, QuotaRow, QuotaTarget, Quotas as QuotasBody};
use leptos::prelude::*;
use std::collections::BTreeMap;

/// The quarters offered: the previous one, this one and the next two.
fn quarters() -> Vec<Quarter> {
    let now = today().map_or(
        Quarter {
            year: 2026,
            number: 1,
        },
        Quarter::of,
    );
    let step = |q: Quarter, by: i32| {
        let n = q.year * 4 + i32::from(q.number) - 1 + by;
        Quarter {
            year: n.div_euclid(4),
            number: (n.rem_euclid(4) + 1) as u8,
        }
    };
    (-1..=2).map(|by| step(now, by)).collect()
}

#[component]
pub fn Quotas() -> impl IntoView {
    let choices = quarters();
    let quarter = RwSignal::new(choices[1].to_string());
    let rows = LocalResource::new(move || api::quotas(quarter.get()));
    view! {
        <section class="quotas" aria-labelledby="quotas-title">
            <h3 id="quotas-title">{t(Key::QuoTitle)}</h3>
            <div class="field">
                <label for="quota-quarter">{t(Key::QuoQuarter)}</label>
                <select
                    id="quota-quarter"
                    prop:value=quarter
                    on:change=move |e| quarter.set(event_target_value(&e))
                >
                    {choices
                        .into_iter()
                        .map(|q| view! { <option value=q.to_string()>{q.to_string()}</option> })
                        .collect_view()}
                </select>
            </div>
            {listing(
                rows,
                Key::QuoNone,
                move |found: Vec<QuotaRow>| {
                    view! { <QuotaTable quarter=quarter.get_untracked() found rows /> }
                },
            )}
        </section>
    }
}

#[component]
fn QuotaTable(
    quarter: String,
    found: Vec<QuotaRow>,
    rows: LocalResource<Result<Vec<QuotaRow>, crate::api::ApiError>>,
) -> impl IntoView {
    let problem = Problem::new("quota");
    let targets: RwSignal<BTreeMap<String, String>> = RwSignal::new(collect::map(
        found
            .iter()
            .map(|r| (r.branch.clone(), r.target.to_string())),
    ));
    let busy = RwSignal::new(false);
    let done = RwSignal::new(false);
    let quarter = StoredValue::new(quarter);
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        problem.clear();
        done.set(false);
        let mut list = Vec::new();
        for (branch, value) in targets.get_untracked() {
            match value.trim().parse::<u32>() {
                Ok(target) if target <= 1000 => list.push(QuotaTarget { branch, target }),
                _ => {
                    problem.refuse("targets", format!("{branch}: {}", t(Key::QuoBadTarget)()));
                    return;
                }
            }
        }
        let body = QuotasBody {
            quarter: quarter.get_value(),
            targets: list,
        };
        let request = async move { api::set_quotas(&body).await };
        problem.send(busy, &["targets"], request, move |_| {
            done.set(true);
            rows.refetch();
        });
    };
    view! {
        <form class="form" id="quota-form" on:submit=save>
            <div class="table-wrap">
                <table class="admin-table" id="quota-table">
                    <thead>
                        <tr>
                            <th scope="col">{t(Key::Branch)}</th>
                            <th scope="col">{t(Key::QuoTarget)}</th>
                            <th scope="col">{t(Key::QuoPlanned)}</th>
                            <th scope="col">{t(Key::QuoApproved)}</th>
                            <th scope="col">{t(Key::VisOverdue)}</th>
                        </tr>
                    </thead>
                    <tbody>
                        {found
                            .into_iter()
                            .map(|r| {
                                let id = format!("quota-{}", r.branch);
                                let b = r.branch.clone();
                                let b2 = r.branch.clone();
                                let late = r.overdue > 0;
                                view! {
                                    <tr class:overdue=late data-branch=r.branch.clone()>
                                        <th scope="row">
                                            <label for=id.clone()>{r.branch.clone()}</label>
                                        </th>
                                        <td>
                                            <input
                                                id=id
                                                type="number"
                                                min="0"
                                                max="1000"
                                                inputmode="numeric"
                                                prop:value=move || {
                                                    targets.with(|m| m.get(&b).cloned().unwrap_or_default())
                                                }
                                                on:input=move |e| {
                                                    let v = event_target_value(&e);
                                                    targets
                                                        .update(|m| {
                                                            m.insert(b2.clone(), v);
                                                        });
                                                }
                                            />
                                        </td>
                                        <td>{r.planned}</td>
                                        <td>{r.approved} " / " {r.target}</td>
                                        <td>{r.overdue}</td>
                                    </tr>
                                }
                            })
                            .collect_view()}
                    </tbody>
                </table>
            </div>
            {problem.show("targets")}
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
                {t(Key::QuoSave)}
            </button>
        </form>
    }
}
