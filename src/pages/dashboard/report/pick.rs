//! The few comments a printed report quotes, chosen to cover the range of
//! what customers said: from the server's latest comments at each overall
//! satisfaction answer (`by=score`), the lowest-scored, the highest-scored
//! and the middle one first, then the others in turn, one per text; with
//! anything that looks like contact details (an e-mail address, a phone
//! or account number) hidden. A report is handed round and filed:
//! customers' words, not their details.

use crate::api::CommentText;
use branchpulse_core::collect;

/// Up to `k` comments from `all` (by satisfaction answer, newest first
/// within one, as the server answers `by=score`), in order of their answer:
/// each round takes one more comment of every answer given, the lowest,
/// the highest and the middle answer first, then the others from the
/// lowest up. Comments without an answer only when too few have one.
pub fn pick(all: &[CommentText], k: usize) -> Vec<&CommentText> {
    let mut levels: Vec<(Option<u8>, Vec<&CommentText>)> = Vec::new();
    let mut seen: Vec<String> = Vec::new();
    for c in all.iter().filter(|c| !c.text.trim().is_empty()) {
        let words = folded(&c.text);
        if seen.contains(&words) {
            continue;
        }
        seen.push(words);
        match levels.iter_mut().find(|(s, _)| *s == c.satisfaction) {
            Some((_, list)) => list.push(c),
            None => levels.push((c.satisfaction, vec![c])),
        }
    }
    // Lowest answer first, none last.
    collect::sort_by_key(&mut levels, |(s, _)| (s.is_none(), *s));
    let scored = levels.iter().filter(|(s, _)| s.is_some()).count();
    let mut turn: Vec<usize> = Vec::new();
    if scored > 0 {
        for i in [0, scored - 1, (scored - 1) / 2]
            .into_iter()
            .chain(1..scored)
        {
            if !turn.contains(&i) {
                turn.push(i);
            }
        }
    }
    let mut out: Vec<(usize, &CommentText)> = Vec::new();
    let mut round = 0;
    while out.len() < k && turn.iter().any(|i| levels[*i].1.len() > round) {
        for i in &turn {
            if let Some(c) = levels[*i].1.get(round).filter(|_| out.len() < k) {
                out.push((*i, c));
            }
        }
        round += 1;
    }
    let unscored = levels
        .get(scored)
        .map(|(_, l)| l.as_slice())
        .unwrap_or_default();
    out.extend(
        unscored
            .iter()
            .map(|c| (scored, *c))
            .take(k.saturating_sub(out.len())),
    );
    // In order of the answer; stable, so newest first within one.
    collect::sort_by_key(&mut out, |(i, _)| *i);
    out.into_iter().map(|(_, c)| c).collect()
}

fn folded(s: &str) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// Digits in a run of number-like characters that make it look like a
/// phone or account number rather than an amount or a time.
const DIGITS_HIDDEN: usize = 7;

/// `text` with e-mail addresses and long numbers replaced by `hidden`.
pub fn mask(text: &str, hidden: &str) -> String {
    let words: Vec<String> = text
        .split(' ')
        .map(|w| {
            if looks_like_email(w) {
                hidden.to_string()
            } else {
                w.to_string()
            }
        })
        .collect();
    mask_numbers(&words.join(" "), hidden)
}

fn looks_like_email(word: &str) -> bool {
    word.split_once('@')
        .is_some_and(|(user, host)| !user.is_empty() && host.contains('.'))
}

fn mask_numbers(text: &str, hidden: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let numberish =
        |c: char| c.is_ascii_digit() || matches!(c, ' ' | '-' | '+' | '(' | ')' | '.' | '/');
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        if !chars[i].is_ascii_digit() && chars[i] != '+' && chars[i] != '(' {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        let mut j = i;
        while j < chars.len() && numberish(chars[j]) {
            j += 1;
        }
        // The run ends at its last digit: trailing spaces and dots are prose.
        let mut end = j;
        while end > i && !chars[end - 1].is_ascii_digit() {
            end -= 1;
        }
        let digits = chars[i..end].iter().filter(|c| c.is_ascii_digit()).count();
        if digits >= DIGITS_HIDDEN {
            out.push_str(hidden);
            i = end;
        } else {
            out.push(chars[i]);
            i += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(branch: &str, text: &str, satisfaction: Option<u8>) -> CommentText {
        CommentText {
            branch: branch.into(),
            questionnaire_id: "lobby".into(),
            submitted_at: "2026-11-20T10:00:00Z".into(),
            item: "comment".into(),
            text: text.into(),
            channel: None,
            satisfaction,
        }
    }

    fn texts(v: Vec<&CommentText>) -> Vec<&str> {
        v.into_iter().map(|c| c.text.as_str()).collect()
    }

    /// As the server answers `by=score`: by answer, newest first within one.
    fn answers() -> Vec<CommentText> {
        [
            ("N01", "one", 1),
            ("N01", "two", 2),
            ("N02", "three", 3),
            ("N01", "four a", 4),
            ("N02", "four b", 4),
            ("N01", "four c", 4),
            ("N01", "five a", 5),
            ("N02", "five b", 5),
        ]
        .into_iter()
        .map(|(b, t, s)| c(b, t, Some(s)))
        .collect()
    }

    #[test]
    fn the_lowest_the_highest_and_the_middle_first() {
        let all = answers();
        assert_eq!(texts(pick(&all, 1)), ["one"]);
        assert_eq!(texts(pick(&all, 2)), ["one", "five a"]);
        assert_eq!(texts(pick(&all, 3)), ["one", "three", "five a"]);
        // Every answer once before any twice, in order of the answer.
        assert_eq!(
            texts(pick(&all, 5)),
            ["one", "two", "three", "four a", "five a"]
        );
        assert_eq!(
            texts(pick(&all, 7)),
            ["one", "two", "three", "four a", "four b", "five a", "five b"]
        );
        assert_eq!(pick(&all, 20).len(), 8);
        assert!(pick(&all, 0).is_empty());
        assert!(pick(&[], 3).is_empty());
    }

    #[test]
    fn with_two_answers_given_they_take_turns() {
        let all = [
            c("N01", "4a", Some(4)),
            c("N01", "4b", Some(4)),
            c("N01", "4c", Some(4)),
            c("N01", "5a", Some(5)),
        ];
        assert_eq!(texts(pick(&all, 3)), ["4a", "4b", "5a"]);
    }

    #[test]
    fn comments_without_an_answer_only_fill_up() {
        let mut all = answers();
        all.push(c("N01", "old", None));
        assert!(!texts(pick(&all, 8)).contains(&"old"));
        assert_eq!(texts(pick(&all, 9)).last(), Some(&"old"));
        assert_eq!(texts(pick(&[c("N01", "old", None)], 3)), ["old"]);
    }

    #[test]
    fn the_same_words_are_quoted_once_and_blanks_never() {
        let all = [
            c("N01", "Too slow", Some(2)),
            c("N02", " too  SLOW", Some(1)),
            c("N02", "   ", Some(3)),
            c("N02", "Kind staff", Some(5)),
        ];
        assert_eq!(texts(pick(&all, 5)), ["Too slow", "Kind staff"]);
    }

    #[test]
    fn contact_details_are_hidden_but_amounts_and_times_are_not() {
        let m = |s: &str| mask(s, "[…]");
        assert_eq!(m("Call me on +86 138 0013 8000."), "Call me on […].");
        assert_eq!(m("mail ana.perez@example.com please"), "mail […] please");
        assert_eq!(
            m("account 6222-0202-1234-5678 was charged"),
            "account […] was charged"
        );
        assert_eq!(m("(010) 6552-1234"), "[…]");
        // Short numbers are prose: a fee, a time, a count.
        assert_eq!(
            m("Waited 25 min at 10:30 for a 15.50 fee, 3 counters"),
            "Waited 25 min at 10:30 for a 15.50 fee, 3 counters"
        );
        assert_eq!(
            m("排队 40 分钟，电话 13800138000"),
            "排队 40 分钟，电话 […]"
        );
        assert_eq!(m("a@b is no address"), "a@b is no address");
    }
}
