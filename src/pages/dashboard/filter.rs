//! The dashboard's state lives in its URL, so a view can be shared and
//! reloaded: the contract's [`Filter`] parameters (`from`, `to`, `channel`,
//! `questionnaire`, `branches`, `region`, `format`, `against`) plus the dashboard's own:
//! `compare` (branches on the radar and the trend), `trend` (the figure the
//! trend follows), `q` (the comment search) and `drill` (the score whose
//! items are open, [`Target`]), and the branch table's `tq`, `tsort`,
//! `tpage` and `sel` ([`TableState`]). The server ignores the
//! extra parameters, so the same query string goes to the API.

use super::drill::Target;
use super::picker::BranchPicker;
use super::table::TableState;
use crate::i18n::{dimension_key, t, use_locale, Key};
use branchpulse_core::aggregate::{Filter, FilterError, FilterParams, Reference};
use branchpulse_core::collect;
use branchpulse_core::protocol::Branch;
use branchpulse_core::{Channel, Dimension};
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};
use leptos_router::params::ParamsMap;
use leptos_router::NavigateOptions;
use std::collections::BTreeSet;
use std::sync::Arc;

/// The most branches drawn on the radar and the trend.
pub const MAX_COMPARE: usize = 4;

#[derive(Debug, Clone, PartialEq)]
pub struct DashState {
    pub filter: Result<Filter, FilterError>,
    /// Branch codes on the radar and the trend; empty: the first few.
    pub compare: Vec<String>,
    /// The dimension the trend follows; `None`: the overall score.
    pub trend: Option<Dimension>,
    /// Comment search.
    pub q: String,
    /// The score whose items are shown.
    pub drill: Option<Target>,
    /// The branch table's search, sort, page and selected rows.
    pub table: TableState,
}

/// The URL name of a customer dimension.
pub fn dimension_param(d: Dimension) -> &'static str {
    match d {
        Dimension::Empathy => "empathy",
        Dimension::ProcessConvenience => "process_convenience",
        Dimension::Value => "value",
        Dimension::Trust => "trust",
        Dimension::Environment => "environment",
    }
}

fn codes(list: Option<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for code in list.unwrap_or_default().split(',').map(str::trim) {
        if !code.is_empty() && !out.iter().any(|c| c == code) {
            out.push(code.to_string());
        }
    }
    out
}

impl DashState {
    pub fn from_params(p: &ParamsMap) -> DashState {
        DashState::from_lookup(|k| p.get(k))
    }

    /// The state from the URL's parameters, as `p` gives them (decoded).
    pub fn from_lookup(p: impl Fn(&str) -> Option<String>) -> DashState {
        let params = FilterParams {
            from: p("from"),
            to: p("to"),
            channel: p("channel"),
            questionnaire: p("questionnaire"),
            branches: p("branches"),
            region: p("region"),
            format: p("format"),
            against: p("against"),
        };
        let trend = p("trend");
        DashState {
            filter: Filter::try_from(params),
            compare: codes(p("compare")).into_iter().take(MAX_COMPARE).collect(),
            trend: Dimension::CUSTOMER
                .into_iter()
                .find(|d| trend.as_deref() == Some(dimension_param(*d))),
            q: p("q").unwrap_or_default(),
            drill: p("drill").as_deref().and_then(Target::parse),
            table: TableState::from_lookup(&p),
        }
    }

    /// The URL query string of this state (without `?`).
    pub fn to_query(&self) -> String {
        #[derive(serde::Serialize)]
        struct Own<'a> {
            #[serde(skip_serializing_if = "Option::is_none")]
            compare: Option<String>,
            #[serde(skip_serializing_if = "Option::is_none")]
            trend: Option<&'a str>,
            #[serde(skip_serializing_if = "str::is_empty")]
            q: &'a str,
            #[serde(skip_serializing_if = "Option::is_none")]
            drill: Option<String>,
        }
        let own = Own {
            compare: (!self.compare.is_empty()).then(|| self.compare.join(",")),
            trend: self.trend.map(dimension_param),
            q: &self.q,
            drill: self.drill.as_ref().map(Target::param),
        };
        let filter = self
            .filter
            .as_ref()
            .map(Filter::to_query)
            .unwrap_or_default();
        let own = serde_urlencoded::to_string(own).unwrap_or_default();
        let table = serde_urlencoded::to_string(self.table.params()).unwrap_or_default();
        [filter, own, table]
            .into_iter()
            .filter(|p| !p.is_empty())
            .collect::<Vec<_>>()
            .join("&")
    }

    /// The dashboard's address showing this state.
    pub fn url(&self) -> String {
        let q = self.to_query();
        if q.is_empty() {
            "/dashboard".to_string()
        } else {
            format!("/dashboard?{q}")
        }
    }
}

/// The state from the URL, and a way to change it (a new history entry).
pub fn use_dash_state() -> (Memo<DashState>, Callback<DashState>) {
    let query = use_query_map();
    let state = Memo::new(move |_| query.with(DashState::from_params));
    let navigate = use_navigate();
    let set = Callback::new(move |s: DashState| {
        let url = s.url();
        navigate(
            &url,
            NavigateOptions {
                scroll: false,
                ..Default::default()
            },
        );
    });
    (state, set)
}

/// The filter controls. Every change goes into the URL at once.
#[component]
pub fn FilterBar(
    state: Memo<DashState>,
    set: Callback<DashState>,
    branches: Vec<Branch>,
) -> impl IntoView {
    let filter = move || state.with(|s| s.filter.clone().unwrap_or_default());
    let change = move |f: &dyn Fn(&mut Filter)| {
        let mut s = state.get_untracked();
        let mut filter = s.filter.clone().unwrap_or_default();
        f(&mut filter);
        s.filter = Ok(filter);
        set.run(s);
    };
    // Dates go through the filter's own URL form, read and written by core.
    let date_error = RwSignal::new(None::<String>);
    let params = move || state.with(|s| FilterParams::from(s.filter.clone().unwrap_or_default()));
    let set_date = move |from: bool, value: String| {
        let mut s = state.get_untracked();
        let mut p = FilterParams::from(s.filter.clone().unwrap_or_default());
        let value = Some(value).filter(|v| !v.is_empty());
        if from {
            p.from = value;
        } else {
            p.to = value;
        }
        // A range that cannot be used (from after to) keeps the view as it
        // was, and says why.
        match Filter::try_from(p) {
            Ok(f) => {
                date_error.set(None);
                s.filter = Ok(f);
                set.run(s);
            }
            Err(e) => date_error.set(Some(e.to_string())),
        }
    };
    let regions: BTreeSet<String> = collect::set(branches.iter().map(|b| b.region.clone()));
    let branches = Arc::new(branches);
    let chosen = Signal::derive(move || filter().branches);
    let choose = Callback::new(move |codes: Vec<String>| {
        change(&move |f: &mut Filter| f.branches = codes.clone())
    });
    let compared = Signal::derive(move || state.with(|s| s.compare.clone()));
    let compare = Callback::new(move |codes: Vec<String>| {
        let mut s = state.get_untracked();
        s.compare = codes;
        set.run(s);
    });
    // The formats' names in the reader's language; without them (offline)
    // only "all" is offered, and a format in the URL still applies.
    let locale = use_locale();
    let formats = LocalResource::new(crate::api::admin::formats);
    let format_options = move || {
        let l = locale.get();
        let mut list: Vec<(String, String)> = formats
            .get()
            .and_then(Result::ok)
            .unwrap_or_default()
            .into_iter()
            .map(|f| (f.name.get(l).to_owned(), f.code))
            .collect();
        if let Some(code) = filter()
            .format
            .filter(|c| !list.iter().any(|(_, f)| f == c))
        {
            list.push((code.clone(), code));
        }
        list.into_iter()
            .map(|(name, code)| {
                let is = code.clone();
                view! {
                    <option
                        value=code
                        selected=move || filter().format.as_deref() == Some(is.as_str())
                    >
                        {name}
                    </option>
                }
            })
            .collect_view()
    };
    view! {
        <form class="dash-filters" aria-label=t(Key::DashFilters) on:submit=|e| e.prevent_default()>
            <div class="row">
                <label>
                    {t(Key::DashFrom)}
                    <input
                        type="date"
                        id="dash-from"
                        prop:value=move || params().from.unwrap_or_default()
                        on:change=move |e| set_date(true, event_target_value(&e))
                    />
                </label>
                <label>
                    {t(Key::DashTo)}
                    <input
                        type="date"
                        id="dash-to"
                        prop:value=move || params().to.unwrap_or_default()
                        on:change=move |e| set_date(false, event_target_value(&e))
                    />
                </label>
                <label>
                    {t(Key::DashChannel)}
                    <select
                        id="dash-channel"
                        on:change=move |e| {
                            let v = match event_target_value(&e).as_str() {
                                "kiosk" => Some(Channel::Kiosk),
                                "mystery_shop" => Some(Channel::MysteryShop),
                                _ => None,
                            };
                            change(&move |f: &mut Filter| f.channel = v)
                        }
                    >
                        <option value="" selected=move || filter().channel.is_none()>
                            {t(Key::DashAll)}
                        </option>
                        <option
                            value="kiosk"
                            selected=move || filter().channel == Some(Channel::Kiosk)
                        >
                            {t(Key::KindKiosk)}
                        </option>
                        <option
                            value="mystery_shop"
                            selected=move || filter().channel == Some(Channel::MysteryShop)
                        >
                            {t(Key::KindMysteryShop)}
                        </option>
                    </select>
                </label>
                <label>
                    {t(Key::DashRegion)}
                    <select
                        id="dash-region"
                        on:change=move |e| {
                            let v = Some(event_target_value(&e)).filter(|v| !v.is_empty());
                            change(&move |f: &mut Filter| f.region = v.clone())
                        }
                    >
                        <option value="" selected=move || filter().region.is_none()>
                            {t(Key::DashAll)}
                        </option>
                        {regions
                            .into_iter()
                            .map(|r| {
                                let is = r.clone();
                                let label = r.clone();
                                view! {
                                    <option
                                        value=r
                                        selected=move || {
                                            filter().region.as_deref() == Some(is.as_str())
                                        }
                                    >
                                        {label}
                                    </option>
                                }
                            })
                            .collect_view()}
                    </select>
                </label>
                <label>
                    {t(Key::DashFormat)}
                    <select
                        id="dash-format"
                        on:change=move |e| {
                            let v = Some(event_target_value(&e)).filter(|v| !v.is_empty());
                            change(&move |f: &mut Filter| f.format = v.clone())
                        }
                    >
                        <option value="" selected=move || filter().format.is_none()>
                            {t(Key::DashAll)}
                        </option>
                        {format_options}
                    </select>
                </label>
                <label>
                    {t(Key::DashAgainst)}
                    <select
                        id="dash-against"
                        on:change=move |e| {
                            let v = if event_target_value(&e) == "peers" {
                                Reference::Peers
                            } else {
                                Reference::Network
                            };
                            change(&move |f: &mut Filter| f.against = v)
                        }
                    >
                        <option
                            value="network"
                            selected=move || filter().against == Reference::Network
                        >
                            {t(Key::DashAgainstNetwork)}
                        </option>
                        <option value="peers" selected=move || filter().against == Reference::Peers>
                            {t(Key::DashAgainstPeers)}
                        </option>
                    </select>
                </label>
                <label>
                    {t(Key::DashTrendOf)}
                    <select
                        id="dash-trend"
                        on:change=move |e| {
                            let v = event_target_value(&e);
                            let mut s = state.get_untracked();
                            s.trend = Dimension::CUSTOMER
                                .into_iter()
                                .find(|d| dimension_param(*d) == v);
                            set.run(s);
                        }
                    >
                        <option value="" selected=move || state.with(|s| s.trend.is_none())>
                            {t(Key::DashOverall)}
                        </option>
                        {Dimension::CUSTOMER
                            .into_iter()
                            .map(|d| {
                                view! {
                                    <option
                                        value=dimension_param(d)
                                        selected=move || state.with(|s| s.trend == Some(d))
                                    >
                                        {t(dimension_key(d))}
                                    </option>
                                }
                            })
                            .collect_view()}
                    </select>
                </label>
                <a class="button secondary" href="/dashboard">
                    {t(Key::DashClear)}
                </a>
            </div>
            {move || {
                date_error
                    .get()
                    .map(|e| {
                        view! {
                            <p class="error" role="alert">
                                {t(Key::DashBadFilter)}
                                ": "
                                {e}
                            </p>
                        }
                    })
            }}
            <details class="branch-choice">
                <summary>{t(Key::DashAllBranches)}</summary>
                <BranchPicker
                    id="pick-branches"
                    label=Key::DashAllBranches
                    branches=branches.clone()
                    chosen
                    set=choose
                />
            </details>
            <details class="branch-choice">
                <summary>{t(Key::DashCompare)}</summary>
                <BranchPicker
                    id="pick-compare"
                    label=Key::DashCompare
                    branches
                    chosen=compared
                    set=compare
                    max=MAX_COMPARE
                />
            </details>
        </form>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(query: &str) -> DashState {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query).unwrap();
        DashState::from_lookup(|k| {
            pairs
                .iter()
                .rev()
                .find(|(n, _)| n == k)
                .map(|(_, v)| v.clone())
        })
    }

    #[test]
    fn the_state_round_trips_through_the_url() {
        let q = "from=2026-01-05&to=2026-03-29&channel=kiosk&branches=N01%2CN02&compare=N01%2CS02&trend=value&q=slow+queue&drill=N02~empathy~mystery_shop";
        let s = state(q);
        assert_eq!(s.filter.as_ref().unwrap().branches, ["N01", "N02"]);
        assert_eq!(s.compare, ["N01", "S02"]);
        assert_eq!(s.trend, Some(Dimension::Value));
        assert_eq!(s.q, "slow queue");
        assert_eq!(
            s.drill,
            Some(Target {
                branch: Some("N02".into()),
                dimension: Dimension::Empathy,
                channel: Some(Channel::MysteryShop),
            })
        );
        assert_eq!(state(&s.to_query()), s);
        assert!(s.url().starts_with("/dashboard?from=2026-01-05&"));
        assert!(
            s.url().ends_with("&drill=N02%7Eempathy%7Emystery_shop"),
            "{}",
            s.url()
        );
    }

    #[test]
    fn a_bad_filter_is_an_error_and_extras_are_capped() {
        let s = state("from=2026-13-01&compare=A,B,C,D,E,A");
        assert!(s.filter.is_err());
        assert_eq!(s.compare, ["A", "B", "C", "D"]);
        assert_eq!(state("").to_query(), "");
        assert_eq!(state("").url(), "/dashboard");
        // A drill target that cannot be read is no drill-down, not an error.
        assert_eq!(state("drill=N02~kindness").drill, None);
    }
}
