//! A searchable branch picker for the filter bar: the branches chosen as
//! chips that can be removed, and a search box (code, name or region) whose
//! matches are listed a screen's worth at a time ([`SHOWN`]), so the bar
//! stays light at 500 branches. A combobox by keyboard: arrows move through
//! the matches, Enter chooses, Escape clears the search, Backspace in an
//! empty search removes the last chip.

use super::figures::fill;
use crate::i18n::{t, text, use_locale, Key};
use branchpulse_core::protocol::Branch;
use leptos::prelude::*;
use std::sync::Arc;

/// The most matches listed at once, whatever the network's size.
pub const SHOWN: usize = 30;

/// One branch as the picker lists it: its code and its words.
#[derive(Debug, Clone, PartialEq)]
pub struct Choice {
    pub code: String,
    pub label: String,
}

fn words(b: &Branch) -> String {
    format!("{} {} · {}", b.code, b.name, b.region)
}

/// The branches not yet `chosen` whose code, name or region contains
/// `query` (any case), the first `limit` of them in list order, and how
/// many match in all.
pub fn matches(
    branches: &[Branch],
    query: &str,
    chosen: &[String],
    limit: usize,
) -> (Vec<Choice>, usize) {
    let q = query.trim().to_lowercase();
    let mut found = branches.iter().filter(|b| {
        !chosen.contains(&b.code)
            && (q.is_empty()
                || b.code.to_lowercase().contains(&q)
                || b.name.to_lowercase().contains(&q)
                || b.region.to_lowercase().contains(&q))
    });
    let shown: Vec<Choice> = found
        .by_ref()
        .take(limit)
        .map(|b| Choice {
            code: b.code.clone(),
            label: words(b),
        })
        .collect();
    let total = shown.len() + found.count();
    (shown, total)
}

/// The picker. `id` names it (`pick-branches`) and starts its parts' ids;
/// `chosen` are branch codes, changed through `set`; at most `max` of them.
#[component]
pub fn BranchPicker(
    id: &'static str,
    label: Key,
    branches: Arc<Vec<Branch>>,
    #[prop(into)] chosen: Signal<Vec<String>>,
    set: Callback<Vec<String>>,
    #[prop(optional)] max: Option<usize>,
) -> impl IntoView {
    let locale = use_locale();
    let query = RwSignal::new(String::new());
    let active = RwSignal::new(0usize);
    let found = {
        let branches = branches.clone();
        Memo::new(move |_| query.with(|q| chosen.with(|c| matches(&branches, q, c, SHOWN))))
    };
    let full = move || max.is_some_and(|m| chosen.with(|c| c.len() >= m));
    let choose = move |code: String| {
        let mut now = chosen.get_untracked();
        if now.contains(&code) || max.is_some_and(|m| now.len() >= m) {
            return;
        }
        now.push(code);
        set.run(now);
    };
    let remove = move |code: &str| {
        let mut now = chosen.get_untracked();
        now.retain(|c| c != code);
        set.run(now);
    };
    let list_id = format!("{id}-list");
    let input_id = format!("{id}-q");
    let status_id = format!("{id}-status");
    let option_id = move |code: &str| format!("{id}-opt-{code}");
    let names = {
        let branches = branches.clone();
        move |code: &str| {
            branches
                .iter()
                .find(|b| b.code == code)
                .map(words)
                .unwrap_or_else(|| code.to_owned())
        }
    };
    let chips = move || {
        chosen
            .get()
            .into_iter()
            .map(|code| {
                let name = names(&code);
                let remove_label = fill(
                    text(locale.get(), Key::PickRemove),
                    &[("branch", name.clone())],
                );
                let data_code = code.clone();
                view! {
                    <li class="chip" data-code=data_code>
                        <span>{name}</span>
                        <button
                            type="button"
                            aria-label=remove_label
                            on:click=move |_| remove(&code)
                        >
                            "×"
                        </button>
                    </li>
                }
            })
            .collect_view()
    };
    let options = move || {
        let a = active.get();
        found
            .get()
            .0
            .into_iter()
            .enumerate()
            .map(|(i, c)| {
                let code = c.code.clone();
                view! {
                    <li
                        role="option"
                        id=option_id(&c.code)
                        data-code=c.code.clone()
                        class:active=i == a
                        aria-selected=if i == a { "true" } else { "false" }
                        on:click=move |_| choose(code.clone())
                    >
                        {c.label}
                    </li>
                }
            })
            .collect_view()
    };
    let status = move || {
        let (shown, total) = found.with(|(s, n)| (s.len(), *n));
        let l = locale.get();
        if let Some(m) = max.filter(|_| full()) {
            fill(text(l, Key::PickFull), &[("max", m.to_string())])
        } else if total == 0 {
            text(l, Key::PickNone).to_owned()
        } else {
            fill(
                text(l, Key::PickMatches),
                &[("shown", shown.to_string()), ("total", total.to_string())],
            )
        }
    };
    let keys = move |e: leptos::ev::KeyboardEvent| {
        let len = found.with_untracked(|(s, _)| s.len());
        match e.key().as_str() {
            "ArrowDown" => {
                e.prevent_default();
                active.update(|a| *a = (*a + 1).min(len.saturating_sub(1)));
            }
            "ArrowUp" => {
                e.prevent_default();
                active.update(|a| *a = a.saturating_sub(1));
            }
            "Enter" => {
                e.prevent_default();
                let pick = found
                    .with_untracked(|(s, _)| s.get(active.get_untracked()).map(|c| c.code.clone()));
                if let Some(code) = pick {
                    choose(code);
                    active.set(0);
                }
            }
            "Escape" => {
                query.set(String::new());
                active.set(0);
            }
            "Backspace" if query.with_untracked(String::is_empty) => {
                if let Some(last) = chosen.get_untracked().last() {
                    remove(last);
                }
            }
            _ => {}
        }
    };
    let expanded = move || found.with(|(s, _)| !s.is_empty()).to_string();
    let descendant = move || {
        let a = active.get();
        found.with(|(s, _)| s.get(a).map(|c| option_id(&c.code)))
    };
    view! {
        <fieldset class="branch-picker" id=id>
            <legend>{t(label)}</legend>
            <ul class="chips" aria-label=t(Key::PickChosen)>
                {chips}
            </ul>
            <label for=input_id.clone()>{t(Key::PickSearch)}</label>
            <input
                type="search"
                id=input_id
                autocomplete="off"
                role="combobox"
                aria-autocomplete="list"
                aria-controls=list_id.clone()
                aria-expanded=expanded
                aria-activedescendant=descendant
                aria-describedby=status_id.clone()
                prop:value=move || query.get()
                on:input=move |e| {
                    query.set(event_target_value(&e));
                    active.set(0);
                }
                on:keydown=keys
            />
            <ul class="matches" role="listbox" id=list_id aria-label=t(label)>
                {options}
            </ul>
            <p class="hint" id=status_id role="status">
                {status}
            </p>
        </fieldset>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn branch(code: &str, name: &str, region: &str) -> Branch {
        Branch {
            code: code.into(),
            name: name.into(),
            region: region.into(),
            active: true,
            format: None,
        }
    }

    #[test]
    fn matches_are_searched_by_code_name_or_region_and_capped() {
        let mut list = vec![
            branch("N01", "Harbour Square", "North"),
            branch("N02", "Northgate", "North"),
            branch("S01", "海港广场", "South"),
        ];
        let codes = |(found, total): (Vec<Choice>, usize)| {
            (found.into_iter().map(|c| c.code).collect::<Vec<_>>(), total)
        };
        assert_eq!(
            codes(matches(&list, "north", &[], 30)),
            (vec!["N01".into(), "N02".into()], 2)
        );
        assert_eq!(
            codes(matches(&list, "harb", &[], 30)),
            (vec!["N01".into()], 1)
        );
        assert_eq!(
            codes(matches(&list, "海港", &[], 30)),
            (vec!["S01".into()], 1)
        );
        assert_eq!(
            codes(matches(&list, " s0 ", &[], 30)),
            (vec!["S01".into()], 1)
        );
        // Chosen branches are chips, not matches.
        assert_eq!(
            codes(matches(&list, "", &["N02".into()], 30)).0,
            ["N01", "S01"]
        );
        // 500 branches: a screen's worth listed, all counted.
        list = (0..500)
            .map(|i| branch(&format!("B{i:03}"), "Branch", "East"))
            .collect();
        let (found, total) = matches(&list, "east", &[], SHOWN);
        assert_eq!((found.len(), total), (SHOWN, 500));
        assert_eq!(found[0].label, "B000 Branch · East");
    }
}
