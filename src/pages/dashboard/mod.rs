//! The manager dashboard: honest branch comparisons drawn in the browser.
//!
//! One state, in the URL ([`filter`]), drives every chart, table, comment
//! list and export link. Figures come from the server's aggregates
//! (`GET /api/v1/aggregates`); when the server cannot be reached, from the
//! copy kept of the last answer for the same filter, or else computed from
//! the responses waiting on this device ([`offline`]) — always marked as
//! such. Every figure shows its n, branches with fewer than 30 responses are
//! greyed, and a branch is flagged better or worse only where its interval
//! excludes the network's figure ([`figures`]).
//!
//! For the benchmark the page sets performance marks: `dashboard:data` when
//! the figures arrive, `dashboard:charts` once every chart built from them
//! is in the DOM and `dashboard:painted` after the following frame.

mod comments;
// The drill-down into a score's items (issue 18): `drill::href` is the
// address for a chart table's branch × dimension cell.
mod drill;
mod figures;
mod filter;
mod offline;
mod texts;

use crate::api::{self, ApiError};
use crate::charts::ChartFigure;
use crate::i18n::{t, text, use_locale, Key};
use crate::session::{here, login_url, Account, Auth};
use crate::storage::kept;
use branchpulse_core::aggregate::{Aggregates, Filter};
use comments::Comments;
use filter::{use_dash_state, DashState, FilterBar};
use leptos::prelude::*;

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
    aggregates: Aggregates,
    source: Source,
    /// The filter's query string, on the page for tests and the benchmark.
    query: String,
}

fn mark(name: &str) {
    if let Some(p) = web_sys::window().and_then(|w| w.performance()) {
        let _ = p.mark(name);
    }
}

async fn load(filter: Filter) -> Result<Loaded, ApiError> {
    let query = filter.to_query();
    let loaded = match kept::aggregates(&filter).await {
        Ok((aggregates, kept)) => Loaded {
            aggregates,
            source: if kept { Source::Kept } else { Source::Server },
            query,
        },
        Err(e) if e.is_transient() => match offline::from_device(&filter).await {
            Ok((aggregates, n)) => Loaded {
                aggregates,
                source: Source::Device(n),
                query,
            },
            Err(_) => return Err(e),
        },
        Err(e) => return Err(e),
    };
    mark("dashboard:data");
    Ok(loaded)
}

#[component]
pub fn DashboardPage() -> impl IntoView {
    let (state, set) = use_dash_state();
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
        async move {
            if out {
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
                    return view! {
                        <div class="sign-in-prompt" id="dash-sign-in" role="status">
                            <p>{t(Key::PplDashSignIn)}</p>
                            <a class="button primary" href=login_url(&here()) rel="external">
                                {t(Key::PplSignIn)}
                            </a>
                        </div>
                    }
                        .into_any();
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
                view! {
                    <FilterBar state set branches=list.clone() />
                    <Export filter />
                    <Charts data state />
                    <drill::Drill state set branches=list.clone() />
                    <Comments state set branches=list />
                }
                    .into_any()
            }}
        </div>
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
            let view_state = DashState {
                filter: Ok(Filter::default()),
                compare,
                trend,
                q: String::new(),
                drill: None,
            };
            let source = match loaded.source {
                Source::Server => None,
                Source::Kept => Some(text(locale.get(), Key::DashOfflineKept).to_string()),
                Source::Device(n) => {
                    Some(text(locale.get(), Key::DashOfflineDevice).replace("{n}", &n.to_string()))
                }
            };
            let empty = loaded.aggregates.network.n == 0;
            let charts =
                (!empty).then(|| figures::charts(&loaded.aggregates, &view_state, locale.get()));
            view! {
                <div
                    class="dash-data"
                    data-query=loaded.query
                    data-source=format!("{:?}", loaded.source)
                >
                    {source
                        .map(|s| {
                            view! {
                                <p class="offline-note" role="status">
                                    {s}
                                </p>
                            }
                        })}
                    {empty.then(|| view! { <p class="no-data">{t(Key::DashNoData)}</p> })}
                    <div class="charts">
                        {charts
                            .map(|c| {
                                c.into_iter()
                                    .map(|chart| view! { <ChartFigure chart /> })
                                    .collect_view()
                            })}
                    </div>
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
