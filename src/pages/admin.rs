use crate::components::QuestionnaireList;
use crate::i18n::{t, Key};

use leptos::prelude::*;

#[component]
pub fn AdminPage() -> impl IntoView {
    view! {
        <h1>{t(Key::AdminTitle)}</h1>
        <p>{t(Key::AdminIntro)}</p>
        <QuestionnaireList/>
    }
}
