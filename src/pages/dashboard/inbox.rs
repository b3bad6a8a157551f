//! The alert inbox (`/dashboard?s=inbox`): the reader's alerts newest
//! first, each with its kind, branch, time and what it found in words,
//! unread ones marked; filters (unread, kind, branch) and "mark all read".
//! An alert's page (`&alert=<id>`) marks it read and makes a case of it.
//!
//! Who owns the case: an admin picks any active manager, regional manager
//! or admin whose scope takes in the branch (admins may list users); a
//! manager or regional manager cannot list users, so they own the cases
//! they make (an admin can hand one on). Reviewers read alerts and cases
//! but own none, so they are not offered the form.

use super::texts::Texts;
use crate::api::admin::users;
use crate::api::alerts::{self as api, AlertFilter, PAGE};
use crate::components::{
    alert_kind_key, describe_finding, finding_kind, local_time, parse_day, today, use_inbox,
};
use crate::i18n::{t, text, use_locale, Key};
use crate::pages::forms::{listing, FilterCheck, FilterChoice, Problem};
use crate::session::Auth;
use branchpulse_core::access::{Role, User};
use branchpulse_core::alerts::{Alert, AlertKind};
use branchpulse_core::cases::{self, NewCase};
use branchpulse_core::protocol::Branch;
use branchpulse_core::Locale;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::{use_navigate, use_query_map};
use uuid::Uuid;

/// "N03 Riverside Park", or the code alone when the branch is not known.
pub fn branch_name(branches: &[Branch], code: &str) -> String {
    branches
        .iter()
        .find(|b| b.code == code)
        .map_or_else(|| code.to_string(), |b| format!("{} {}", b.code, b.name))
}

/// What an alert found, naming items by their text where this reader has it.
pub fn finding_words(a: &Alert, texts: &Texts, l: Locale) -> String {
    describe_finding(&a.finding, l, &|id| texts.item(None, id, l))
}

#[component]
pub fn Inbox(branches: Vec<Branch>) -> impl IntoView {
    let query = use_query_map();
    let open =
        Memo::new(move |_| query.with(|q| q.get_str("alert").and_then(|s| s.parse::<Uuid>().ok())));
    let branches = StoredValue::new(branches);
    move || match open.get() {
        Some(id) => view! { <AlertPage id branches /> }.into_any(),
        None => view! { <AlertList branches /> }.into_any(),
    }
}

type Branches = StoredValue<Vec<Branch>>;

#[component]
fn AlertList(branches: Branches) -> impl IntoView {
    let locale = use_locale();
    let filter = RwSignal::new(AlertFilter::default());
    let inbox = use_inbox();
    // A new unread count (the frame's poll) brings the list up to date.
    let list = LocalResource::new(move || {
        inbox.map(|i| i.count());
        let f = filter.get();
        async move {
            let (alerts, texts) = futures::future::join(api::alerts(f), Texts::shared()).await;
            Ok(alerts?.into_iter().map(|a| (a, texts.clone())).collect())
        }
    });
    let problem = Problem::new("inbox");
    let mark_all = move |_| {
        problem.clear();
        spawn_local(async move {
            match api::mark_all_read().await {
                Ok(()) => {
                    list.refetch();
                    if let Some(i) = inbox {
                        i.refresh();
                    }
                }
                Err(e) => problem.failed(&e, &[], locale.get_untracked()),
            }
        });
    };
    let set = move |f: &dyn Fn(&mut AlertFilter)| {
        filter.update(|x| {
            f(x);
            x.before = None;
        })
    };
    view! {
        <section class="inbox" aria-labelledby="inbox-title">
            <h2 id="inbox-title">{t(Key::AlInboxTitle)}</h2>
            <form
                class="filters follow-filters"
                aria-label=t(Key::AlFilters)
                on:submit=|e| e.prevent_default()
            >
                <FilterCheck
                    id="inbox-unread"
                    label=Key::AlOnlyUnread
                    changed=move |on| set(&|f| f.unread = on)
                />
                <FilterChoice
                    id="inbox-kind"
                    label=Key::AlKind
                    changed=move |v: String| set(&|f| f.kind = v.clone())
                >
                    {AlertKind::ALL
                        .into_iter()
                        .map(|k| view! { <option value=k.as_str()>{t(alert_kind_key(k))}</option> })
                        .collect_view()}
                </FilterChoice>
                <FilterChoice
                    id="inbox-branch"
                    label=Key::Branch
                    changed=move |v: String| set(&|f| f.branch = v.clone())
                >
                    {branches
                        .get_value()
                        .into_iter()
                        .map(|b| {
                            view! {
                                <option value=b.code.clone()>{b.code.clone()} " " {b.name}</option>
                            }
                        })
                        .collect_view()}
                </FilterChoice>
                <button type="button" id="mark-all-read" on:click=mark_all>
                    {t(Key::AlMarkAllRead)}
                </button>
            </form>
            {problem.show("")}
            {listing(
                list,
                Key::AlNone,
                move |all: Vec<(Alert, Texts)>| {
                    let older = (all.len() as u32 >= PAGE)
                        .then(|| all.last().map(|(a, _)| a.id))
                        .flatten();
                    // Newest first, as the server sends them.
                    view! {
                        <ul class="follow-list" id="alert-list">
                            {all
                                .into_iter()
                                .map(|(a, texts)| view! { <AlertItem a branches texts /> })
                                .collect_view()}
                        </ul>
                        {older
                            .map(|before| {
                                view! {
                                    <button
                                        type="button"
                                        on:click=move |_| {
                                            filter.update(|f| f.before = Some(before))
                                        }
                                    >
                                        {t(Key::AlOlder)}
                                    </button>
                                }
                            })}
                    }
                },
            )}
            {move || {
                filter
                    .with(|f| f.before.is_some())
                    .then(|| {
                        view! {
                            <button
                                type="button"
                                on:click=move |_| filter.update(|f| f.before = None)
                            >
                                {t(Key::AlNewest)}
                            </button>
                        }
                    })
            }}
        </section>
    }
}

#[component]
fn AlertItem(a: Alert, branches: Branches, texts: Texts) -> impl IntoView {
    let locale = use_locale();
    let kind = finding_kind(&a.finding);
    let href = format!("/dashboard?s=inbox&alert={}", a.id);
    let branch = branches.with_value(|b| branch_name(b, &a.branch));
    let when = local_time(&a.raised_at);
    let read = a.read;
    let has_case = a.case.is_some();
    let stored = StoredValue::new((a.clone(), texts));
    let finding = move || stored.with_value(|(a, texts)| finding_words(a, texts, locale.get()));
    view! {
        <li class="follow-item" class:unread=!read data-alert=a.id.to_string()>
            <p class="follow-head">
                {(!read)
                    .then(|| {
                        view! {
                            <span class="badge new">{t(Key::AlNew)}</span>
                            " "
                        }
                    })} <a href=href>{t(alert_kind_key(kind))}</a> " · " {branch} " · "
                <time datetime=a.raised_at.clone()>{when}</time>
                {has_case
                    .then(|| {
                        view! {
                            " "
                            <span class="badge">{t(Key::AlHasCase)}</span>
                        }
                    })}
            </p>
            <p class="finding">{finding}</p>
        </li>
    }
}

#[component]
fn AlertPage(id: Uuid, branches: Branches) -> impl IntoView {
    let locale = use_locale();
    let inbox = use_inbox();
    let auth = use_context::<Auth>();
    let me = move || auth.and_then(|a| a.user());
    // One request after another, in one resource: the alert (marked read),
    // the texts that name its items, and for an admin the people who may
    // own its case.
    let alert = LocalResource::new(move || {
        let admin = me().is_some_and(|u| u.role == Role::Admin);
        async move {
            let a = api::alert(id).await?;
            if !a.read && api::mark_read(id).await.is_ok() {
                if let Some(i) = inbox {
                    i.refresh();
                }
            }
            let texts = Texts::shared().await;
            let people = if admin && a.case.is_none() {
                users().await.unwrap_or_default()
            } else {
                Vec::new()
            };
            Ok(vec![(a, texts, people)])
        }
    });
    view! {
        <section class="alert-page" aria-labelledby="alert-title">
            <p>
                <a href="/dashboard?s=inbox">{t(Key::AlBack)}</a>
            </p>
            {listing(
                alert,
                Key::AlNone,
                move |mut one: Vec<(Alert, Texts, Vec<User>)>| {
                    let (a, texts, people) = one.remove(0);
                    let kind = finding_kind(&a.finding);
                    let branch = branches.with_value(|b| branch_name(b, &a.branch));
                    let stored = StoredValue::new((a.clone(), texts));
                    let finding = move || {
                        stored.with_value(|(a, texts)| finding_words(a, texts, locale.get()))
                    };
                    let branch_of = branches
                        .with_value(|b| b.iter().find(|b| b.code == a.branch).cloned());
                    view! {
                        <h2 id="alert-title" tabindex="-1">
                            {t(alert_kind_key(kind))}
                            " · "
                            {branch.clone()}
                        </h2>
                        <dl class="facts">
                            <dt>{t(Key::AlFinding)}</dt>
                            <dd class="finding">{finding}</dd>
                            <dt>{t(Key::Branch)}</dt>
                            <dd>{branch}</dd>
                            <dt>{t(Key::AlRaised)}</dt>
                            <dd>
                                <time datetime=a.raised_at.clone()>{local_time(&a.raised_at)}</time>
                            </dd>
                            <dt>{t(Key::AlRule)}</dt>
                            <dd>{a.rule_name.clone()}</dd>
                        </dl>
                        {match a.case {
                            Some(case) => {
                                view! {
                                    <p>
                                        <a
                                            class="button"
                                            id="open-case"
                                            href=format!("/dashboard?s=cases&case={case}")
                                        >
                                            {t(Key::AlOpenCase)}
                                        </a>
                                    </p>
                                }
                                    .into_any()
                            }
                            None => {
                                match me() {
                                    Some(user) if user.role != Role::Reviewer => {
                                        view! {
                                            <MakeCase
                                                alert=a.id
                                                raised=a.raised_at.clone()
                                                user
                                                branch=branch_of
                                                people
                                            />
                                        }
                                            .into_any()
                                    }
                                    _ => ().into_any(),
                                }
                            }
                        }}
                    }
                },
            )}
        </section>
    }
}

/// Whether `u` may own a case at `branch` (core's rule, the server's).
fn may_own(u: &User, branch: Option<&Branch>) -> bool {
    cases::may_own(u, branch.is_none_or(|b| u.scope().allows(b)))
}

/// Today plus `days`, as a date input wants it.
fn in_days(days: i64) -> String {
    today()
        .and_then(|d| d.checked_add(time::Duration::days(days)))
        .map(|d| d.to_string())
        .unwrap_or_default()
}

const CASE_FIELDS: [&str; 3] = ["owner", "due", "note"];

#[component]
fn MakeCase(
    alert: Uuid,
    /// When the alert was raised: a case is not due before its day.
    raised: String,
    user: User,
    branch: Option<Branch>,
    people: Vec<User>,
) -> impl IntoView {
    let locale = use_locale();
    let problem = Problem::new("case");
    let owner = RwSignal::new(user.id.to_string());
    let due = RwSignal::new(in_days(7));
    let note = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let navigate = use_navigate();
    // Only admins may list users (`people`); others own what they make.
    let admin = user.role == Role::Admin;
    let branch = StoredValue::new(branch);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        problem.clear();
        let l = locale.get_untracked();
        let Ok(owner_id) = owner.get_untracked().parse::<Uuid>() else {
            problem.refuse("owner", text(l, Key::AdmChoose).into());
            return;
        };
        let new = NewCase {
            alert,
            owner: owner_id,
            due: due.get_untracked(),
            note: note.get_untracked().trim().to_string(),
        };
        // The server's checks of the due date and the note, first.
        if let Some(today) = today() {
            let alert_day = raised.get(..10).and_then(parse_day).unwrap_or(today);
            if !problem.check(cases::check_new_case(&new, alert_day, today).map(drop)) {
                return;
            }
        }
        busy.set(true);
        let navigate = navigate.clone();
        spawn_local(async move {
            let result = api::make_case(&new).await;
            busy.set(false);
            match result {
                Ok(case) => navigate(
                    &format!("/dashboard?s=cases&case={}", case.id),
                    Default::default(),
                ),
                Err(e) => problem.failed(&e, &CASE_FIELDS, l),
            }
        });
    };
    let me = user.clone();
    let owner_field = move || {
        if !admin {
            return view! {
                <p class="field" id="case-owner">
                    {t(Key::CaseOwner)}
                    ": "
                    <strong>{me.username.clone()}</strong>
                </p>
                <p class="hint">{t(Key::CaseOwnerYou)}</p>
            }
            .into_any();
        }
        let options = people
            .iter()
            .filter(|u| u.id != me.id && branch.with_value(|b| may_own(u, b.as_ref())))
            .map(|u| view! { <option value=u.id.to_string()>{u.username.clone()}</option> })
            .collect_view();
        view! {
            <div class="field">
                <label for=problem.id("owner")>{t(Key::CaseOwner)}</label>
                <select
                    id=problem.id("owner")
                    prop:value=owner
                    aria-invalid=problem.is_at("owner")
                    aria-describedby=problem.described("owner")
                    on:change=move |e| owner.set(event_target_value(&e))
                >
                    <option value=me.id.to_string()>{me.username.clone()}</option>
                    {options}
                </select>
                {problem.show("owner")}
            </div>
        }
        .into_any()
    };
    view! {
        <form class="form follow-form" id="make-case" on:submit=submit>
            <h3>{t(Key::CaseMake)}</h3>
            {owner_field}
            {(!admin).then(|| problem.show("owner"))}
            <div class="field">
                <label for=problem.id("due")>{t(Key::CaseDue)}</label>
                <input
                    id=problem.id("due")
                    type="date"
                    prop:value=due
                    aria-invalid=problem.is_at("due")
                    aria-describedby=problem.described("due")
                    on:input=move |e| due.set(event_target_value(&e))
                />
                {problem.show("due")}
            </div>
            <div class="field">
                <label for=problem.id("note")>{t(Key::CaseFirstNote)}</label>
                <textarea
                    id=problem.id("note")
                    rows="3"
                    prop:value=note
                    aria-invalid=problem.is_at("note")
                    aria-describedby=problem.described("note")
                    on:input=move |e| note.set(event_target_value(&e))
                ></textarea>
                {problem.show("note")}
            </div>
            {problem.show("")}
            <button type="submit" class="primary" disabled=busy>
                {t(Key::CaseMake)}
            </button>
        </form>
    }
}
