//! The latest free-text comments per branch, searchable. Comments are
//! customers' own words: they are only ever put in the page as text. Each
//! is labelled by the questionnaire's title and the item's text (or the
//! stage's title) in the reader's language; ids only in `data-` attributes.

use super::filter::DashState;
use super::texts::Texts;
use crate::api::{self, CommentText as Comment};
use crate::i18n::{t, text, use_locale, Key};
use branchpulse_core::aggregate::CommentQuery;
use branchpulse_core::protocol::Branch;
use branchpulse_core::{Channel, Locale};
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
                ..CommentQuery::default()
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
    let texts = LocalResource::new(Texts::shared);
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
                Some(_) if texts.get().is_none() => {
                    // Labels wait for the texts, rather than show a stand-in first.
                    view! { <p class="loading">{t(Key::Loading)}</p> }
                        .into_any()
                }
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
                    let texts = texts.get().unwrap_or_default();
                    by_branch(all)
                        .into_iter()
                        .map(|(code, list)| {
                            view! {
                                <section class="comment-branch">
                                    <h3>{name_of(&code)}</h3>
                                    <ul>
                                        {list
                                            .into_iter()
                                            .map(|c| view! { <CommentItem c texts=texts.clone() /> })
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

/// What a comment is on and where it is from, as the reader reads them:
/// the item's text (or the stage's title), else "Comment"; the
/// questionnaire's title, else its channel. Never their ids.
pub fn labels(c: &Comment, texts: &Texts, locale: Locale) -> (String, Option<String>) {
    let on = texts
        .label(&c.questionnaire_id, &c.item, locale)
        .unwrap_or_else(|| text(locale, Key::DashComment).to_string());
    let from = texts.title(&c.questionnaire_id, locale).or_else(|| {
        c.channel.map(|ch| {
            text(
                locale,
                match ch {
                    Channel::Kiosk => Key::KindKiosk,
                    Channel::MysteryShop => Key::KindMysteryShop,
                },
            )
            .to_string()
        })
    });
    (on, from)
}

#[component]
pub fn CommentItem(c: Comment, texts: Texts) -> impl IntoView {
    let locale = use_locale();
    // "2026-03-01T10:15:00+08:00" → "2026-03-01 10:15", in the branch's time.
    let when = c
        .submitted_at
        .get(..16)
        .unwrap_or(&c.submitted_at)
        .replacen('T', " ", 1);
    let meta = {
        let c = c.clone();
        move || {
            let (on, from) = labels(&c, &texts, locale.get());
            from.into_iter().chain([on]).collect::<Vec<_>>().join(" · ")
        }
    };
    view! {
        <li class="comment" data-item=c.item data-questionnaire=c.questionnaire_id>
            <p class="comment-text">{c.text}</p>
            <p class="comment-meta">
                <time datetime=c.submitted_at>{when}</time>
                " · "
                {meta}
            </p>
        </li>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use branchpulse_core::Questionnaire;

    fn comment(questionnaire: &str, item: &str, channel: Option<Channel>) -> Comment {
        Comment {
            branch: "N01".into(),
            questionnaire_id: questionnaire.into(),
            submitted_at: "2026-03-01T10:15:00+08:00".into(),
            item: item.into(),
            text: "Queue too long".into(),
            channel,
            satisfaction: None,
        }
    }

    #[test]
    fn comments_are_labelled_by_texts_never_ids() {
        let kiosk: Questionnaire =
            serde_json::from_str(include_str!("../../../questionnaires/kiosk.json")).unwrap();
        let shop: Questionnaire =
            serde_json::from_str(include_str!("../../../questionnaires/mystery_shop.json"))
                .unwrap();
        let texts = Texts::of(vec![kiosk]);
        let on_item = comment("lobby", "comment", Some(Channel::Kiosk));
        assert_eq!(
            labels(&on_item, &texts, Locale::En),
            (
                "Is there anything we could do better?".to_string(),
                Some("Your visit today".to_string())
            )
        );
        assert_eq!(
            labels(&on_item, &texts, Locale::ZhCn).1.as_deref(),
            Some("您今天的到访体验")
        );
        // A comment on a stage is named by the stage's title.
        let texts = Texts::of(vec![shop]);
        let on_stage = comment("branch_visit", "waiting", None);
        assert_eq!(labels(&on_stage, &texts, Locale::En).0, "Waiting");
        // A questionnaire this device cannot read: its channel, and "Comment".
        let unknown = comment("lobby", "comment", Some(Channel::Kiosk));
        assert_eq!(
            labels(&unknown, &texts, Locale::Es),
            (
                "Comentario".to_string(),
                Some("Quiosco del vestíbulo".to_string())
            )
        );
        assert_eq!(
            labels(&comment("x", "y", None), &Texts::default(), Locale::En),
            ("Comment".to_string(), None)
        );
    }
}
