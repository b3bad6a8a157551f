//! The API reference, `docs/openapi.json`: it is what the code generates,
//! and it names every route the router serves, no more and no less.

use serde_json::Value;
use std::collections::BTreeSet;
use std::path::Path;
use syn::visit::{self, Visit};

const REGENERATE: &str = "cargo xtask openapi";

fn generated() -> String {
    branchpulse_server::routes::openapi::document()
}

#[test]
fn the_checked_in_reference_is_what_the_code_generates() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/openapi.json");
    let checked_in = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e}; write it with `{REGENERATE}`", path.display()));
    let generated = generated();
    if checked_in != generated {
        let line = checked_in
            .lines()
            .zip(generated.lines())
            .position(|(a, b)| a != b)
            .map_or_else(
                || "one is a prefix of the other".to_owned(),
                |i| format!("first difference at line {}", i + 1),
            );
        panic!("docs/openapi.json is not what the code generates ({line}): regenerate it with `{REGENERATE}` and commit it");
    }
}

/// The methods axum's method routers are made of.
const METHODS: [&str; 5] = ["get", "post", "put", "patch", "delete"];

/// `get(handler).post(…)`: the methods of one `.route(path, …)`.
#[derive(Default)]
struct Methods(Vec<String>);

impl<'a> Visit<'a> for Methods {
    fn visit_expr_call(&mut self, call: &'a syn::ExprCall) {
        if let syn::Expr::Path(f) = &*call.func {
            if let Some(name) = f.path.get_ident().map(|i| i.to_string()) {
                if METHODS.contains(&name.as_str()) {
                    self.0.push(name);
                }
            }
        }
        visit::visit_expr_call(self, call);
    }

    fn visit_expr_method_call(&mut self, call: &'a syn::ExprMethodCall) {
        let name = call.method.to_string();
        if METHODS.contains(&name.as_str()) {
            self.0.push(name);
        }
        visit::visit_expr_method_call(self, call);
    }
}

/// The `.route(…)` and `.nest(…)` calls of one router's definition.
#[derive(Default)]
struct Routes {
    routes: Vec<(String, String)>,
    nests: Vec<String>,
}

fn literal(expr: &syn::Expr) -> Option<String> {
    match expr {
        syn::Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Str(s),
            ..
        }) => Some(s.value()),
        _ => None,
    }
}

impl<'a> Visit<'a> for Routes {
    fn visit_expr_method_call(&mut self, call: &'a syn::ExprMethodCall) {
        let first = call.args.first().and_then(literal);
        match (call.method.to_string().as_str(), first) {
            ("route", Some(path)) => {
                let mut methods = Methods::default();
                methods.visit_expr(&call.args[1]);
                for method in methods.0 {
                    self.routes.push((method, path.clone()));
                }
            }
            ("nest", Some(prefix)) => self.nests.push(prefix),
            _ => {}
        }
        visit::visit_expr_method_call(self, call);
    }
}

/// (method, path) of every route `routes::app` builds, read from its
/// source: the routers defined there are nested under the site's one
/// `.nest(prefix, …)`, and the site's own routes are at the root. Catch-all
/// `any(…)` routes (404s for unknown /api/ addresses) are not endpoints.
fn routed() -> BTreeSet<(String, String)> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/routes/mod.rs");
    let file = syn::parse_file(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let app = file
        .items
        .iter()
        .find_map(|item| match item {
            syn::Item::Fn(f) if f.sig.ident == "app" => Some(f),
            _ => None,
        })
        .expect("routes/mod.rs defines fn app");
    let routers: Vec<Routes> = app
        .block
        .stmts
        .iter()
        .filter_map(|stmt| match stmt {
            syn::Stmt::Local(syn::Local {
                init: Some(init), ..
            }) => {
                let mut routes = Routes::default();
                routes.visit_expr(&init.expr);
                Some(routes)
            }
            _ => None,
        })
        .collect();
    let nests: Vec<&String> = routers.iter().flat_map(|r| &r.nests).collect();
    assert_eq!(
        nests.len(),
        1,
        "one router is nested into the site: {nests:?}"
    );
    let prefix = nests[0];
    routers
        .iter()
        .flat_map(|r| {
            let prefix = if r.nests.is_empty() {
                prefix.as_str()
            } else {
                ""
            };
            r.routes
                .iter()
                .map(move |(method, path)| (method.clone(), format!("{prefix}{path}")))
        })
        .collect()
}

fn documented() -> BTreeSet<(String, String)> {
    let doc: Value = serde_json::from_str(&generated()).unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    doc["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(path, item)| {
            item.as_object()
                .unwrap()
                .keys()
                .filter(|k| METHODS.contains(&k.as_str()))
                .map(move |method| (method.clone(), path.clone()))
        })
        .collect()
}

#[test]
fn the_reference_names_every_route_the_router_serves_and_no_other() {
    let routed = routed();
    // Reading the source must have found the API, not nothing.
    assert!(
        routed.contains(&("post".into(), "/api/v1/responses".into())),
        "{routed:?}"
    );
    assert!(
        routed.contains(&("get".into(), "/metrics".into())),
        "{routed:?}"
    );
    let documented = documented();
    let missing: Vec<_> = routed.difference(&documented).collect();
    let extra: Vec<_> = documented.difference(&routed).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "routes without #[utoipa::path] in routes/openapi.rs: {missing:?}; documented but not routed: {extra:?}"
    );
}
