//! The machine-readable names of everything the server refuses.
//!
//! An error body carries one of these beside its English sentence
//! (`{"error": "…", "code": "username_taken", "field": "username"}`), so a
//! client translates and places a problem by its code instead of by
//! searching the sentence: the sentence may be reworded, the code may not.
//! The app translates every code in one exhaustive `match`, so a code
//! added here without its translation fails the app's build.
//!
//! The names are on the wire and stored in devices' outboxes: never rename
//! one (the test at the bottom holds them); add a new one instead.

use serde::{Deserialize, Serialize};

/// What went wrong, by name. The HTTP status says how bad; this says what.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
#[cfg_attr(test, derive(strum::EnumIter))]
pub enum ProblemCode {
    // The request itself
    /// A request that cannot be understood, with no more precise code.
    BadRequest,
    /// The body is not JSON (or not UTF-8 text).
    MalformedJson,
    /// Well-formed JSON of the wrong shape; `field` is where, when known.
    UnexpectedJson,
    /// A query parameter cannot be read.
    BadQuery,
    /// The body is not of the type the endpoint takes.
    UnsupportedMediaType,
    /// The body or the batch is larger than allowed.
    TooLarge,
    /// No such thing, API path or file.
    NotFound,
    /// The path exists, the method does not.
    MethodNotAllowed,

    // Who is calling
    /// No credentials where some are needed.
    SignInRequired,
    /// Wrong user name or password.
    BadCredentials,
    /// The session has expired or was ended.
    SessionExpired,
    /// A device token that is malformed, unknown, expired or revoked.
    DeviceTokenRefused,
    /// An enrolment code that is unknown, used or expired.
    EnrolmentCodeRefused,
    /// The CSRF token is missing or wrong, or the request came from another site.
    Csrf,
    /// Too many requests or failed sign-ins; `Retry-After` says when to retry.
    RateLimited,
    /// A known identity that may not do this, with no more precise code.
    Forbidden,
    /// Only an admin may do this.
    AdminOnly,
    /// Only enrolled devices submit responses.
    DevicesOnly,
    /// The account reads no branch at all.
    NoScope,
    /// A branch or region outside what the account reads.
    OutsideScope,

    // Checks of forms and values (core's `access`, `text`, `aggregate`)
    /// A required value is empty (or only spaces).
    Empty,
    /// A label is longer than `access::MAX_LABEL_CHARS`.
    TooLong,
    /// A visit's scenario is longer than the server allows.
    ScenarioTooLong,
    /// Text holds a control character.
    ControlCharacters,
    /// A phone number that is not 6–15 digits with `+`, spaces, `-`, `(`, `)`, `.`.
    BadPhone,
    /// An e-mail address that is not `name@domain.tld`.
    BadEmail,
    /// A number outside its range (an alert rule's thresholds).
    OutOfRange,
    /// A list longer than allowed (an alert rule's e-mail addresses or webhooks).
    TooMany,
    /// A webhook URL that is not an absolute http(s) address with a host,
    /// or holds a user name or password, or is too long.
    BadWebhookUrl,
    /// A user name is not 1 to `access::MAX_USERNAME_CHARS` characters.
    UsernameLength,
    /// A user name holds a character other than letters, digits and `. _ - @`.
    UsernameCharacters,
    /// A password is shorter than `access::MIN_PASSWORD_CHARS`.
    PasswordTooShort,
    /// A password is longer than `access::MAX_PASSWORD_CHARS`.
    PasswordTooLong,
    /// A password is the user name.
    PasswordIsUsername,
    /// A branch code is not 1 to 16 of `A-Z`, `0-9`, `-`, `_`.
    BranchCodeFormat,
    /// A branch's code differs from the one in the address.
    BranchCodeChanged,
    /// An admin was given a branch or a region.
    AdminHasNoScope,
    /// A regional manager was given a branch instead of a region.
    RegionalTakesRegion,
    /// A manager was given a region instead of a branch.
    ManagerTakesBranch,
    /// A kiosk was given a shopper instead of a branch.
    KioskTakesBranch,
    /// A shopper's phone was given a branch instead of a shopper.
    PhoneTakesShopper,
    /// A staff PIN that is not 4 to 8 digits.
    PinInvalid,
    /// A PIN was given for a device that is not a kiosk.
    PinOnlyForKiosks,
    /// No branch has this code.
    UnknownBranch,
    /// No branch is in this region.
    UnknownRegion,
    /// No format (peer group) has this code.
    UnknownFormat,
    /// A format code that is not 1 to 32 of a-z, 0-9 and _.
    FormatCodeFormat,
    /// A format with this code exists.
    FormatExists,
    /// A format that branches still have cannot be removed.
    FormatInUse,
    /// No webhook has this id.
    UnknownWebhook,
    /// The branch is closed (inactive).
    BranchClosed,
    /// No questionnaire has this id.
    UnknownQuestionnaire,
    /// The questionnaire is not a mystery-shop questionnaire.
    NotMysteryShop,
    /// A change that changes nothing.
    NothingToChange,
    /// A date that is not `YYYY-MM-DD`.
    BadDate,
    /// A date outside the range the dashboard covers.
    DateOutOfRange,
    /// `from` is after `to`.
    EmptyDateRange,
    /// A channel other than `kiosk` and `mystery_shop`.
    BadChannel,
    /// An `against` other than `network` and `peers`.
    BadAgainst,
    /// A `limit` outside its range.
    BadLimit,
    /// A comment search longer than `aggregate::MAX_SEARCH_CHARS`.
    SearchTooLong,

    // Questionnaires and batches
    /// A questionnaire file that is not JSON of a questionnaire's shape.
    QuestionnaireUnreadable,
    /// A questionnaire whose content breaks a rule (ids, translations,
    /// options, show_if, limits…); the English message says which.
    QuestionnaireInvalid,
    /// The questionnaire id is reserved.
    ReservedId,
    /// A batch without responses.
    EmptyBatch,
    /// A response of a batch without a readable id.
    ResponseWithoutId,

    // The state of things
    /// A change that conflicts with what exists, with no more precise code.
    Conflict,
    /// The user name is taken.
    UsernameTaken,
    /// A branch with this code exists.
    BranchExists,
    /// This questionnaire id and version exist.
    QuestionnaireVersionExists,
    /// An admin may not deactivate or demote their own account.
    OwnAccount,
    /// The last active admin may not be deactivated or demoted.
    LastAdmin,
    /// The alert is already followed up by a case (one case per alert).
    CaseExists,
    /// A case may not go to that status from the one it is in.
    CaseStep,
    /// The user named cannot own the case: not an active branch manager,
    /// regional manager or admin whose scope includes its branch.
    OwnerNotEligible,
    /// A case's due date before its alert's day, or too far ahead.
    DueOutOfRange,

    // The server
    /// A dependency (the database, the built app) is not available: retry later.
    Unavailable,
    /// A bug or an unexpected failure; the details are in the server's log.
    Internal,
}

impl ProblemCode {
    /// The code as it is on the wire: `username_taken`.
    pub fn name(self) -> String {
        match serde_json::to_value(self) {
            Ok(serde_json::Value::String(name)) => name,
            // A unit variant always serializes to its name.
            _ => unreachable!("a problem code is a plain string"),
        }
    }
}

/// Reads a `code` of an error body: a code this build does not know (sent
/// by a newer server) is `None`, not a failure to read the whole body.
pub(crate) fn lenient<'de, D>(deserializer: D) -> Result<Option<ProblemCode>, D::Error>
where
    D: serde::Deserializer<'de>,
{
    use serde::de::IntoDeserializer;
    // Read as text, then as a code: a generic `Value` would pull JSON's
    // whole value tree into every bundle that reads an error.
    let Some(name) = Option::<String>::deserialize(deserializer)? else {
        return Ok(None);
    };
    let name: serde::de::value::StrDeserializer<'_, serde::de::value::Error> =
        name.as_str().into_deserializer();
    Ok(ProblemCode::deserialize(name).ok())
}

#[cfg(test)]
mod tests {
    use super::*;
    use strum::IntoEnumIterator;

    /// Every code's name on the wire. A renamed code breaks devices and
    /// clients in the field; a new code must be named here too.
    fn expected(code: ProblemCode) -> &'static str {
        use ProblemCode::*;
        match code {
            BadRequest => "bad_request",
            MalformedJson => "malformed_json",
            UnexpectedJson => "unexpected_json",
            BadQuery => "bad_query",
            UnsupportedMediaType => "unsupported_media_type",
            TooLarge => "too_large",
            NotFound => "not_found",
            MethodNotAllowed => "method_not_allowed",
            SignInRequired => "sign_in_required",
            BadCredentials => "bad_credentials",
            SessionExpired => "session_expired",
            DeviceTokenRefused => "device_token_refused",
            EnrolmentCodeRefused => "enrolment_code_refused",
            Csrf => "csrf",
            RateLimited => "rate_limited",
            Forbidden => "forbidden",
            AdminOnly => "admin_only",
            DevicesOnly => "devices_only",
            NoScope => "no_scope",
            OutsideScope => "outside_scope",
            Empty => "empty",
            TooLong => "too_long",
            ScenarioTooLong => "scenario_too_long",
            ControlCharacters => "control_characters",
            BadPhone => "bad_phone",
            BadEmail => "bad_email",
            OutOfRange => "out_of_range",
            TooMany => "too_many",
            BadWebhookUrl => "bad_webhook_url",
            UsernameLength => "username_length",
            UsernameCharacters => "username_characters",
            PasswordTooShort => "password_too_short",
            PasswordTooLong => "password_too_long",
            PasswordIsUsername => "password_is_username",
            BranchCodeFormat => "branch_code_format",
            BranchCodeChanged => "branch_code_changed",
            AdminHasNoScope => "admin_has_no_scope",
            RegionalTakesRegion => "regional_takes_region",
            ManagerTakesBranch => "manager_takes_branch",
            KioskTakesBranch => "kiosk_takes_branch",
            PhoneTakesShopper => "phone_takes_shopper",
            PinInvalid => "pin_invalid",
            PinOnlyForKiosks => "pin_only_for_kiosks",
            UnknownBranch => "unknown_branch",
            UnknownRegion => "unknown_region",
            UnknownFormat => "unknown_format",
            FormatCodeFormat => "format_code_format",
            FormatExists => "format_exists",
            FormatInUse => "format_in_use",
            UnknownWebhook => "unknown_webhook",
            BranchClosed => "branch_closed",
            UnknownQuestionnaire => "unknown_questionnaire",
            NotMysteryShop => "not_mystery_shop",
            NothingToChange => "nothing_to_change",
            BadDate => "bad_date",
            DateOutOfRange => "date_out_of_range",
            EmptyDateRange => "empty_date_range",
            BadChannel => "bad_channel",
            BadAgainst => "bad_against",
            BadLimit => "bad_limit",
            SearchTooLong => "search_too_long",
            QuestionnaireUnreadable => "questionnaire_unreadable",
            QuestionnaireInvalid => "questionnaire_invalid",
            ReservedId => "reserved_id",
            EmptyBatch => "empty_batch",
            ResponseWithoutId => "response_without_id",
            Conflict => "conflict",
            UsernameTaken => "username_taken",
            BranchExists => "branch_exists",
            QuestionnaireVersionExists => "questionnaire_version_exists",
            OwnAccount => "own_account",
            LastAdmin => "last_admin",
            CaseExists => "case_exists",
            CaseStep => "case_step",
            OwnerNotEligible => "owner_not_eligible",
            DueOutOfRange => "due_out_of_range",
            Unavailable => "unavailable",
            Internal => "internal",
        }
    }

    #[test]
    fn codes_have_stable_snake_case_names() {
        let mut seen = std::collections::HashSet::new();
        for code in ProblemCode::iter() {
            let name = expected(code);
            assert_eq!(code.name(), name);
            assert_eq!(serde_json::to_string(&code).unwrap(), format!("\"{name}\""));
            assert_eq!(
                serde_json::from_str::<ProblemCode>(&format!("\"{name}\"")).unwrap(),
                code
            );
            assert!(
                name.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'),
                "{name} is not snake_case"
            );
            assert!(seen.insert(name), "{name} names two codes");
        }
    }
}
