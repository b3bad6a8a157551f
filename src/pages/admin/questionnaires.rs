//! Questionnaires: every version with the one in use marked, uploading a
//! new version (a JSON file read in the browser and sent as it is), and
//! choosing the active version.
//!
//! The server's loader checks the file and says what is wrong, naming the
//! item and field. Running the same loader here first said it no sooner than
//! a person could tell, and cost the admin's bundle its exact error paths
//! (serde_path_to_error), serde_json's `Value` and the checks (docs/size.md).

use super::{listing, say, short_time, Problem};
use crate::api::admin as api;
use crate::api::admin::Version;
use crate::i18n::{t, text, use_locale, Key};
use branchpulse_core::Kind;
use leptos::html::Input;
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen_futures::JsFuture;

#[component]
pub fn Questionnaires() -> impl IntoView {
    let list = LocalResource::new(api::questionnaire_versions);
    let locale = use_locale();
    let problem = Problem::new("activate");
    let activate = move |id: String, version: u32| {
        problem.clear();
        spawn_local(async move {
            match api::activate(&id, version).await {
                Ok(()) => list.refetch(),
                Err(e) => problem.failed(&e, &[], locale.get_untracked()),
            }
        });
    };
    view! {
        <section aria-labelledby="questionnaires-title">
            <h2 id="questionnaires-title">{t(Key::Questionnaires)}</h2>
            {problem.show("")}
            {listing(
                list,
                Key::NoQuestionnaires,
                move |all: Vec<Version>| {
                    view! {
                        <div class="table-wrap">
                            <table class="admin-table" id="questionnaire-list">
                                <thead>
                                    <tr>
                                        <th scope="col">{t(Key::AdmIdCol)}</th>
                                        <th scope="col">{t(Key::Version)}</th>
                                        <th scope="col">{t(Key::AdmTitleCol)}</th>
                                        <th scope="col">{t(Key::AdmKind)}</th>
                                        <th scope="col">{t(Key::Items)}</th>
                                        <th scope="col">{t(Key::AdmUploaded)}</th>
                                        <th scope="col">{t(Key::AdmInUse)}</th>
                                    </tr>
                                </thead>
                                <tbody>
                                    {all
                                        .into_iter()
                                        .map(|v| {
                                            let s = v.clone();
                                            let (id, version) = (s.id.clone(), s.version);
                                            let title = s.title.clone();
                                            view! {
                                                <tr
                                                    data-id=s.id.clone()
                                                    data-version=s.version
                                                    class:active=v.active
                                                >
                                                    <th scope="row">{s.id.clone()}</th>
                                                    <td>{s.version}</td>
                                                    <td>{move || title.get(locale.get()).to_string()}</td>
                                                    <td>
                                                        {t(
                                                            if s.kind == Kind::Kiosk {
                                                                Key::KindKiosk
                                                            } else {
                                                                Key::KindMysteryShop
                                                            },
                                                        )}
                                                    </td>
                                                    <td>{s.items}</td>
                                                    <td>
                                                        {v
                                                            .uploaded_at
                                                            .as_deref()
                                                            .map(short_time)
                                                            .unwrap_or_else(|| "—".into())}
                                                    </td>
                                                    <td>
                                                        {if v.active {
                                                            view! { <strong class="in-use">{t(Key::AdmInUse)}</strong> }
                                                                .into_any()
                                                        } else {
                                                            view! {
                                                                <button
                                                                    type="button"
                                                                    class="activate"
                                                                    on:click=move |_| activate(id.clone(), version)
                                                                >
                                                                    {t(Key::AdmActivate)}
                                                                </button>
                                                            }
                                                                .into_any()
                                                        }}
                                                    </td>
                                                </tr>
                                            }
                                        })
                                        .collect_view()}
                                </tbody>
                            </table>
                        </div>
                    }
                },
            )}
            <Upload list />
        </section>
    }
}

/// The text of the file chosen in `input`.
async fn read_file(input: &web_sys::HtmlInputElement) -> Option<Result<String, String>> {
    let file = input.files()?.get(0)?;
    Some(
        JsFuture::from(file.text())
            .await
            .map(|v| v.as_string().unwrap_or_default())
            .map_err(|e| format!("{e:?}")),
    )
}

#[component]
fn Upload(list: LocalResource<Result<Vec<Version>, crate::api::ApiError>>) -> impl IntoView {
    let locale = use_locale();
    let problem = Problem::new("upload");
    let input = NodeRef::<Input>::new();
    let busy = RwSignal::new(false);
    let done = RwSignal::new(None::<String>);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        problem.clear();
        done.set(None);
        let Some(el) = input.get_untracked() else {
            return;
        };
        let l = locale.get_untracked();
        busy.set(true);
        spawn_local(async move {
            let read = read_file(&el).await;
            let outcome = match read {
                None => Err(text(l, Key::AdmChooseFile).to_string()),
                Some(Err(e)) => Err(format!("{}: {e}", text(l, Key::AdmCannotRead))),
                Some(Ok(json)) => match api::upload_questionnaire(json).await {
                    Ok(v) => Ok(format!("{} v{}", v.id, v.version)),
                    Err(e) => {
                        problem.failed(&e, &[], l);
                        // The loader's message (or the server's) belongs to the file.
                        Err(say(&e, l))
                    }
                },
            };
            busy.set(false);
            match outcome {
                Ok(label) => {
                    el.set_value("");
                    done.set(Some(label));
                    list.refetch();
                }
                Err(message) => problem.refuse("file", message),
            }
        });
    };
    view! {
        <form class="form admin-form" id="upload-questionnaire" on:submit=submit>
            <h3>{t(Key::AdmUpload)}</h3>
            <p class="hint">{t(Key::AdmUploadHint)}</p>
            <div class="field">
                <label for="upload-file">{t(Key::AdmFile)}</label>
                <input
                    id="upload-file"
                    type="file"
                    accept=".json,application/json"
                    node_ref=input
                    aria-invalid=problem.is_at("file")
                    aria-describedby=problem.described("file")
                />
                {problem.show("file")}
            </div>
            {move || {
                done.get()
                    .map(|label| {
                        view! {
                            <p class="ok" role="status">
                                {t(Key::AdmUploaded)}
                                ": "
                                {label}
                            </p>
                        }
                    })
            }}
            <button type="submit" class="primary" disabled=busy>
                {t(Key::AdmUpload)}
            </button>
        </form>
    }
}
