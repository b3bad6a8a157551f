//! Browser test of the key drivers' view: an answer written by hand (empathy
//! important and below the mean score, so "fix first"; value weak but
//! unimportant, so "watch"), drawn in English and Chinese, with its table,
//! its quadrant words, the too-few text for NPS, and the performance mark.
#![cfg(target_arch = "wasm32")]

mod common;

use branchpulse::i18n::{provide_i18n, use_locale};
use branchpulse::DriversView;
use branchpulse_core::aggregate::{Figure, Filter};
use branchpulse_core::drivers::{Driver, Drivers, Outcome, Reason};
use branchpulse_core::stats::Estimate;
use branchpulse_core::{Dimension, Locale};
use common::{stage, wait_for};
use leptos::prelude::*;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn est(n: u64, value: f64, low: f64, high: f64) -> Estimate {
    Estimate {
        n,
        value,
        low,
        high,
    }
}

fn answer() -> Drivers {
    // (dimension, share %, score): the scores' mean is 63.75.
    let rows = [
        (Dimension::Empathy, 60.0, 55.0),
        (Dimension::ProcessConvenience, 15.0, 80.0),
        (Dimension::Value, 10.0, 50.0),
        (Dimension::Trust, 15.0, 70.0),
    ];
    let drivers = rows
        .iter()
        .map(|&(dimension, share, _)| Driver {
            dimension,
            weight: est(200, share / 200.0, share / 300.0, share / 150.0),
            share: est(200, share, share - 10.0, share + 10.0),
            beta: est(200, 0.3, 0.1, 0.5),
        })
        .collect();
    Drivers {
        filter: Filter::default(),
        cap: 20_000,
        read: 210,
        capped: false,
        satisfaction: Outcome {
            n: 200,
            resamples: 400,
            reason: None,
            dimension: None,
            r2: Some(est(200, 0.5, 0.4, 0.6)),
            drivers,
        },
        nps: Outcome {
            n: 12,
            resamples: 0,
            reason: Some(Reason::TooFew),
            dimension: None,
            r2: None,
            drivers: Vec::new(),
        },
        scores: rows
            .iter()
            .map(|&(d, _, score)| {
                (
                    d,
                    Figure {
                        n: 210,
                        too_few: false,
                        estimate: Some(est(210, score, score - 3.0, score + 3.0)),
                        comparison: None,
                    },
                )
            })
            .collect(),
    }
}

fn texts(root: &web_sys::Element, selector: &str) -> Vec<String> {
    let list = root.query_selector_all(selector).unwrap();
    (0..list.length())
        .map(|i| list.item(i).unwrap().text_content().unwrap_or_default())
        .collect()
}

#[wasm_bindgen_test]
async fn the_view_draws_importance_against_score_with_quadrants() {
    let el = stage();
    let locale = RwSignal::new(None);
    let _handle = leptos::mount::mount_to(el.clone(), move || {
        provide_i18n();
        let l = use_locale();
        l.set(Locale::En);
        locale.set(Some(l));
        view! { <DriversView drivers=answer() /> }
    });
    let root: web_sys::Element = el.clone().into();
    wait_for("the satisfaction chart", 5, || {
        root.query_selector("#drivers-satisfaction svg")
            .unwrap()
            .is_some()
    })
    .await;
    assert_eq!(
        texts(&root, "#drivers-satisfaction h3"),
        ["Key drivers of overall satisfaction"]
    );
    let rows = texts(&root, "#drivers-satisfaction tbody tr");
    assert_eq!(rows.len(), 4, "{rows:?}");
    assert_eq!(
        texts(&root, "#drivers-satisfaction tbody tr:nth-child(1) td"),
        [
            "60 [50–70]",
            "0.300 [0.200–0.400]",
            "0.30 [0.10–0.50]",
            "55 [52–58] · n=210",
            "Important and weak: fix first",
        ]
    );
    let quadrants: Vec<String> = ["2", "3", "4"]
        .iter()
        .map(|i| {
            texts(
                &root,
                &format!("#drivers-satisfaction tbody tr:nth-child({i}) td:last-child"),
            )
            .concat()
        })
        .collect();
    assert_eq!(
        quadrants,
        [
            "Less important and strong: maintain",
            "Less important and weak: watch",
            "Less important and strong: maintain",
        ]
    );
    let label = root
        .query_selector("#drivers-satisfaction .chart-svg")
        .unwrap()
        .unwrap()
        .get_attribute("aria-label")
        .unwrap();
    assert!(
        label.contains("from 200 responses. Fix first: Empathy."),
        "{label}"
    );
    let svg = texts(&root, "#drivers-satisfaction svg").concat();
    assert!(svg.contains("Important and weak: fix first"), "{svg}");
    assert!(svg.contains("Empathy"), "{svg}");
    let note = texts(&root, "#drivers-satisfaction .chart-note").concat();
    assert!(note.contains("the 50% of the variation"), "{note}");
    assert!(note.contains("(400 resamples)"), "{note}");
    assert!(
        note.contains("latest 210 responses (at most 20000)"),
        "{note}"
    );

    assert_eq!(
        texts(&root, "#drivers-nps .no-data"),
        ["Too few responses answer this question and every dimension (12; at least 30 are needed): no key drivers."]
    );
    assert!(root.query_selector("#drivers-nps svg").unwrap().is_none());

    let marked = || {
        web_sys::window()
            .unwrap()
            .performance()
            .unwrap()
            .get_entries_by_name("dashboard:drivers")
            .length()
            >= 1
    };
    wait_for("the performance mark dashboard:drivers", 5, marked).await;

    locale.get_untracked().unwrap().set(Locale::ZhCn);
    wait_for("the Chinese texts", 5, || {
        texts(&root, "#drivers-satisfaction h3") == ["总体满意度的关键驱动因素"]
    })
    .await;
    assert_eq!(
        texts(
            &root,
            "#drivers-satisfaction tbody tr:nth-child(1) td:last-child"
        ),
        ["重要且薄弱：优先改进"]
    );
    assert!(texts(&root, "#drivers-nps .no-data")[0].contains("（12 份，至少需要 30 份）"));
}
