//! Widgets shared by several pages.

mod language_switch;
mod questionnaires;
mod status_bar;

pub use language_switch::LanguageSwitch;
pub use questionnaires::QuestionnaireList;
pub use status_bar::StatusBar;
