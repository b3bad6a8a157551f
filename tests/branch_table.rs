//! Browser tests: the dashboard branch table's search, sort by interval
//! bound and paging (src/pages/dashboard/table/order.rs) as the app runs
//! them, in wasm in Chromium, at the network's scale (500 branches) and
//! with names in Chinese and Spanish.
#![cfg(target_arch = "wasm32")]

use branchpulse::branch_table_order::{
    charted, order, page_range, pages, Bounds, Column, Direction, Line, Sort, TableState,
    CHART_DEFAULT, PAGE_SIZE,
};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// 500 branches: branch i has an NPS interval centred on (i * 37) % 100 - 50
/// and `i % 7` points wide each way; every 50th has too few responses.
fn network() -> Vec<Line> {
    (0..500)
        .map(|i| {
            let mut cells = [None; 8];
            if i % 50 != 49 {
                let mid = ((i * 37) % 100) as f64 - 50.0;
                let half = (i % 7) as f64;
                cells[Column::Nps.index()] = Some(Bounds {
                    low: mid - half,
                    high: mid + half,
                });
            }
            Line {
                code: format!("Z{i:03}"),
                name: match i % 3 {
                    0 => format!("港湾广场 {i}"),
                    1 => format!("Sucursal Peñalolén {i}"),
                    _ => format!("Harbour {i}"),
                },
                region: format!("Region {}", i % 10),
                cells,
            }
        })
        .collect()
}

fn sort(direction: Direction) -> Option<Sort> {
    Some(Sort {
        column: Column::Nps,
        direction,
    })
}

#[wasm_bindgen_test]
fn weakest_first_orders_500_branches_by_upper_bound_with_too_few_last() {
    let l = network();
    let o = order(&l, "", sort(Direction::Weakest));
    assert_eq!(o.len(), 500);
    let bound = |i: usize| l[i].cells[Column::Nps.index()];
    let (ranked, few) = o.split_at(490);
    assert!(
        few.iter().all(|i| bound(*i).is_none()),
        "the 10 too-few last"
    );
    for w in ranked.windows(2) {
        let (a, b) = (bound(w[0]).unwrap(), bound(w[1]).unwrap());
        assert!(
            a.high < b.high || (a.high == b.high && a.low <= b.low),
            "{} before {}",
            l[w[0]].code,
            l[w[1]].code
        );
        // Ties on both bounds keep the list's order.
        if a == b {
            assert!(w[0] < w[1]);
        }
    }
    let s = order(&l, "", sort(Direction::Strongest));
    for w in s[..490].windows(2) {
        let (a, b) = (bound(w[0]).unwrap(), bound(w[1]).unwrap());
        assert!(a.low > b.low || (a.low == b.low && a.high >= b.high));
    }
    assert!(s[490..].iter().all(|i| bound(*i).is_none()));
}

#[wasm_bindgen_test]
fn search_finds_chinese_and_accented_names_codes_and_regions() {
    let l = network();
    assert_eq!(order(&l, "港湾", None).len(), 167);
    assert_eq!(order(&l, "PEÑALOLÉN", None).len(), 167);
    assert_eq!(order(&l, "z042", None), [42]);
    // Every word must be found, in any of the three.
    assert_eq!(order(&l, "港湾 region", None).len(), 167);
    assert_eq!(order(&l, "z043 港湾", None), Vec::<usize>::new());
    // The sort applies to what the search keeps.
    let found = order(&l, "peñalolén", sort(Direction::Weakest));
    assert_eq!(found.len(), 167);
    assert!(found.iter().all(|i| i % 3 == 1));
}

#[wasm_bindgen_test]
fn pages_cover_every_row_once_and_the_charts_take_the_first_rows() {
    let l = network();
    let o = order(&l, "", sort(Direction::Weakest));
    assert_eq!(pages(o.len()), 500 / PAGE_SIZE);
    let mut seen: Vec<usize> = (0..pages(o.len()))
        .flat_map(|p| o[page_range(o.len(), p)].to_vec())
        .collect();
    assert_eq!(seen, o);
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), 500);
    let drawn = charted(&l, &o, &[]);
    assert_eq!(drawn.len(), CHART_DEFAULT);
    assert_eq!(drawn[0], l[o[0]].code);
    let state = TableState {
        selected: vec!["Z499".into(), "Z001".into()],
        ..TableState::default()
    };
    assert_eq!(charted(&l, &o, &state.selected).len(), 2);
}
