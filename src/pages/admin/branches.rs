//! Branches: the list, a new branch, a branch's name, region and format,
//! closing and reopening (branches are never deleted: their responses
//! stay); below them the formats (peer groups) themselves.

use super::{table, Problem};
use crate::api::admin as api;
use crate::api::ApiError;
use crate::i18n::{t, use_locale, Key};
use branchpulse_core::access::check_branch;
use branchpulse_core::collect;
use branchpulse_core::protocol::{Branch, Format};
use leptos::prelude::*;

const FIELDS: [&str; 4] = ["code", "name", "region", "format"];

type Formats = LocalResource<Result<Vec<Format>, ApiError>>;

/// A choice of format (or none) for a branch, bound to `value` (a code;
/// empty for none).
fn format_select(
    id: String,
    formats: Formats,
    value: RwSignal<String>,
    problem: Problem,
) -> impl IntoView {
    let locale = use_locale();
    view! {
        <select
            id=id
            name="format"
            aria-invalid=problem.is_at("format")
            aria-describedby=problem.described("format")
            on:change=move |e| value.set(event_target_value(&e))
        >
            <option value="" selected=move || value.with(String::is_empty)>
                {t(Key::AdmNoFormat)}
            </option>
            {move || {
                formats
                    .get()
                    .and_then(Result::ok)
                    .unwrap_or_default()
                    .into_iter()
                    .map(|f| {
                        let code = f.code.clone();
                        let label = f.name.get(locale.get()).to_string();
                        view! {
                            <option value=f.code selected=move || value.with(|v| *v == code)>
                                {label}
                            </option>
                        }
                    })
                    .collect_view()
            }}
        </select>
        {problem.show("format")}
    }
}

/// `Some(code)` unless none is chosen.
fn chosen(value: RwSignal<String>) -> Option<String> {
    Some(value.get_untracked()).filter(|v| !v.is_empty())
}

#[component]
pub fn Branches() -> impl IntoView {
    let list = LocalResource::new(api::branches);
    let formats: Formats = LocalResource::new(api::formats);
    let regions = Memo::new(move |_| {
        collect::set(
            list.get()
                .and_then(Result::ok)
                .unwrap_or_default()
                .into_iter()
                .map(|b| b.region),
        )
    });
    view! {
        <section aria-labelledby="branches-title">
            <h2 id="branches-title">{t(Key::AdmBranches)}</h2>
            // Known regions, offered while typing one.
            <datalist id="regions">
                {move || {
                    regions.get().into_iter().map(|r| view! { <option value=r /> }).collect_view()
                }}
            </datalist>
            {table(
                list,
                Key::AdmNoBranches,
                "branch-list",
                &[
                    Key::AdmCode,
                    Key::AdmName,
                    Key::DashRegion,
                    Key::AdmFormat,
                    Key::AdmStatus,
                    Key::AdmActions,
                ],
                move |b| view! { <BranchRow branch=b list formats /> },
            )}
            <AddBranch list formats />
        </section>
        <super::formats::Formats formats branches=list />
    }
}

#[component]
fn BranchRow(
    branch: Branch,
    list: LocalResource<Result<Vec<Branch>, ApiError>>,
    formats: Formats,
) -> impl IntoView {
    let locale = use_locale();
    let editing = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let problem = Problem::new(format!("edit-{}", branch.code));
    let name = RwSignal::new(branch.name.clone());
    let region = RwSignal::new(branch.region.clone());
    let format = RwSignal::new(branch.format.clone().unwrap_or_default());
    let branch = StoredValue::new(branch);
    let save = move |changed: Branch| {
        let request = async move { api::update_branch(&changed).await };
        problem.send(busy, &FIELDS, request, move |()| {
            editing.set(false);
            list.refetch();
        });
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        problem.clear();
        let mut changed = branch.get_value();
        changed.name = name.get_untracked().trim().to_string();
        changed.region = region.get_untracked().trim().to_string();
        changed.format = chosen(format);
        if problem.check(check_branch(&changed)) {
            save(changed);
        }
    };
    let toggle = move |_| {
        problem.clear();
        let mut changed = branch.get_value();
        changed.active = !changed.active;
        save(changed);
    };
    let b = branch.get_value();
    let code = b.code.clone();
    view! {
        <tr class:closed=!b.active>
            <th scope="row">{b.code.clone()}</th>
            {move || {
                if editing.get() {
                    let (name_id, region_id) = (problem.id("name"), problem.id("region"));
                    let format_id = problem.id("format");
                    view! {
                        <td colspan="4">
                            <form class="inline-form" on:submit=submit>
                                <label for=name_id.clone()>{t(Key::AdmName)}</label>
                                <input
                                    id=name_id
                                    prop:value=name
                                    aria-invalid=problem.is_at("name")
                                    aria-describedby=problem.described("name")
                                    on:input=move |e| name.set(event_target_value(&e))
                                />
                                {problem.show("name")}
                                <label for=region_id.clone()>{t(Key::DashRegion)}</label>
                                <input
                                    id=region_id
                                    list="regions"
                                    prop:value=region
                                    aria-invalid=problem.is_at("region")
                                    aria-describedby=problem.described("region")
                                    on:input=move |e| region.set(event_target_value(&e))
                                />
                                {problem.show("region")}
                                <label for=format_id.clone()>{t(Key::AdmFormat)}</label>
                                {format_select(format_id, formats, format, problem)}
                                {problem.show("")}
                                <button type="submit" class="primary" disabled=busy>
                                    {t(Key::AdmSave)}
                                </button>
                                <button
                                    type="button"
                                    on:click=move |_| {
                                        problem.clear();
                                        editing.set(false);
                                    }
                                >
                                    {t(Key::Cancel)}
                                </button>
                            </form>
                        </td>
                    }
                        .into_any()
                } else {
                    let b = branch.get_value();
                    view! {
                        <td class="branch-name">{b.name}</td>
                        <td>{b.region}</td>
                        <td class="branch-format">
                            {move || {
                                let code = branch.with_value(|b| b.format.clone());
                                match code {
                                    None => "–".to_string(),
                                    Some(code) => {
                                        formats
                                            .get()
                                            .and_then(Result::ok)
                                            .and_then(|all| {
                                                all.into_iter().find(|f| f.code == code)
                                            })
                                            .map_or(code, |f| f.name.get(locale.get()).to_string())
                                    }
                                }
                            }}
                        </td>
                        <td>
                            {move || t(
                                if branch.with_value(|b| b.active) {
                                    Key::AdmOpen
                                } else {
                                    Key::AdmClosed
                                },
                            )()}
                        </td>
                    }
                        .into_any()
                }
            }}
            <td class="actions">
                <button
                    type="button"
                    data-code=code.clone()
                    class="edit"
                    disabled=busy
                    on:click=move |_| editing.set(true)
                >
                    {t(Key::AdmEdit)}
                </button>
                <button type="button" data-code=code class="toggle" disabled=busy on:click=toggle>
                    {t(if b.active { Key::AdmClose } else { Key::AdmReopen })}
                </button>
                {move || (!editing.get()).then(|| problem.show(""))}
            </td>
        </tr>
    }
}

#[component]
fn AddBranch(
    list: LocalResource<Result<Vec<Branch>, ApiError>>,
    formats: Formats,
) -> impl IntoView {
    let problem = Problem::new("branch");
    let (code, name, region) = (
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
    );
    let format = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let done = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        problem.clear();
        done.set(false);
        let branch = Branch {
            code: code.get_untracked().trim().to_string(),
            name: name.get_untracked().trim().to_string(),
            region: region.get_untracked().trim().to_string(),
            active: true,
            format: chosen(format),
        };
        if !problem.check(check_branch(&branch)) {
            return;
        }
        let request = async move { api::add_branch(&branch).await };
        problem.send(busy, &FIELDS, request, move |()| {
            for s in [code, name, region, format] {
                s.set(String::new());
            }
            done.set(true);
            list.refetch();
        });
    };
    let field = move |f: &'static str, key: Key, value: RwSignal<String>| {
        view! {
            <div class="field">
                <label for=problem.id(f)>{t(key)}</label>
                <input
                    id=problem.id(f)
                    prop:value=value
                    list=(f == "region").then_some("regions")
                    aria-invalid=problem.is_at(f)
                    aria-describedby=problem.described(f)
                    on:input=move |e| value.set(event_target_value(&e))
                />
                {problem.show(f)}
            </div>
        }
    };
    view! {
        <form class="form admin-form" id="add-branch" on:submit=submit>
            <h3>{t(Key::AdmAddBranch)}</h3>
            {field("code", Key::AdmCode, code)}
            {field("name", Key::AdmName, name)}
            {field("region", Key::DashRegion, region)}
            <div class="field">
                <label for=problem.id("format")>{t(Key::AdmFormat)}</label>
                {format_select(problem.id("format"), formats, format, problem)}
            </div>
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
                {t(Key::AdmAddBranch)}
            </button>
        </form>
    }
}
