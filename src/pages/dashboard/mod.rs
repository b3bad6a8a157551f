//! The manager dashboard: honest branch comparisons drawn in the browser.
//!
//! One state, in the URL ([`filter`]), drives every chart, table, comment
//! list and export link. Figures come from the server's aggregates
//! (`GET /api/v1/aggregates`), asked for each channel on its own and shown
//! in a section per channel ([`sections`]); when the server cannot be reached, from the
//! copy kept of the last answer for the same filter, or else computed from
//! the responses waiting on this device ([`offline`]) — always marked as
//! such. Every figure shows its n, branches with fewer than 30 responses are
//! greyed, and a branch is flagged better or worse only where its interval
//! excludes the network's figure ([`figures`]).
//!
//! For the benchmark the page sets performance marks: `dashboard:data` when
//! the figures arrive, `dashboard:charts` once every chart built from them
//! is in the DOM and `dashboard:painted` after the following frame.

// Issue 20: the alert inbox, follow-up cases, case counts per branch.
mod cases;
mod comments;
mod inbox;
// The drill-down into a score's items (issue 18): `drill::href` is the
// address for a chart table's branch × dimension cell.
mod drill;
mod figures;
mod filter;
mod offline;
// Issue 19: the filter bar's branch picker, light at 500 branches.
mod picker;
// Issue 19: the printable monthly report; issue 22: a bundle of its own
// (`/report`, see [`report_page`]); `?s=report` sends the browser there.
mod report;
mod report_page;
pub use report_page::ReportPage;
mod texts;
// Issue 18: one section per channel, headline figures, commitments, waits.
mod commitments;
// Issue 19: key drivers below the kiosk's charts.
mod drivers;
pub use drivers::DriversView;
mod headline;
mod sections;
mod waiting;
// Issue 19: the branch table, whose ticked rows the charts draw.
mod table;

use crate::api::{self, ApiError};
use crate::i18n::{t, text, use_locale, Key};
use crate::session::{here, login_url, Account, Auth};
use crate::storage::kept;
use branchpulse_core::aggregate::Filter;
use comments::Comments;
use filter::{use_dash_state, DashState, FilterBar};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// The dashboard's screens (`?s=`): the figures, the alert inbox, the
/// follow-up cases; and the monthly report, the report bundle's page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Screen {
    Figures,
    Inbox,
    Cases,
    Report,
}

const SCREENS: [(Screen, &str, Key); 4] = [
    (Screen::Figures, "/dashboard", Key::DashFigures),
    (Screen::Inbox, "/dashboard?s=inbox", Key::AlInboxTitle),
    (Screen::Cases, "/dashboard?s=cases", Key::CasesTitle),
    (Screen::Report, "/report", Key::RepTitle),
];

/// Where the figures on screen come from.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Source {
    Server,
    /// The copy kept from the last answer for this filter.
    Kept,
    /// Computed from this many responses waiting on the device.
    Device(usize),
}

#[derive(Debug, Clone, PartialEq)]
struct Loaded {
    /// One per channel shown: never averaged together ([`sections`]).
    sections: Vec<sections::Section>,
    /// The questionnaires' texts, to name items by their text.
    texts: texts::Texts,
    /// The filter's query string, on the page for tests and the benchmark.
    query: String,
    /// Follow-up cases per branch made in the filter's dates (none when
    /// they cannot be had: they are no figure of their own).
    cases: Vec<branchpulse_core::cases::CaseCounts>,
}

fn mark(name: &str) {
    if let Some(p) = web_sys::window().and_then(|w| w.performance()) {
        let _ = p.mark(name);
    }
}

async fn load(filter: Filter) -> Result<Loaded, ApiError> {
    let query = filter.to_query();
    let days = branchpulse_core::aggregate::FilterParams::from(filter.clone());
    let (sections, texts, cases) = futures::future::join3(
        sections::load(&filter),
        texts::Texts::shared(),
        api::alerts::case_stats(days.from, days.to),
    )
    .await;
    let loaded = Loaded {
        sections: sections?,
        texts,
        query,
        cases: cases.unwrap_or_default(),
    };
    mark("dashboard:data");
    Ok(loaded)
}

#[component]
pub fn DashboardPage() -> impl IntoView {
    let (state, set) = use_dash_state();
    let query = use_query_map();
    let screen = Memo::new(move |_| {
        query.with(|q| match q.get_str("s") {
            Some("inbox") => Screen::Inbox,
            Some("cases") => Screen::Cases,
            Some("report") => Screen::Report,
            _ => Screen::Figures,
        })
    });
    // The report is a bundle of its own: the old address still leads there.
    Effect::new(move |_| {
        if screen.get() == Screen::Report {
            let _ = window()
                .location()
                .replace(&report_page::from_dashboard(&here()));
        }
    });
    let auth = expect_context::<Auth>();
    let signed_out = Memo::new(move |_| auth.0.with(|a| matches!(a, Account::SignedOut)));
    let checking = Memo::new(move |_| auth.0.with(|a| matches!(a, Account::Checking)));
    // Only the branches the reader may see are offered (the server refuses
    // the others anyway); unknown while offline: the kept list.
    let scope = Memo::new(move |_| auth.user().map(|u| u.scope()));
    leptos::task::spawn_local(offline::prepare());
    let branches = LocalResource::new(kept::branches);
    let locale = use_locale();
    let filter = Memo::new(move |_| state.with(|s| s.filter.clone()));
    let data = LocalResource::new(move || {
        let f = filter.get();
        let out = signed_out.get();
        let figures = screen.get() == Screen::Figures;
        async move {
            if out || !figures {
                // Shown as the sign-in prompt; nothing to ask the server.
                return Err(String::new());
            }
            match f {
                Ok(f) => load(f).await.map_err(|e| {
                    if matches!(e, ApiError::Server { status: 401, .. }) {
                        auth.ended();
                    }
                    e.to_string()
                }),
                Err(e) => Err(format!(
                    "{}: {e}",
                    text(locale.get_untracked(), Key::DashBadFilter)
                )),
            }
        }
    });
    view! {
        <div class="dashboard">
            <h1>{t(Key::DashboardTitle)}</h1>
            <p class="intro">{t(Key::DashboardIntro)}</p>
            {move || {
                if signed_out.get() {
                    return sign_in_prompt().into_any();
                }
                if checking.get() {
                    return // The choices wait for the reader's scope.
                    view! { <p class="loading">{t(Key::Loading)}</p> }
                        .into_any();
                }
                let scope = scope.get();
                let list: Vec<_> = branches
                    .get()
                    .and_then(Result::ok)
                    .unwrap_or_default()
                    .into_iter()
                    .filter(|b| scope.as_ref().is_none_or(|s| s.allows(b)))
                    .collect();
                let shown = screen.get();
                let body = match shown {
                    Screen::Inbox => view! { <inbox::Inbox branches=list /> }.into_any(),
                    Screen::Cases => view! { <cases::Cases branches=list /> }.into_any(),
                    Screen::Report => {
                        // On its way to /report (the effect above).
                        view! { <p class="loading">{t(Key::Loading)}</p> }
                            .into_any()
                    }
                    Screen::Figures => {
                        view! {
                            <FilterBar state set branches=list.clone() />
                            <Export filter />
                            <table::BranchTable data state set />
                            <Charts data state />
                            {
                                let list = list.clone();
                                move || {
                                    data.get()
                                        .and_then(Result::ok)
                                        .map(|l| cases::case_stats(l.cases, &list, locale.get()))
                                }
                            }
                            <drill::Drill state set branches=list.clone() />
                            <Comments state set branches=list />
                        }
                            .into_any()
                    }
                };
                view! {
                    {tabs(shown)}
                    {body}
                }
                    .into_any()
            }}
        </div>
    }
}

/// The screens' tabs, `shown` marked; a tab of another bundle (the
/// report's, or the dashboard's seen from the report) is a page load.
fn tabs(shown: Screen) -> impl IntoView {
    let own = |href: &str| (shown == Screen::Report) == href.starts_with("/report");
    view! {
        <nav class="admin-tabs" aria-label=t(Key::DashScreens)>
            {SCREENS
                .into_iter()
                .map(|(s, href, key)| {
                    view! {
                        <a
                            href=href
                            rel=(!own(href)).then_some("external")
                            aria-current=(s == shown).then_some("page")
                        >
                            {t(key)}
                        </a>
                    }
                })
                .collect_view()}
        </nav>
    }
}

#[component]
fn Export(filter: Memo<Result<Filter, branchpulse_core::aggregate::FilterError>>) -> impl IntoView {
    move || {
        filter.get().ok().map(|f| {
            view! {
                <nav class="export" aria-label=t(Key::DashExport)>
                    <span>{t(Key::DashExport)} ": "</span>
                    <a
                        id="export-responses"
                        href=api::responses_csv_url(&f)
                        download="responses.csv"
                    >
                        {t(Key::DashExportResponses)}
                    </a>
                    <a
                        id="export-aggregates"
                        href=api::aggregates_csv_url(&f)
                        download="aggregates.csv"
                    >
                        {t(Key::DashExportAggregates)}
                    </a>
                </nav>
            }
        })
    }
}

#[component]
fn Charts(data: LocalResource<Result<Loaded, String>>, state: Memo<DashState>) -> impl IntoView {
    let locale = use_locale();
    // The comment search does not redraw the charts.
    let shape = Memo::new(move |_| state.with(|s| (s.compare.clone(), s.trend)));
    // The branches drawn: the table's ticked rows, else its first rows;
    // paging through the table does not redraw the charts.
    let drawn = Memo::new(move |_| {
        let t = state.with(|s| s.table.clone());
        data.with(|d| match d {
            Some(Ok(l)) => Some((table::drawn(&l.sections, &t), !t.selected.is_empty())),
            _ => None,
        })
    });
    move || match data.get() {
        None => view! { <p class="loading">{t(Key::Loading)}</p> }.into_any(),
        Some(Err(e)) => view! {
            <div class="error" role="alert">
                <p>{t(Key::LoadFailed)} ": " {e}</p>
                <button type="button" on:click=move |_| data.refetch()>
                    {t(Key::Retry)}
                </button>
            </div>
        }
        .into_any(),
        Some(Ok(loaded)) => {
            let (compare, trend) = shape.get();
            // The filter and the comment search, read untracked, go into
            // the drill-down links only: a new filter redraws through `data`.
            let (filter, q, table) =
                state.with_untracked(|s| (s.filter.clone(), s.q.clone(), s.table.clone()));
            let view_state = DashState {
                filter,
                compare,
                trend,
                q,
                drill: None,
                table,
            };
            let locale = locale.get();
            let both = loaded.sections.len() > 1;
            let source = sections::sources(&loaded.sections);
            let Loaded {
                mut sections,
                texts,
                query,
                ..
            } = loaded;
            // At 500 branches a chart of every branch is 2,000 bars: the
            // charts draw the table's choice, and say which.
            let (codes, selected) = drawn.get().unwrap_or_default();
            let note = table::drawn_note(&sections, &codes, selected, locale);
            for s in &mut sections {
                s.aggregates.branches.retain(|b| codes.contains(&b.code));
            }
            view! {
                <p class="charts-scope" id="charts-scope" role="status" data-drawn=codes.join(",")>
                    {note}
                </p>
                <div class="dash-data" class:channels=both data-query=query data-source=source>
                    {sections
                        .into_iter()
                        .map(|s| sections::section_view(s, &view_state, &texts, locale))
                        .collect_view()}
                    <DrawnMark />
                </div>
            }
            .into_any()
        }
    }
}

/// Sets `dashboard:charts` once the charts above it are in the DOM, and
/// `dashboard:painted` after the next frame (layout and paint included).
#[component]
fn DrawnMark() -> impl IntoView {
    Effect::new(|_| {
        mark("dashboard:charts");
        request_animation_frame(|| {
            set_timeout(|| mark("dashboard:painted"), std::time::Duration::ZERO)
        });
    });
}

/// What the dashboard's and the report's pages show a reader not signed in.
fn sign_in_prompt() -> impl IntoView {
    view! {
        <div class="sign-in-prompt" id="dash-sign-in" role="status">
            <p>{t(Key::PplDashSignIn)}</p>
            <a class="button primary" href=login_url(&here()) rel="external">
                {t(Key::PplSignIn)}
            </a>
        </div>
    }
}
