//! People's accounts: the list, a new manager, regional manager or admin
//! (branch or region chosen from the existing ones), changing an account's
//! role or scope, switching it off or on, and setting a new password (both
//! end that user's sessions).

use super::{short_time, table, Confirm, Problem};
use crate::api::admin as api;
use crate::api::ApiError;
use crate::i18n::{t, use_locale, Key};
use branchpulse_core::access::{
    check_new_user, check_password, check_scope, NewUser, Role, User, UserChange,
};
use branchpulse_core::collect;
use branchpulse_core::protocol::Branch;
use leptos::prelude::*;
use leptos::task::spawn_local;

const FIELDS: [&str; 5] = ["username", "password", "role", "branch", "region"];

fn role_key(role: Role) -> Key {
    match role {
        Role::Admin => Key::AdmRoleAdmin,
        Role::Regional => Key::AdmRoleRegional,
        Role::Manager => Key::AdmRoleManager,
        Role::Reviewer => Key::AdmRoleReviewer,
    }
}

#[component]
pub fn Users() -> impl IntoView {
    let list = LocalResource::new(api::users);
    let branches = LocalResource::new(api::branches);
    view! {
        <section aria-labelledby="users-title">
            <h2 id="users-title">{t(Key::AdmUsers)}</h2>
            {table(
                list,
                Key::AdmNoUsers,
                "user-list",
                &[
                    Key::PplUsername,
                    Key::AdmRole,
                    Key::AdmFor,
                    Key::AdmStatus,
                    Key::AdmCreated,
                    Key::AdmActions,
                ],
                move |u| view! { <UserRow user=u list branches /> },
            )}
            <AddUser list branches />
        </section>
    }
}

#[component]
fn UserRow(
    user: User,
    list: LocalResource<Result<Vec<User>, ApiError>>,
    branches: Branches,
) -> impl IntoView {
    let locale = use_locale();
    let problem = Problem::new(format!("user-{}", user.id));
    let setting = RwSignal::new(false);
    let scoping = RwSignal::new(false);
    let role = RwSignal::new(user.role);
    let branch = RwSignal::new(user.branch.clone().unwrap_or_default());
    let region = RwSignal::new(user.region.clone().unwrap_or_default());
    let password = RwSignal::new(String::new());
    let done = RwSignal::new(false);
    let (id, name, active) = (user.id, user.username.clone(), user.active);
    let change = move |change: UserChange| {
        problem.clear();
        spawn_local(async move {
            match api::change_user(id, &change).await {
                Ok(()) => {
                    if change.password.is_some() {
                        setting.set(false);
                        password.set(String::new());
                        done.set(true);
                    } else {
                        list.refetch();
                    }
                }
                Err(e) => problem.failed(&e, &FIELDS, locale.get_untracked()),
            }
        });
    };
    let name_for_check = name.clone();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let p = password.get_untracked();
        if problem.check(check_password(&p, &name_for_check)) {
            change(UserChange {
                password: Some(p),
                ..UserChange::default()
            });
        }
    };
    let save_scope = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (r, b, g) = scope_of(role, branch, region);
        if problem.check(check_scope(r, b.as_deref(), g.as_deref(), &known(branches))) {
            change(UserChange {
                role: Some(r),
                branch: b,
                region: g,
                ..UserChange::default()
            });
        }
    };
    let pw_id = problem.id("password");
    view! {
        <tr data-username=name.clone() class:inactive=!active>
            <th scope="row">{name.clone()}</th>
            <td>{t(role_key(user.role))}</td>
            <td>{user.branch.or(user.region).unwrap_or_else(|| "—".into())}</td>
            <td>{t(if active { Key::AdmActive } else { Key::AdmInactive })}</td>
            <td>{short_time(&user.created_at)}</td>
            <td class="actions">
                {if active {
                    view! {
                        <Confirm
                            label=Key::AdmDeactivate
                            question=Key::AdmDeactivateAsk
                            yes=Key::AdmDeactivate
                            on_yes=Callback::new(move |()| change(UserChange {
                                active: Some(false),
                                ..UserChange::default()
                            }))
                        />
                    }
                        .into_any()
                } else {
                    view! {
                        <button
                            type="button"
                            on:click=move |_| change(UserChange {
                                active: Some(true),
                                ..UserChange::default()
                            })
                        >
                            {t(Key::AdmReactivate)}
                        </button>
                    }
                        .into_any()
                }}
                {move || {
                    if setting.get() {
                        let pw_id = pw_id.clone();
                        view! {
                            <form class="inline-form" on:submit=submit.clone()>
                                <label for=pw_id.clone()>{t(Key::AdmNewPassword)}</label>
                                <input
                                    id=pw_id
                                    type="password"
                                    autocomplete="new-password"
                                    prop:value=password
                                    aria-invalid=problem.is_at("password")
                                    aria-describedby=problem.described("password")
                                    on:input=move |e| password.set(event_target_value(&e))
                                />
                                <button type="submit" class="primary">
                                    {t(Key::AdmSave)}
                                </button>
                                <button type="button" on:click=move |_| setting.set(false)>
                                    {t(Key::Cancel)}
                                </button>
                            </form>
                        }
                            .into_any()
                    } else {
                        view! {
                            <button
                                type="button"
                                class="set-password"
                                on:click=move |_| {
                                    done.set(false);
                                    setting.set(true);
                                }
                            >
                                {t(Key::AdmSetPassword)}
                            </button>
                        }
                            .into_any()
                    }
                }}
                {move || {
                    if scoping.get() {
                        view! {
                            <form class="inline-form scope-form" on:submit=save_scope>
                                <ScopeFields problem role branch region branches />
                                <button type="submit" class="primary">
                                    {t(Key::AdmSave)}
                                </button>
                                <button type="button" on:click=move |_| scoping.set(false)>
                                    {t(Key::Cancel)}
                                </button>
                            </form>
                        }
                            .into_any()
                    } else {
                        view! {
                            <button
                                type="button"
                                class="change-scope"
                                on:click=move |_| scoping.set(true)
                            >
                                {t(Key::AdmChangeScope)}
                            </button>
                        }
                            .into_any()
                    }
                }} {problem.show("password")} {problem.show("")}
                {move || {
                    done.get()
                        .then(|| {
                            view! {
                                <span class="ok" role="status">
                                    {t(Key::AdmSaved)}
                                </span>
                            }
                        })
                }}
            </td>
        </tr>
    }
}

#[component]
fn AddUser(list: LocalResource<Result<Vec<User>, ApiError>>, branches: Branches) -> impl IntoView {
    let problem = Problem::new("user");
    let username = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let role = RwSignal::new(Role::Manager);
    let branch = RwSignal::new(String::new());
    let region = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let done = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        problem.clear();
        done.set(false);
        let (role, branch, region) = scope_of(role, branch, region);
        let user = NewUser {
            username: username.get_untracked().trim().to_string(),
            password: password.get_untracked(),
            role,
            branch,
            region,
        };
        if !problem.check(check_new_user(&user, &known(branches))) {
            return;
        }
        let request = async move { api::add_user(&user).await };
        problem.send(busy, &FIELDS, request, move |()| {
            username.set(String::new());
            password.set(String::new());
            done.set(true);
            list.refetch();
        });
    };
    let text_input = move |f: &'static str,
                           key: Key,
                           value: RwSignal<String>,
                           kind: &'static str,
                           auto: &'static str| {
        view! {
            <div class="field">
                <label for=problem.id(f)>{t(key)}</label>
                <input
                    id=problem.id(f)
                    type=kind
                    autocomplete=auto
                    prop:value=value
                    aria-invalid=problem.is_at(f)
                    aria-describedby=problem.described(f)
                    on:input=move |e| value.set(event_target_value(&e))
                />
                {problem.show(f)}
            </div>
        }
    };
    view! {
        <form class="form admin-form" id="add-user" on:submit=submit>
            <h3>{t(Key::AdmAddUser)}</h3>
            {text_input("username", Key::PplUsername, username, "text", "off")}
            {text_input("password", Key::PplPassword, password, "password", "new-password")}
            <ScopeFields problem role branch region branches />
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
                {t(Key::AdmAddUser)}
            </button>
        </form>
    }
}

type Branches = LocalResource<Result<Vec<Branch>, ApiError>>;

fn known(branches: Branches) -> Vec<Branch> {
    branches
        .get_untracked()
        .and_then(Result::ok)
        .unwrap_or_default()
}

/// The role chosen, with the branch or region that goes with it.
fn scope_of(
    role: RwSignal<Role>,
    branch: RwSignal<String>,
    region: RwSignal<String>,
) -> (Role, Option<String>, Option<String>) {
    let r = role.get_untracked();
    (
        r,
        (r == Role::Manager).then(|| branch.get_untracked()),
        (r == Role::Regional).then(|| region.get_untracked()),
    )
}

/// A role and, for it, a branch (manager) or a region (regional manager),
/// chosen from the branches that exist: the new account's and a change's.
#[component]
fn ScopeFields(
    problem: Problem,
    role: RwSignal<Role>,
    branch: RwSignal<String>,
    region: RwSignal<String>,
    branches: Branches,
) -> impl IntoView {
    let list = move || branches.get().and_then(Result::ok).unwrap_or_default();
    let (role_id, branch_id, region_id) = (
        problem.id("role"),
        problem.id("branch"),
        problem.id("region"),
    );
    view! {
        <div class="field">
            <label for=role_id.clone()>{t(Key::AdmRole)}</label>
            <select
                id=role_id
                aria-invalid=problem.is_at("role")
                aria-describedby=problem.described("role")
                on:change=move |e| {
                    role.set(
                        match event_target_value(&e).as_str() {
                            "admin" => Role::Admin,
                            "regional" => Role::Regional,
                            "reviewer" => Role::Reviewer,
                            _ => Role::Manager,
                        },
                    )
                }
            >
                {[
                    (Role::Manager, "manager"),
                    (Role::Regional, "regional"),
                    (Role::Reviewer, "reviewer"),
                    (Role::Admin, "admin"),
                ]
                    .into_iter()
                    .map(|(r, v)| {
                        view! {
                            <option value=v selected=move || role.get() == r>
                                {t(role_key(r))}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
            {problem.show("role")}
        </div>
        {move || match role.get() {
            Role::Manager => {
                view! {
                    <div class="field">
                        <label for=branch_id.clone()>{t(Key::Branch)}</label>
                        <select
                            id=branch_id.clone()
                            prop:value=branch
                            aria-invalid=problem.is_at("branch")
                            aria-describedby=problem.described("branch")
                            on:change=move |e| branch.set(event_target_value(&e))
                        >
                            <option value="">{t(Key::AdmChoose)}</option>
                            {move || {
                                list()
                                    .into_iter()
                                    .map(|b| {
                                        view! {
                                            <option value=b
                                                .code
                                                .clone()>{b.code.clone()} " — " {b.name}</option>
                                        }
                                    })
                                    .collect_view()
                            }}
                        </select>
                        {problem.show("branch")}
                    </div>
                }
                    .into_any()
            }
            Role::Regional => {
                view! {
                    <div class="field">
                        <label for=region_id.clone()>{t(Key::DashRegion)}</label>
                        <select
                            id=region_id.clone()
                            prop:value=region
                            aria-invalid=problem.is_at("region")
                            aria-describedby=problem.described("region")
                            on:change=move |e| region.set(event_target_value(&e))
                        >
                            <option value="">{t(Key::AdmChoose)}</option>
                            {move || {
                                collect::set(list().into_iter().map(|b| b.region))
                                    .into_iter()
                                    .map(|r| view! { <option value=r.clone()>{r.clone()}</option> })
                                    .collect_view()
                            }}
                        </select>
                        {problem.show("region")}
                    </div>
                }
                    .into_any()
            }
            Role::Admin | Role::Reviewer => ().into_any(),
        }}
    }
}
