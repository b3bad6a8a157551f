//! Kiosk customers and mystery shoppers answer different questions on
//! different scales (1–5 faces against yes/no checks), so their figures are
//! never averaged together: the dashboard shows one section per channel,
//! side by side under "all channels". They come in one answer (its
//! `channels`), so that every flag on the screen is one Benjamini–Hochberg
//! family; with a channel chosen, that channel's answer alone. The answer
//! has one kept copy and one offline fallback.

use super::filter::DashState;
use super::texts::Texts;
use super::{figures, headline, offline, Source};
use crate::api::ApiError;
use crate::charts::ChartFigure;
use crate::i18n::{t, text, Key};
use crate::storage::kept;
use branchpulse_core::aggregate::{channel_label, Aggregates, Filter};
use branchpulse_core::{Channel, Locale};
use leptos::prelude::*;

/// One channel's figures and where they come from.
#[derive(Debug, Clone, PartialEq)]
pub struct Section {
    pub channel: Channel,
    pub aggregates: Aggregates,
    pub source: Source,
}

/// Each channel's figures for `filter`: from the server, else its kept
/// copy, else the responses on this device.
pub async fn load(filter: &Filter) -> Result<Vec<Section>, ApiError> {
    let (aggregates, source) = match kept::aggregates(filter).await {
        Ok((a, kept)) => (a, if kept { Source::Kept } else { Source::Server }),
        Err(e) if e.is_transient() => match offline::from_device(filter).await {
            Ok((a, n)) => (a, Source::Device(n)),
            Err(_) => return Err(e),
        },
        Err(e) => return Err(e),
    };
    Ok(split(aggregates, source))
}

/// The sections of one answer: its channel's, or each of its `channels`.
pub fn split(a: Aggregates, source: Source) -> Vec<Section> {
    let answers = match a.filter.channel {
        Some(_) => vec![a],
        None => a.channels,
    };
    answers
        .into_iter()
        .filter_map(|aggregates| {
            Some(Section {
                channel: aggregates.filter.channel?,
                aggregates,
                source,
            })
        })
        .collect()
}

/// Where the figures on screen come from, on the page for the tests: one
/// value, or each section's in order when they differ.
pub fn sources(sections: &[Section]) -> String {
    let mut out: Vec<String> = Vec::new();
    for s in sections {
        let v = format!("{:?}", s.source);
        if !out.contains(&v) {
            out.push(v);
        }
    }
    out.join(",")
}

fn heading(channel: Channel) -> Key {
    match channel {
        Channel::Kiosk => Key::DashSectionKiosk,
        Channel::MysteryShop => Key::DashSectionShop,
    }
}

/// One channel's section: heading, where its figures come from, the
/// kiosk's headline figures, and its charts.
pub fn section_view(s: Section, state: &DashState, texts: &Texts, locale: Locale) -> AnyView {
    let channel = channel_label(s.channel);
    let id = format!("section-{channel}");
    let title_id = format!("{id}-title");
    let labelled_by = title_id.clone();
    let note = match s.source {
        Source::Server => None,
        Source::Kept => Some(text(locale, Key::DashOfflineKept).to_string()),
        Source::Device(n) => {
            Some(text(locale, Key::DashOfflineDevice).replace("{n}", &n.to_string()))
        }
    };
    let a = &s.aggregates;
    let empty = a.network.n == 0;
    let headline = (!empty && s.channel == Channel::Kiosk).then(|| headline::tiles(a, locale));
    // Items of questionnaires this reader is not given are named by the
    // words sent with the figures.
    let texts = texts.with_names(&a.names);
    let charts = (!empty).then(|| figures::charts(s.channel, a, state, &texts, locale));
    let drivers = (!empty && s.channel == Channel::Kiosk).then(|| a.filter.clone());
    view! {
        <section
            class="channel-section"
            id=id
            data-channel=channel
            data-source=format!("{:?}", s.source)
            aria-labelledby=labelled_by
        >
            <h2 id=title_id>{t(heading(s.channel))}</h2>
            {note
                .map(|n| {
                    view! {
                        <p class="offline-note" role="status">
                            {n}
                        </p>
                    }
                })}
            {empty.then(|| view! { <p class="no-data">{t(Key::DashNoData)}</p> })}
            {headline}
            <div class="charts">
                {charts
                    .map(|c| {
                        c.into_iter().map(|chart| view! { <ChartFigure chart /> }).collect_view()
                    })}
            </div>
            {drivers.map(|filter| view! { <super::drivers::KeyDrivers filter /> })}
        </section>
    }
    .into_any()
}
