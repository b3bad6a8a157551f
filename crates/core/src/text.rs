//! Plain text: what any string kept or shown by BranchPulse may contain.
//!
//! Control characters are refused wherever text comes in (responses,
//! questionnaires, query parameters): PostgreSQL cannot store U+0000 at
//! all, so one NUL in a comment failed a whole batch for ever, and the
//! others (escape, backspace, form feed…) corrupt CSV exports, terminals
//! and log lines while adding nothing a customer could have meant to type.
//!
//! Allowed are tab, line feed and carriage return: text areas and pasted
//! text carry them, `\r\n` is how Windows ends a line, and both databases
//! and the CSV export (which quotes such cells) keep them intact. Refusing
//! `\r` would set aside, for good, a comment pasted from a Windows program.

/// A string where plain text was expected held a control character.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {}", self.reason())]
pub struct NotPlain {
    /// The field or parameter, as the caller names it (`answers.q3`, `from`).
    pub field: String,
    /// The control character found.
    pub character: char,
    /// Where, counted in characters from 1.
    pub position: usize,
}

impl NotPlain {
    /// What is wrong, by name.
    pub fn code(&self) -> crate::problem::ProblemCode {
        crate::problem::ProblemCode::ControlCharacters
    }

    /// What is wrong, without the field's name.
    pub fn reason(&self) -> String {
        format!(
            "contains the control character U+{:04X} at character {}; only tab and line breaks are allowed",
            u32::from(self.character),
            self.position
        )
    }
}

/// Whether `c` may appear in plain text: anything but a control character
/// (Unicode category Cc: U+0000–U+001F and U+007F–U+009F), except tab,
/// line feed and carriage return.
pub fn is_allowed(c: char) -> bool {
    !c.is_control() || matches!(c, '\t' | '\n' | '\r')
}

/// Check that `s`, the value of `field`, is plain text; the error names the
/// field and the first character refused.
///
/// ```
/// use branchpulse_core::text::check_plain;
/// assert!(check_plain("comment", "Quick\tand\r\nfriendly").is_ok());
/// let e = check_plain("comment", "Quick\0").unwrap_err();
/// assert_eq!(e.to_string(), "comment: contains the control character U+0000 at character 6; only tab and line breaks are allowed");
/// ```
pub fn check_plain(field: &str, s: &str) -> Result<(), NotPlain> {
    match s.chars().enumerate().find(|(_, c)| !is_allowed(*c)) {
        None => Ok(()),
        Some((i, character)) => Err(NotPlain {
            field: field.to_owned(),
            character,
            position: i + 1,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_refused_but_tab_and_line_breaks() {
        for c in [
            '\0', '\u{1}', '\u{8}', '\u{b}', '\u{c}', '\u{1b}', '\u{7f}', '\u{85}', '\u{9f}',
        ] {
            let e = check_plain("f", &format!("ab{c}")).unwrap_err();
            assert_eq!((e.character, e.position), (c, 3), "{c:?}");
        }
        for ok in [
            "",
            "tab\there",
            "lines\nand\r\nmore",
            "ünïcödé 排队 👍",
            "\u{a0}\u{200b}",
        ] {
            assert_eq!(check_plain("f", ok), Ok(()), "{ok:?}");
        }
    }

    #[test]
    fn the_message_names_the_field_and_the_character() {
        let e = check_plain("answers.note", "排队\u{1b}[31m").unwrap_err();
        assert_eq!(
            e.to_string(),
            "answers.note: contains the control character U+001B at character 3; \
             only tab and line breaks are allowed"
        );
    }
}
