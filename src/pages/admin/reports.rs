//! Review before release: the queue of submitted reports (oldest first),
//! and one report in full (`?s=reports&id=`) — every answer under its
//! item's text, comments, the visit's timings, photos, the versions and
//! what changed since the previous one, the review history — with the
//! decision: approve, return with a note, reject with a reason.

use super::{given, listing, short_time, Problem};
use crate::api::admin::{self as api, Evidence};
use crate::api::ApiError;
use crate::components::report_status_key;
use crate::i18n::{t, text, use_locale, Key};
use branchpulse_core::collect;
use branchpulse_core::programme::{
    Decision, ReportDetail, ReportStatus, ReportSummary, Review, MAX_NOTE_CHARS,
};
use branchpulse_core::{Answer, ItemKind, Locale, Questionnaire, Response, YesNo};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::{use_navigate, use_query_map};
use leptos_router::NavigateOptions;
use std::collections::BTreeSet;
use time::OffsetDateTime;
use uuid::Uuid;

#[component]
pub fn Reports() -> impl IntoView {
    let query = use_query_map();
    let id =
        Memo::new(move |_| query.with(|q| q.get_str("id").and_then(|s| s.parse::<Uuid>().ok())));
    move || match id.get() {
        Some(id) => view! { <ReportPage id /> }.into_any(),
        None => view! { <Queue /> }.into_any(),
    }
}

fn report_href(id: Uuid) -> String {
    format!("/admin?s=reports&id={id}")
}

#[component]
fn Queue() -> impl IntoView {
    let list = LocalResource::new(|| async {
        let mut found = api::reports("submitted", "").await?;
        // Oldest first: the one waiting longest is reviewed first.
        collect::sort_by(&mut found, |a, b| a.submitted_at.cmp(&b.submitted_at));
        Ok::<_, ApiError>(found)
    });
    // The visits' scenarios, to say which visit a report is of.
    let visits = LocalResource::new(|| api::visits(Default::default()));
    let scenario = move |id: Option<Uuid>| {
        let id = id?;
        visits
            .get()
            .and_then(Result::ok)?
            .into_iter()
            .find(|v| v.id == id)
            .map(|v| v.scenario)
    };
    view! {
        <section aria-labelledby="reports-title">
            <h2 id="reports-title">{t(Key::RevQueue)}</h2>
            <p class="hint">{t(Key::RevQueueHint)}</p>
            {listing(
                list,
                Key::RevNone,
                move |all: Vec<ReportSummary>| {
                    view! {
                        <div class="table-wrap">
                            <table class="admin-table" id="report-queue">
                                <thead>
                                    <tr>
                                        <th scope="col">{t(Key::RevSubmittedAt)}</th>
                                        <th scope="col">{t(Key::Branch)}</th>
                                        <th scope="col">{t(Key::RevVisit)}</th>
                                        <th scope="col">{t(Key::AdmShopper)}</th>
                                        <th scope="col">{t(Key::RevPhotos)}</th>
                                        <th scope="col">{t(Key::AdmActions)}</th>
                                    </tr>
                                </thead>
                                <tbody>
                                    {all
                                        .into_iter()
                                        .map(|r| {
                                            let visit = r.visit;
                                            view! {
                                                <tr data-report=r.id.to_string()>
                                                    <td>{short_time(&r.submitted_at)}</td>
                                                    <th scope="row">{r.branch.clone()}</th>
                                                    <td>
                                                        {move || {
                                                            scenario(visit)
                                                                .unwrap_or_else(|| {
                                                                    if visit.is_some() {
                                                                        "—".into()
                                                                    } else {
                                                                        t(Key::ShopKindAdHoc)().into()
                                                                    }
                                                                })
                                                        }}
                                                        {r
                                                            .revises
                                                            .map(|_| {
                                                                view! {
                                                                    " "
                                                                    <span class="badge">{t(Key::RevCorrected)}</span>
                                                                }
                                                            })}
                                                    </td>
                                                    <td>{r.shopper.clone().unwrap_or_else(|| "—".into())}</td>
                                                    <td>{r.evidence}</td>
                                                    <td>
                                                        <a class="button" href=report_href(r.id)>
                                                            {t(Key::RevOpen)}
                                                        </a>
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
        </section>
    }
}

/// What the report page shows: the report, the questionnaire it answers
/// (`None` when it cannot be had: items then show their ids), its photos
/// (`None` when they could not be listed), and the previous version's
/// response, to say what changed.
#[derive(Clone)]
struct Loaded {
    detail: ReportDetail,
    q: Option<Questionnaire>,
    photos: Option<Vec<Evidence>>,
    previous: Option<Response>,
}

async fn load(id: Uuid) -> Result<Loaded, ApiError> {
    let detail = api::report(id).await?;
    let r = &detail.response;
    let q = api::questionnaire_version(&r.questionnaire_id, r.questionnaire_version)
        .await
        .ok();
    let photos = api::evidence(id).await.ok();
    let previous = match detail.summary.revises {
        Some(prev) => api::report(prev).await.ok().map(|d| d.response),
        None => None,
    };
    Ok(Loaded {
        detail,
        q,
        photos,
        previous,
    })
}

#[component]
fn ReportPage(id: Uuid) -> impl IntoView {
    let report = LocalResource::new(move || async move { load(id).await.map(|l| vec![l]) });
    view! {
        <p>
            <a href="/admin?s=reports" id="back-to-queue">
                {t(Key::RevBack)}
            </a>
        </p>
        {listing(
            report,
            Key::RevNone,
            move |mut found: Vec<Loaded>| {
                let l = found.pop().expect("one report");
                view! { <Report l report /> }
            },
        )}
    }
}

#[component]
fn Report(l: Loaded, report: LocalResource<Result<Vec<Loaded>, ApiError>>) -> impl IntoView {
    let locale = use_locale();
    let s = l.detail.summary.clone();
    let r = l.detail.response.clone();
    let q = StoredValue::new(l.q.clone());
    let photos = l.photos.clone();
    let awaiting = s.status == ReportStatus::Submitted;
    let title = move || {
        q.with_value(|q| {
            q.as_ref()
                .map(|q| q.title.get(locale.get()).to_string())
                .unwrap_or_default()
        })
    };
    let changes = l
        .previous
        .as_ref()
        .map(|prev| changed(prev, &r))
        .unwrap_or_default();
    let resp = StoredValue::new(r.clone());
    view! {
        <article class="report" aria-labelledby="report-title">
            <h2 id="report-title" tabindex="-1">
                {t(Key::RevReport)}
                " — "
                {s.branch.clone()}
            </h2>
            <dl class="report-facts">
                <dt>{t(Key::VisStatus)}</dt>
                <dd>
                    <span class=format!(
                        "badge rep-{:?}",
                        s.status,
                    )>{t(report_status_key(s.status))}</span>
                </dd>
                <dt>{t(Key::RevSubmittedAt)}</dt>
                <dd>{short_time(&s.submitted_at)} " UTC"</dd>
                <dt>{t(Key::AdmShopper)}</dt>
                <dd>{s.shopper.clone().unwrap_or_else(|| "—".into())}</dd>
                <dt>{t(Key::Questionnaire)}</dt>
                <dd>
                    {title} " (" {s.questionnaire_id.clone()} " v" {s.questionnaire_version} ")"
                </dd>
                {s
                    .note
                    .clone()
                    .map(|n| {
                        view! {
                            <dt>{t(Key::RevNote)}</dt>
                            <dd class="review-note">{n}</dd>
                        }
                    })}
            </dl>
            <Timings r=r.clone() />
            <section aria-labelledby="answers-title">
                <h3 id="answers-title">{t(Key::RevAnswers)}</h3>
                {move || {
                    let l = locale.get();
                    resp.with_value(|r| q.with_value(|q| answers_view(r, q.as_ref(), l)))
                }}
            </section>
            <section aria-labelledby="photos-title">
                <h3 id="photos-title">{t(Key::RevPhotos)}</h3>
                {match photos {
                    None => view! { <p class="hint">{t(Key::RevPhotosUnavailable)}</p> }.into_any(),
                    Some(list) if list.is_empty() => {
                        view! { <p class="empty">{t(Key::RevNoPhotos)}</p> }.into_any()
                    }
                    Some(list) => {
                        view! {
                            <ul class="photos">
                                {list
                                    .into_iter()
                                    .map(|p| {
                                        let url = api::evidence_url(p.id);
                                        let full = url.clone();
                                        let about = p
                                            .item
                                            .clone()
                                            .or(p.stage.clone())
                                            .unwrap_or_default();
                                        let about2 = about.clone();
                                        let earlier = p.report.is_some_and(|r| r != s.id);
                                        let label = move || {
                                            let l = locale.get();
                                            let named = q
                                                .with_value(|q| {
                                                    q.as_ref().and_then(|q| name_of(q, &about, l))
                                                })
                                                .unwrap_or_else(|| about.clone());
                                            format!("{}: {named}", text(l, Key::RevPhoto))
                                        };
                                        view! {
                                            <li>
                                                {if p.complete {
                                                    view! {
                                                        <a href=full target="_blank" rel="noopener">
                                                            <img src=url alt=label loading="lazy" class="thumb" />
                                                        </a>
                                                    }
                                                        .into_any()
                                                } else {
                                                    view! {
                                                        <span class="hint">{t(Key::RevPhotoUploading)}</span>
                                                    }
                                                        .into_any()
                                                }} <span class="photo-about">{about2}</span>
                                                {earlier
                                                    .then(|| {
                                                        view! {
                                                            <span class="hint photo-earlier">
                                                                {t(Key::RevPhotoEarlier)}
                                                            </span>
                                                        }
                                                    })}
                                            </li>
                                        }
                                    })
                                    .collect_view()}
                            </ul>
                        }
                            .into_any()
                    }
                }}
            </section>
            <Versions list=l.detail.versions.clone() current=s.id changes q />
            <section aria-labelledby="history-title">
                <h3 id="history-title">{t(Key::RevHistory)}</h3>
                {if l.detail.history.is_empty() {
                    view! { <p class="empty">{t(Key::RevNoHistory)}</p> }.into_any()
                } else {
                    view! {
                        <ol class="history">
                            {l
                                .detail
                                .history
                                .iter()
                                .map(|e| {
                                    view! {
                                        <li>
                                            {short_time(&e.at)} " UTC · " {t(decision_key(e.decision))}
                                            {e.reviewer.clone().map(|r| format!(" · {r}"))}
                                            {(!e.note.is_empty())
                                                .then(|| {
                                                    view! { <p class="review-note">{e.note.clone()}</p> }
                                                })}
                                        </li>
                                    }
                                })
                                .collect_view()}
                        </ol>
                    }
                        .into_any()
                }}
            </section>
            {awaiting.then(|| view! { <Decide id=s.id report /> })}
        </article>
    }
}

fn decision_key(d: Decision) -> Key {
    match d {
        Decision::Approve => Key::RevApproved,
        Decision::Return => Key::RevReturned,
        Decision::Reject => Key::RevRejected,
    }
}

/// An item's or a section's text in `l`.
fn name_of(q: &Questionnaire, id: &str, l: Locale) -> Option<String> {
    if let Some(item) = q.item(id) {
        return Some(item.text.get(l).to_string());
    }
    q.sections
        .iter()
        .find(|s| s.id == id)
        .map(|s| s.title.get(l).to_string())
}

/// An answer in words, in `l`; `item` gives a choice's label.
fn answer_text(a: &Answer, item: Option<&branchpulse_core::Item>, l: Locale) -> String {
    match a {
        Answer::Rating(n) => format!("{n} / 5"),
        Answer::YesNo(YesNo::Yes) => text(l, Key::Yes).into(),
        Answer::YesNo(YesNo::No) => text(l, Key::No).into(),
        Answer::YesNo(YesNo::Na) | Answer::NotApplicable => text(l, Key::ShopNa).into(),
        Answer::Nps(n) => format!("{n} / 10"),
        Answer::Seconds(s) => format!("{}:{:02}", s / 60, s % 60),
        Answer::Choice(c) => item
            .and_then(|i| match &i.kind {
                ItemKind::Choice { options } => options
                    .iter()
                    .find(|o| &o.id == c)
                    .map(|o| o.label.get(l).to_string()),
                _ => None,
            })
            .unwrap_or_else(|| c.clone()),
        Answer::Text(s) => s.clone(),
        Answer::Call {
            rings,
            answered,
            seconds,
        } => text(
            l,
            if *answered {
                Key::ShopCallDoneAnswered
            } else {
                Key::ShopCallDoneLost
            },
        )
        .replace("{rings}", &rings.to_string())
        .replace("{seconds}", &seconds.to_string()),
    }
}

fn answers_view(r: &Response, q: Option<&Questionnaire>, l: Locale) -> AnyView {
    let comment = |id: &str| {
        r.comments.get(id).map(|c| {
            view! {
                <p class="comment">
                    <span class="label">{text(l, Key::ShopItemComment)} ": "</span>
                    {c.clone()}
                </p>
            }
        })
    };
    let Some(q) = q else {
        // Without the questionnaire: by item id.
        return view! {
            <dl class="answers">
                {r
                    .answers
                    .iter()
                    .map(|(id, a)| {
                        view! {
                            <dt>{id.clone()}</dt>
                            <dd>{answer_text(a, None, l)} {comment(id)}</dd>
                        }
                    })
                    .collect_view()}
            </dl>
        }
        .into_any();
    };
    q.sections
        .iter()
        .map(|s| {
            view! {
                <section class="report-stage">
                    <h4>{s.title.get(l).to_string()}</h4>
                    <dl class="answers">
                        {s
                            .items
                            .iter()
                            .map(|i| {
                                let said = r
                                    .answers
                                    .get(&i.id)
                                    .map(|a| answer_text(a, Some(i), l))
                                    .unwrap_or_else(|| text(l, Key::RevUnanswered).into());
                                view! {
                                    <dt data-item=i.id.clone()>{i.text.get(l).to_string()}</dt>
                                    <dd>{said} {comment(&i.id)}</dd>
                                }
                            })
                            .collect_view()}
                    </dl>
                    {comment(&s.id)}
                </section>
            }
        })
        .collect_view()
        .into_any()
}

fn ms(at: OffsetDateTime) -> f64 {
    (at.unix_timestamp_nanos() / 1_000_000) as f64
}

fn clock(at: OffsetDateTime, l: Locale) -> String {
    let d = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms(at)));
    d.to_locale_time_string(l.tag()).into()
}

fn span(from: OffsetDateTime, to: OffsetDateTime) -> String {
    let s = (to - from).whole_seconds().max(0);
    format!("{}:{:02}", s / 60, s % 60)
}

#[component]
fn Timings(r: Response) -> impl IntoView {
    let locale = use_locale();
    let Some(v) = r.visit.clone() else {
        return view! { <p class="hint">{t(Key::RevNoTimings)}</p> }.into_any();
    };
    let marks = [
        (Key::ShopArrived, v.arrived_at),
        (Key::ShopJoined, v.queue_joined_at),
        (Key::ShopServed, v.served_at),
        (Key::ShopLeft, v.left_at),
    ];
    let wait = v.queue_joined_at.zip(v.served_at).map(|(a, b)| span(a, b));
    let whole = v.arrived_at.zip(v.left_at).map(|(a, b)| span(a, b));
    view! {
        <section aria-labelledby="timings-title">
            <h3 id="timings-title">{t(Key::ShopTiming)}</h3>
            <dl class="timings">
                {marks
                    .into_iter()
                    .map(|(k, at)| {
                        view! {
                            <dt>{t(k)}</dt>
                            <dd>
                                {move || {
                                    at.map(|a| clock(a, locale.get()))
                                        .unwrap_or_else(|| "—".into())
                                }}
                            </dd>
                        }
                    })
                    .collect_view()} <dt>{t(Key::ShopWaitStopwatch)}</dt>
                <dd class="wait">{wait.unwrap_or_else(|| "—".into())}</dd>
                <dt>{t(Key::ShopVisitClock)}</dt> <dd>{whole.unwrap_or_else(|| "—".into())}</dd>
                {v
                    .wait_override_reason
                    .clone()
                    .map(|why| {
                        view! {
                            <dt>{t(Key::RevWaitByHand)}</dt>
                            <dd>{why}</dd>
                        }
                    })}
            </dl>
        </section>
    }
    .into_any()
}

/// What differs from `prev` to `now`: items (answers or comments) and
/// section comments, by id, in a stable order.
fn changed(prev: &Response, now: &Response) -> Vec<(String, Option<Answer>, Option<Answer>)> {
    let ids: BTreeSet<&String> = collect::set(prev.answers.keys().chain(now.answers.keys()));
    let mut out: Vec<_> = ids
        .into_iter()
        .filter(|id| prev.answers.get(*id) != now.answers.get(*id))
        .map(|id| {
            (
                id.clone(),
                prev.answers.get(id).cloned(),
                now.answers.get(id).cloned(),
            )
        })
        .collect();
    let comments: BTreeSet<&String> = collect::set(prev.comments.keys().chain(now.comments.keys()));
    for id in comments {
        if prev.comments.get(id) != now.comments.get(id) && !out.iter().any(|(o, _, _)| o == id) {
            out.push((id.clone(), None, None));
        }
    }
    out
}

#[component]
fn Versions(
    list: Vec<ReportSummary>,
    current: Uuid,
    changes: Vec<(String, Option<Answer>, Option<Answer>)>,
    q: StoredValue<Option<Questionnaire>>,
) -> impl IntoView {
    let locale = use_locale();
    if list.len() < 2 {
        return ().into_any();
    }
    let changes = StoredValue::new(changes);
    let said = move || {
        let l = locale.get();
        changes.with_value(|changes| {
            if changes.is_empty() {
                return view! { <p>{text(l, Key::RevNoChanges)}</p> }.into_any();
            }
            q.with_value(|q| {
                view! {
                    <ul class="changes">
                        {changes
                            .iter()
                            .map(|(id, before, after)| {
                                let item = q.as_ref().and_then(|q| q.item(id));
                                let name = q
                                    .as_ref()
                                    .and_then(|q| name_of(q, id, l))
                                    .unwrap_or_else(|| id.clone());
                                let side = |a: &Option<Answer>| {
                                    a.as_ref()
                                        .map(|a| answer_text(a, item, l))
                                        .unwrap_or_else(|| "—".into())
                                };
                                let what = if before.is_none() && after.is_none() {
                                    text(l, Key::RevCommentChanged).to_string()
                                } else {
                                    format!("{} → {}", side(before), side(after))
                                };
                                view! {
                                    <li data-item=id.clone()>
                                        <strong>{name}</strong>
                                        ": "
                                        {what}
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ul>
                }
                .into_any()
            })
        })
    };
    view! {
        <section aria-labelledby="versions-title">
            <h3 id="versions-title">{t(Key::RevVersions)}</h3>
            <ol class="versions">
                {list
                    .into_iter()
                    .map(|v| {
                        let this = v.id == current;
                        view! {
                            <li aria-current=this
                                .then_some(
                                    "true",
                                )>
                                {if this {
                                    view! { <strong>{short_time(&v.submitted_at)}</strong> }
                                        .into_any()
                                } else {
                                    view! {
                                        <a href=report_href(v.id)>{short_time(&v.submitted_at)}</a>
                                    }
                                        .into_any()
                                }} " · " {t(report_status_key(v.status))}
                                {v.note.clone().map(|n| format!(" — {n}"))}
                            </li>
                        }
                    })
                    .collect_view()}
            </ol>
            <h4>{t(Key::RevChanged)}</h4>
            {said}
        </section>
    }
    .into_any()
}

/// Approve, return with a note, reject with a reason; the note is required
/// for the latter two (checked before sending, as the server does).
#[component]
fn Decide(id: Uuid, report: LocalResource<Result<Vec<Loaded>, ApiError>>) -> impl IntoView {
    let locale = use_locale();
    let problem = Problem::new("review");
    let note = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let navigate = use_navigate();
    let decide = move |decision: Decision| {
        problem.clear();
        let text_now = given(note.get_untracked()).unwrap_or_default();
        let l = locale.get_untracked();
        if decision.needs_note() && text_now.is_empty() {
            problem.refuse("note", text(l, Key::RevNoteNeeded).into());
            return;
        }
        if text_now.chars().count() > MAX_NOTE_CHARS {
            problem.refuse(
                "note",
                text(l, Key::RevNoteTooLong).replace("{n}", &MAX_NOTE_CHARS.to_string()),
            );
            return;
        }
        busy.set(true);
        let navigate = navigate.clone();
        spawn_local(async move {
            let result = api::review(
                id,
                &Review {
                    decision,
                    note: text_now,
                },
            )
            .await;
            busy.set(false);
            match result {
                Ok(_) => navigate("/admin?s=reports", NavigateOptions::default()),
                Err(e) => {
                    problem.failed(&e, &["note"], l);
                    // Someone else decided first (409): show where it stands.
                    if matches!(e, ApiError::Server { status: 409, .. }) {
                        report.refetch();
                    }
                }
            }
        });
    };
    let decide = StoredValue::new(decide);
    let button = move |d: Decision, key: Key, class: &'static str| {
        view! {
            <button
                type="button"
                class=class
                id=format!("review-{d:?}").to_lowercase()
                disabled=busy
                on:click=move |_| decide.with_value(|f| f(d))
            >
                {t(key)}
            </button>
        }
    };
    view! {
        <section class="decide form" aria-labelledby="decide-title">
            <h3 id="decide-title">{t(Key::RevDecide)}</h3>
            <div class="field">
                <label for=problem.id("note")>{t(Key::RevNoteLabel)}</label>
                <textarea
                    id=problem.id("note")
                    rows="3"
                    prop:value=note
                    aria-invalid=problem.is_at("note")
                    aria-describedby=problem.described("note")
                    on:input=move |e| note.set(event_target_value(&e))
                ></textarea>
                <p class="hint">{t(Key::RevNoteHint)}</p>
                {problem.show("note")}
            </div>
            {problem.show("")}
            <div class="actions">
                {button(Decision::Approve, Key::RevApprove, "primary")}
                {button(Decision::Return, Key::RevReturn, "")}
                {button(Decision::Reject, Key::RevReject, "danger")}
            </div>
        </section>
    }
}
