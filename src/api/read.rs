//! Reading JSON answers with the browser's own parser, field by field.
//!
//! For answers whose serde derive costs the bundle far more than the few
//! fields read: internally tagged enums (an alert's `Finding`, a rule's
//! `RuleKind`) and `#[serde(flatten)]` (a `Rule`) make serde buffer the
//! whole value first, about 13 KB of wasm each (as `sync_reply` in
//! `api.rs` found for the sync outcomes).

use super::ApiError;
use js_sys::{Array, Reflect};
use uuid::Uuid;
use wasm_bindgen::{JsCast, JsValue};

/// A JSON value being read.
pub struct Obj(JsValue);

fn bad(what: &str) -> ApiError {
    ApiError::Decode(what.to_string())
}

impl Obj {
    /// `text` parsed as JSON.
    pub fn parse(text: &str) -> Result<Obj, ApiError> {
        js_sys::JSON::parse(text)
            .map(Obj)
            .map_err(|_| bad("not JSON"))
    }

    fn get(&self, name: &str) -> JsValue {
        Reflect::get(&self.0, &JsValue::from_str(name)).unwrap_or(JsValue::UNDEFINED)
    }

    /// The items of this list (none when it is not one).
    pub fn items(&self) -> Vec<Obj> {
        self.0
            .dyn_ref::<Array>()
            .map(|a| a.iter().map(Obj).collect())
            .unwrap_or_default()
    }

    /// Field `name`, an object or list.
    pub fn at(&self, name: &str) -> Obj {
        Obj(self.get(name))
    }

    pub fn opt_str(&self, name: &str) -> Option<String> {
        self.get(name).as_string()
    }

    pub fn str(&self, name: &str) -> Result<String, ApiError> {
        self.opt_str(name)
            .ok_or_else(|| bad(&format!("no text \"{name}\"")))
    }

    pub fn opt_num(&self, name: &str) -> Option<f64> {
        self.get(name).as_f64()
    }

    /// A whole number (0 when missing: counts the server always sends).
    pub fn count(&self, name: &str) -> u32 {
        self.opt_num(name).map_or(0, |n| n as u32)
    }

    pub fn flag(&self, name: &str) -> bool {
        self.get(name).as_bool().unwrap_or(false)
    }

    pub fn opt_id(&self, name: &str) -> Option<Uuid> {
        self.opt_str(name).and_then(|s| s.parse().ok())
    }

    pub fn id(&self, name: &str) -> Result<Uuid, ApiError> {
        self.opt_id(name)
            .ok_or_else(|| bad(&format!("no id \"{name}\"")))
    }

    /// A list of texts (empty when missing).
    pub fn strs(&self, name: &str) -> Vec<String> {
        self.at(name)
            .items()
            .into_iter()
            .filter_map(|o| o.0.as_string())
            .collect()
    }
}

/// Each item of a JSON list read with `one`.
pub fn list<T>(text: &str, one: impl Fn(&Obj) -> Result<T, ApiError>) -> Result<Vec<T>, ApiError> {
    Obj::parse(text)?.items().iter().map(one).collect()
}
