//! Widgets shared by several pages.

mod enrol;
mod face_scale;
mod follow_up;
mod frame;
mod free_inputs;
mod inbox;
mod item_input;
mod language_switch;
mod number_scale;
mod programme;
mod questionnaires;
mod status_bar;

pub use enrol::{enrol_again_href, take_code_from_address, EnrolForm};
pub use face_scale::FaceScale;
pub use follow_up::{
    alert_kind_key, case_status_key, case_steps, describe_finding, describe_rule, duration_words,
    finding_kind, local_time, poll_ms, sort_cases, CaseFilter,
};
pub use frame::Frame;
pub use free_inputs::{SecondsInput, TextInput};
pub use inbox::{provide_inbox, use_inbox, Inbox, InboxLink};
pub use item_input::{ItemInput, Look};
pub use language_switch::LanguageSwitch;
pub use number_scale::NumberScale;
pub use programme::{
    describe_window, parse_day, report_status_key, this_year, today, visit_status_key,
    visit_status_name, weekday, StatusBadge,
};
pub use questionnaires::QuestionnaireList;
pub use status_bar::StatusBar;
