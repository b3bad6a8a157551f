use crate::components::QuestionnaireList;
use crate::i18n::{t, Key};
use branchpulse_core::Kind;
use leptos::prelude::*;

#[component]
pub fn ShopPage() -> impl IntoView {
    view! {
        <h1>{t(Key::ShopTitle)}</h1>
        <p>{t(Key::ShopIntro)}</p>
        <QuestionnaireList kind=Kind::MysteryShop/>
    }
}
