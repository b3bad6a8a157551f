//! The frame around every chart: title, the SVG as an image with a text
//! description, an HTML legend, the figures' notes, and a "show data" table.

use super::palette::Marker;
use crate::i18n::{t, Key};
use leptos::prelude::*;

/// A drawn chart and everything shown around it. All texts are plain text:
/// only `svg` is inserted as markup (see the module docs of `charts`).
#[derive(Debug, Clone, PartialEq)]
pub struct Chart {
    /// The element id, also used by the tests.
    pub id: &'static str,
    pub title: String,
    /// What the chart shows, for screen readers (`aria-label`).
    pub description: String,
    pub svg: String,
    pub legend: Vec<LegendEntry>,
    /// Short notes under the chart (how to read it, what is greyed).
    pub notes: Vec<String>,
    pub table: Table,
}

#[derive(Debug, Clone, PartialEq)]
pub struct LegendEntry {
    pub label: String,
    /// `#rrggbb`.
    pub colour: String,
    pub marker: Option<Marker>,
    /// Dash length of the line sample; 0 is solid, `None` a filled box.
    pub dash: Option<u32>,
}

/// The figures behind a chart. Each row is one branch (or the network).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Table {
    pub head: Vec<String>,
    pub rows: Vec<Row>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Row {
    pub cells: Vec<String>,
    /// Too few responses: shown greyed.
    pub greyed: bool,
    /// Where a cell leads (by the cell's index; the first cell is the
    /// row's heading): the figures behind it.
    pub links: Vec<Option<String>>,
}

#[component]
pub fn ChartFigure(chart: Chart) -> impl IntoView {
    let Chart {
        id,
        title,
        description,
        svg,
        legend,
        notes,
        table,
    } = chart;
    let heading = format!("{id}-title");
    let labelled_by = heading.clone();
    // A table whose figures lead somewhere is shown open: it is the way in.
    let open = table
        .rows
        .iter()
        .any(|r| r.links.iter().any(Option::is_some));
    view! {
        <figure class="chart" id=id aria-labelledby=labelled_by>
            <h3 id=heading>{title.clone()}</h3>
            <div class="chart-svg" role="img" aria-label=description inner_html=svg></div>
            <ul class="legend">
                {legend
                    .into_iter()
                    .map(|e| {
                        view! {
                            <li>
                                <Swatch entry=e.clone() />
                                {e.label}
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
            {notes.into_iter().map(|n| view! { <p class="chart-note">{n}</p> }).collect_view()}
            <details class="chart-data" open=open>
                <summary>{t(Key::DashShowData)}</summary>
                <DataTable caption=title table />
            </details>
        </figure>
    }
}

#[component]
fn Swatch(entry: LegendEntry) -> impl IntoView {
    let mark = entry.marker.map(|m| match m {
        Marker::Circle => "●",
        Marker::Triangle => "▲",
        Marker::Cross => "✕",
        Marker::Square => "■",
    });
    // Set through the CSSOM (`style:`), which the Content-Security-Policy
    // allows; a `style` attribute it refuses.
    let colour = entry.colour;
    let (background, border) = match entry.dash {
        None => (colour.clone(), "none".to_string()),
        Some(0) => ("transparent".to_string(), format!("3px solid {colour}")),
        Some(_) => ("transparent".to_string(), format!("3px dashed {colour}")),
    };
    let line = if entry.dash.is_none() {
        "swatch box"
    } else {
        "swatch line"
    };
    view! {
        <span class="swatch-wrap" aria-hidden="true">
            <span class=line style:background=background style:border-top=border></span>
            {mark
                .map(|m| {
                    view! {
                        <span class="swatch-mark" style:color=colour>
                            {m}
                        </span>
                    }
                })}
        </span>
    }
}

/// A plain table of figures; greyed rows carry the class `too-few`.
#[component]
pub fn DataTable(caption: String, table: Table) -> impl IntoView {
    // Focusable, so a keyboard can scroll a wide table.
    let label = caption.clone();
    view! {
        <div class="table-scroll" tabindex="0" role="region" aria-label=label>
            <table class="data">
                <caption>{caption}</caption>
                <thead>
                    <tr>
                        {table
                            .head
                            .into_iter()
                            .map(|h| view! { <th scope="col">{h}</th> })
                            .collect_view()}
                    </tr>
                </thead>
                <tbody>
                    {table
                        .rows
                        .into_iter()
                        .map(|r| {
                            let mut cells = r.cells.into_iter();
                            let first = cells.next().unwrap_or_default();
                            let links = r.links;
                            view! {
                                <tr class:too-few=r.greyed>
                                    <th scope="row">{first}</th>
                                    {cells
                                        .enumerate()
                                        .map(|(i, c)| {
                                            match links.get(i + 1).cloned().flatten() {
                                                Some(href) => {
                                                    view! {
                                                        <td>
                                                            <a href=href class="drill-link">
                                                                {c}
                                                            </a>
                                                        </td>
                                                    }
                                                        .into_any()
                                                }
                                                None => view! { <td>{c}</td> }.into_any(),
                                            }
                                        })
                                        .collect_view()}
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
    }
}
