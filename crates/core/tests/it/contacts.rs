//! A customer's phone number or e-mail address as the kiosk and the server
//! check it (`cases::check_contact`): what is kept, and the code of each
//! refusal.

use branchpulse_core::cases::{check_contact, ContactWay, MAX_EMAIL_CHARS, MAX_PHONE_CHARS};
use branchpulse_core::ProblemCode;

const PHONE: ContactWay = ContactWay::Phone;
const EMAIL: ContactWay = ContactWay::Email;

#[test]
fn phone_numbers_as_people_type_them_are_kept_trimmed() {
    for (typed, kept) in [
        ("+44 20 7946 0000", "+44 20 7946 0000"),
        ("  (010) 6552-9988 ", "(010) 6552-9988"),
        ("55.1234.5678", "55.1234.5678"),
        ("123456", "123456"),
        ("+123456789012345", "+123456789012345"),
    ] {
        assert_eq!(
            check_contact(PHONE, typed),
            Ok(kept.to_owned()),
            "{typed:?}"
        );
    }
}

#[test]
fn what_is_no_phone_number_is_bad_phone() {
    for typed in [
        "12345",            // 5 digits
        "1234567890123456", // 16 digits
        "+44 20 7946 000O", // a letter O
        "44+20 7946 0000",  // + not first
        "+44 20\u{0}7946 0000",
        "call me",
    ] {
        assert_eq!(
            check_contact(PHONE, typed),
            Err(ProblemCode::BadPhone),
            "{typed:?}"
        );
    }
    // Six digits padded out to the limit pass; one more character does not.
    let padded = format!("1 2 3 4 5 6{}", " ".repeat(MAX_PHONE_CHARS - 12));
    let padded = format!("{padded}7");
    assert_eq!(padded.chars().count(), MAX_PHONE_CHARS);
    assert!(check_contact(PHONE, &padded).is_ok());
    let over = format!("1-2-3-4-5-6{}7", "-".repeat(MAX_PHONE_CHARS - 11));
    assert_eq!(over.chars().count(), MAX_PHONE_CHARS + 1);
    assert_eq!(check_contact(PHONE, &over), Err(ProblemCode::BadPhone));
}

#[test]
fn e_mail_addresses() {
    assert_eq!(
        check_contact(EMAIL, " ana.lopez@example.mx "),
        Ok("ana.lopez@example.mx".into())
    );
    for typed in [
        "ana",
        "@example.mx",
        "ana@example",
        "ana@.example.mx",
        "ana@example.mx.",
        "ana@@example.mx",
        "ana lopez@example.mx",
    ] {
        assert_eq!(
            check_contact(EMAIL, typed),
            Err(ProblemCode::BadEmail),
            "{typed:?}"
        );
    }
    let long = format!("{}@example.mx", "a".repeat(MAX_EMAIL_CHARS));
    assert_eq!(check_contact(EMAIL, &long), Err(ProblemCode::TooLong));
}

#[test]
fn nothing_typed_is_empty() {
    for way in [PHONE, EMAIL] {
        assert_eq!(check_contact(way, "   "), Err(ProblemCode::Empty));
    }
}
