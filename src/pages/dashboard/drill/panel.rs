//! The drill-down's page parts: the branch and dimension choice, and the
//! panel of a score's items (from the server, the kept copy or the device)
//! and of the latest comments.

use super::{description, fill, lines, too_few, versus, with_interval, Line, Target, NETWORK};
use crate::api::{self, CommentText as Comment};
use crate::i18n::{dimension_key, t, text, use_locale, Key};
use crate::pages::dashboard::comments::CommentItem;
use crate::pages::dashboard::filter::{dimension_param, DashState};
use crate::pages::dashboard::texts::Texts;
use crate::pages::dashboard::{offline, Source};
use crate::storage::kept;
use branchpulse_core::aggregate::{CommentQuery, Filter, Reference};
use branchpulse_core::protocol::Branch;
use branchpulse_core::scorecard::Items;
use branchpulse_core::{Channel, Dimension, Locale};
use leptos::prelude::*;
use wasm_bindgen::JsCast;

/// Comments shown for a branch, and for the network (its newest overall).
const COMMENTS: u32 = 5;
const NETWORK_COMMENTS: usize = 10;

async fn load(filter: Filter) -> Result<(Items, Source), String> {
    match kept::items(&filter).await {
        Ok((items, kept)) => Ok((items, if kept { Source::Kept } else { Source::Server })),
        Err(e) if e.is_transient() => match offline::items_from_device(&filter).await {
            Ok((items, n)) => Ok((items, Source::Device(n))),
            Err(_) => Err(e.to_string()),
        },
        Err(e) => Err(e.to_string()),
    }
}

fn focus(id: &str) {
    if let Some(el) = document()
        .get_element_by_id(id)
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
    {
        let _ = el.focus();
    }
}

fn branch_label(code: Option<&str>, branches: &[Branch], locale: Locale) -> String {
    match code {
        None => text(locale, Key::DashNetwork).to_string(),
        Some(code) => branches
            .iter()
            .find(|b| b.code == code)
            .map(|b| format!("{} {}", b.code, b.name))
            .unwrap_or_else(|| code.to_string()),
    }
}

/// The "Details" choice (branch and dimension) and, when a score is
/// chosen, the panel of its items and comments.
#[component]
pub fn Drill(
    state: Memo<DashState>,
    set: Callback<DashState>,
    branches: Vec<Branch>,
) -> impl IntoView {
    let locale = use_locale();
    let branches = StoredValue::new(branches);
    let target = Memo::new(move |_| state.with(|s| s.drill.clone()));
    // Only the filter and the channel ask the server again: another branch
    // or dimension is in the same answer.
    let scope = Memo::new(move |_| {
        state.with(|s| match (&s.filter, &s.drill) {
            (Ok(f), Some(t)) => Some(t.filter(f)),
            _ => None,
        })
    });
    // The channel of the figures shown: the target's, else the filter's.
    let channel = Memo::new(move |_| {
        state.with(|s| {
            s.drill
                .as_ref()
                .and_then(|t| t.channel)
                .or_else(|| s.filter.as_ref().ok().and_then(|f| f.channel))
        })
    });
    let texts = LocalResource::new(Texts::shared);
    let data = LocalResource::new(move || {
        let f = scope.get();
        async move {
            match f {
                Some(f) => load(f).await.map(Some),
                None => Ok(None),
            }
        }
    });
    // Where the reader was when the panel opened, to go back there on close.
    let opener = StoredValue::new_local(None::<web_sys::Element>);
    Effect::new(move |before: Option<Option<Target>>| {
        let now = target.get();
        if now.is_some() && before.as_ref() != Some(&now) {
            let active = document().active_element();
            let outside = active
                .as_ref()
                .is_some_and(|a| a.closest("#drill").ok().flatten().is_none());
            if outside {
                opener.set_value(active);
            }
            request_animation_frame(|| focus("drill-title"));
        }
        now
    });
    let close = move || {
        let mut s = state.get_untracked();
        s.drill = None;
        set.run(s);
        match opener.get_value().filter(|e| e.is_connected()) {
            Some(e) => {
                if let Ok(e) = e.dyn_into::<web_sys::HtmlElement>() {
                    let _ = e.focus();
                }
            }
            None => focus("drill-open"),
        }
    };
    view! {
        <Choice state set branches=branches.get_value() />
        {move || {
            target
                .get()
                .map(|target| {
                    let title = {
                        let target = target.clone();
                        move || {
                            let locale = locale.get();
                            let label = branch_label(
                                target.branch.as_deref(),
                                &branches.read_value(),
                                locale,
                            );
                            let dimension = text(locale, dimension_key(target.dimension));
                            fill(
                                text(locale, Key::DashDrillTitle),
                                &[("dimension", dimension.to_string()), ("branch", label)],
                            )
                        }
                    };
                    // Only another target draws the panel anew (and asks for its
                    // comments): the language and the channel change texts in it.
                    view! {
                        <section
                            id="drill"
                            class="drill"
                            aria-labelledby="drill-title"
                            on:keydown=move |e| {
                                if e.key() == "Escape" {
                                    close();
                                }
                            }
                        >
                            <div class="drill-head">
                                <h2 id="drill-title" tabindex="-1">
                                    {title}
                                </h2>
                                <button type="button" id="drill-close" on:click=move |_| close()>
                                    {t(Key::DashDrillClose)}
                                </button>
                            </div>
                            {move || {
                                channel
                                    .get()
                                    .map(|c| {
                                        view! {
                                            <p class="drill-channel">
                                                {t(Key::DashChannel)} ": " {t(channel_key(c))}
                                            </p>
                                        }
                                    })
                            }}
                            <DrillItems data texts target=target.clone() branches channel />
                            <DrillComments scope target branches texts />
                        </section>
                    }
                })
        }}
    }
}

fn channel_key(c: Channel) -> Key {
    match c {
        Channel::Kiosk => Key::KindKiosk,
        Channel::MysteryShop => Key::KindMysteryShop,
    }
}

/// The branch and dimension choice: the panel's way in without the charts.
#[component]
fn Choice(
    state: Memo<DashState>,
    set: Callback<DashState>,
    branches: Vec<Branch>,
) -> impl IntoView {
    let branch_ref = NodeRef::<leptos::html::Select>::new();
    let dimension_ref = NodeRef::<leptos::html::Select>::new();
    let current = move || state.with(|s| s.drill.clone());
    let submit = move |e: leptos::ev::SubmitEvent| {
        e.prevent_default();
        let (Some(b), Some(d)) = (branch_ref.get(), dimension_ref.get()) else {
            return;
        };
        let Some(dimension) = Dimension::ALL
            .into_iter()
            .find(|x| dimension_param(*x) == d.value())
        else {
            return;
        };
        let mut s = state.get_untracked();
        let branch = Some(b.value()).filter(|v| v != NETWORK);
        // The channel stays if only the branch or dimension changes.
        let channel = s.drill.as_ref().and_then(|t| t.channel);
        s.drill = Some(Target {
            branch,
            dimension,
            channel,
        });
        set.run(s);
    };
    // The branches the filter takes in: the items' answer has only those.
    let offered = move || {
        let filter = state.with(|s| s.filter.clone().unwrap_or_default());
        branches
            .iter()
            .filter(|b| filter.selects(b))
            .cloned()
            .collect::<Vec<_>>()
    };
    view! {
        <form
            class="drill-choice"
            id="drill-choice"
            aria-labelledby="drill-choice-title"
            on:submit=submit
        >
            <h2 id="drill-choice-title">{t(Key::DashDrillChoose)}</h2>
            <div class="row">
                <label>
                    {t(Key::Branch)} <select id="drill-branch" node_ref=branch_ref>
                        <option
                            value=NETWORK
                            selected=move || current().is_some_and(|t| t.branch.is_none())
                        >
                            {t(Key::DashNetwork)}
                        </option>
                        {move || {
                            offered()
                                .into_iter()
                                .map(|b| {
                                    let code = b.code.clone();
                                    view! {
                                        <option
                                            value=b.code.clone()
                                            selected=move || {
                                                current()
                                                    .is_some_and(|t| t.branch.as_deref() == Some(code.as_str()))
                                            }
                                        >
                                            {format!("{} {}", b.code, b.name)}
                                        </option>
                                    }
                                })
                                .collect_view()
                        }}
                    </select>
                </label>
                <label>
                    {t(Key::DashDimension)} <select id="drill-dimension" node_ref=dimension_ref>
                        {Dimension::ALL
                            .into_iter()
                            .map(|d| {
                                view! {
                                    <option
                                        value=dimension_param(d)
                                        selected=move || current().is_some_and(|t| t.dimension == d)
                                    >
                                        {t(dimension_key(d))}
                                    </option>
                                }
                            })
                            .collect_view()}
                    </select>
                </label>
                <button type="submit" id="drill-open">
                    {t(Key::DashDrillShow)}
                </button>
            </div>
        </form>
    }
}

/// The items' tables, with their description and notes.
#[component]
fn DrillItems(
    data: LocalResource<Result<Option<(Items, Source)>, String>>,
    texts: LocalResource<Texts>,
    target: Target,
    branches: StoredValue<Vec<Branch>>,
    channel: Memo<Option<Channel>>,
) -> impl IntoView {
    let locale = use_locale();
    move || {
        let (Some(data), Some(texts)) = (data.get(), texts.get()) else {
            return view! { <p class="loading">{t(Key::Loading)}</p> }.into_any();
        };
        let (items, source) = match data {
            Ok(Some(d)) => d,
            Ok(None) => return ().into_any(),
            Err(e) => {
                return view! {
                    <p class="error" role="alert">
                        {t(Key::LoadFailed)}
                        ": "
                        {e}
                    </p>
                }
                .into_any()
            }
        };
        let texts = texts.with_names(&items.names);
        let locale = locale.get();
        let label = branch_label(target.branch.as_deref(), &branches.read_value(), locale);
        let note = match source {
            Source::Server => None,
            Source::Kept => Some(text(locale, Key::DashOfflineKept).to_string()),
            Source::Device(n) => {
                Some(text(locale, Key::DashOfflineDevice).replace("{n}", &n.to_string()))
            }
        };
        let note = note.map(|s| {
            view! {
                <p class="offline-note" role="status">
                    {s}
                </p>
            }
        });
        let peers = items.flags.compared_with == Reference::Peers;
        let format = target.branch.as_ref().and_then(|code| {
            branches.with_value(|all| all.iter().find(|b| &b.code == code)?.format.clone())
        });
        let Some(groups) = lines(&items, &target, &texts, format.as_deref()) else {
            return view! {
                {note}
                <p class="no-data">{t(Key::DashDrillNoBranch)}</p>
            }
            .into_any();
        };
        if groups.is_empty() {
            return view! {
                {note}
                <p class="no-data">{t(Key::DashDrillNoItems)}</p>
            }
            .into_any();
        }
        let description = description(&groups, &target, &label, &texts, locale);
        let tables = groups
            .into_iter()
            .map(|g| {
                let caption = texts
                    .title(&g[0].questionnaire_id, locale)
                    .or_else(|| {
                        channel
                            .get()
                            .map(|c| text(locale, channel_key(c)).to_string())
                    })
                    .unwrap_or_else(|| label.clone());
                view! {
                    <ItemTable
                        caption
                        lines=g
                        texts=texts.clone()
                        branch=target.branch.is_some()
                        label=label.clone()
                        peers
                    />
                }
            })
            .collect_view();
        view! {
            {note}
            <p class="drill-desc" id="drill-desc">
                {description}
            </p>
            {tables}
            <p class="chart-note">
                {t(if peers { Key::DashDrillNoteFlagsPeers } else { Key::DashDrillNoteFlags })}
            </p>
            <p class="chart-note">{t(Key::DashNoteGrey)}</p>
        }
        .into_any()
    }
}

/// One questionnaire's items: ids only in `data-item`, the cells are text.
#[component]
fn ItemTable(
    caption: String,
    lines: Vec<Line>,
    texts: Texts,
    /// A branch's items, with what they are compared with beside them.
    branch: bool,
    label: String,
    /// Compared with their peers rather than the network.
    peers: bool,
) -> impl IntoView {
    let locale = use_locale();
    let region = caption.clone();
    let head = move || {
        let tx = |k| text(locale.get(), k).to_string();
        let mut head = vec![
            tx(Key::DashDrillItem),
            tx(Key::DashDrillMeasure),
            label.clone(),
            "n".into(),
        ];
        if branch {
            let reference = if peers {
                Key::DashAgainstPeers
            } else {
                Key::DashNetwork
            };
            head.extend([tx(reference), "n".into(), tx(Key::DashVersus)]);
        }
        head.into_iter()
            .map(|h| view! { <th scope="col">{h}</th> })
            .collect_view()
    };
    let rows = lines
        .into_iter()
        .map(|l| {
            let texts = texts.clone();
            let (q, item) = (l.questionnaire_id.clone(), l.item.clone());
            let name = move || texts.item(Some(&q), &item, locale.get());
            let measure = move || match l.max_rings {
                Some(rings) => fill(
                    text(locale.get(), Key::DashDrillWithinRings),
                    &[("rings", rings.to_string())],
                ),
                None if l.yes_no => text(locale.get(), Key::DashDrillYes).to_string(),
                None => text(locale.get(), Key::DashMeanAxis).to_string(),
            };
            let network = branch.then(|| {
                let greyed = too_few(l.network.as_ref());
                view! {
                    <td class:too-few=greyed>{with_interval(l.network.as_ref())}</td>
                    <td class:too-few=greyed>{l.network.map(|f| f.n).unwrap_or(0)}</td>
                    <td>{move || versus(l.figure.as_ref(), locale.get(), peers)}</td>
                }
            });
            view! {
                <tr
                    class:too-few=too_few(l.figure.as_ref())
                    data-item=l.item.clone()
                    data-questionnaire=l.questionnaire_id.clone()
                >
                    <th scope="row">{name}</th>
                    <td>{measure}</td>
                    <td>{with_interval(l.figure.as_ref())}</td>
                    <td>{l.figure.map(|f| f.n).unwrap_or(0)}</td>
                    {network}
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-scroll" tabindex="0" role="region" aria-label=region>
            <table class="data drill-items">
                <caption>{caption}</caption>
                <thead>
                    <tr>{head}</tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}

/// The latest comments of the target's branch (the network's newest), in
/// the target's channel.
#[component]
fn DrillComments(
    scope: Memo<Option<Filter>>,
    target: Target,
    branches: StoredValue<Vec<Branch>>,
    texts: LocalResource<Texts>,
) -> impl IntoView {
    let branch = target.branch.clone();
    let list = LocalResource::new(move || {
        let query = scope.get().map(|mut filter| {
            if let Some(b) = &branch {
                filter.branches = vec![b.clone()];
            }
            CommentQuery {
                filter,
                q: None,
                limit: if branch.is_some() { COMMENTS } else { 2 },
                ..CommentQuery::default()
            }
        });
        async move {
            match query {
                Some(q) => api::comments(&q).await.map(Some),
                None => Ok(None),
            }
        }
    });
    let locale = use_locale();
    let heading = move || {
        let locale = locale.get();
        let label = branch_label(target.branch.as_deref(), &branches.read_value(), locale);
        fill(text(locale, Key::DashDrillComments), &[("branch", label)])
    };
    view! {
        <section id="drill-comments" class="drill-comments" aria-labelledby="drill-comments-title">
            <h3 id="drill-comments-title">{heading}</h3>
            {move || {
                let texts = texts.get().unwrap_or_default();
                match list.get() {
                    None => view! { <p class="loading">{t(Key::Loading)}</p> }.into_any(),
                    Some(Err(e)) if e.is_transient() => {
                        view! { <p class="offline-note">{t(Key::DashCommentsOffline)}</p> }
                            .into_any()
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
                        let all: Vec<Comment> = all.into_iter().take(NETWORK_COMMENTS).collect();
                        view! {
                            <ul>
                                {all
                                    .into_iter()
                                    .map(|c| view! { <CommentItem c texts=texts.clone() /> })
                                    .collect_view()}
                            </ul>
                        }
                            .into_any()
                    }
                }
            }}
        </section>
    }
}
