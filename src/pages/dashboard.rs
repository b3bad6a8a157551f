use crate::components::QuestionnaireList;
use crate::i18n::{t, Key};

use leptos::prelude::*;

#[component]
pub fn DashboardPage() -> impl IntoView {
    view! {
        <h1>{t(Key::DashboardTitle)}</h1>
        <p>{t(Key::DashboardIntro)}</p>
        <QuestionnaireList/>
    }
}
