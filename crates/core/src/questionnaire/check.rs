//! The rules a questionnaire follows beyond its JSON shape.
//!
//! Each rule fails with a message a questionnaire author can act on: what is
//! wrong and what would be right. Problems with a section are reported with
//! the section's id as the place and a message starting with "section".

use super::{
    ChoiceOption, Commitment, Item, ItemKind, Kind, LoadError, Questionnaire, Section,
    MAX_CALL_MAX_RINGS, MAX_ID_CHARS, MAX_ITEMS, MAX_OPTIONS, MAX_SECTIONS, MAX_SHOW_IF_DEPTH,
    MAX_TEXT_CHARS, MAX_WEIGHT,
};
use crate::locale::{Locale, Text};
use std::collections::{BTreeMap, BTreeSet};

pub(super) fn check(file: &str, q: &Questionnaire) -> Result<(), LoadError> {
    let top = |problem: String| LoadError::new(file, None, problem);
    valid_id(&q.id).map_err(|p| top(format!("questionnaire id {p}")))?;
    if q.version == 0 {
        return Err(top(
            "version is 0; versions start at 1 and go up by one whenever the items change".into(),
        ));
    }
    if q.languages.is_empty() {
        return Err(top(format!(
            "languages is empty; list the languages this questionnaire is offered in, from: {}",
            tags(&Locale::ALL)
        )));
    }
    if let Some(l) = twice(&q.languages) {
        return Err(top(format!("languages lists \"{}\" twice", l.tag())));
    }
    translated(&q.title, &q.languages).map_err(|p| top(format!("title {p}")))?;
    if q.sections.is_empty() {
        return Err(top(
            "has no sections; a questionnaire needs at least one section with items".into(),
        ));
    }
    // The counts first: everything after is linear in them.
    if q.sections.len() > MAX_SECTIONS {
        return Err(top(format!(
            "sections: has {} sections; at most {MAX_SECTIONS} are allowed",
            q.sections.len()
        )));
    }
    let items: usize = q.sections.iter().map(|s| s.items.len()).sum();
    if items > MAX_ITEMS {
        return Err(top(format!(
            "sections: has {items} items in all; at most {MAX_ITEMS} are allowed"
        )));
    }

    let mut section_ids = BTreeSet::new();
    // Items met so far, with the section they are in and the length of
    // their show_if chain: show_if may only look back, so each item's
    // chain is its target's plus one, found in one lookup.
    let mut earlier: BTreeMap<&str, Earlier> = BTreeMap::new();
    for (n, section) in q.sections.iter().enumerate() {
        check_section(file, q, n, section, &mut section_ids)?;
        for (m, item) in section.items.iter().enumerate() {
            let place = if item.id.is_empty() {
                format!("#{} in section {}", m + 1, section.id)
            } else {
                item.id.clone()
            };
            let at = |problem: String| LoadError::new(file, Some(&place), problem);
            valid_id(&item.id).map_err(|p| at(format!("item id {p}")))?;
            if let Some(other) = earlier.get(item.id.as_str()) {
                return Err(at(format!(
                    "item id is used twice (also in section \"{}\"); item ids must be unique \
                     across the whole questionnaire",
                    other.section
                )));
            }
            let depth = check_item(q, item, &earlier).map_err(at)?;
            earlier.insert(
                &item.id,
                Earlier {
                    item,
                    section: &section.id,
                    depth,
                },
            );
        }
    }
    Ok(())
}

fn check_section<'q>(
    file: &str,
    q: &Questionnaire,
    n: usize,
    section: &'q Section,
    seen: &mut BTreeSet<&'q str>,
) -> Result<(), LoadError> {
    let place = if section.id.is_empty() {
        format!("section #{}", n + 1)
    } else {
        section.id.clone()
    };
    let at = |problem: String| LoadError::new(file, Some(&place), format!("section {problem}"));
    valid_id(&section.id).map_err(|p| at(format!("id {p}")))?;
    if !seen.insert(&section.id) {
        return Err(at(
            "id is used by two sections; section ids must be unique".into()
        ));
    }
    translated(&section.title, &q.languages).map_err(|p| at(format!("title {p}")))?;
    if section.items.is_empty() {
        return Err(at("has no items".into()));
    }
    Ok(())
}

/// An item already checked.
struct Earlier<'q> {
    item: &'q Item,
    section: &'q str,
    /// show_if links from the item back to one shown always (0 for that one).
    depth: usize,
}

/// Check one item; its show_if depth when it is right.
fn check_item(
    q: &Questionnaire,
    item: &Item,
    earlier: &BTreeMap<&str, Earlier>,
) -> Result<usize, String> {
    translated(&item.text, &q.languages).map_err(|p| format!("text {p}"))?;
    if let Some(help) = &item.help {
        translated(help, &q.languages).map_err(|p| format!("help {p}"))?;
    }
    if !(item.weight.is_finite() && item.weight > 0.0 && item.weight <= MAX_WEIGHT) {
        return Err(format!(
            "weight is {}; a weight must be a number greater than 0 and at most {MAX_WEIGHT} \
             (for example 1, 2 or 3)",
            item.weight
        ));
    }
    match &item.kind {
        ItemKind::Seconds { target, max } => {
            if *max == 0 {
                return Err("max is 0 seconds; it must be more than 0".into());
            }
            if let Some(target) = target {
                if target > max {
                    return Err(format!(
                        "target ({target} s) is more than max ({max} s); the target must be within the maximum"
                    ));
                }
            }
        }
        ItemKind::Choice { options } => check_options(q, options)?,
        ItemKind::Text { max_len } => {
            if *max_len == 0 {
                return Err("max_len is 0; it must be more than 0 characters".into());
            }
            if item.dimension.is_some() {
                return Err("a text item is never scored, so it cannot have a dimension; remove \"dimension\"".into());
            }
        }
        ItemKind::Call { .. } if q.kind != Kind::MysteryShop => {
            return Err(
                "a call item is counted by a mystery shopper on the phone; only a mystery_shop questionnaire may have one"
                    .into(),
            );
        }
        ItemKind::Call { max_rings } => {
            if !(1..=MAX_CALL_MAX_RINGS).contains(max_rings) {
                return Err(format!(
                    "max_rings is {max_rings}; it is the most rings that still count as answered in time, from 1 to {MAX_CALL_MAX_RINGS} (for example 3)"
                ));
            }
        }
        ItemKind::Rating | ItemKind::YesNo | ItemKind::Nps => {}
    }
    if let Some(call) = &item.from_call {
        check_from_call(q, item, call)?;
    }
    if item.critical && item.kind != ItemKind::YesNo {
        return Err(format!(
            "critical is only allowed on yes_no items (a \"no\" fails the visit), but this is a {} item",
            item.kind.type_name()
        ));
    }
    if let Some(c) = &item.commitment {
        check_commitment(q, item, c)?;
    }
    if item.scale.is_some() && item.kind != ItemKind::Rating {
        return Err(format!(
            "scale names a rating's words, but this is a {} item; remove \"scale\"",
            item.kind.type_name()
        ));
    }
    if item.not_applicable
        && !matches!(
            item.kind,
            ItemKind::Rating | ItemKind::Nps | ItemKind::Choice { .. }
        )
    {
        return Err(format!(
            "not_applicable is offered on rating, nps and choice items (a yes_no item has its own \"na\"), but this is a {} item",
            item.kind.type_name()
        ));
    }
    let Some(cond) = &item.show_if else {
        return Ok(0);
    };
    {
        if cond.item == item.id {
            return Err("show_if points at the item itself; it must name an earlier item".into());
        }
        let Some(Earlier {
            item: target,
            depth,
            ..
        }) = earlier.get(cond.item.as_str())
        else {
            return Err(if q.item(&cond.item).is_some() {
                format!(
                    "show_if points at \"{}\", which comes later in the questionnaire; it must name an earlier item",
                    cond.item
                )
            } else {
                format!(
                    "show_if points at \"{}\", which is not an item of this questionnaire",
                    cond.item
                )
            });
        };
        if let ItemKind::Call { .. } = target.kind {
            return Err(format!(
                "show_if points at \"{}\", a call item; point at a yes_no item that takes its answer from the call (from_call) instead",
                cond.item
            ));
        }
        target.kind.accepts(&cond.equals).map_err(|p| {
            format!(
                "show_if.equals does not fit \"{}\", a {} item: {p}",
                target.id,
                target.kind.type_name()
            )
        })?;
        let depth = depth + 1;
        if depth > MAX_SHOW_IF_DEPTH {
            return Err(format!(
                "show_if: the chain of show_if conditions back from this item is {depth} long; \
                 at most {MAX_SHOW_IF_DEPTH} are allowed (point at an item nearer the start of the chain)"
            ));
        }
        Ok(depth)
    }
}

fn check_commitment(q: &Questionnaire, item: &Item, c: &Commitment) -> Result<(), String> {
    translated(&c.label, &q.languages).map_err(|p| format!("commitment.label {p}"))?;
    if !(c.target.is_finite() && (0.0..=100.0).contains(&c.target)) {
        return Err(format!(
            "commitment.target is {}; it is a percentage of answers, from 0 to 100 (for example 95)",
            c.target
        ));
    }
    match &item.kind {
        ItemKind::YesNo
        | ItemKind::Rating
        | ItemKind::Call { .. }
        | ItemKind::Seconds { target: Some(_), .. } => Ok(()),
        ItemKind::Seconds { target: None, .. } => Err(
            "a commitment on a seconds item needs the item's \"target\" (the longest time that meets it)"
                .into(),
        ),
        kind => Err(format!(
            "a commitment is measured by a yes_no, rating, seconds or call item, but this is a {} item",
            kind.type_name()
        )),
    }
}

/// A yes_no item filled from a call: the call is an item of the
/// questionnaire and is a call.
fn check_from_call(q: &Questionnaire, item: &Item, call: &str) -> Result<(), String> {
    if item.kind != ItemKind::YesNo {
        return Err(format!(
            "from_call fills a yes_no item from a call (answered: yes, else no), but this is a {} item; remove \"from_call\"",
            item.kind.type_name()
        ));
    }
    match q.item(call).map(|c| &c.kind) {
        Some(ItemKind::Call { .. }) => Ok(()),
        Some(kind) => Err(format!(
            "from_call names \"{call}\", a {} item; it must name a call item",
            kind.type_name()
        )),
        None => Err(format!(
            "from_call names \"{call}\", which is not an item of this questionnaire; it must name a call item"
        )),
    }
}

fn check_options(q: &Questionnaire, options: &[ChoiceOption]) -> Result<(), String> {
    if options.len() < 2 {
        return Err(format!(
            "a choice item needs at least two options, this one has {}",
            options.len()
        ));
    }
    if options.len() > MAX_OPTIONS {
        return Err(format!(
            "options: has {} options; at most {MAX_OPTIONS} are allowed",
            options.len()
        ));
    }
    let mut ids = BTreeSet::new();
    for (n, option) in options.iter().enumerate() {
        valid_id(&option.id).map_err(|p| format!("option #{} id {p}", n + 1))?;
        if !ids.insert(&option.id) {
            return Err(format!(
                "option id \"{}\" is used twice; option ids must be unique",
                option.id
            ));
        }
        translated(&option.label, &q.languages)
            .map_err(|p| format!("option \"{}\" label {p}", option.id))?;
        if let Some(score) = option.score {
            if !(0.0..=100.0).contains(&score) {
                return Err(format!(
                    "option \"{}\" has score {score}; an option score is 0–100 (or absent when the option does not score)",
                    option.id
                ));
            }
        }
    }
    Ok(())
}

/// Ids appear in field names (`answers.<id>`), URLs and CSV headers.
fn valid_id(id: &str) -> Result<(), String> {
    if id.is_empty() {
        return Err("is empty".into());
    }
    let chars = id.chars().count();
    if chars > MAX_ID_CHARS {
        return Err(format!(
            "is {chars} characters long; at most {MAX_ID_CHARS} are allowed"
        ));
    }
    if !id
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "_-.".contains(c))
    {
        return Err(format!(
            "\"{id}\" may only contain letters a–z, digits and \"_\", \"-\" or \".\" (no spaces)"
        ));
    }
    Ok(())
}

/// Every offered language has a non-blank text.
fn translated(text: &Text, languages: &[Locale]) -> Result<(), String> {
    for &l in languages {
        match text.0.get(&l) {
            None => {
                return Err(format!(
                    "has no \"{}\" ({}) translation; every text needs all the questionnaire's languages ({})",
                    l.tag(),
                    l.native_name(),
                    tags(languages)
                ))
            }
            Some(s) if s.trim().is_empty() => {
                return Err(format!("has a blank \"{}\" ({}) translation", l.tag(), l.native_name()))
            }
            Some(_) => {}
        }
    }
    // Every translation, offered or not: each is sent to devices.
    for (l, s) in &text.0 {
        if let Err(e) = crate::text::check_plain(l.tag(), s) {
            return Err(format!(
                "has a \"{}\" ({}) translation that {}",
                l.tag(),
                l.native_name(),
                e.reason()
            ));
        }
        let chars = s.chars().count();
        if chars > MAX_TEXT_CHARS {
            return Err(format!(
                "has a \"{}\" ({}) translation of {chars} characters; at most {MAX_TEXT_CHARS} are allowed",
                l.tag(),
                l.native_name(),
            ));
        }
    }
    Ok(())
}

fn tags(languages: &[Locale]) -> String {
    languages
        .iter()
        .map(|l| l.tag())
        .collect::<Vec<_>>()
        .join(", ")
}

fn twice(languages: &[Locale]) -> Option<Locale> {
    let mut seen = BTreeSet::new();
    languages.iter().copied().find(|l| !seen.insert(*l))
}
