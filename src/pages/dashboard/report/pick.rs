//! The few comments a printed report quotes: the month's latest, taken in
//! turn from each branch (so one busy branch does not fill a region's
//! report), one per text, with anything that looks like contact details
//! (an e-mail address, a phone or account number) hidden. A report is
//! handed round and filed: customers' words, not their details.

use crate::api::CommentText;

/// Up to `k` comments from `all` (newest first within each branch, as the
/// server answers), a branch at a time in order of first appearance.
pub fn pick(all: &[CommentText], k: usize) -> Vec<&CommentText> {
    let mut branches: Vec<(&str, Vec<&CommentText>)> = Vec::new();
    for c in all.iter().filter(|c| !c.text.trim().is_empty()) {
        match branches.iter_mut().find(|(b, _)| *b == c.branch) {
            Some((_, list)) => list.push(c),
            None => branches.push((&c.branch, vec![c])),
        }
    }
    let mut out: Vec<&CommentText> = Vec::new();
    let mut round = 0;
    while out.len() < k && branches.iter().any(|(_, l)| l.len() > round) {
        for (_, list) in &branches {
            let Some(c) = list.get(round) else { continue };
            let same = |o: &&CommentText| folded(&o.text) == folded(&c.text);
            if out.len() < k && !out.iter().any(same) {
                out.push(c);
            }
        }
        round += 1;
    }
    out
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

    fn c(branch: &str, text: &str) -> CommentText {
        CommentText {
            branch: branch.into(),
            questionnaire_id: "lobby".into(),
            submitted_at: "2026-11-20T10:00:00Z".into(),
            item: "comment".into(),
            text: text.into(),
            channel: None,
        }
    }

    fn texts(v: Vec<&CommentText>) -> Vec<&str> {
        v.into_iter().map(|c| c.text.as_str()).collect()
    }

    #[test]
    fn branches_take_turns_newest_first() {
        let all = [
            c("N01", "a1"),
            c("N01", "a2"),
            c("N01", "a3"),
            c("N02", "b1"),
            c("S01", "c1"),
            c("S01", "c2"),
        ];
        assert_eq!(texts(pick(&all, 4)), ["a1", "b1", "c1", "a2"]);
        assert_eq!(texts(pick(&all, 10)), ["a1", "b1", "c1", "a2", "c2", "a3"]);
        assert!(pick(&all, 0).is_empty());
        assert!(pick(&[], 3).is_empty());
    }

    #[test]
    fn the_same_words_are_quoted_once_and_blanks_never() {
        let all = [
            c("N01", "Too slow"),
            c("N02", " too  SLOW"),
            c("N02", "   "),
            c("N02", "Kind staff"),
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
