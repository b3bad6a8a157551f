//! Maps, sets and sorting with one copy of the sorting code.
//!
//! `collect()` into a `BTreeMap` or `BTreeSet`, and `sort`, `sort_by` and
//! `sort_by_key`, each instantiate the standard library's stable sort (about
//! 3 KB of WebAssembly) for every element type and comparison they meet: 25
//! copies, 89 KB, in the dashboard's bundle (docs/size.md). [`map`] and [`set`]
//! build the same collections by inserting one at a time (a later duplicate
//! key still wins), and [`sort_by`] sorts positions through one shared,
//! non-generic sort.

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet};

/// The map of `pairs`, as `collect()` would build it.
pub fn map<K: Ord, V>(pairs: impl IntoIterator<Item = (K, V)>) -> BTreeMap<K, V> {
    let mut map = BTreeMap::new();
    map.extend(pairs);
    map
}

/// The set of `items`, as `collect()` would build it.
pub fn set<T: Ord>(items: impl IntoIterator<Item = T>) -> BTreeSet<T> {
    let mut set = BTreeSet::new();
    set.extend(items);
    set
}

/// Sorts `items` by `cmp`, stably (equal items keep their order).
pub fn sort_by<T>(items: &mut Vec<T>, cmp: impl Fn(&T, &T) -> Ordering) {
    let mut order: Vec<usize> = (0..items.len()).collect();
    positions(&mut order, &|a, b| cmp(&items[a], &items[b]));
    let mut slots: Vec<Option<T>> = items.drain(..).map(Some).collect();
    // `order` holds each position once, so every item is taken exactly once.
    items.extend(order.into_iter().filter_map(|i| slots[i].take()));
}

/// Sorts `items` by the key `key` gives, stably.
pub fn sort_by_key<T, K: Ord>(items: &mut Vec<T>, key: impl Fn(&T) -> K) {
    sort_by(items, |a, b| key(a).cmp(&key(b)));
}

/// Sorts `items` in their own order, stably.
pub fn sort<T: Ord>(items: &mut Vec<T>) {
    sort_by(items, T::cmp);
}

/// The one instance of the standard sort: positions, compared through a
/// trait object, so no caller's types reach it.
#[inline(never)]
fn positions(order: &mut [usize], cmp: &dyn Fn(usize, usize) -> Ordering) {
    order.sort_by(|&a, &b| cmp(a, b));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn map_and_set_equal_collect_with_duplicates() {
        let pairs = [(3, "c"), (1, "a"), (3, "C"), (2, "b"), (1, "A")];
        assert_eq!(map(pairs), pairs.into_iter().collect::<BTreeMap<_, _>>());
        assert_eq!(map(pairs)[&3], "C");
        let items = ["b", "a", "b", "c"];
        assert_eq!(set(items), items.into_iter().collect::<BTreeSet<_>>());
    }

    #[test]
    fn sort_by_is_stable_and_equals_the_standard_sort() {
        let mut ours: Vec<(u8, usize)> = (0..200).map(|i| ((i * 7919 % 13) as u8, i)).collect();
        let mut std = ours.clone();
        sort_by_key(&mut ours, |p| p.0);
        std.sort_by_key(|p| p.0);
        assert_eq!(ours, std);
        let mut words = vec!["pear".to_string(), "apple".into(), "fig".into()];
        sort(&mut words);
        assert_eq!(words, ["apple", "fig", "pear"]);
        let mut none: Vec<String> = Vec::new();
        sort(&mut none);
        assert!(none.is_empty());
    }
}
