//! Alerts, follow-up cases, alert rules and webhooks (issue 20): the
//! inbox and cases of the managers in scope, the admin's rules and
//! webhooks with their delivery log.
//!
//! Answers are read field by field ([`super::read`]): the core types of
//! alerts, cases and rules hold an internally tagged `Finding` or
//! `RuleKind` and a flattened rule, whose serde derives cost the
//! dashboard's and the admin's bundles about 40 KB of wasm (measured with
//! twiggy); the webhooks' few fields are read the same way.

use super::read::{list, Obj};
use super::request::Call;
use super::ApiError;
use branchpulse_core::access::{Role, Scope};
use branchpulse_core::alerts::{
    Alert, AlertKind, Finding, NewRule, Recipients, Rule, RuleKind, Unread,
};
use branchpulse_core::cases::{
    Case, CaseChange, CaseCounts, CaseEvent, CaseStatus, Contact, ContactWay, NewCase,
};
use branchpulse_core::webhooks::NewWebhook;
use branchpulse_core::Locale;
use uuid::Uuid;

fn bad(what: &str) -> ApiError {
    ApiError::Decode(what.to_string())
}

fn finding(o: &Obj) -> Result<Finding, ApiError> {
    let kind = AlertKind::parse(&o.str("kind")?).ok_or_else(|| bad("an unknown finding"))?;
    let text = |name: &str| o.opt_str(name).unwrap_or_default();
    Ok(match kind {
        AlertKind::UnhappyBurst => Finding::UnhappyBurst {
            n: o.count("n"),
            low: o.count("low"),
            window_minutes: o.count("window_minutes"),
            until: text("until"),
        },
        AlertKind::CriticalFailure => Finding::CriticalFailure {
            items: o.strs("items"),
        },
        AlertKind::MissedCommitment => Finding::MissedCommitment {
            items: o.strs("items"),
        },
        AlertKind::LowScoreComment => Finding::LowScoreComment {
            score: o.count("score") as u8,
            comment: text("comment"),
        },
        AlertKind::SilentKiosk => Finding::SilentKiosk {
            device: text("device"),
            since: text("since"),
        },
        AlertKind::ContactRequest => Finding::ContactRequest,
    })
}

/// An alert (the contract's `Alert`).
pub fn alert_of(o: &Obj) -> Result<Alert, ApiError> {
    Ok(Alert {
        id: o.id("id")?,
        rule: o.id("rule")?,
        rule_name: o.opt_str("rule_name").unwrap_or_default(),
        branch: o.str("branch")?,
        raised_at: o.str("raised_at")?,
        finding: finding(&o.at("finding"))?,
        response: o.opt_id("response"),
        read: o.flag("read"),
        case: o.opt_id("case"),
    })
}

fn contact(o: &Obj) -> Option<Contact> {
    let way = match o.opt_str("way")?.as_str() {
        "phone" => ContactWay::Phone,
        "email" => ContactWay::Email,
        _ => return None,
    };
    Some(Contact {
        way,
        value: o.opt_str("value")?,
        locale: o
            .opt_str("locale")
            .and_then(|l| Locale::from_tag(&l))
            .unwrap_or(Locale::En),
    })
}

/// A case (the contract's `Case`).
pub fn case_of(o: &Obj) -> Result<Case, ApiError> {
    let status = CaseStatus::parse(&o.str("status")?).ok_or_else(|| bad("an unknown status"))?;
    let history = o
        .at("history")
        .items()
        .iter()
        .map(|e| CaseEvent {
            at: e.opt_str("at").unwrap_or_default(),
            by: e.opt_str("by").unwrap_or_default(),
            what: e.opt_str("what").unwrap_or_default(),
            text: e.opt_str("text").unwrap_or_default(),
        })
        .collect();
    Ok(Case {
        id: o.id("id")?,
        alert: alert_of(&o.at("alert"))?,
        branch: o.str("branch")?,
        owner: o.id("owner")?,
        owner_name: o.opt_str("owner_name").unwrap_or_default(),
        due: o.str("due")?,
        status,
        overdue: o.flag("overdue"),
        created_at: o.str("created_at")?,
        resolved_at: o.opt_str("resolved_at"),
        informed_at: o.opt_str("informed_at"),
        has_contact: o.flag("has_contact"),
        contact: contact(&o.at("contact")),
        history,
    })
}

fn counts_of(o: &Obj) -> Result<CaseCounts, ApiError> {
    Ok(CaseCounts {
        branch: o.str("branch")?,
        open: o.count("open"),
        in_progress: o.count("in_progress"),
        overdue: o.count("overdue"),
        resolved: o.count("resolved"),
        informed: o.count("informed"),
        median_hours_to_resolve: o.opt_num("median_hours_to_resolve"),
    })
}

fn role(name: &str) -> Option<Role> {
    Some(match name {
        "admin" => Role::Admin,
        "regional" => Role::Regional,
        "manager" => Role::Manager,
        "reviewer" => Role::Reviewer,
        _ => return None,
    })
}

fn rule_kind(o: &Obj) -> Result<RuleKind, ApiError> {
    let kind = AlertKind::parse(&o.str("kind")?).ok_or_else(|| bad("an unknown rule"))?;
    let small = |name: &str| o.count(name) as u8;
    Ok(match kind {
        AlertKind::UnhappyBurst => RuleKind::UnhappyBurst {
            window_minutes: o.count("window_minutes"),
            min_count: o.count("min_count"),
            share_percent: small("share_percent"),
            low_max: small("low_max"),
        },
        AlertKind::CriticalFailure => RuleKind::CriticalFailure,
        AlertKind::MissedCommitment => RuleKind::MissedCommitment,
        AlertKind::LowScoreComment => RuleKind::LowScoreComment {
            low_max: small("low_max"),
        },
        AlertKind::SilentKiosk => RuleKind::SilentKiosk {
            hours: o.count("hours"),
        },
        AlertKind::ContactRequest => RuleKind::ContactRequest,
    })
}

fn scope(o: &Obj) -> Result<Scope, ApiError> {
    let value = || o.str("value");
    Ok(match o.str("kind")?.as_str() {
        "all" => Scope::All,
        "region" => Scope::Region(value()?),
        "branch" => Scope::Branch(value()?),
        _ => return Err(bad("an unknown scope")),
    })
}

/// A rule (the contract's `Rule`, its definition flattened into it).
fn rule_of(o: &Obj) -> Result<Rule, ApiError> {
    let r = o.at("recipients");
    Ok(Rule {
        id: o.id("id")?,
        def: NewRule {
            name: o.str("name")?,
            rule: rule_kind(&o.at("rule"))?,
            scope: scope(&o.at("scope"))?,
            recipients: Recipients {
                roles: r.strs("roles").iter().filter_map(|n| role(n)).collect(),
                webhooks: r
                    .strs("webhooks")
                    .iter()
                    .filter_map(|w| w.parse().ok())
                    .collect(),
                emails: r.strs("emails"),
            },
            active: o.flag("active"),
        },
        updated_at: o.opt_str("updated_at").unwrap_or_default(),
    })
}

fn enc(value: &str) -> String {
    js_sys::encode_uri_component(value).into()
}

/// How many alerts the inbox asks for at a time.
pub const PAGE: u32 = 50;

/// The alerts in the reader's inbox at the frame's badge.
pub async fn unread() -> Result<Unread, ApiError> {
    Call::get("/alerts/unread").read().await
}

/// Which alerts the inbox lists: `""` / `false` for any.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AlertFilter {
    pub branch: String,
    /// A kind as the API writes it (`unhappy_burst`).
    pub kind: String,
    pub unread: bool,
    /// Listed after this alert, the last of the page before.
    pub before: Option<Uuid>,
}

impl AlertFilter {
    /// The query string (without `?`).
    pub fn query(&self) -> String {
        let mut q = vec![format!("limit={PAGE}")];
        if !self.branch.is_empty() {
            q.push(format!("branch={}", enc(&self.branch)));
        }
        if !self.kind.is_empty() {
            q.push(format!("kind={}", enc(&self.kind)));
        }
        if self.unread {
            q.push("unread=true".into());
        }
        if let Some(b) = self.before {
            q.push(format!("before={b}"));
        }
        q.join("&")
    }
}

/// The inbox, newest first.
pub async fn alerts(filter: AlertFilter) -> Result<Vec<Alert>, ApiError> {
    let text = Call::get(&format!("/alerts?{}", filter.query()))
        .text()
        .await?;
    list(&text, alert_of)
}

pub async fn alert(id: Uuid) -> Result<Alert, ApiError> {
    alert_of(&Obj::parse(
        &Call::get(&format!("/alerts/{id}")).text().await?,
    )?)
}

/// Mark alert `id` read for the signed-in reader.
pub async fn mark_read(id: Uuid) -> Result<(), ApiError> {
    Call::post(&format!("/alerts/{id}/read"))
        .session()
        .send()
        .await
}

/// Mark every alert of the reader's inbox read.
pub async fn mark_all_read() -> Result<(), ApiError> {
    Call::post("/alerts/read").session().send().await
}

/// The cases the reader may see that `filter` keeps.
pub async fn cases(filter: crate::components::CaseFilter) -> Result<Vec<Case>, ApiError> {
    list(
        &Call::get(&format!("/cases?{}", filter.query()))
            .text()
            .await?,
        case_of,
    )
}

/// A case with its history, and how long its contact details are kept.
#[derive(Debug, Clone, PartialEq)]
pub struct CasePage {
    pub case: Case,
    /// Days the contact details are kept after the customer is informed,
    /// when the server says.
    pub contact_days: Option<u32>,
}

fn case_page(text: &str) -> Result<CasePage, ApiError> {
    let o = Obj::parse(text)?;
    Ok(CasePage {
        case: case_of(&o)?,
        contact_days: o.opt_num("contact_retention_days").map(|n| n as u32),
    })
}

pub async fn case(id: Uuid) -> Result<CasePage, ApiError> {
    case_page(&Call::get(&format!("/cases/{id}")).text().await?)
}

/// Make a case of an alert (409 when it has one already).
pub async fn make_case(new: &NewCase) -> Result<Case, ApiError> {
    case_of(&Obj::parse(
        &Call::post("/cases").session().json(new)?.text().await?,
    )?)
}

/// Change a case: a status step, a note, the owner or the due date.
pub async fn change_case(id: Uuid, change: &CaseChange) -> Result<CasePage, ApiError> {
    case_page(
        &Call::patch(&format!("/cases/{id}"))
            .session()
            .json(change)?
            .text()
            .await?,
    )
}

/// Case counts and time to resolve per branch, for cases made between
/// `from` and `to` (`YYYY-MM-DD`, either may be empty).
pub async fn case_stats(
    from: Option<String>,
    to: Option<String>,
) -> Result<Vec<CaseCounts>, ApiError> {
    let mut q = Vec::new();
    if let Some(f) = from {
        q.push(format!("from={}", enc(&f)));
    }
    if let Some(t) = to {
        q.push(format!("to={}", enc(&t)));
    }
    let text = Call::get(&format!("/cases/stats?{}", q.join("&")))
        .text()
        .await?;
    list(&text, counts_of)
}

pub async fn rules() -> Result<Vec<Rule>, ApiError> {
    list(&Call::get("/alert-rules").text().await?, rule_of)
}

/// Make a rule (the answer, the rule as stored, is not read: the list is).
pub async fn add_rule(rule: &NewRule) -> Result<(), ApiError> {
    Call::post("/alert-rules")
        .session()
        .json(rule)?
        .send()
        .await
}

pub async fn change_rule(id: Uuid, rule: &NewRule) -> Result<(), ApiError> {
    Call::put(&format!("/alert-rules/{id}"))
        .session()
        .json(rule)?
        .send()
        .await
}

pub async fn delete_rule(id: Uuid) -> Result<(), ApiError> {
    Call::delete(&format!("/alert-rules/{id}"))
        .session()
        .send()
        .await
}

// The webhooks' answers are core's `webhooks` types, read here with the
// fields the screens show; the body sent is core's `NewWebhook`.

/// A webhook as the admin lists it; `secret` only in the answer that made
/// it or gave it a new secret (it is shown once).
#[derive(Debug, Clone, PartialEq)]
pub struct Webhook {
    pub id: Uuid,
    pub name: String,
    pub url: String,
    pub active: bool,
    /// The secret's end (`whsec_…AbCd`), to tell which one a receiver has.
    pub secret_hint: String,
    pub secret: Option<String>,
}

fn webhook_of(o: &Obj) -> Result<Webhook, ApiError> {
    Ok(Webhook {
        id: o.id("id")?,
        name: o.str("name")?,
        url: o.str("url")?,
        active: o.flag("active"),
        secret_hint: o.opt_str("secret_hint").unwrap_or_default(),
        secret: o.opt_str("secret"),
    })
}

async fn one_webhook(call: Call) -> Result<Webhook, ApiError> {
    webhook_of(&Obj::parse(&call.text().await?)?)
}

pub async fn webhooks() -> Result<Vec<Webhook>, ApiError> {
    list(&Call::get("/webhooks").text().await?, webhook_of)
}

/// Make a webhook; the answer has its secret.
pub async fn add_webhook(hook: &NewWebhook) -> Result<Webhook, ApiError> {
    one_webhook(Call::post("/webhooks").session().json(hook)?).await
}

pub async fn change_webhook(id: Uuid, hook: &NewWebhook) -> Result<Webhook, ApiError> {
    one_webhook(Call::put(&format!("/webhooks/{id}")).session().json(hook)?).await
}

/// A new secret for webhook `id` (the old one signs nothing more).
pub async fn new_secret(id: Uuid) -> Result<Webhook, ApiError> {
    one_webhook(Call::post(&format!("/webhooks/{id}/secret")).session()).await
}

pub async fn delete_webhook(id: Uuid) -> Result<(), ApiError> {
    Call::delete(&format!("/webhooks/{id}"))
        .session()
        .send()
        .await
}

/// One try to deliver: the delivery log's line, and what a test gives.
#[derive(Debug, Clone, PartialEq)]
pub struct Attempt {
    /// 1 for the first.
    pub attempt: u32,
    /// RFC 3339.
    pub at: String,
    pub delivered: bool,
    /// The receiver's HTTP status, if it answered.
    pub http_status: Option<u16>,
    /// Why it failed, if it did (English, from the server).
    pub error: Option<String>,
    pub millis: u64,
}

fn attempt_of(o: &Obj) -> Result<Attempt, ApiError> {
    Ok(Attempt {
        attempt: o.count("attempt"),
        at: o.str("at")?,
        delivered: o.flag("delivered"),
        http_status: o.opt_num("http_status").map(|n| n as u16),
        error: o.opt_str("error"),
        millis: o.opt_num("millis").map_or(0, |n| n as u64),
    })
}

/// Post a signed test event to webhook `id` now: what came of it.
pub async fn test_webhook(id: Uuid) -> Result<Attempt, ApiError> {
    let text = Call::post(&format!("/webhooks/{id}/test"))
        .session()
        .text()
        .await?;
    attempt_of(&Obj::parse(&text)?)
}

/// An alert's delivery to one webhook, with its attempts.
#[derive(Debug, Clone, PartialEq)]
pub struct Delivery {
    pub id: Uuid,
    /// `pending`, `delivered` or `failed`.
    pub status: String,
    /// The next try, while pending.
    pub next_at: Option<String>,
    /// Oldest first.
    pub log: Vec<Attempt>,
}

fn delivery_of(o: &Obj) -> Result<Delivery, ApiError> {
    Ok(Delivery {
        id: o.id("id")?,
        status: o.str("status")?,
        next_at: o.opt_str("next_at"),
        log: o
            .at("log")
            .items()
            .iter()
            .map(attempt_of)
            .collect::<Result<_, _>>()?,
    })
}

/// Webhook `id`'s latest deliveries, newest alert first.
pub async fn deliveries(id: Uuid) -> Result<Vec<Delivery>, ApiError> {
    list(
        &Call::get(&format!("/webhooks/{id}/deliveries"))
            .text()
            .await?,
        delivery_of,
    )
}
