//! Alert rules (`/admin?s=alerts`): the list with each rule's thresholds
//! in words, scope and recipients; a form whose thresholds follow the kind
//! (each with its range), the scope (network, region or branch) and the
//! recipients (roles, webhooks, e-mail addresses); switching a rule off or
//! on, and deleting it. The webhooks follow ([`super::webhooks`]).

use super::webhooks::Webhooks;
use super::{cards, focus_later, Confirm, Problem};
use crate::api::alerts::{self as api, Webhook};
use crate::api::{admin::branches, ApiError};
use crate::components::{alert_kind_key, describe_rule};
use crate::i18n::{t, text, use_locale, Key};
use branchpulse_core::access::{Role, Scope};
use branchpulse_core::alerts::{
    AlertKind, NewRule, Recipients, Rule, RuleKind, LOW_MAX, MAX_RULE_NAME_CHARS, MAX_TARGETS,
    MIN_COUNT, SHARE_PERCENT, SILENT_HOURS, WINDOW_MINUTES,
};
use branchpulse_core::cases::{check_contact, ContactWay};
use branchpulse_core::collect;
use branchpulse_core::protocol::Branch;
use branchpulse_core::Locale;
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::collections::BTreeSet;
use uuid::Uuid;

const FIELDS: [&str; 10] = [
    "name",
    "rule.window_minutes",
    "rule.min_count",
    "rule.share_percent",
    "rule.low_max",
    "rule.hours",
    "scope",
    "recipients.roles",
    "recipients.webhooks",
    "recipients.emails",
];

/// The roles a rule may send to, in the form's order. Admins see every
/// alert whatever the rule says; reviewers may want the mystery shop's.
const ROLES: [(Role, Key); 3] = [
    (Role::Manager, Key::AdmRoleManager),
    (Role::Regional, Key::AdmRoleRegional),
    (Role::Reviewer, Key::AdmRoleReviewer),
];

type Rules = LocalResource<Result<Vec<Rule>, ApiError>>;
type Hooks = LocalResource<Result<Vec<Webhook>, ApiError>>;
type Branches = LocalResource<Result<Vec<Branch>, ApiError>>;

#[component]
pub fn Alerts() -> impl IntoView {
    let list: Rules = LocalResource::new(api::rules);
    let hooks: Hooks = LocalResource::new(api::webhooks);
    let branches: Branches = LocalResource::new(branches);
    let editing = RwSignal::new(None::<Rule>);
    let locale = use_locale();
    let hook_name = move |id: Uuid| {
        hooks
            .get()
            .and_then(Result::ok)
            .and_then(|all| all.into_iter().find(|h| h.id == id).map(|h| h.name))
            .unwrap_or_else(|| id.to_string())
    };
    view! {
        <section aria-labelledby="rules-title">
            <h2 id="rules-title">{t(Key::RuleTitle)}</h2>
            {cards(
                list,
                Key::RuleNone,
                "rule-list",
                move |r: Rule| {
                    let l = locale.get_untracked();
                    let def = r.def.clone();
                    let active = def.active;
                    let who = recipients_words(&def.recipients, l, &hook_name);
                    let stored = StoredValue::new(r.clone());
                    let toggle = move |_| {
                        let r = stored.get_value();
                        let mut def = r.def.clone();
                        def.active = !def.active;
                        spawn_local(async move {
                            if api::change_rule(r.id, &def).await.is_ok() {
                                list.refetch();
                            }
                        });
                    };
                    let id = r.id;
                    view! {
                        <li class="follow-item" data-rule=r.id.to_string() class:inactive=!active>
                            <p class="follow-head">
                                <strong>{def.name.clone()}</strong>
                                " · "
                                {t(alert_kind_key(def.rule.kind()))}
                                " · "
                                {t(if active { Key::AdmActive } else { Key::AdmInactive })}
                            </p>
                            <dl class="facts">
                                <dt>{t(Key::RuleThresholds)}</dt>
                                <dd>
                                    {describe_rule(&def.rule, l).unwrap_or_else(|| "—".into())}
                                </dd>
                                <dt>{t(Key::RuleScope)}</dt>
                                <dd>{scope_words(&def.scope, l)}</dd>
                                <dt>{t(Key::RuleRecipients)}</dt>
                                <dd>{who}</dd>
                            </dl>
                            <p class="actions">
                                <button
                                    type="button"
                                    on:click=move |_| {
                                        editing.set(Some(stored.get_value()));
                                        focus_later("rule-form-title");
                                    }
                                >
                                    {t(Key::AdmEdit)}
                                </button>
                                <button type="button" class="toggle-rule" on:click=toggle>
                                    {t(
                                        if active { Key::AdmDeactivate } else { Key::AdmReactivate },
                                    )}
                                </button>
                                <Confirm
                                    label=Key::RuleDelete
                                    question=Key::RuleDeleteAsk
                                    yes=Key::RuleDeleteYes
                                    on_yes=Callback::new(move |()| {
                                        spawn_local(async move {
                                            if api::delete_rule(id).await.is_ok() {
                                                list.refetch();
                                            }
                                        })
                                    })
                                />
                            </p>
                        </li>
                    }
                },
            )}
            {move || {
                let current = editing.get();
                view! { <RuleForm list editing current hooks branches /> }
            }}
        </section>
        <Webhooks hooks />
    }
}

fn scope_words(scope: &Scope, l: Locale) -> String {
    match scope {
        Scope::All => text(l, Key::RuleScopeNetwork).into(),
        Scope::Region(r) => format!("{}: {r}", text(l, Key::DashRegion)),
        Scope::Branch(b) => format!("{}: {b}", text(l, Key::Branch)),
    }
}

fn recipients_words(r: &Recipients, l: Locale, hook: &dyn Fn(Uuid) -> String) -> String {
    let mut said: Vec<String> = ROLES
        .iter()
        .filter(|(role, _)| r.roles.contains(role))
        .map(|(_, key)| text(l, *key).to_string())
        .collect();
    said.extend(r.webhooks.iter().map(|id| format!("Webhook {}", hook(*id))));
    said.extend(r.emails.iter().cloned());
    if said.is_empty() {
        return "—".into();
    }
    said.join(text(l, Key::WinListJoin))
}

/// A threshold's field: its name in the request, its words, its range.
struct Threshold {
    field: &'static str,
    key: Key,
    min: u32,
    max: u32,
    value: RwSignal<String>,
}

/// The thresholds `kind` takes.
fn thresholds_of(kind: AlertKind) -> &'static [&'static str] {
    match kind {
        AlertKind::UnhappyBurst => &[
            "rule.window_minutes",
            "rule.min_count",
            "rule.share_percent",
            "rule.low_max",
        ],
        AlertKind::LowScoreComment => &["rule.low_max"],
        AlertKind::SilentKiosk => &["rule.hours"],
        _ => &[],
    }
}

#[component]
fn RuleForm(
    list: Rules,
    editing: RwSignal<Option<Rule>>,
    current: Option<Rule>,
    hooks: Hooks,
    branches: Branches,
) -> impl IntoView {
    let locale = use_locale();
    let problem = Problem::new("rule");
    let editing_id = current.as_ref().map(|r| r.id);
    let def = current.map(|r| r.def);
    let d = def.as_ref();
    let name = RwSignal::new(d.map(|d| d.name.clone()).unwrap_or_default());
    let kind = RwSignal::new(d.map_or(AlertKind::UnhappyBurst, |d| d.rule.kind()));
    let n = |v: u32| RwSignal::new(v.to_string());
    let (w, m, s, low, h) = match d.map(|d| &d.rule) {
        Some(RuleKind::UnhappyBurst {
            window_minutes,
            min_count,
            share_percent,
            low_max,
        }) => (
            *window_minutes,
            *min_count,
            u32::from(*share_percent),
            u32::from(*low_max),
            24,
        ),
        Some(RuleKind::LowScoreComment { low_max }) => (30, 10, 50, u32::from(*low_max), 24),
        Some(RuleKind::SilentKiosk { hours }) => (30, 10, 50, 2, *hours),
        _ => (30, 10, 50, 2, 24),
    };
    let thresholds = StoredValue::new([
        Threshold {
            field: "rule.window_minutes",
            key: Key::RuleWindow,
            min: *WINDOW_MINUTES.start(),
            max: *WINDOW_MINUTES.end(),
            value: n(w),
        },
        Threshold {
            field: "rule.min_count",
            key: Key::RuleMinCount,
            min: *MIN_COUNT.start(),
            max: *MIN_COUNT.end(),
            value: n(m),
        },
        Threshold {
            field: "rule.share_percent",
            key: Key::RuleShare,
            min: u32::from(*SHARE_PERCENT.start()),
            max: u32::from(*SHARE_PERCENT.end()),
            value: n(s),
        },
        Threshold {
            field: "rule.low_max",
            key: Key::RuleLowMax,
            min: u32::from(*LOW_MAX.start()),
            max: u32::from(*LOW_MAX.end()),
            value: n(low),
        },
        Threshold {
            field: "rule.hours",
            key: Key::RuleHours,
            min: *SILENT_HOURS.start(),
            max: *SILENT_HOURS.end(),
            value: n(h),
        },
    ]);
    let (scope_kind, scope_value) = match d.map(|d| &d.scope) {
        Some(Scope::Region(r)) => ("region", r.clone()),
        Some(Scope::Branch(b)) => ("branch", b.clone()),
        _ => ("all", String::new()),
    };
    let scope_kind = RwSignal::new(scope_kind.to_string());
    let scope_value = RwSignal::new(scope_value);
    let roles: RwSignal<Vec<Role>> = RwSignal::new(d.map_or_else(
        || vec![Role::Manager, Role::Regional],
        |d| d.recipients.roles.clone(),
    ));
    let webhooks: RwSignal<BTreeSet<Uuid>> = RwSignal::new(
        d.map(|d| collect::set(d.recipients.webhooks.iter().copied()))
            .unwrap_or_default(),
    );
    let emails = RwSignal::new(
        d.map(|d| d.recipients.emails.join("\n"))
            .unwrap_or_default(),
    );
    let active = RwSignal::new(d.is_none_or(|d| d.active));
    let busy = RwSignal::new(false);
    let done = RwSignal::new(false);

    // The rule as the form says it, or the field at fault and what to say.
    let read = move |l: Locale| -> Result<NewRule, (&'static str, String)> {
        let name = name.get_untracked().trim().to_string();
        if name.is_empty() || name.chars().count() > MAX_RULE_NAME_CHARS {
            return Err((
                "name",
                text(l, Key::RuleErrName).replace("{n}", &MAX_RULE_NAME_CHARS.to_string()),
            ));
        }
        let k = kind.get_untracked();
        let mut got = [0u32; 5];
        thresholds.with_value(|all| {
            for (i, th) in all.iter().enumerate() {
                if !thresholds_of(k).contains(&th.field) {
                    continue;
                }
                match th.value.get_untracked().trim().parse::<u32>() {
                    Ok(v) if (th.min..=th.max).contains(&v) => got[i] = v,
                    _ => {
                        return Err((
                            th.field,
                            text(l, Key::RuleErrRange)
                                .replace("{a}", &th.min.to_string())
                                .replace("{b}", &th.max.to_string()),
                        ))
                    }
                }
            }
            Ok(())
        })?;
        let small = |v: u32| u8::try_from(v).unwrap_or(u8::MAX);
        let rule = match k {
            AlertKind::UnhappyBurst => RuleKind::UnhappyBurst {
                window_minutes: got[0],
                min_count: got[1],
                share_percent: small(got[2]),
                low_max: small(got[3]),
            },
            AlertKind::CriticalFailure => RuleKind::CriticalFailure,
            AlertKind::MissedCommitment => RuleKind::MissedCommitment,
            AlertKind::LowScoreComment => RuleKind::LowScoreComment {
                low_max: small(got[3]),
            },
            AlertKind::SilentKiosk => RuleKind::SilentKiosk { hours: got[4] },
            AlertKind::ContactRequest => RuleKind::ContactRequest,
        };
        let value = scope_value.get_untracked();
        let scope = match scope_kind.get_untracked().as_str() {
            "region" | "branch" if value.is_empty() => {
                return Err(("scope", text(l, Key::RuleErrScope).into()))
            }
            "region" => Scope::Region(value),
            "branch" => Scope::Branch(value),
            _ => Scope::All,
        };
        let mut list = Vec::new();
        for line in emails.get_untracked().split(['\n', ',', ';']) {
            if line.trim().is_empty() {
                continue;
            }
            match check_contact(ContactWay::Email, line) {
                Ok(e) => list.push(e),
                Err(code) => {
                    return Err((
                        "recipients.emails",
                        format!("{}: {}", crate::problem::say(code, "", l), line.trim()),
                    ))
                }
            }
        }
        let hooks: Vec<Uuid> = webhooks.get_untracked().into_iter().collect();
        for (field, n) in [
            ("recipients.emails", list.len()),
            ("recipients.webhooks", hooks.len()),
        ] {
            if n > MAX_TARGETS {
                return Err((
                    field,
                    text(l, Key::RuleErrTooMany).replace("{n}", &MAX_TARGETS.to_string()),
                ));
            }
        }
        Ok(NewRule {
            name,
            rule,
            scope,
            recipients: Recipients {
                roles: roles.get_untracked(),
                webhooks: hooks,
                emails: list,
            },
            active: active.get_untracked(),
        })
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        problem.clear();
        done.set(false);
        let l = locale.get_untracked();
        let rule = match read(l) {
            Ok(r) => r,
            Err((field, message)) => {
                problem.refuse(field, message);
                return;
            }
        };
        // The server's own check as well (a scope that names no branch).
        let known = branches.get_untracked().and_then(Result::ok);
        if let Some(known) = known {
            if !problem.check(rule.check(&known)) {
                return;
            }
        }
        let request = async move {
            match editing_id {
                Some(id) => api::change_rule(id, &rule).await,
                None => api::add_rule(&rule).await,
            }
        };
        problem.send(busy, &FIELDS, request, move |_| {
            list.refetch();
            if editing_id.is_some() {
                editing.set(None);
            } else {
                name.set(String::new());
                done.set(true);
            }
        });
    };
    let number = move |i: usize| {
        thresholds.with_value(|all| {
            let th = &all[i];
            let (field, value) = (th.field, th.value);
            let hint = format!("{}–{}", th.min, th.max);
            view! {
                <div class="field">
                    <label for=problem.id(field)>{t(th.key)} " (" {hint} ")"</label>
                    <input
                        id=problem.id(field)
                        type="number"
                        inputmode="numeric"
                        min=th.min
                        max=th.max
                        prop:value=value
                        aria-invalid=problem.is_at(field)
                        aria-describedby=problem.described(field)
                        on:input=move |e| value.set(event_target_value(&e))
                    />
                    {problem.show(field)}
                </div>
            }
        })
    };
    let threshold_fields = move || {
        let shown = thresholds_of(kind.get());
        (0..5)
            .filter(|i| thresholds.with_value(|all| shown.contains(&all[*i].field)))
            .map(number)
            .collect_view()
    };
    let scope_choices = move || {
        let all = branches.get().and_then(Result::ok).unwrap_or_default();
        match scope_kind.get().as_str() {
            "region" => {
                let regions: BTreeSet<String> = collect::set(all.into_iter().map(|b| b.region));
                regions
                    .into_iter()
                    .map(|r| view! { <option value=r.clone()>{r.clone()}</option> })
                    .collect_view()
                    .into_any()
            }
            "branch" => all
                .into_iter()
                .map(|b| view! { <option value=b.code.clone()>{b.code.clone()} " — " {b.name}</option> })
                .collect_view()
                .into_any(),
            _ => ().into_any(),
        }
    };
    let hook_boxes = move || {
        hooks
            .get()
            .and_then(Result::ok)
            .unwrap_or_default()
            .into_iter()
            .map(|h| {
                let id = h.id;
                let box_id = format!("rule-hook-{id}");
                view! {
                    <span class="check">
                        <input
                            id=box_id.clone()
                            type="checkbox"
                            prop:checked=move || webhooks.with(|s| s.contains(&id))
                            on:change=move |e| {
                                let on = event_target_checked(&e);
                                webhooks
                                    .update(|s| {
                                        if on {
                                            s.insert(id);
                                        } else {
                                            s.remove(&id);
                                        }
                                    });
                            }
                        />
                        <label for=box_id>{h.name}</label>
                    </span>
                }
            })
            .collect_view()
    };
    let title = if editing_id.is_some() {
        Key::RuleEditTitle
    } else {
        Key::RuleAdd
    };
    view! {
        // The browser's own range check would stop the submit without a
        // word at the field; the form says it, in the admin's language.
        <form class="form admin-form" id="rule-form" novalidate on:submit=submit>
            <h3 id="rule-form-title" tabindex="-1">
                {t(title)}
            </h3>
            <div class="field">
                <label for=problem.id("name")>{t(Key::AdmName)}</label>
                <input
                    id=problem.id("name")
                    type="text"
                    prop:value=name
                    aria-invalid=problem.is_at("name")
                    aria-describedby=problem.described("name")
                    on:input=move |e| name.set(event_target_value(&e))
                />
                {problem.show("name")}
            </div>
            <div class="field">
                <label for="rule-kind">{t(Key::AlKind)}</label>
                <select
                    id="rule-kind"
                    prop:value=move || kind.get().as_str()
                    on:change=move |e| {
                        if let Some(k) = AlertKind::parse(&event_target_value(&e)) {
                            kind.set(k);
                        }
                    }
                >
                    {AlertKind::ALL
                        .into_iter()
                        .map(|k| view! { <option value=k.as_str()>{t(alert_kind_key(k))}</option> })
                        .collect_view()}
                </select>
            </div>
            {threshold_fields}
            <fieldset aria-describedby=problem.described("scope")>
                <legend>{t(Key::RuleScope)}</legend>
                <div class="field">
                    <label for="rule-scope-kind">{t(Key::RuleScopeKind)}</label>
                    <select
                        id="rule-scope-kind"
                        prop:value=scope_kind
                        on:change=move |e| {
                            scope_kind.set(event_target_value(&e));
                            scope_value.set(String::new());
                        }
                    >
                        <option value="all">{t(Key::RuleScopeNetwork)}</option>
                        <option value="region">{t(Key::DashRegion)}</option>
                        <option value="branch">{t(Key::Branch)}</option>
                    </select>
                </div>
                <Show when=move || scope_kind.get() != "all">
                    <div class="field">
                        <label for=problem.id("scope")>{t(Key::RuleScopeWhich)}</label>
                        <select
                            id=problem.id("scope")
                            prop:value=scope_value
                            aria-invalid=problem.is_at("scope")
                            aria-describedby=problem.described("scope")
                            on:change=move |e| scope_value.set(event_target_value(&e))
                        >
                            <option value="">{t(Key::AdmChoose)}</option>
                            {scope_choices}
                        </select>
                    </div>
                </Show>
                {problem.show("scope")}
            </fieldset>
            <fieldset>
                <legend>{t(Key::RuleRecipients)}</legend>
                <fieldset class="roles" aria-describedby=problem.described("recipients.roles")>
                    <legend>{t(Key::RuleRoles)}</legend>
                    {ROLES
                        .into_iter()
                        .map(|(role, key)| {
                            let id = format!("rule-role-{}", role_name(role));
                            view! {
                                <span class="check">
                                    <input
                                        id=id.clone()
                                        type="checkbox"
                                        prop:checked=move || roles.with(|s| s.contains(&role))
                                        on:change=move |e| {
                                            let on = event_target_checked(&e);
                                            roles
                                                .update(|s| {
                                                    s.retain(|r| *r != role);
                                                    if on {
                                                        s.push(role);
                                                    }
                                                });
                                        }
                                    />
                                    <label for=id>{t(key)}</label>
                                </span>
                            }
                        })
                        .collect_view()}
                    <p class="hint">{t(Key::RuleRolesHint)}</p>
                    {problem.show("recipients.roles")}
                </fieldset>
                <fieldset class="hooks" aria-describedby=problem.described("recipients.webhooks")>
                    <legend>{t(Key::HookTitle)}</legend>
                    {hook_boxes}
                    {problem.show("recipients.webhooks")}
                </fieldset>
                <div class="field">
                    <label for=problem.id("recipients.emails")>{t(Key::RuleEmails)}</label>
                    <textarea
                        id=problem.id("recipients.emails")
                        rows="3"
                        prop:value=emails
                        aria-invalid=problem.is_at("recipients.emails")
                        aria-describedby=problem.described("recipients.emails")
                        on:input=move |e| emails.set(event_target_value(&e))
                    ></textarea>
                    {problem.show("recipients.emails")}
                </div>
            </fieldset>
            <div class="field check">
                <input
                    id="rule-active"
                    type="checkbox"
                    prop:checked=active
                    on:change=move |e| active.set(event_target_checked(&e))
                />
                <label for="rule-active">{t(Key::RuleActive)}</label>
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
                {t(Key::AdmSave)}
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

fn role_name(role: Role) -> &'static str {
    match role {
        Role::Admin => "admin",
        Role::Regional => "regional",
        Role::Manager => "manager",
        Role::Reviewer => "reviewer",
    }
}
