use crate::components::QuestionnaireList;
use crate::i18n::{t, Key};
use branchpulse_core::Kind;
use leptos::prelude::*;

#[component]
pub fn KioskPage() -> impl IntoView {
    view! {
        <h1>{t(Key::KioskTitle)}</h1>
        <p>{t(Key::KioskIntro)}</p>
        <QuestionnaireList kind=Kind::Kiosk/>
    }
}
