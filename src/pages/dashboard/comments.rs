//! The latest free-text comments per branch, searchable. Comments are
//! customers' own words: they are only ever put in the page as text.

use super::filter::DashState;
use crate::api::{self, CommentText as Comment};
use crate::i18n::{t, Key};
use branchpulse_core::aggregate::CommentQuery;
use branchpulse_core::protocol::Branch;
use leptos::prelude::*;

/// Comments shown per branch.
const PER_BRANCH: u32 = 5;

#[component]
pub fn Comments(
    state: Memo<DashState>,
    set: Callback<DashState>,
    branches: Vec<Branch>,
) -> impl IntoView {
    let query = Memo::new(move |_| {
        state.with(|s| {
            s.filter.clone().ok().map(|filter| CommentQuery {
                filter,
                q: Some(s.q.clone()).filter(|q| !q.trim().is_empty()),
                limit: PER_BRANCH,
            })
        })
    });
    let list = LocalResource::new(move || {
        let query = query.get();
        async move {
            match query {
                Some(q) => api::comments(&q).await.map(Some),
                None => Ok(None),
            }
        }
    });
    let search = RwSignal::new(state.with_untracked(|s| s.q.clone()));
    Effect::new(move |_| search.set(state.with(|s| s.q.clone())));
    let submit = move |e: leptos::ev::SubmitEvent| {
        e.prevent_default();
        let mut s = state.get_untracked();
        s.q = search.get_untracked().trim().to_string();
        set.run(s);
    };
    let name_of = move |code: &str| {
        branches
            .iter()
            .find(|b| b.code == code)
            .map(|b| format!("{} {}", b.code, b.name))
            .unwrap_or_else(|| code.to_string())
    };
    view! {
        <section class="comments" aria-labelledby="comments-title">
            <h2 id="comments-title">{t(Key::DashComments)}</h2>
            <form class="comment-search" role="search" on:submit=submit>
                <label for="comment-q">{t(Key::DashSearch)}</label>
                <input
                    id="comment-q"
                    type="search"
                    prop:value=search
                    on:input=move |e| search.set(event_target_value(&e))
                />
                <button type="submit">{t(Key::DashSearch)}</button>
            </form>
            {move || match list.get() {
                None => view! { <p class="loading">{t(Key::Loading)}</p> }.into_any(),
                Some(Err(e)) if e.is_transient() => {
                    view! { <p class="offline-note">{t(Key::DashCommentsOffline)}</p> }.into_any()
                }
                Some(Err(e)) => {
                    view! {
                        <p class="error" role="alert">
                            {t(Key::LoadFailed)}
                            ": "
                            {e.to_string()}
                        </p>
                    }
                        .into_any()
                }
                Some(Ok(None)) => ().into_any(),
                Some(Ok(Some(all))) if all.is_empty() => {
                    view! { <p>{t(Key::DashNoComments)}</p> }.into_any()
                }
                Some(Ok(Some(all))) => {
                    by_branch(all)
                        .into_iter()
                        .map(|(code, list)| {
                            view! {
                                <section class="comment-branch">
                                    <h3>{name_of(&code)}</h3>
                                    <ul>
                                        {list
                                            .into_iter()
                                            .map(|c| view! { <CommentItem c /> })
                                            .collect_view()}
                                    </ul>
                                </section>
                            }
                        })
                        .collect_view()
                        .into_any()
                }
            }}
        </section>
    }
}

/// Comments grouped by branch, branches in order of first appearance
/// (the newest comment first), each newest first.
fn by_branch(all: Vec<Comment>) -> Vec<(String, Vec<Comment>)> {
    let mut out: Vec<(String, Vec<Comment>)> = Vec::new();
    for c in all {
        match out.iter_mut().find(|(b, _)| *b == c.branch) {
            Some((_, list)) => list.push(c),
            None => out.push((c.branch.clone(), vec![c])),
        }
    }
    out
}

#[component]
fn CommentItem(c: Comment) -> impl IntoView {
    // "2026-03-01T10:15:00+08:00" → "2026-03-01 10:15", in the branch's time.
    let when = c
        .submitted_at
        .get(..16)
        .unwrap_or(&c.submitted_at)
        .replacen('T', " ", 1);
    view! {
        <li class="comment">
            <p class="comment-text">{c.text}</p>
            <p class="comment-meta">
                <time datetime=c.submitted_at>{when}</time>
                " · "
                {c.questionnaire_id}
                " · "
                {c.item}
            </p>
        </li>
    }
}
