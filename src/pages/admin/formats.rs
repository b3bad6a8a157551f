//! Branch formats (peer groups): the list with each name in the three
//! languages, renaming, removing one no branch has, and a new format.

use super::{table, Problem};
use crate::api::admin as api;
use crate::api::ApiError;
use crate::i18n::{t, use_locale, Key};
use branchpulse_core::access::check_format;
use branchpulse_core::collect;
use branchpulse_core::protocol::{Branch, Format};
use branchpulse_core::{Locale, Text};
use leptos::prelude::*;
use leptos::task::spawn_local;

type List = LocalResource<Result<Vec<Format>, ApiError>>;

const FIELDS: [&str; 4] = ["code", "name.zh-CN", "name.en", "name.es"];

/// The name fields, one per language, with the field names core's checks give.
const NAMES: [(Locale, &str, Key); 3] = [
    (Locale::ZhCn, "name.zh-CN", Key::AdmNameZh),
    (Locale::En, "name.en", Key::AdmNameEn),
    (Locale::Es, "name.es", Key::AdmNameEs),
];

type Names = [RwSignal<String>; 3];

fn names_of(f: Option<&Format>) -> Names {
    NAMES.map(|(l, _, _)| {
        RwSignal::new(
            f.and_then(|f| f.name.0.get(&l).cloned())
                .unwrap_or_default(),
        )
    })
}

fn text_of(names: Names) -> Text {
    Text(collect::map(NAMES.iter().zip(names).map(
        |((l, _, _), v)| (*l, v.get_untracked().trim().to_string()),
    )))
}

fn name_fields(problem: Problem, names: Names) -> impl IntoView {
    NAMES
        .iter()
        .zip(names)
        .map(|((_, field, key), value)| {
            let field: &'static str = field;
            view! {
                <div class="field">
                    <label for=problem.id(field)>{t(*key)}</label>
                    <input
                        id=problem.id(field)
                        name=field
                        prop:value=value
                        aria-invalid=problem.is_at(field)
                        aria-describedby=problem.described(field)
                        on:input=move |e| value.set(event_target_value(&e))
                    />
                    {problem.show(field)}
                </div>
            }
        })
        .collect_view()
}

#[component]
pub fn Formats(
    formats: List,
    branches: LocalResource<Result<Vec<Branch>, ApiError>>,
) -> impl IntoView {
    view! {
        <section aria-labelledby="formats-title">
            <h2 id="formats-title">{t(Key::AdmFormats)}</h2>
            <p class="hint">{t(Key::AdmFormatsHint)}</p>
            {table(
                formats,
                Key::AdmNoFormats,
                "format-list",
                &[Key::AdmCode, Key::AdmName, Key::AdmActions],
                move |f| view! { <FormatRow format=f formats branches /> },
            )}
            <AddFormat formats />
        </section>
    }
}

#[component]
fn FormatRow(
    format: Format,
    formats: List,
    branches: LocalResource<Result<Vec<Branch>, ApiError>>,
) -> impl IntoView {
    let locale = use_locale();
    let editing = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let problem = Problem::new(format!("format-{}", format.code));
    let names = names_of(Some(&format));
    let format = StoredValue::new(format);
    let done = move |result: Result<(), ApiError>| match result {
        Ok(()) => {
            editing.set(false);
            formats.refetch();
            branches.refetch();
        }
        // The row has no code field: a refusal about the code is the row's.
        Err(e) => problem.failed(&e, &FIELDS[1..], locale.get_untracked()),
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        problem.clear();
        let changed = Format {
            code: format.with_value(|f| f.code.clone()),
            name: text_of(names),
        };
        if problem.check(check_format(&changed)) {
            busy.set(true);
            spawn_local(async move {
                let result = api::update_format(&changed).await;
                busy.set(false);
                done(result);
            });
        }
    };
    let remove = move |_| {
        problem.clear();
        busy.set(true);
        let code = format.with_value(|f| f.code.clone());
        spawn_local(async move {
            let result = api::remove_format(&code).await;
            busy.set(false);
            done(result);
        });
    };
    let code = format.with_value(|f| f.code.clone());
    view! {
        <tr>
            <th scope="row">{code.clone()}</th>
            {move || {
                if editing.get() {
                    view! {
                        <td>
                            <form class="inline-form" on:submit=submit>
                                {name_fields(problem, names)}
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
                    view! {
                        <td>
                            {move || format.with_value(|f| f.name.get(locale.get()).to_string())}
                        </td>
                    }
                        .into_any()
                }
            }}
            <td class="actions">
                <button
                    type="button"
                    class="edit"
                    data-code=code.clone()
                    disabled=busy
                    on:click=move |_| editing.set(true)
                >
                    {t(Key::AdmEdit)}
                </button>
                <button type="button" class="remove" data-code=code disabled=busy on:click=remove>
                    {t(Key::Delete)}
                </button>
                {move || (!editing.get()).then(|| problem.show(""))}
            </td>
        </tr>
    }
}

#[component]
fn AddFormat(formats: List) -> impl IntoView {
    let problem = Problem::new("format");
    let code = RwSignal::new(String::new());
    let names = names_of(None);
    let busy = RwSignal::new(false);
    let done = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        problem.clear();
        done.set(false);
        let format = Format {
            code: code.get_untracked().trim().to_string(),
            name: text_of(names),
        };
        if !problem.check(check_format(&format)) {
            return;
        }
        let request = async move { api::add_format(&format).await };
        problem.send(busy, &FIELDS, request, move |()| {
            code.set(String::new());
            for n in names {
                n.set(String::new());
            }
            done.set(true);
            formats.refetch();
        });
    };
    view! {
        <form class="form admin-form" id="add-format" on:submit=submit>
            <h3>{t(Key::AdmAddFormat)}</h3>
            <div class="field">
                <label for=problem.id("code")>{t(Key::AdmCode)}</label>
                <input
                    id=problem.id("code")
                    prop:value=code
                    aria-invalid=problem.is_at("code")
                    aria-describedby=problem.described("code")
                    on:input=move |e| code.set(event_target_value(&e))
                />
                {problem.show("code")}
            </div>
            {name_fields(problem, names)}
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
                {t(Key::AdmAddFormat)}
            </button>
        </form>
    }
}
