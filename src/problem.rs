//! What a problem code from the server (or from core's checks) says, in
//! the user's language.
//!
//! One exhaustive `match` over [`ProblemCode`]: a code added to core
//! without its text here fails the build, and each text is a [`Key`], so
//! a missing language fails it too.

use crate::i18n::{text, Key};
use branchpulse_core::access::{
    MAX_LABEL_CHARS, MAX_PASSWORD_CHARS, MAX_USERNAME_CHARS, MIN_PASSWORD_CHARS,
};
use branchpulse_core::{Locale, ProblemCode};

/// What goes with a code's text.
enum With {
    Nothing,
    /// The limit, put in place of the text's `{n}`.
    Count(usize),
    /// The server's English sentence: the code says what kind of problem,
    /// the sentence which item, id or value (a questionnaire's item, the
    /// thing not found).
    Detail,
}

/// `code` said in `l`; `english` is the server's (or the check's) own
/// sentence, added where the code alone does not say enough.
pub fn say(code: ProblemCode, english: &str, l: Locale) -> String {
    use ProblemCode::*;
    let (key, with) = match code {
        BadRequest => (Key::PbBadRequest, With::Detail),
        MalformedJson => (Key::PbMalformed, With::Detail),
        UnexpectedJson => (Key::PbUnexpectedJson, With::Detail),
        BadQuery => (Key::PbBadQuery, With::Detail),
        UnsupportedMediaType => (Key::PbMediaType, With::Nothing),
        TooLarge => (Key::PbTooLarge, With::Detail),
        NotFound => (Key::PbNotFound, With::Detail),
        MethodNotAllowed => (Key::PbMethod, With::Nothing),
        SignInRequired => (Key::PbSignIn, With::Nothing),
        BadCredentials => (Key::PbBadCredentials, With::Nothing),
        SessionExpired => (Key::PbSessionExpired, With::Nothing),
        DeviceTokenRefused => (Key::PbDeviceToken, With::Nothing),
        EnrolmentCodeRefused => (Key::PbEnrolmentCode, With::Nothing),
        Csrf => (Key::PbCsrf, With::Nothing),
        RateLimited => (Key::PbRateLimited, With::Nothing),
        Forbidden => (Key::PbForbidden, With::Detail),
        AdminOnly => (Key::PbAdminOnly, With::Nothing),
        DevicesOnly => (Key::PbDevicesOnly, With::Nothing),
        NoScope => (Key::PbNoScope, With::Nothing),
        OutsideScope => (Key::PbOutsideScope, With::Nothing),
        Empty => (Key::AdmErrEmpty, With::Nothing),
        TooLong => (Key::AdmErrAtMost, With::Count(MAX_LABEL_CHARS)),
        ScenarioTooLong => (Key::PbScenarioTooLong, With::Nothing),
        ControlCharacters => (Key::AdmErrControl, With::Nothing),
        UsernameLength => (Key::AdmErrLength, With::Count(MAX_USERNAME_CHARS)),
        UsernameCharacters => (Key::AdmErrUsername, With::Nothing),
        PasswordTooShort => (Key::AdmErrAtLeast, With::Count(MIN_PASSWORD_CHARS)),
        PasswordTooLong => (Key::AdmErrAtMost, With::Count(MAX_PASSWORD_CHARS)),
        PasswordIsUsername => (Key::AdmErrNotName, With::Nothing),
        BranchCodeFormat => (Key::AdmErrCode, With::Nothing),
        BranchCodeChanged => (Key::PbCodeChanged, With::Nothing),
        AdminHasNoScope => (Key::PbAdminNoScope, With::Nothing),
        RegionalTakesRegion => (Key::PbRegionalRegion, With::Nothing),
        ManagerTakesBranch => (Key::PbManagerBranch, With::Nothing),
        KioskTakesBranch => (Key::PbKioskBranch, With::Nothing),
        PhoneTakesShopper => (Key::PbPhoneShopper, With::Nothing),
        UnknownBranch => (Key::PbUnknownBranch, With::Nothing),
        UnknownRegion => (Key::PbUnknownRegion, With::Nothing),
        BranchClosed => (Key::PbBranchClosed, With::Nothing),
        UnknownQuestionnaire => (Key::PbUnknownQuestionnaire, With::Nothing),
        NotMysteryShop => (Key::PbNotMysteryShop, With::Nothing),
        NothingToChange => (Key::PbNothingToChange, With::Nothing),
        BadDate => (Key::PbBadDate, With::Nothing),
        DateOutOfRange => (Key::PbDateOutOfRange, With::Nothing),
        EmptyDateRange => (Key::PbEmptyRange, With::Nothing),
        BadChannel => (Key::PbBadChannel, With::Nothing),
        BadLimit => (Key::PbBadLimit, With::Nothing),
        SearchTooLong => (Key::PbSearchTooLong, With::Nothing),
        QuestionnaireUnreadable => (Key::PbQuestionnaireUnreadable, With::Detail),
        QuestionnaireInvalid => (Key::PbQuestionnaireInvalid, With::Detail),
        ReservedId => (Key::PbReservedId, With::Nothing),
        EmptyBatch => (Key::PbEmptyBatch, With::Nothing),
        ResponseWithoutId => (Key::PbNoResponseId, With::Detail),
        Conflict => (Key::PbConflict, With::Detail),
        UsernameTaken => (Key::PbUsernameTaken, With::Nothing),
        BranchExists => (Key::PbBranchExists, With::Nothing),
        QuestionnaireVersionExists => (Key::PbVersionExists, With::Nothing),
        OwnAccount => (Key::PbOwnAccount, With::Nothing),
        LastAdmin => (Key::PbLastAdmin, With::Nothing),
        Unavailable => (Key::PbUnavailable, With::Nothing),
        Internal => (Key::PbInternal, With::Nothing),
    };
    let said = text(l, key);
    match with {
        With::Nothing => said.to_string(),
        With::Count(n) => said.replace("{n}", &n.to_string()),
        With::Detail if english.is_empty() => said.to_string(),
        With::Detail => format!("{said}: {english}"),
    }
}
