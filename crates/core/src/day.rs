//! Days written `YYYY-MM-DD`, as date inputs, addresses and the API write
//! them. Built from the split numbers with [`Date::from_calendar_date`]
//! rather than through `time`'s format descriptions: their parser is about
//! 14 KB (brotli) of the dashboard's bundle (docs/size.md), for this one
//! fixed shape.

use time::{Date, Month};

/// The day `text` names, exactly `YYYY-MM-DD` (what `time`'s
/// `[year]-[month]-[day]` reads, a leading `+` too, but no negative
/// year), or `None`.
pub fn parse(text: &str) -> Option<Date> {
    let b = text.strip_prefix('+').unwrap_or(text).as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let number = |from: usize, to: usize| -> Option<u16> {
        let part = &b[from..to];
        part.iter()
            .all(u8::is_ascii_digit)
            .then(|| part.iter().fold(0u16, |n, d| n * 10 + u16::from(d - b'0')))
    };
    let month = Month::try_from(u8::try_from(number(5, 7)?).ok()?).ok()?;
    let day = u8::try_from(number(8, 10)?).ok()?;
    Date::from_calendar_date(i32::from(number(0, 4)?), month, day).ok()
}

/// `YYYY-MM-DD` (years 0–9999; `time`'s display of a date).
pub fn format(day: Date) -> String {
    day.to_string()
}

/// Serde's `with` module for a [`Date`] written `YYYY-MM-DD`.
pub mod iso {
    use serde::{de, Deserialize, Deserializer, Serializer};
    use time::Date;

    /// Write `day` as `YYYY-MM-DD`.
    pub fn serialize<S: Serializer>(day: &Date, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(day)
    }

    /// Read a `YYYY-MM-DD` day ([`super::parse`]).
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Date, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        super::parse(&text).ok_or_else(|| {
            de::Error::invalid_value(de::Unexpected::Str(&text), &"a YYYY-MM-DD day")
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, format_description};

    #[test]
    fn reads_what_the_format_description_reads_and_nothing_else() {
        let fd = format_description!("[year]-[month]-[day]");
        let cases = [
            "2025-06-02",
            "2024-02-29",
            "2025-02-29",
            "2025-13-01",
            "2025-00-10",
            "2025-12-31",
            "2025-12-32",
            "0000-01-01",
            "9999-12-31",
            "2025-6-02",
            "2025-06-2",
            "20250602",
            "2025/06/02",
            "+2025-06-02",
            "2025-06-02 ",
            " 2025-06-02",
            "２０２５-06-02",
            "2025-06-0a",
            "",
            "2025-06-02T00",
            "+-2025-06-02",
            "++2025-06-02",
            "-025-06-02",
            "2025--6-02",
        ];
        for c in cases {
            assert_eq!(parse(c), Date::parse(c, &fd).ok(), "{c:?}");
        }
        assert_eq!(parse("2024-02-29"), Some(date!(2024 - 02 - 29)));
        // Years before 1 BC, which `time` reads, are no bank's days.
        assert_eq!(parse("-2025-06-02"), None);
    }

    #[test]
    fn writes_what_the_format_description_writes() {
        let fd = format_description!("[year]-[month]-[day]");
        for d in [
            date!(2025 - 06 - 02),
            date!(2000 - 01 - 01),
            date!(0999 - 12 - 31),
            date!(2100 - 12 - 31),
        ] {
            assert_eq!(format(d), d.format(&fd).unwrap());
        }
    }

    #[test]
    fn serde_round_trips_and_refuses_other_shapes() {
        #[derive(serde::Serialize, serde::Deserialize, PartialEq, Debug)]
        struct W(#[serde(with = "iso")] Date);
        let w = W(date!(2025 - 06 - 02));
        let json = serde_json::to_string(&w).unwrap();
        assert_eq!(json, "\"2025-06-02\"");
        assert_eq!(serde_json::from_str::<W>(&json).unwrap(), w);
        assert!(serde_json::from_str::<W>("\"2025-6-2\"").is_err());
    }
}
