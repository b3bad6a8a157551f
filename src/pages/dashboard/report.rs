//! The monthly report (`/report?branch=N01&month=2026-11`, or
//! `&region=North`, or `&format=community`): one branch's, region's or
//! format's month on paper, in the
//! reader's language. Headline figures, commitments and waits, each with
//! its n, 95% interval and change since the previous calendar month (asked
//! for on its own: the server's own change is against the days just
//! before, of the same length); for a region its branches; a few
//! customers' comments. Tables and words only, so that it prints in black
//! and white (style/report.css).
//!
//! The figures are the existing aggregates, both channels in one answer
//! (kiosk and mystery shop kept apart, never averaged together, and their
//! flags one family), for the month and the month before. A region's or a format's own totals are the
//! aggregates' `selection`; a branch's are its row.
//!
//! Sections are functions of the loaded [`Report`] in [`SECTIONS`]: one
//! more section is one more line there (it may be a component of its own
//! that loads more, given `r.filter`).

mod month;
mod pick;

use super::comments::labels;
use super::figures::{fill, with_interval, Tx};
use super::headline::signed;
use super::texts::Texts;
use crate::api::{self, ApiError, CommentText};
use crate::charts::fmt_value;
use crate::i18n::{dimension_key, t, text, use_locale, Key};
use crate::session::Auth;
use crate::storage::kept;
use branchpulse_core::access::Scope;
use branchpulse_core::aggregate::{
    Aggregates, CommentOrder, CommentQuery, Figure, Figures, Filter,
};
use branchpulse_core::protocol::{Branch, Format};
use branchpulse_core::scorecard::{Change, CommitmentFigure, Standing};
use branchpulse_core::stats::Movement;
use branchpulse_core::{Channel, Dimension, Locale};
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};
use leptos_router::NavigateOptions;
pub use month::{Month, Place};

/// A section of the report: `None` leaves it out.
type Section = fn(&Report, Locale) -> Option<AnyView>;

/// The report's sections, in page order.
const SECTIONS: &[Section] = &[headline, commitments, waiting, drivers, branches, comments];

/// Comments quoted, and read per branch and satisfaction answer to choose
/// them from ([`pick::pick`]).
const QUOTED: usize = 5;
const READ_PER_ANSWER: u32 = 2;

/// One channel's figures this month and the month before.
#[derive(Debug, Clone, PartialEq)]
pub struct Period {
    pub now: Aggregates,
    pub before: Option<Aggregates>,
}

/// Everything a report shows.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    pub month: Month,
    pub place: Place,
    /// The month's filter, every channel.
    pub filter: Filter,
    pub kiosk: Period,
    pub shop: Period,
    /// `None` when the server could not be reached for them.
    pub comments: Option<Vec<CommentText>>,
    pub texts: Texts,
    /// Some figures are the copy kept from an earlier visit.
    pub kept: bool,
}

/// The place's figures in `a`: a branch's row, or a region's totals.
fn of<'a>(a: &'a Aggregates, place: &Place) -> Option<&'a Figures> {
    match place {
        Place::Branch(code) => a
            .branches
            .iter()
            .find(|b| &b.code == code)
            .map(|b| &b.figures),
        Place::Region(_) | Place::Format(_) => a.selection.as_ref(),
    }
}

impl Period {
    fn now(&self, place: &Place) -> Option<&Figures> {
        of(&self.now, place)
    }

    fn before(&self, place: &Place) -> Option<&Figures> {
        self.before.as_ref().and_then(|a| of(a, place))
    }
}

/// The month's answer and the month before's, each for both channels at
/// once: their comparisons are then flagged as one family, as the
/// dashboard's screen is, rather than the kiosk's and the shop's apart.
async fn periods(
    filter: &Filter,
    before: Option<&Filter>,
) -> Result<(Period, Period, bool), ApiError> {
    let both = |f: &Filter| Filter {
        channel: None,
        ..f.clone()
    };
    let (this, last) = (both(filter), before.map(both));
    let now = kept::aggregates(&this);
    let then = async {
        match &last {
            Some(b) => kept::aggregates(b).await.map(Some),
            None => Ok(None),
        }
    };
    let ((now, kept_now), then) = match futures::future::join(now, then).await {
        (Ok(n), Ok(t)) => (n, t),
        (Err(e), _) | (_, Err(e)) => return Err(e),
    };
    let kept_then = then.as_ref().is_some_and(|t| t.1);
    let then = then.map(|t| t.0);
    let period = |channel: Channel| -> Result<Period, ApiError> {
        Ok(Period {
            now: of_channel(&now, channel)?,
            before: then.as_ref().map(|a| of_channel(a, channel)).transpose()?,
        })
    };
    Ok((
        period(Channel::Kiosk)?,
        period(Channel::MysteryShop)?,
        kept_now || kept_then,
    ))
}

/// One channel's answer within an answer for both.
fn of_channel(a: &Aggregates, channel: Channel) -> Result<Aggregates, ApiError> {
    a.channels
        .iter()
        .find(|c| c.filter.channel == Some(channel))
        .cloned()
        .ok_or_else(|| ApiError::Decode(format!("no {channel:?} figures in the answer")))
}

/// What the report screen shows.
#[derive(Clone)]
enum Outcome {
    /// A month or a place to choose.
    Choose,
    /// The address's month or place cannot be used, and why.
    Bad(String),
    Failed(ApiError),
    Ready(Box<Report>),
}

async fn load(month: Month, place: Place, filter: Filter) -> Result<Report, ApiError> {
    let before = month::filter(month.previous(), &place).ok();
    let comments = CommentQuery {
        filter: Filter {
            channel: Some(Channel::Kiosk),
            ..filter.clone()
        },
        q: None,
        limit: READ_PER_ANSWER,
        by: CommentOrder::Score,
    };
    let (periods, comments, texts) = futures::future::join3(
        periods(&filter, before.as_ref()),
        api::comments(&comments),
        Texts::shared(),
    )
    .await;
    let (kiosk, shop, kept) = periods?;
    Ok(Report {
        month,
        place,
        filter,
        kiosk,
        shop,
        comments: comments.ok(),
        texts,
        kept,
    })
}

/// The regions a reader may report on whole, in list order.
fn regions(branches: &[Branch], scope: Option<&Scope>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for b in branches {
        let whole = match scope {
            Some(Scope::All) | None => true,
            Some(Scope::Region(r)) => &b.region == r,
            Some(Scope::Branch(_)) => false,
        };
        if whole && !out.contains(&b.region) {
            out.push(b.region.clone());
        }
    }
    out
}

/// What to show when the address names no place: the reader's own.
fn default_place(branches: &[Branch], scope: Option<&Scope>) -> Option<Place> {
    match scope {
        Some(Scope::Branch(c)) => Some(Place::Branch(c.clone())),
        Some(Scope::Region(r)) => Some(Place::Region(r.clone())),
        _ => regions(branches, scope)
            .into_iter()
            .next()
            .map(Place::Region),
    }
}

fn today() -> Option<time::Date> {
    let d = js_sys::Date::new_0();
    let month = time::Month::try_from(u8::try_from(d.get_month() + 1).ok()?).ok()?;
    time::Date::from_calendar_date(d.get_full_year() as i32, month, d.get_date() as u8).ok()
}

fn place_value(p: &Place) -> String {
    match p {
        Place::Branch(c) => format!("branch:{c}"),
        Place::Region(r) => format!("region:{r}"),
        Place::Format(f) => format!("format:{f}"),
    }
}

fn place_of_value(v: &str) -> Option<Place> {
    match v.split_once(':')? {
        ("branch", c) => Some(Place::Branch(c.into())),
        ("region", r) => Some(Place::Region(r.into())),
        ("format", f) => Some(Place::Format(f.into())),
        _ => None,
    }
}

fn place_name(p: &Place, branches: &[Branch], formats: &[Format], locale: Locale) -> String {
    match p {
        Place::Branch(c) => branches
            .iter()
            .find(|b| &b.code == c)
            .map(|b| format!("{} {}", b.code, b.name))
            .unwrap_or_else(|| c.clone()),
        Place::Region(r) => fill(text(locale, Key::RepRegionName), &[("region", r.clone())]),
        Place::Format(code) => {
            let name = formats
                .iter()
                .find(|f| &f.code == code)
                .map_or(code.as_str(), |f| f.name.get(locale));
            fill(
                text(locale, Key::RepFormatName),
                &[("format", name.to_owned())],
            )
        }
    }
}

#[component]
pub fn Report(branches: Vec<Branch>) -> impl IntoView {
    let query = use_query_map();
    let locale = use_locale();
    let scope = expect_context::<Auth>().user().map(|u| u.scope());
    let regions = regions(&branches, scope.as_ref());
    let fallback = default_place(&branches, scope.as_ref());
    let asked = Memo::new(move |_| {
        query.with(|q| {
            let month = match q.get_str("month") {
                Some(m) => Month::parse(m),
                None => today().map(Month::last_whole),
            };
            let place = Place::from_params(
                q.get_str("branch"),
                q.get_str("region"),
                q.get_str("format"),
            );
            (month, place)
        })
    });
    let chosen = {
        let fallback = fallback.clone();
        Memo::new(move |_| {
            let (m, p) = asked.get();
            (m, p.or_else(|| fallback.clone()))
        })
    };
    let data = LocalResource::new(move || {
        let (m, p) = chosen.get();
        async move {
            let (Some(m), Some(p)) = (m, p) else {
                return Outcome::Choose;
            };
            match month::filter(m, &p) {
                Err(e) => Outcome::Bad(e.to_string()),
                Ok(f) => match load(m, p, f).await {
                    Ok(r) => Outcome::Ready(Box::new(r)),
                    Err(e) => Outcome::Failed(e),
                },
            }
        }
    });
    let month_input = RwSignal::new(String::new());
    let place_input = RwSignal::new(String::new());
    Effect::new(move |_| {
        let (m, p) = chosen.get();
        month_input.set(m.map(|m| m.to_string()).unwrap_or_default());
        place_input.set(p.as_ref().map(place_value).unwrap_or_default());
    });
    let navigate = use_navigate();
    let submit = move |e: leptos::ev::SubmitEvent| {
        e.prevent_default();
        let (Some(m), Some(p)) = (
            Month::parse(&month_input.get_untracked()),
            place_of_value(&place_input.get_untracked()),
        ) else {
            return;
        };
        navigate(&month::href(m, &p), NavigateOptions::default());
    };
    let print = |_| {
        let _ = window().print();
    };
    let branches = StoredValue::new(branches);
    // Formats are offered to readers of the whole network: a narrower
    // scope is refused for a format that reaches beyond it.
    let whole = matches!(scope, Some(Scope::All) | None);
    let formats = LocalResource::new(move || async move {
        if whole {
            crate::api::admin::formats().await.unwrap_or_default()
        } else {
            Vec::new()
        }
    });
    let known = move || formats.get().unwrap_or_default();
    let options = {
        let regions = regions.clone();
        move || {
            let l = locale.get();
            let region_options = regions
                .iter()
                .map(|r| {
                    let p = Place::Region(r.clone());
                    view! { <option value=place_value(&p)>{place_name(&p, &[], &[], l)}</option> }
                })
                .collect_view();
            let branch_options = branches.with_value(|list| {
                list.iter()
                    .map(|b| {
                        view! { <option value=format!("branch:{}", b.code)>{format!("{} {}", b.code, b.name)}</option> }
                    })
                    .collect_view()
            });
            let formats = known();
            let format_options = formats
                .iter()
                .map(|f| {
                    let p = Place::Format(f.code.clone());
                    view! { <option value=place_value(&p)>{f.name.get(l).to_owned()}</option> }
                })
                .collect_view();
            view! {
                {(!regions.is_empty())
                    .then(|| {
                        view! {
                            <optgroup label=text(l, Key::RepRegions)>{region_options}</optgroup>
                        }
                    })}
                {(!formats.is_empty())
                    .then(|| {
                        view! {
                            <optgroup label=text(l, Key::DashFormat)>{format_options}</optgroup>
                        }
                    })}
                <optgroup label=text(l, Key::RepBranches)>{branch_options}</optgroup>
            }
        }
    };
    view! {
        <form class="report-controls no-print" on:submit=submit>
            <label for="report-month">{t(Key::RepMonth)}</label>
            <input
                id="report-month"
                type="month"
                required
                prop:value=month_input
                on:input=move |e| month_input.set(event_target_value(&e))
            />
            <label for="report-place">{t(Key::RepPlace)}</label>
            <select
                id="report-place"
                prop:value=place_input
                on:change=move |e| place_input.set(event_target_value(&e))
            >
                {options}
            </select>
            <button type="submit">{t(Key::RepShow)}</button>
            <button type="button" id="report-print" on:click=print>
                {t(Key::RepPrint)}
            </button>
        </form>
        {move || {
            let l = locale.get();
            match (data.get(), chosen.get()) {
                (_, (None, _)) => {
                    view! {
                        <p class="error" role="alert">
                            {t(Key::RepBadMonth)}
                        </p>
                    }
                        .into_any()
                }
                (_, (_, None)) | (Some(Outcome::Choose), _) => {
                    view! { <p>{t(Key::RepChoosePlace)}</p> }.into_any()
                }
                (None, _) => view! { <p class="loading">{t(Key::Loading)}</p> }.into_any(),
                (Some(Outcome::Bad(e)), _) => {
                    view! {
                        <p class="error" role="alert">
                            {t(Key::DashBadFilter)}
                            ": "
                            {e}
                        </p>
                    }
                        .into_any()
                }
                (Some(Outcome::Failed(e)), _) => {
                    if matches!(e, ApiError::Server { status: 401, .. }) {
                        expect_context::<Auth>().ended();
                    }
                    view! {
                        <div class="error" role="alert">
                            <p>{t(Key::LoadFailed)} ": " {e.to_string()}</p>
                            <button type="button" class="no-print" on:click=move |_| data.refetch()>
                                {t(Key::Retry)}
                            </button>
                        </div>
                    }
                        .into_any()
                }
                (Some(Outcome::Ready(r)), _) => {
                    let name = branches.with_value(|b| place_name(&r.place, b, &known(), l));
                    page(&r, &name, l)
                }
            }
        }}
    }
}

/// The report itself.
fn page(r: &Report, name: &str, locale: Locale) -> AnyView {
    let tx = |k| text(locale, k);
    let previous = r.month.previous();
    let title = fill(
        tx(Key::RepHeading),
        &[("place", name.to_string()), ("month", r.month.to_string())],
    );
    let period = fill(
        tx(Key::RepPeriod),
        &[
            ("from", r.month.first().to_string()),
            ("to", r.month.last().to_string()),
            ("pfrom", previous.first().to_string()),
            ("pto", previous.last().to_string()),
        ],
    );
    let place = place_value(&r.place);
    view! {
        <article
            class="report"
            id="report"
            data-month=r.month.to_string()
            data-place=place
            aria-labelledby="report-title"
        >
            <h2 id="report-title">{title}</h2>
            <p class="report-period">{period}</p>
            {r
                .kept
                .then(|| {
                    view! {
                        <p class="offline-note" role="status">
                            {tx(Key::DashOfflineKept)}
                        </p>
                    }
                })}
            <p class="report-note">{tx(Key::RepNote)}</p>
            {SECTIONS.iter().filter_map(|s| s(r, locale)).collect_view()}
        </article>
    }
    .into_any()
}

/// A section with its heading.
fn section(id: &'static str, title: String, body: AnyView) -> AnyView {
    let heading = format!("{id}-title");
    let labelled = heading.clone();
    view! {
        <section class="report-section" id=id aria-labelledby=labelled>
            <h3 id=heading>{title}</h3>
            {body}
        </section>
    }
    .into_any()
}

/// One row of a report table. Every table is drawn by [`table`], one
/// shape of view for all: the dashboard bundle is near its size budget.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Line {
    /// The first is the row's heading.
    pub cells: Vec<String>,
    pub greyed: bool,
    pub n: u64,
    /// `data-figure`, `data-branch` or `data-item`: what the row is of.
    pub of: (&'static str, String),
    /// `data-movement` (the change) and `data-standing` (a commitment).
    pub movement: Option<&'static str>,
    pub standing: Option<&'static str>,
}

/// A section holding a table: its column heads and each column's class.
fn table(
    id: &'static str,
    title: String,
    head: Vec<String>,
    classes: &'static [&'static str],
    lines: Vec<Line>,
    note: Option<&'static str>,
) -> AnyView {
    let region = format!("{id}-title");
    let rows = lines
        .into_iter()
        .map(|l| {
            let mut cells = l.cells.into_iter();
            let first = cells.next().unwrap_or_default();
            let (figure, branch, item) = match l.of.0 {
                "branch" => (None, Some(l.of.1), None),
                "item" => (None, None, Some(l.of.1)),
                _ => (Some(l.of.1), None, None),
            };
            view! {
                <tr
                    class:too-few=l.greyed
                    data-figure=figure
                    data-branch=branch
                    data-item=item
                    data-n=l.n
                    data-movement=l.movement
                    data-standing=l.standing
                >
                    <th scope="row">{first}</th>
                    {cells
                        .enumerate()
                        .map(|(i, c)| view! { <td class=classes.get(i).copied()>{c}</td> })
                        .collect_view()}
                </tr>
            }
        })
        .collect_view();
    let body = view! {
        <div class="table-scroll" tabindex="0" role="region" aria-labelledby=region>
            <table class="data report-table">
                <thead>
                    <tr>
                        {head
                            .into_iter()
                            .map(|h| view! { <th scope="col">{h}</th> })
                            .collect_view()}
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
        {note.map(|n| view! { <p class="report-note">{n}</p> })}
    }
    .into_any();
    section(id, title, body)
}

/// How a figure's change since the previous month reads, and its
/// `data-movement`: up or down only when the difference's interval
/// excludes zero.
pub fn change_cell(now: &Figure, before: Option<&Figure>, tx: Tx<'_>) -> (String, &'static str) {
    let Some(before) = before else {
        return ("–".into(), "none");
    };
    let c = Change::between(now, before);
    let Some(d) = c.difference else {
        return ("–".into(), "none");
    };
    let interval = format!(
        "{} [{}, {}]",
        signed(d.value),
        signed(d.low),
        signed(d.high)
    );
    let (key, movement) = match c.movement {
        Some(Movement::Up) => (Key::RepUp, "up"),
        Some(Movement::Down) => (Key::RepDown, "down"),
        Some(Movement::Steady) => (Key::RepSteady, "steady"),
        None => return (format!("{} · {interval}", tx(Key::DashTooFew)), "unknown"),
    };
    (format!("{} {interval}", tx(key)), movement)
}

/// "72 [68–76]", and "too few responses" after it when so.
fn value_cell(f: &Figure, tx: Tx<'_>) -> String {
    if f.too_few {
        format!("{} · {}", with_interval(f), tx(Key::DashTooFew))
    } else {
        with_interval(f)
    }
}

/// "72 [68–76] · n=84", or "–" without a month.
fn then_cell(before: Option<&Figure>) -> String {
    before
        .map(|b| format!("{} · n={}", with_interval(b), b.n))
        .unwrap_or_else(|| "–".into())
}

/// The columns of a figure's row: name, this month with its interval, n,
/// the previous month with its n, the change.
const FIGURE_COLUMNS: &[&str] = &["value", "n", "then", "change"];

fn figure_head(tx: Tx<'_>) -> Vec<String> {
    [
        Key::RepFigure,
        Key::RepThisMonth,
        Key::RepFigure,
        Key::RepPrevious,
        Key::RepChange,
    ]
    .iter()
    .enumerate()
    .map(|(i, k)| {
        if i == 2 {
            "n".into()
        } else {
            tx(*k).to_string()
        }
    })
    .collect()
}

fn figure_line(
    of: String,
    name: String,
    now: &Figure,
    before: Option<&Figure>,
    tx: Tx<'_>,
) -> Line {
    let (change, movement) = change_cell(now, before, tx);
    Line {
        cells: vec![
            name,
            value_cell(now, tx),
            now.n.to_string(),
            then_cell(before),
            change,
        ],
        greyed: now.too_few,
        n: now.n,
        of: ("figure", of),
        movement: Some(movement),
        standing: None,
    }
}

/// The headline figures' rows: (data name, label, this month, before).
pub fn headline_rows<'a>(
    kiosk: Option<(&'a Figures, Option<&'a Figures>)>,
    shop: Option<(&'a Figures, Option<&'a Figures>)>,
    tx: Tx<'_>,
) -> Vec<(String, String, &'a Figure, Option<&'a Figure>)> {
    let mut out = Vec::new();
    if let Some((now, before)) = kiosk {
        let mut add =
            |param: &str, name: String, pick: &dyn Fn(&'a Figures) -> Option<&'a Figure>| {
                if let Some(f) = pick(now) {
                    out.push((param.to_string(), name, f, before.and_then(pick)));
                }
            };
        add("csat", tx(Key::DashCsat).into(), &|f| Some(&f.csat));
        add("nps", tx(Key::DashNps).into(), &|f| Some(&f.nps));
        for d in Dimension::CUSTOMER {
            let name = tx(dimension_key(d)).to_string();
            add(d.key(), name, &move |f| f.dimensions.get(&d));
        }
        add("overall", tx(Key::DashOverall).into(), &|f| {
            Some(&f.overall)
        });
        add("satisfaction", tx(Key::DashSatisfaction).into(), &|f| {
            Some(&f.satisfaction)
        });
        add("completion", tx(Key::DashCompleted).into(), &|f| {
            Some(&f.completion)
        });
    }
    if let Some((now, before)) = shop.filter(|(now, _)| now.mystery.visits > 0) {
        out.push((
            "mystery_score".into(),
            tx(Key::RepMysteryScore).into(),
            &now.mystery.score,
            before.map(|b| &b.mystery.score),
        ));
        out.push((
            "pass_rate".into(),
            tx(Key::DashPassRate).into(),
            &now.mystery.pass_rate,
            before.map(|b| &b.mystery.pass_rate),
        ));
    }
    out
}

fn headline(r: &Report, locale: Locale) -> Option<AnyView> {
    let tx = |k| text(locale, k);
    let kiosk = r.kiosk.now(&r.place).map(|f| (f, r.kiosk.before(&r.place)));
    let shop = r.shop.now(&r.place).map(|f| (f, r.shop.before(&r.place)));
    let rows = headline_rows(kiosk, shop, &tx);
    let none =
        kiosk.is_none_or(|(f, _)| f.n == 0) && shop.is_none_or(|(f, _)| f.mystery.visits == 0);
    if none {
        let body = view! { <p class="no-data">{tx(Key::DashNoData)}</p> }.into_any();
        return Some(section(
            "report-headline",
            tx(Key::RepHeadline).into(),
            body,
        ));
    }
    let lines = rows
        .into_iter()
        .map(|(p, name, now, before)| figure_line(p, name, now, before, &tx))
        .collect();
    Some(table(
        "report-headline",
        tx(Key::RepHeadline).into(),
        figure_head(&tx),
        FIGURE_COLUMNS,
        lines,
        None,
    ))
}

fn standing(c: &CommitmentFigure, tx: Tx<'_>) -> (String, &'static str) {
    let (mark, words, key) = match c.standing {
        _ if c.rate.too_few => ("", Key::DashTooFew, "few"),
        Some(Standing::Met) => ("✓ ", Key::DashMet, "met"),
        Some(Standing::Missed) => ("✕ ", Key::DashMissed, "missed"),
        _ => ("", Key::DashUnclear, "unclear"),
    };
    (format!("{mark}{}", tx(words)), key)
}

fn commitments(r: &Report, locale: Locale) -> Option<AnyView> {
    let tx = |k| text(locale, k);
    let periods = [&r.shop, &r.kiosk];
    let list: Vec<(&CommitmentFigure, Option<&CommitmentFigure>)> = periods
        .iter()
        .filter_map(|p| p.now(&r.place).map(|f| (f, p.before(&r.place))))
        .flat_map(|(now, before)| {
            now.commitments.iter().map(move |c| {
                let then = before.and_then(|b| {
                    b.commitments
                        .iter()
                        .find(|x| x.questionnaire_id == c.questionnaire_id && x.item == c.item)
                });
                (c, then)
            })
        })
        .filter(|(c, _)| c.rate.n > 0)
        .collect();
    if list.is_empty() {
        return None;
    }
    let texts = r
        .texts
        .with_names(&r.shop.now.names)
        .with_names(&r.kiosk.now.names);
    let lines = list
        .into_iter()
        .map(|(c, then)| {
            let (words, mark) = standing(c, &tx);
            let (change, movement) = change_cell(&c.rate, then.map(|t| &t.rate), &tx);
            Line {
                cells: vec![
                    texts.commitment(&c.questionnaire_id, &c.item, locale),
                    format!("≥ {}%", fmt_value(c.target)),
                    value_cell(&c.rate, &tx),
                    c.rate.n.to_string(),
                    words,
                    change,
                ],
                greyed: c.rate.too_few,
                n: c.rate.n,
                of: ("item", c.item.clone()),
                movement: Some(movement),
                standing: Some(mark),
            }
        })
        .collect();
    let head = [
        Key::DashCommitment,
        Key::DashTarget,
        Key::RepThisMonth,
        Key::DashTarget,
        Key::RepStanding,
        Key::RepChange,
    ]
    .iter()
    .enumerate()
    .map(|(i, k)| {
        if i == 3 {
            "n".into()
        } else {
            tx(*k).to_string()
        }
    })
    .collect();
    Some(table(
        "report-commitments",
        tx(Key::RepCommitments).into(),
        head,
        &["target", "value", "n", "standing", "change"],
        lines,
        Some(tx(Key::DashNoteStanding)),
    ))
}

fn minutes(v: Option<f64>, tx: Tx<'_>) -> String {
    v.map(|s| super::figures::minutes(s, tx))
        .unwrap_or_else(|| "–".into())
}

fn waiting(r: &Report, locale: Locale) -> Option<AnyView> {
    let tx = |k| text(locale, k);
    let now = r.shop.now(&r.place)?;
    let w = &now.wait;
    if w.n == 0 {
        return None;
    }
    let before = r.shop.before(&r.place).map(|f| &f.wait);
    let line = |of: &str, name: &str, v: Option<f64>, prev: Option<f64>| {
        let value = minutes(v, &tx);
        Line {
            cells: vec![
                name.to_string(),
                if w.too_few {
                    format!("{value} · {}", tx(Key::DashTooFew))
                } else {
                    value
                },
                w.n.to_string(),
                match before {
                    Some(b) if b.n > 0 => format!("{} · n={}", minutes(prev, &tx), b.n),
                    _ => "–".into(),
                },
                "–".into(),
            ],
            greyed: w.too_few,
            n: w.n,
            of: ("figure", of.to_string()),
            movement: None,
            standing: None,
        }
    };
    let mut lines = vec![
        line(
            "wait_median",
            tx(Key::DashMedian),
            w.median,
            before.and_then(|b| b.median),
        ),
        line(
            "wait_p90",
            tx(Key::DashP90),
            w.p90,
            before.and_then(|b| b.p90),
        ),
    ];
    if let Some(t) = w.target {
        let name = format!(
            "{} (≤ {})",
            tx(Key::DashWithinTarget),
            super::figures::minutes(f64::from(t), &tx)
        );
        lines.push(figure_line(
            "wait_within".into(),
            name,
            &w.within_target,
            before.map(|b| &b.within_target),
            &tx,
        ));
    }
    Some(table(
        "report-waiting",
        tx(Key::DashWaitTitle).into(),
        figure_head(&tx),
        FIGURE_COLUMNS,
        lines,
        None,
    ))
}

/// "72 [68–76] · n=84", greyed words when too few.
fn compact(f: &Figure, tx: Tx<'_>) -> String {
    format!("{} · n={}", value_cell(f, tx), f.n)
}

fn branches(r: &Report, locale: Locale) -> Option<AnyView> {
    if let Place::Branch(_) = r.place {
        return None;
    }
    let tx = |k| text(locale, k);
    let lines = r
        .kiosk
        .now
        .branches
        .iter()
        .map(|b| {
            let shop = r
                .shop
                .now
                .branches
                .iter()
                .find(|s| s.code == b.code)
                .map(|s| &s.figures);
            let f = &b.figures;
            let mystery = shop
                .filter(|s| s.mystery.visits > 0)
                .map(|s| compact(&s.mystery.score, &tx))
                .unwrap_or_else(|| "–".into());
            Line {
                cells: vec![
                    format!("{} {}", b.code, b.name),
                    f.n.to_string(),
                    compact(&f.csat, &tx),
                    compact(&f.nps, &tx),
                    compact(&f.overall, &tx),
                    mystery,
                ],
                greyed: f.too_few,
                n: f.n,
                of: ("branch", b.code.clone()),
                movement: None,
                standing: None,
            }
        })
        .collect();
    let head = [
        Key::Branch,
        Key::Branch,
        Key::DashCsat,
        Key::DashNps,
        Key::DashOverall,
        Key::RepMysteryScore,
    ]
    .iter()
    .enumerate()
    .map(|(i, k)| {
        if i == 1 {
            "n".into()
        } else {
            tx(*k).to_string()
        }
    })
    .collect();
    Some(table(
        "report-branches",
        tx(Key::RepBranchList).into(),
        head,
        &["n"],
        lines,
        Some(tx(Key::RepBranchesNote)),
    ))
}

/// Which dimensions move satisfaction and NPS this month, as on the
/// dashboard: the same endpoint and view, asked for the report's place.
fn drivers(r: &Report, _: Locale) -> Option<AnyView> {
    let filter = r.filter.clone();
    Some(view! { <super::drivers::KeyDrivers filter /> }.into_any())
}

fn comments(r: &Report, locale: Locale) -> Option<AnyView> {
    let tx = |k| text(locale, k);
    let body = match &r.comments {
        None => view! { <p class="offline-note">{tx(Key::DashCommentsOffline)}</p> }.into_any(),
        Some(all) => {
            let chosen = pick::pick(all, QUOTED);
            if chosen.is_empty() {
                view! { <p>{tx(Key::RepNoComments)}</p> }.into_any()
            } else {
                let hidden = tx(Key::RepHidden);
                let items = chosen
                    .into_iter()
                    .map(|c| {
                        let (on, _) = labels(c, &r.texts, locale);
                        // The day only: the minute would help pick out a customer.
                        let day = c.submitted_at.get(..10).unwrap_or_default().to_string();
                        let score = match c.satisfaction {
                            Some(s) => fill(tx(Key::RepScore), &[("score", s.to_string())]),
                            None => tx(Key::RepNoScore).to_string(),
                        };
                        view! {
                            <li
                                class="report-comment"
                                data-satisfaction=c.satisfaction.map(|s| s.to_string())
                            >
                                <blockquote>{pick::mask(&c.text, hidden)}</blockquote>
                                <p class="comment-meta">
                                    <span class="comment-score">{score}</span>
                                    {format!(" · {} · {day} · {on}", c.branch)}
                                </p>
                            </li>
                        }
                    })
                    .collect_view();
                view! {
                    <ul class="report-comments">{items}</ul>
                    <p class="report-note">{tx(Key::RepCommentsNote)}</p>
                }
                .into_any()
            }
        }
    };
    Some(section(
        "report-comments",
        tx(Key::RepComments).into(),
        body,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use branchpulse_core::stats::Estimate;

    fn en(k: Key) -> &'static str {
        text(Locale::En, k)
    }

    fn figure(n: u64, value: f64, half: f64) -> Figure {
        Figure {
            n,
            too_few: n < 30,
            estimate: Some(Estimate {
                n,
                value,
                low: value - half,
                high: value + half,
            }),
            comparison: None,
        }
    }

    #[test]
    fn a_change_is_marked_only_when_its_interval_excludes_zero() {
        // 80 ± 6 against 60 ± 8: difference 20, MOVER interval
        // 20 − √(6² + 8²) = 10 to 20 + √(6² + 8²) = 30.
        let (s, m) = change_cell(&figure(50, 80.0, 6.0), Some(&figure(40, 60.0, 8.0)), &en);
        assert_eq!((s.as_str(), m), ("▲ up +20 [+10, +30]", "up"));
        let (s, m) = change_cell(&figure(50, 60.0, 6.0), Some(&figure(40, 80.0, 8.0)), &en);
        assert_eq!((s.as_str(), m), ("▼ down -20 [-30, -10]", "down"));
        let (s, m) = change_cell(&figure(50, 62.0, 6.0), Some(&figure(40, 60.0, 8.0)), &en);
        assert_eq!(
            (s.as_str(), m),
            ("= no clear change +2.0 [-8.0, +12]", "steady")
        );
        // Too few in either month: the difference, never a mark.
        let (s, m) = change_cell(&figure(50, 80.0, 6.0), Some(&figure(12, 20.0, 8.0)), &en);
        assert_eq!(m, "unknown");
        assert!(s.starts_with("too few responses · +60 ["), "{s}");
        // No previous month, or no answers in it.
        assert_eq!(change_cell(&figure(50, 80.0, 6.0), None, &en).1, "none");
        let empty = Figure {
            n: 0,
            too_few: true,
            estimate: None,
            comparison: None,
        };
        assert_eq!(
            change_cell(&figure(50, 80.0, 6.0), Some(&empty), &en).1,
            "none"
        );
    }

    #[test]
    fn mystery_shopping_rows_only_with_visits() {
        use branchpulse_core::aggregate::{figures, Rollup};
        use branchpulse_core::scorecard::Definitions;
        let empty = || figures(&Rollup::default(), &Definitions::default());
        let mut kiosk = empty();
        kiosk.csat = figure(40, 75.0, 10.0);
        let mut shop = empty();
        let names = |rows: Vec<(String, String, &Figure, Option<&Figure>)>| -> Vec<String> {
            rows.into_iter().map(|r| r.0).collect()
        };
        let all = names(headline_rows(
            Some((&kiosk, None)),
            Some((&shop, None)),
            &en,
        ));
        assert_eq!(
            all,
            [
                "csat",
                "nps",
                "empathy",
                "process_convenience",
                "value",
                "trust",
                "overall",
                "satisfaction",
                "completion"
            ]
        );
        shop.mystery.visits = 3;
        let rows = headline_rows(Some((&kiosk, Some(&kiosk))), Some((&shop, None)), &en);
        assert_eq!(
            rows[0].3.map(|f| f.n),
            Some(40),
            "the previous month's figure"
        );
        assert_eq!(
            names(rows)[9..],
            ["mystery_score".to_string(), "pass_rate".to_string()]
        );
        // No kiosk figures (an old kept copy without a region's totals).
        assert_eq!(headline_rows(None, None, &en).len(), 0);
    }
}
