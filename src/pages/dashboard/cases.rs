//! Follow-up cases (`/dashboard?s=cases`): the list with each case's
//! status in words, overdue ones marked, owner and due date, filtered by
//! mine, status and overdue; a case's page (`&case=<id>`) with the steps
//! core's `cases::may_move` allows as buttons, notes, its history, and the
//! customer's contact details when the server sends them (to the case's
//! owner and admins only, until they are erased). And the dashboard's
//! case counts and time to resolve per branch ([`CaseStats`]).

use super::inbox::{branch_name, finding_words};
use super::texts::Texts;
use crate::api::alerts::{self as api, CasePage as Page};
use crate::components::{
    alert_kind_key, case_status_key, case_steps, duration_words, finding_kind, local_time,
    sort_cases, CaseFilter,
};
use crate::i18n::{t, text, use_locale, Key};
use crate::pages::forms::{listing, FilterCheck, FilterChoice, Problem};
use branchpulse_core::cases::{
    check_note, Case, CaseChange, CaseCounts, CaseEvent, CaseStatus, ContactWay,
};
use branchpulse_core::protocol::Branch;
use branchpulse_core::Locale;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use uuid::Uuid;

type Branches = StoredValue<Vec<Branch>>;

#[component]
pub fn Cases(branches: Vec<Branch>) -> impl IntoView {
    let query = use_query_map();
    let open =
        Memo::new(move |_| query.with(|q| q.get_str("case").and_then(|s| s.parse::<Uuid>().ok())));
    let branches = StoredValue::new(branches);
    move || match open.get() {
        Some(id) => view! { <CasePage id branches /> }.into_any(),
        None => view! { <CaseList branches /> }.into_any(),
    }
}

/// A case's status in words, and "overdue" beside it: never by colour alone.
#[component]
fn Status(status: CaseStatus, overdue: bool) -> impl IntoView {
    view! {
        <span class=format!("badge st-{}", status.as_str())>{t(case_status_key(status))}</span>
        {overdue
            .then(|| {
                view! {
                    " "
                    <span class="badge overdue">"⚠ " {t(Key::CaseOverdue)}</span>
                }
            })}
    }
}

#[component]
fn CaseList(branches: Branches) -> impl IntoView {
    let filter = RwSignal::new(CaseFilter::default());
    let kept = LocalResource::new(move || {
        let f = filter.get();
        async move {
            let mut all = api::cases(f).await?;
            sort_cases(&mut all);
            Ok(all)
        }
    });
    view! {
        <section class="cases" aria-labelledby="cases-title">
            <h2 id="cases-title">{t(Key::CasesTitle)}</h2>
            <form
                class="filters follow-filters"
                aria-label=t(Key::CaseFilters)
                on:submit=|e| e.prevent_default()
            >
                <FilterCheck
                    id="cases-mine"
                    label=Key::CaseMine
                    changed=move |on| filter.update(|f| f.mine = on)
                />
                <FilterChoice
                    id="cases-status"
                    label=Key::VisStatus
                    changed=move |v: String| filter.update(|f| f.status = CaseStatus::parse(&v))
                >
                    {CaseStatus::ALL
                        .into_iter()
                        .map(|s| {
                            view! { <option value=s.as_str()>{t(case_status_key(s))}</option> }
                        })
                        .collect_view()}
                </FilterChoice>
                <FilterCheck
                    id="cases-overdue"
                    label=Key::CaseOnlyOverdue
                    changed=move |on| filter.update(|f| f.overdue = on)
                />
            </form>
            {listing(
                kept,
                Key::CaseNone,
                move |all: Vec<Case>| {
                    view! {
                        <ul class="follow-list" id="case-list">
                            {all
                                .into_iter()
                                .map(|c| view! { <CaseItem c branches /> })
                                .collect_view()}
                        </ul>
                    }
                },
            )}
        </section>
    }
}

#[component]
fn CaseItem(c: Case, branches: Branches) -> impl IntoView {
    let kind = finding_kind(&c.alert.finding);
    let branch = branches.with_value(|b| branch_name(b, &c.branch));
    view! {
        <li class="follow-item" class:overdue=c.overdue data-case=c.id.to_string()>
            <p class="follow-head">
                <a href=format!("/dashboard?s=cases&case={}", c.id)>{t(alert_kind_key(kind))}</a>
                " · "
                {branch}
            </p>
            <p>
                <Status status=c.status overdue=c.overdue />
            </p>
            <p class="case-meta">
                {t(Key::CaseOwner)} ": " {c.owner_name.clone()} " · " {t(Key::CaseDue)} ": "
                {c.due.clone()}
            </p>
        </li>
    }
}

const FIELDS: [&str; 2] = ["status", "note"];

#[component]
fn CasePage(id: Uuid, branches: Branches) -> impl IntoView {
    let loaded = LocalResource::new(move || async move {
        let (page, texts) = futures::future::join(api::case(id), Texts::shared()).await;
        page.map(|p| vec![(p, texts)])
    });
    view! {
        <section class="case-page" aria-labelledby="case-title">
            <p>
                <a href="/dashboard?s=cases">{t(Key::CaseBack)}</a>
            </p>
            {listing(
                loaded,
                Key::CaseNone,
                move |mut one: Vec<(Page, Texts)>| {
                    let (page, texts) = one.remove(0);
                    let page = RwSignal::new(page);
                    view! { <CaseView page texts branches /> }
                },
            )}
        </section>
    }
}

#[component]
fn CaseView(page: RwSignal<Page>, texts: Texts, branches: Branches) -> impl IntoView {
    let locale = use_locale();
    let texts = StoredValue::new(texts);
    let problem = Problem::new("case");
    let note = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let case = move || page.with(|p| p.case.clone());
    let id = page.with_untracked(|p| p.case.id);
    let send = move |status: Option<CaseStatus>| {
        problem.clear();
        let l = locale.get_untracked();
        // The server's check of a note, first; a note alone must say something.
        let written = match check_note(&note.get_untracked()) {
            Ok(n) => n,
            Err(e) => {
                problem.check(Err(e));
                return;
            }
        };
        if status.is_none() && written.is_none() {
            problem.refuse("note", text(l, Key::CaseNoteEmpty).into());
            return;
        }
        let change = CaseChange {
            status,
            note: written,
            ..CaseChange::default()
        };
        let request = async move { api::change_case(id, &change).await };
        problem.send(busy, &FIELDS, request, move |p| {
            note.set(String::new());
            page.set(p);
        });
    };
    let contact = move || {
        page.with(|p| {
            let c = &p.case;
            match (&c.contact, c.has_contact) {
                (Some(contact), _) => {
                    let (label, href) = match contact.way {
                        ContactWay::Phone => {
                            (Key::CaseContactPhone, format!("tel:{}", contact.value))
                        }
                        ContactWay::Email => {
                            (Key::CaseContactEmail, format!("mailto:{}", contact.value))
                        }
                    };
                    let l = locale.get();
                    let private = match p.contact_days {
                        Some(n) => text(l, Key::CaseContactPrivate).replace("{n}", &n.to_string()),
                        None => text(l, Key::CaseContactPrivateSet).to_string(),
                    };
                    Some(
                        view! {
                            <section
                                class="contact"
                                id="case-contact"
                                aria-labelledby="contact-title"
                            >
                                <h3 id="contact-title">{t(Key::CaseContact)}</h3>
                                <p>
                                    {t(label)} ": " <a href=href>{contact.value.clone()}</a> " ("
                                    {contact.locale.tag()} ")"
                                </p>
                                <p class="hint">{private}</p>
                            </section>
                        }
                        .into_any(),
                    )
                }
                (None, true) => Some(
                    view! {
                        <p class="hint" id="case-contact">
                            {t(Key::CaseContactHidden)}
                        </p>
                    }
                    .into_any(),
                ),
                (None, false) => None,
            }
        })
    };
    // The case as it stands: redrawn after each change (and language).
    let head = move || {
        let c = case();
        let finding = texts.with_value(|t| finding_words(&c.alert, t, locale.get()));
        let kind = finding_kind(&c.alert.finding);
        let branch = branches.with_value(|b| branch_name(b, &c.branch));
        view! {
            <h2 id="case-title" tabindex="-1">
                {t(alert_kind_key(kind))}
                " · "
                {branch.clone()}
            </h2>
            <p id="case-status">
                <Status status=c.status overdue=c.overdue />
            </p>
            <dl class="facts">
                <dt>{t(Key::AlFinding)}</dt>
                <dd class="finding">{finding}</dd>
                <dt>{t(Key::Branch)}</dt>
                <dd>{branch}</dd>
                <dt>{t(Key::CaseOwner)}</dt>
                <dd id="case-owner">{c.owner_name.clone()}</dd>
                <dt>{t(Key::CaseDue)}</dt>
                <dd id="case-due">{c.due.clone()}</dd>
                <dt>{t(Key::CaseMade)}</dt>
                <dd>{local_time(&c.created_at)}</dd>
                <dt>{t(Key::AlInboxTitle)}</dt>
                <dd>
                    <a href=format!(
                        "/dashboard?s=inbox&alert={}",
                        c.alert.id,
                    )>{t(Key::CaseTheAlert)}</a>
                </dd>
            </dl>
            {contact()}
        }
    };
    let steps = move || {
        let status = page.with(|p| p.case.status);
        case_steps(status)
            .into_iter()
            .map(|(to, key)| {
                view! {
                    <button
                        type="button"
                        class="primary step"
                        data-step=to.as_str()
                        disabled=busy
                        on:click=move |_| send(Some(to))
                    >
                        {t(key)}
                    </button>
                }
            })
            .collect_view()
    };
    view! {
        {head}
        <form
            class="form follow-form"
            id="case-act"
            on:submit=move |e| {
                e.prevent_default();
                send(None);
            }
        >
            <div class="field">
                <label for=problem.id("note")>{t(Key::CaseNote)}</label>
                <textarea
                    id=problem.id("note")
                    rows="3"
                    prop:value=note
                    aria-invalid=problem.is_at("note")
                    aria-describedby=problem.described("note")
                    on:input=move |e| note.set(event_target_value(&e))
                ></textarea>
                <p class="hint">{t(Key::CaseNoteHint)}</p>
                {problem.show("note")}
            </div>
            {problem.show("status")}
            {problem.show("")}
            <div class="actions">
                <button type="submit" id="case-add-note" disabled=busy>
                    {t(Key::CaseAddNote)}
                </button>
                {steps}
            </div>
        </form>
        <section aria-labelledby="history-title">
            <h3 id="history-title">{t(Key::CaseHistory)}</h3>
            <ol class="history" id="case-history">
                {move || {
                    page.with(|p| p.case.history.clone())
                        .into_iter()
                        .map(|e| view! { <Event e /> })
                        .collect_view()
                }}
            </ol>
        </section>
    }
}

/// One line of a case's history: when, who, what in words.
#[component]
fn Event(e: CaseEvent) -> impl IntoView {
    let locale = use_locale();
    let what = e.what.clone();
    let value = e.text.clone();
    let said = move || {
        let l = locale.get();
        let key = match what.as_str() {
            "created" => Key::CaseEvCreated,
            "status" => Key::CaseEvStatus,
            "owner" => Key::CaseEvOwner,
            "due" => Key::CaseEvDue,
            _ => Key::CaseEvNote,
        };
        // A status is said in words; other values as they are.
        let v = match CaseStatus::parse(&value) {
            Some(s) if what == "status" => text(l, case_status_key(s)).to_string(),
            _ => value.clone(),
        };
        text(l, key).replace("{value}", &v)
    };
    view! {
        <li data-what=e.what.clone()>
            <time datetime=e.at.clone()>{local_time(&e.at)}</time>
            " · "
            {e.by.clone()}
            ": "
            <span class="what">{said}</span>
        </li>
    }
}

/// Case counts and the median time to resolve per branch, for the
/// dashboard's dates (cases made in them): `rows`, loaded with the figures.
pub fn case_stats(rows: Vec<CaseCounts>, branches: &[Branch], l: Locale) -> impl IntoView {
    let heads = [
        Key::Branch,
        Key::CaseOpen,
        Key::CaseInProgress,
        Key::CaseOverdue,
        Key::CaseResolved,
        Key::CaseInformed,
        Key::CaseMedianResolve,
    ];
    // No case anywhere yet (alerts unused, or none followed up): no table
    // of zeros.
    let any = rows
        .iter()
        .any(|r| r.open + r.in_progress + r.resolved + r.informed > 0);
    any.then(|| {
        view! {
            <section class="case-stats" aria-labelledby="case-stats-title">
                <h2 id="case-stats-title">{t(Key::CaseStatsTitle)}</h2>
                // A narrow screen scrolls the table: by keyboard too.
                <div
                    class="table-scroll"
                    tabindex="0"
                    role="region"
                    aria-labelledby="case-stats-title"
                >
                    <table class="data" id="case-stats">
                        <thead>
                            <tr>
                                {heads
                                    .iter()
                                    .map(|k| view! { <th scope="col">{t(*k)}</th> })
                                    .collect_view()}
                            </tr>
                        </thead>
                        <tbody>
                            {rows
                                .into_iter()
                                .map(|r| {
                                    view! {
                                        <tr data-branch=r.branch.clone()>
                                            <th scope="row">{branch_name(branches, &r.branch)}</th>
                                            <td>{r.open}</td>
                                            <td>{r.in_progress}</td>
                                            <td>{r.overdue}</td>
                                            <td>{r.resolved}</td>
                                            <td>{r.informed}</td>
                                            <td>
                                                {r
                                                    .median_hours_to_resolve
                                                    .map_or_else(
                                                        || "—".to_string(),
                                                        |h| duration_words(h, l),
                                                    )}
                                            </td>
                                        </tr>
                                    }
                                })
                                .collect_view()}
                        </tbody>
                    </table>
                </div>
                <p class="note">{t(Key::CaseStatsNote)}</p>
            </section>
        }
    })
}
