//! The API reference, generated from the code: the `#[utoipa::path]` of
//! every handler and the schemas of core's wire types, as OpenAPI 3.
//! `cargo xtask openapi` writes it to `docs/openapi.json`; a test fails
//! when that file and the code disagree, so the reference cannot go stale.

use branchpulse_core::access::{CSRF_HEADER, SESSION_COOKIE};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "BranchPulse API",
        description = "The sync server's JSON API under /api/v1, and /metrics. Every error is a JSON `ErrorBody` with its status. docs/api.md says who may call what and why."
    ),
    paths(
        super::health::health,
        super::questionnaires::list,
        super::questionnaires::latest,
        super::questionnaires::version,
        super::questionnaires::branches,
        super::session::create,
        super::session::show,
        super::session::end,
        super::session::enrol,
        super::responses::receive,
        super::device::status,
        super::contacts::receive,
        super::visits::list,
        super::visits::create,
        super::evidence::announce,
        super::evidence::put_content,
        super::evidence::status,
        super::evidence::list,
        super::evidence::content,
        super::visits::edit,
        super::visits::cancel,
        super::visits::start,
        super::reports::list,
        super::reports::detail,
        super::reports::review,
        super::quotas::list,
        super::quotas::set,
        super::dashboard::aggregates,
        super::dashboard::drivers,
        super::dashboard::items,
        super::dashboard::comments,
        super::dashboard::responses_csv,
        super::dashboard::aggregates_csv,
        super::cases::list,
        super::cases::create,
        super::cases::stats,
        super::cases::detail,
        super::cases::change,
        super::admin::users,
        super::admin::create_user,
        super::admin::change_user,
        super::admin::devices,
        super::admin::create_device,
        super::admin::new_code,
        super::admin::revoke,
        super::admin::set_pin,
        super::admin::audit,
        super::questionnaires::upload,
        super::questionnaires::all,
        super::questionnaires::activate,
        super::branches::create,
        super::branches::update,
        super::branches::formats,
        super::branches::create_format,
        super::branches::update_format,
        super::branches::remove_format,
        super::responses::purge_text,
        super::alerts::list_rules,
        super::alerts::create_rule,
        super::alerts::update_rule,
        super::alerts::delete_rule,
        super::alerts::list,
        super::alerts::unread,
        super::alerts::detail,
        super::alerts::read,
        super::alerts::read_all,
        super::webhooks::list,
        super::webhooks::create,
        super::webhooks::update,
        super::webhooks::delete,
        super::webhooks::rotate,
        super::webhooks::test,
        super::webhooks::deliveries,
        super::webhooks::alert_deliveries,
        crate::telemetry::render,
    ),
    modifiers(&Credentials),
    tags(
        (name = "public", description = "Open to anyone: a kiosk shows questionnaires to any customer"),
        (name = "doors", description = "Signing in and enrolling: how one gets an identity"),
        (name = "devices", description = "Enrolled devices, with their bearer token"),
        (name = "readers", description = "Signed-in people, within their branches"),
        (name = "admins", description = "Admins only"),
        (name = "operations", description = "For the operator's scraper, outside the API"),
    )
)]
struct ApiDoc;

/// The two ways a caller proves who it is; the derive has no syntax for them.
struct Credentials;

impl Modify for Credentials {
    fn modify(&self, api: &mut utoipa::openapi::OpenApi) {
        let components = api.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                SESSION_COOKIE,
                &format!(
                    "The session cookie set by POST /api/v1/session; every change also sends the session's csrf token in `{CSRF_HEADER}`"
                ),
            ))),
        );
        components.add_security_scheme(
            "device",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "The token a device received by enrolling (POST /api/v1/devices/enrol)",
                    ))
                    .build(),
            ),
        );
    }
}

/// The document as `docs/openapi.json` holds it: pretty JSON and a final newline.
pub fn document() -> String {
    let mut json = ApiDoc::openapi()
        .to_pretty_json()
        .expect("the document is plain data");
    json.push('\n');
    json
}
