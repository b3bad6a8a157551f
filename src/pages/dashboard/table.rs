//! The branch table (issue 19): one row per branch with every headline
//! figure — four dimensions, CSAT, NPS, commitments — each with its
//! interval, n and comparison, usable at 500 branches. Only one page of
//! rows is in the DOM; search, sort, page and the ticked rows live in the
//! URL ([`order::TableState`]); the ticked rows (or, with none, the first
//! rows of the table's order) are what the charts draw ([`drawn`]).

pub use crate::branch_table_order as order;

use super::figures::{fill, with_interval};
use super::filter::DashState;
use super::sections::Section;
use super::{mark, Loaded};
use crate::i18n::{dimension_key, t, text, use_locale, Key};
use branchpulse_core::aggregate::{BranchFigures, Figure};
use branchpulse_core::scorecard::{CommitmentFigure, Standing};
use branchpulse_core::stats::{Comparison, Estimate};
use branchpulse_core::{Channel, Dimension, Locale};
use leptos::either::Either;
use leptos::prelude::*;
use order::{Bounds, Column, Direction, Line, Sort, MAX_SELECTED};
use std::sync::Arc;
use wasm_bindgen::JsCast;

pub use order::TableState;

/// The figures of one figure column.
const FIGURES: [Column; 6] = [
    Column::Empathy,
    Column::Process,
    Column::Value,
    Column::Trust,
    Column::Csat,
    Column::Nps,
];

/// Commitments of one branch, counted by standing.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
struct Commitments {
    met: usize,
    missed: usize,
    all: usize,
    /// Every one too few to stand against its target.
    too_few: bool,
}

/// One branch as the table shows it.
#[derive(Debug, Clone, PartialEq)]
struct Row {
    line: Line,
    n: u64,
    /// In [`FIGURES`] order.
    figures: [Figure; 6],
    commitments: Option<Commitments>,
}

fn missing() -> Figure {
    Figure {
        n: 0,
        too_few: true,
        estimate: None,
        comparison: None,
    }
}

fn figure(b: &BranchFigures, c: Column) -> Figure {
    let f = &b.figures;
    let dim = |d: Dimension| f.dimensions.get(&d).copied().unwrap_or_else(missing);
    match c {
        Column::Empathy => dim(Dimension::Empathy),
        Column::Process => dim(Dimension::ProcessConvenience),
        Column::Value => dim(Dimension::Value),
        Column::Trust => dim(Dimension::Trust),
        Column::Csat => f.csat,
        Column::Nps => f.nps,
        Column::Commitments | Column::N => missing(),
    }
}

fn bounds(f: &Figure) -> Option<Bounds> {
    f.estimate.filter(|_| !f.too_few).map(|e| Bounds {
        low: e.low,
        high: e.high,
    })
}

/// Counts, and the bounds a branch's commitments sort by: its worst margin
/// over the targets (rate minus target), at the interval's ends.
fn commitments(list: &[CommitmentFigure]) -> (Commitments, Option<Bounds>) {
    let mut c = Commitments {
        all: list.len(),
        too_few: true,
        ..Commitments::default()
    };
    let mut margin: Option<Bounds> = None;
    for f in list {
        if f.rate.too_few {
            continue;
        }
        c.too_few = false;
        match f.standing {
            Some(Standing::Met) => c.met += 1,
            Some(Standing::Missed) => c.missed += 1,
            _ => {}
        }
        if let Some(e) = f.rate.estimate {
            let (low, high) = (e.low - f.target, e.high - f.target);
            margin = Some(match margin {
                Some(m) => Bounds {
                    low: m.low.min(low),
                    high: m.high.min(high),
                },
                None => Bounds { low, high },
            });
        }
    }
    (c, margin)
}

/// The table's rows: the kiosk's figures (the shop's when only it is
/// shown) and the commitments of whichever channel defines them, for every
/// branch of either section, in the branch list's order.
fn rows(sections: &[Section]) -> Vec<Row> {
    let main = sections
        .iter()
        .find(|s| s.channel == Channel::Kiosk)
        .or(sections.first());
    let pledged = sections
        .iter()
        .find(|s| !s.aggregates.network.commitments.is_empty());
    let mut out: Vec<Row> = Vec::new();
    let all = main
        .into_iter()
        .chain(sections.iter())
        .flat_map(|s| s.aggregates.branches.iter());
    for b in all {
        if out.iter().any(|r| r.line.code == b.code) {
            continue;
        }
        let own = main.and_then(|s| s.aggregates.branches.iter().find(|x| x.code == b.code));
        let figures = FIGURES.map(|c| own.map_or_else(missing, |o| figure(o, c)));
        let n = own.map_or(0, |o| o.figures.n);
        let mut cells = [None; 8];
        cells[Column::N.index()] = Some(Bounds {
            low: n as f64,
            high: n as f64,
        });
        for (c, f) in FIGURES.iter().zip(&figures) {
            cells[c.index()] = bounds(f);
        }
        let commitments = pledged.map(|s| {
            let list = s
                .aggregates
                .branches
                .iter()
                .find(|x| x.code == b.code)
                .map(|x| x.figures.commitments.as_slice())
                .unwrap_or_default();
            let (c, margin) = commitments(list);
            cells[Column::Commitments.index()] = margin;
            c
        });
        out.push(Row {
            line: Line {
                code: b.code.clone(),
                name: b.name.clone(),
                region: b.region.clone(),
                cells,
            },
            n,
            figures,
            commitments,
        });
    }
    out
}

fn lines(rows: &[Row]) -> Vec<Line> {
    rows.iter().map(|r| r.line.clone()).collect()
}

/// The branch codes the charts draw for `state`, or `None` to draw every
/// branch (fewer than the charts' default).
pub fn drawn(sections: &[Section], state: &TableState) -> Vec<String> {
    let lines = lines(&rows(sections));
    let shown = order::order(&lines, &state.q, state.sort);
    order::charted(&lines, &shown, &state.selected)
}

/// The sentence above the charts saying which branches they draw.
pub fn drawn_note(
    sections: &[Section],
    codes: &[String],
    selected: bool,
    locale: Locale,
) -> String {
    let names: Vec<String> = codes
        .iter()
        .map(|c| {
            sections
                .iter()
                .flat_map(|s| s.aggregates.branches.iter())
                .find(|b| &b.code == c)
                .map_or_else(|| c.clone(), |b| format!("{} {}", b.code, b.name))
        })
        .collect();
    let key = if selected {
        Key::TblChartsSelected
    } else {
        Key::TblChartsFirst
    };
    fill(
        text(locale, key),
        &[("n", codes.len().to_string()), ("names", names.join(", "))],
    )
}

fn comparison(f: &Figure) -> &'static str {
    if f.too_few || f.estimate.is_none() {
        return "too-few";
    }
    match f.comparison {
        Some(Comparison::Better) => "better",
        Some(Comparison::Worse) => "worse",
        _ => "same",
    }
}

fn symbol(kind: &str) -> &'static str {
    match kind {
        "better" => "▲",
        "worse" => "▼",
        _ => "",
    }
}

fn kind_key(kind: &str) -> Key {
    match kind {
        "better" => Key::DashBetter,
        "worse" => Key::DashWorse,
        "same" => Key::DashSame,
        _ => Key::DashTooFew,
    }
}

/// One cell: its kind (`better`…) as class and data attribute, the
/// interval (for the tests that check the order), the mark, the value
/// with its n (a figure) or `value` alone (commitments), and the words for
/// screen readers. One function for every cell, so the bundle carries one
/// cell view.
fn cell(
    kind: &'static str,
    e: Option<Estimate>,
    value: String,
    n: Option<u64>,
    locale: Locale,
) -> impl IntoView {
    let number = move |f: fn(&Estimate) -> f64| e.as_ref().map(|e| f(e).to_string());
    let body = match n {
        Some(n) => Either::Left(view! {
            <span class="fig-value">{value}</span>
            <span class="fig-n">{format!("n={n}")}</span>
        }),
        None => Either::Right(value),
    };
    view! {
        <td
            class=format!("fig cmp-{kind}")
            data-comparison=kind
            data-value=number(|e| e.value)
            data-low=number(|e| e.low)
            data-high=number(|e| e.high)
        >
            <span class="fig-mark" aria-hidden="true">
                {symbol(kind)}
            </span>
            " "
            {body}
            <span class="sr-only">" " {text(locale, kind_key(kind))}</span>
        </td>
    }
}

fn figure_cell(f: &Figure, locale: Locale) -> impl IntoView {
    cell(
        comparison(f),
        f.estimate,
        with_interval(f),
        Some(f.n),
        locale,
    )
}

fn commitments_cell(c: Option<Commitments>, locale: Locale) -> impl IntoView {
    let Some(c) = c else {
        return cell("too-few", None, "–".into(), None, locale);
    };
    let kind = if c.too_few {
        "too-few"
    } else if c.missed > 0 {
        "worse"
    } else if c.met == c.all {
        "better"
    } else {
        "same"
    };
    let body = fill(
        text(locale, Key::TblCommitCell),
        &[
            ("met", c.met.to_string()),
            ("missed", c.missed.to_string()),
            ("all", c.all.to_string()),
        ],
    );
    cell(kind, None, body, None, locale)
}

/// One row of a page. A page is redrawn whole when it changes (25 rows);
/// its tick boxes follow the selection in the URL on their own, so ticking
/// redraws nothing.
fn row(r: &Row, locale: Locale, table: Memo<TableState>) -> impl IntoView {
    let l = &r.line;
    let label = format!("{} {}", l.code, l.name);
    let aria = fill(text(locale, Key::TblSelect), &[("branch", label.clone())]);
    let few = r.figures.iter().all(|f| f.too_few);
    let code = l.code.clone();
    let ticked = move || table.with(|s| s.selected.contains(&code));
    let full = move || table.with(|s| s.selected.len() >= MAX_SELECTED);
    view! {
        <tr data-code=l.code.clone() class:too-few=few>
            <td class="pick">
                <input
                    type="checkbox"
                    name="sel"
                    value=l.code.clone()
                    aria-label=aria
                    prop:checked=ticked.clone()
                    prop:disabled=move || full() && !ticked()
                />
            </td>
            <th scope="row">{label}<span class="region">{l.region.clone()}</span></th>
            <td class="n">{r.n}</td>
            {r.figures.iter().map(|f| figure_cell(f, locale)).collect_view()}
            {commitments_cell(r.commitments, locale)}
        </tr>
    }
}

fn column_key(c: Column) -> Key {
    match c {
        Column::Empathy => dimension_key(Dimension::Empathy),
        Column::Process => dimension_key(Dimension::ProcessConvenience),
        Column::Value => dimension_key(Dimension::Value),
        Column::Trust => dimension_key(Dimension::Trust),
        Column::Csat => Key::DashCsat,
        Column::Nps => Key::DashNps,
        Column::Commitments => Key::TblCommitments,
        Column::N => Key::DashResponses,
    }
}

/// Up and down move between the rows' tick boxes, left and right between
/// the sort buttons: a grid a keyboard can walk, in the tab order too.
fn arrows(e: web_sys::KeyboardEvent) {
    let Some(el) = e
        .target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
    else {
        return;
    };
    let step = |from: Option<web_sys::Element>, forward: bool, pick: &str| {
        let mut at = from;
        while let Some(cur) = at {
            at = if forward {
                cur.next_element_sibling()
            } else {
                cur.previous_element_sibling()
            };
            if let Some(next) = at
                .as_ref()
                .and_then(|x| x.query_selector(pick).ok().flatten())
            {
                return Some(next);
            }
        }
        None
    };
    let key = e.key();
    let target = match key.as_str() {
        "ArrowDown" | "ArrowUp" if el.matches("tbody input[type=checkbox]").unwrap_or(false) => {
            step(
                el.closest("tr").ok().flatten(),
                key == "ArrowDown",
                "input[type=checkbox]",
            )
        }
        "ArrowRight" | "ArrowLeft" if el.matches("thead button").unwrap_or(false) => step(
            el.closest("th").ok().flatten(),
            key == "ArrowRight",
            "button",
        ),
        _ => None,
    };
    if let Some(next) = target.and_then(|x| x.dyn_into::<web_sys::HtmlElement>().ok()) {
        e.prevent_default();
        let _ = next.focus();
    }
}

#[component]
pub fn BranchTable(
    data: LocalResource<Result<Loaded, String>>,
    state: Memo<DashState>,
    set: Callback<DashState>,
) -> impl IntoView {
    move || {
        data.get().and_then(Result::ok).and_then(|l| {
            let rows = rows(&l.sections);
            (!rows.is_empty()).then(|| view! { <Table rows=Arc::new(rows) state set /> })
        })
    }
}

#[component]
fn Table(rows: Arc<Vec<Row>>, state: Memo<DashState>, set: Callback<DashState>) -> impl IntoView {
    let locale = use_locale();
    let table = Memo::new(move |_| state.with(|s| s.table.clone()));
    let lines = Arc::new(lines(&rows));
    let shown = {
        let lines = lines.clone();
        Memo::new(move |_| table.with(|s| order::order(&lines, &s.q, s.sort)))
    };
    let total = rows.len();
    let update = move |f: &dyn Fn(&mut TableState)| {
        let mut s = state.get_untracked();
        f(&mut s.table);
        set.run(s);
    };
    let page = Memo::new(move |_| {
        let len = shown.with(Vec::len);
        let p = table.with(|s| s.page).min(order::pages(len) - 1);
        (p, order::page_range(len, p), len)
    });
    let sort = Memo::new(move |_| table.with(|s| s.sort));
    let headers = Column::ALL
        .into_iter()
        .map(|c| {
            let aria = move || match sort.get() {
                Some(s) if s.column == c => match s.direction {
                    Direction::Weakest => "ascending",
                    Direction::Strongest => "descending",
                },
                _ => "none",
            };
            let how = move || match sort.get() {
                Some(s) if s.column == c => {
                    let key = match s.direction {
                        Direction::Weakest => Key::TblWeakest,
                        Direction::Strongest => Key::TblStrongest,
                    };
                    format!(" ({})", text(locale.get(), key))
                }
                _ => String::new(),
            };
            let arrow = move || match sort.get() {
                Some(s) if s.column == c => match s.direction {
                    Direction::Weakest => "↑",
                    Direction::Strongest => "↓",
                },
                _ => "↕",
            };
            view! {
                <th scope="col" aria-sort=aria data-column=c.param()>
                    <button
                        type="button"
                        class="sort"
                        data-sort=c.param()
                        on:click=move |_| {
                            update(
                                &|s| {
                                    s.sort = Some(Sort::next(s.sort, c));
                                    s.page = 0;
                                },
                            )
                        }
                    >
                        {t(column_key(c))}
                        <span class="sort-how">{how}</span>
                        <span aria-hidden="true">" " {arrow}</span>
                    </button>
                </th>
            }
        })
        .collect_view();
    let body = {
        let rows = rows.clone();
        move || {
            let (_, range, _) = page.get();
            let l = locale.get();
            shown.with(|s| {
                s[range]
                    .iter()
                    .map(|i| row(&rows[*i], l, table))
                    .collect_view()
            })
        }
    };
    let toggle = move |e: leptos::ev::Event| {
        let Some(b) = e
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        else {
            return;
        };
        let code = b.value();
        update(&move |s: &mut TableState| {
            if let Some(i) = s.selected.iter().position(|c| *c == code) {
                s.selected.remove(i);
            } else if s.selected.len() < MAX_SELECTED {
                s.selected.push(code.clone());
            }
        })
    };
    let status = move || {
        let (p, range, len) = page.get();
        let l = locale.get();
        if len == 0 {
            return text(l, Key::TblNoMatch).to_string();
        }
        format!(
            "{} · {}",
            fill(
                text(l, Key::TblShowing),
                &[
                    ("from", (range.start + 1).to_string()),
                    ("to", range.end.to_string()),
                    ("total", len.to_string()),
                ],
            ),
            fill(
                text(l, Key::TblPage),
                &[
                    ("page", (p + 1).to_string()),
                    ("pages", order::pages(len).to_string()),
                ],
            )
        )
    };
    let page_text = move || {
        let (p, _, len) = page.get();
        fill(
            text(locale.get(), Key::TblPage),
            &[
                ("page", (p + 1).to_string()),
                ("pages", order::pages(len).to_string()),
            ],
        )
    };
    let search = move || table.with(|s| s.q.clone());
    let field = NodeRef::<leptos::html::Input>::new();
    // Enter submits, leaving the box commits: one new address, not two.
    let find = move |v: String| {
        let v = v.trim().to_string();
        if table.with_untracked(|s| s.q != v) {
            update(&move |s| {
                s.q = v.clone();
                s.page = 0;
            })
        }
    };
    let selected = move || {
        let n = table.with(|s| s.selected.len());
        fill(
            text(locale.get(), Key::TblSelected),
            &[("n", n.to_string()), ("max", MAX_SELECTED.to_string())],
        )
    };
    let none_selected = move || table.with(|s| s.selected.is_empty());
    let at_first = move || page.get().0 == 0;
    let at_last = move || {
        let (p, _, len) = page.get();
        p + 1 >= order::pages(len)
    };
    Effect::new(move |_| {
        mark("dashboard:table");
        request_animation_frame(|| {
            set_timeout(
                || mark("dashboard:table-painted"),
                std::time::Duration::ZERO,
            )
        });
    });
    view! {
        <section class="branch-table" aria-labelledby="branch-table-title" data-total=total>
            <h2 id="branch-table-title">{t(Key::TblTitle)}</h2>
            <p class="intro">{t(Key::TblIntro)}</p>
            <div class="table-tools">
                <form
                    role="search"
                    on:submit=move |e| {
                        e.prevent_default();
                        if let Some(input) = field.get_untracked() {
                            find(input.value());
                        }
                    }
                >
                    <label for="branch-q">{t(Key::TblSearch)}</label>
                    <input
                        id="branch-q"
                        type="search"
                        autocomplete="off"
                        node_ref=field
                        prop:value=search
                        on:change=move |e| find(event_target_value(&e))
                    />
                </form>
                <span class="selected-count">{selected}</span>
                <button
                    type="button"
                    class="secondary"
                    id="branch-clear"
                    prop:disabled=none_selected
                    on:click=move |_| update(&|s| s.selected.clear())
                >
                    {t(Key::TblClear)}
                </button>
            </div>
            <p class="table-status" id="branch-status" role="status">
                {status}
            </p>
            // A narrow screen scrolls the table: by keyboard too.
            <div class="table-scroll" tabindex="0" role="region" aria-label=t(Key::TblScroll)>
                <table
                    class="data branch-grid"
                    id="branch-table"
                    aria-describedby="branch-sort-note"
                    on:keydown=arrows
                >
                    <caption>{t(Key::TblTitle)}</caption>
                    <thead>
                        <tr>
                            <th scope="col">{t(Key::TblSelectCol)}</th>
                            <th scope="col">{t(Key::Branch)}</th>
                            {headers}
                        </tr>
                    </thead>
                    <tbody on:change=toggle>{body}</tbody>
                </table>
            </div>
            <nav class="pager" aria-label=t(Key::TblPages)>
                <button
                    type="button"
                    id="branch-prev"
                    prop:disabled=at_first
                    on:click=move |_| {
                        let p = page.get_untracked().0;
                        update(&move |s| s.page = p.saturating_sub(1))
                    }
                >
                    {t(Key::TblPrev)}
                </button>
                <span>{page_text}</span>
                <button
                    type="button"
                    id="branch-next"
                    prop:disabled=at_last
                    on:click=move |_| {
                        let p = page.get_untracked().0;
                        update(&move |s| s.page = p + 1)
                    }
                >
                    {t(Key::TblNext)}
                </button>
            </nav>
            <p class="note" id="branch-sort-note">
                {t(Key::TblSortNote)}
            </p>
            <div class="table-legend">
                <p>{t(Key::TblLegend)}</p>
                <ul>
                    {["better", "worse", "same", "too-few"]
                        .into_iter()
                        .map(|k| {
                            view! {
                                <li class=format!("cmp-{k}")>
                                    <span class="swatch" aria-hidden="true">
                                        {symbol(k)}
                                    </span>
                                    " "
                                    {t(kind_key(k))}
                                </li>
                            }
                        })
                        .collect_view()}
                </ul>
                <p>{t(Key::TblLegendCommit)}</p>
            </div>
        </section>
    }
}
