//! Command-line flags and environment variables.

use clap::Parser;
use std::net::SocketAddr;
use std::path::PathBuf;

/// BranchPulse's sync server: receives survey responses from devices,
/// validates and stores them, and serves the built web app.
///
/// Every flag can also be set through the environment variable shown.
#[derive(Debug, Clone, Parser)]
#[command(name = "branchpulse-server", version, about, long_about = None)]
pub struct Config {
    /// Address to listen on. Port 0 picks a free port; the line printed at
    /// start-up names the one chosen.
    #[arg(long, env = "BRANCHPULSE_ADDR", default_value = "127.0.0.1:8080")]
    pub addr: SocketAddr,

    /// Where responses are stored. `sqlite://PATH` creates the file and its
    /// folder if they are missing.
    #[arg(
        long,
        // Also after a subcommand: `branchpulse-server reset-password admin --database-url …`.
        global = true,
        env = "BRANCHPULSE_DATABASE_URL",
        default_value = "sqlite://data/branchpulse.db"
    )]
    pub database_url: String,

    /// The built web app (Trunk's output folder).
    #[arg(long, env = "BRANCHPULSE_DIST", default_value = "dist")]
    pub dist: PathBuf,

    /// Folder of questionnaire files (`*.json`) and `branches.json`.
    #[arg(
        long,
        env = "BRANCHPULSE_QUESTIONNAIRES",
        default_value = "questionnaires"
    )]
    pub questionnaires: PathBuf,

    /// Most responses accepted in one sync request.
    #[arg(long, env = "BRANCHPULSE_MAX_BATCH", default_value_t = 500)]
    pub max_batch: usize,

    /// Largest request body accepted, in bytes.
    #[arg(long, env = "BRANCHPULSE_MAX_BODY_BYTES", default_value_t = 8 * 1024 * 1024)]
    pub max_body_bytes: usize,

    /// How far in the future a device's clock may be before its timestamps
    /// are refused, in seconds.
    #[arg(long, env = "BRANCHPULSE_MAX_CLOCK_SKEW_SECS", default_value_t = 300)]
    pub max_clock_skew_secs: u32,

    /// How many days before the server's clock a response may be dated
    /// (started, submitted, visit times). Older ones come from a device
    /// whose clock was reset and are refused, naming the field. The default,
    /// 400, takes in a year of responses plus a month for a device that was
    /// long offline.
    #[arg(
        long,
        env = "BRANCHPULSE_MAX_RESPONSE_AGE_DAYS",
        default_value_t = branchpulse_core::validate::DEFAULT_MAX_AGE_DAYS,
        value_parser = clap::value_parser!(u32).range(1..=36_600)
    )]
    pub max_response_age_days: u32,

    /// How often the server checks the database for questionnaire and
    /// branch changes made on another server (replicas), in seconds.
    /// Changes made on this server apply at once.
    #[arg(long, env = "BRANCHPULSE_CATALOG_RELOAD_SECS", default_value_t = 5)]
    pub catalog_reload_secs: u64,

    /// Fill an empty database with a demo network (twelve weeks of kiosk
    /// responses and mystery-shop visits). Does nothing if any response is
    /// stored; never happens without this flag.
    #[arg(long)]
    pub demo: bool,

    /// The first admin's password, used only when the database has no
    /// active admin (at least 12 characters). Unset: one is generated and
    /// printed once.
    #[arg(long, env = "BRANCHPULSE_ADMIN_PASSWORD", hide_env_values = true)]
    pub admin_password: Option<Secret>,

    /// This server's address as devices reach it (e.g.
    /// `https://survey.bank.example`), for the enrolment QR codes. Unset:
    /// taken from each request's `Host` and `X-Forwarded-Proto`.
    /// When set, a browser's `Origin` must be this URL's (behind a proxy
    /// that rewrites `Host`), and an https URL turns on
    /// `Strict-Transport-Security`.
    #[arg(long, env = "BRANCHPULSE_PUBLIC_URL", value_parser = public_url)]
    pub public_url: Option<String>,

    /// How long one request may take before it is answered 408, in seconds.
    #[arg(long, env = "BRANCHPULSE_REQUEST_TIMEOUT_SECS", default_value_t = 30)]
    pub request_timeout_secs: u64,

    /// How long a sign-in lasts, in seconds.
    #[arg(long, env = "BRANCHPULSE_SESSION_SECS", default_value_t = 12 * 3600)]
    pub session_secs: u32,

    /// How long a device's token lasts, in seconds.
    #[arg(long, env = "BRANCHPULSE_DEVICE_TOKEN_SECS", default_value_t = 365 * 24 * 3600)]
    pub device_token_secs: u32,

    /// How long an enrolment code can be used, in seconds.
    #[arg(long, env = "BRANCHPULSE_ENROL_CODE_SECS", default_value_t = 24 * 3600)]
    pub enrol_code_secs: u32,

    /// API requests per second from one client address (0: no limit).
    /// Generous: a branch's tablets often share one address.
    #[arg(long, env = "BRANCHPULSE_RATE_PER_IP", default_value_t = 50)]
    pub rate_per_ip: u32,

    /// API requests one client address may make at once before the rate applies.
    #[arg(long, env = "BRANCHPULSE_RATE_BURST_IP", default_value_t = 500)]
    pub rate_burst_ip: u32,

    /// Sync requests per second from one device token (0: no limit).
    #[arg(long, env = "BRANCHPULSE_RATE_PER_DEVICE", default_value_t = 5)]
    pub rate_per_device: u32,

    /// Sync requests one device may make at once before the rate applies.
    #[arg(long, env = "BRANCHPULSE_RATE_BURST_DEVICE", default_value_t = 60)]
    pub rate_burst_device: u32,

    /// Enrolment attempts per minute from one client address (0: no limit).
    #[arg(long, env = "BRANCHPULSE_ENROL_PER_MINUTE", default_value_t = 10)]
    pub enrol_per_minute: u32,

    /// Sign-in attempts per minute from one client address (0: no limit).
    /// Failures also lock the account for a while, whatever the address.
    #[arg(long, env = "BRANCHPULSE_SIGN_IN_PER_MINUTE", default_value_t = 20)]
    pub sign_in_per_minute: u32,

    /// Take the client's address from `X-Forwarded-For` (only behind a
    /// reverse proxy that appends to it: otherwise any client could pick its
    /// own address). The entry read is counted from the right, see
    /// `--trusted-proxy-hops`.
    #[arg(long, env = "BRANCHPULSE_TRUST_PROXY")]
    pub trust_proxy: bool,

    /// Addresses that may read `GET /metrics` (Prometheus text), as
    /// comma-separated ranges; everyone else gets 404. The peer's address
    /// is checked, never `X-Forwarded-For`.
    #[arg(
        long,
        env = "BRANCHPULSE_METRICS_ALLOW",
        value_delimiter = ',',
        default_value = "127.0.0.1/32,::1/128"
    )]
    pub metrics_allow: Vec<ipnet::IpNet>,

    /// `text` (readable) or `json` (one JSON object a line, for a log
    /// collector). Each request's lines carry its `x-request-id`.
    #[arg(long, env = "BRANCHPULSE_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,

    /// With `--trust-proxy`: how many reverse proxies stand in front of the
    /// server, each appending to `X-Forwarded-For`. The client is the entry
    /// this far from the right; entries further left are the client's own
    /// writing and are ignored.
    #[arg(long, env = "BRANCHPULSE_TRUSTED_PROXY_HOPS", default_value_t = 1,
          value_parser = clap::value_parser!(u32).range(1..))]
    pub trusted_proxy_hops: u32,

    /// Erase the free texts (text answers, comments, reasons) of responses
    /// submitted more than this many days ago. Unset: kept.
    #[arg(
        long,
        env = "BRANCHPULSE_RETAIN_FREE_TEXT_DAYS",
        value_parser = clap::value_parser!(u32).range(1..=36_600)
    )]
    pub retain_free_text_days: Option<u32>,

    /// Erase the staff names (the name on the badge) of visit reports
    /// submitted more than this many days ago. Unset: kept.
    #[arg(
        long,
        env = "BRANCHPULSE_RETAIN_STAFF_NAMES_DAYS",
        value_parser = clap::value_parser!(u32).range(1..=36_600)
    )]
    pub retain_staff_names_days: Option<u32>,

    /// Erase a customer's contact details this many days after the last
    /// case about their response closed (the customer was informed). They
    /// also go with the response's texts, by the purge or by
    /// `--retain-free-text-days`.
    #[arg(
        long,
        env = "BRANCHPULSE_CONTACT_RETENTION_DAYS",
        default_value_t = 30,
        value_parser = clap::value_parser!(u32).range(0..=36_600)
    )]
    pub contact_retention_days: u32,

    /// How often the retention settings are applied, in seconds (also once
    /// at start-up).
    #[arg(
        long,
        env = "BRANCHPULSE_RETENTION_INTERVAL_SECS",
        default_value_t = 3600
    )]
    pub retention_interval_secs: u64,

    /// How often the server looks for kiosks silent longer than an alert
    /// rule allows (`silent_kiosk` rules), in seconds. Every replica may
    /// look: each silence is raised once.
    #[arg(long, env = "BRANCHPULSE_ALERT_SWEEP_SECS", default_value_t = 300)]
    pub alert_sweep_secs: u64,
    /// How often this server looks for alert deliveries (webhooks,
    /// e-mails) that are due, in milliseconds. 0: this server sends none
    /// (another replica does).
    #[arg(long, env = "BRANCHPULSE_DELIVERY_INTERVAL_MS", default_value_t = 5000)]
    pub delivery_interval_ms: u64,

    /// The wait after a delivery's first failed attempt, in seconds; it
    /// doubles after each further failure (at most a day).
    #[arg(
        long,
        env = "BRANCHPULSE_DELIVERY_BACKOFF_SECS",
        default_value_t = 30,
        value_parser = clap::value_parser!(u64).range(1..=86_400)
    )]
    pub delivery_backoff_secs: u64,

    /// Attempts of one delivery before it is given up as failed.
    #[arg(
        long,
        env = "BRANCHPULSE_DELIVERY_MAX_ATTEMPTS",
        default_value_t = 8,
        value_parser = clap::value_parser!(u32).range(1..=100)
    )]
    pub delivery_max_attempts: u32,

    /// The SMTP server alerts are e-mailed through:
    /// `smtp://host:25` (plain), `smtp://user:password@host:587?tls=required`
    /// (STARTTLS) or `smtps://user:password@host:465` (TLS). Unset: e-mail
    /// deliveries fail at once, logged "SMTP is not configured".
    #[arg(long, env = "BRANCHPULSE_SMTP_URL", hide_env_values = true)]
    pub smtp_url: Option<Secret>,

    /// The sender of alert e-mails, e.g. `BranchPulse <alerts@bank.example>`
    /// (required with `--smtp-url`).
    #[arg(long, env = "BRANCHPULSE_SMTP_FROM")]
    pub smtp_from: Option<String>,
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

/// `--public-url`: an http or https URL with a host.
fn public_url(text: &str) -> Result<String, String> {
    let uri: axum::http::Uri = text
        .trim()
        .parse()
        .map_err(|e| format!("--public-url: not a URL: {e}"))?;
    match (uri.scheme_str(), uri.host()) {
        (Some("http" | "https"), Some(host)) if !host.is_empty() => Ok(text.trim().to_owned()),
        _ => Err("--public-url: give the scheme and host, e.g. https://survey.bank.example".into()),
    }
}

impl Config {
    /// The defaults, ignoring the command line and the environment.
    pub fn defaults() -> Config {
        Config {
            addr: SocketAddr::from(([127, 0, 0, 1], 8080)),
            database_url: "sqlite://data/branchpulse.db".into(),
            dist: "dist".into(),
            questionnaires: "questionnaires".into(),
            max_batch: 500,
            max_body_bytes: 8 * 1024 * 1024,
            max_clock_skew_secs: 300,
            max_response_age_days: branchpulse_core::validate::DEFAULT_MAX_AGE_DAYS,
            catalog_reload_secs: 5,
            demo: false,
            admin_password: None,
            public_url: None,
            request_timeout_secs: 30,
            session_secs: 12 * 3600,
            device_token_secs: 365 * 24 * 3600,
            enrol_code_secs: 24 * 3600,
            rate_per_ip: 50,
            rate_burst_ip: 500,
            rate_per_device: 5,
            rate_burst_device: 60,
            enrol_per_minute: 10,
            sign_in_per_minute: 20,
            trust_proxy: false,
            trusted_proxy_hops: 1,
            metrics_allow: vec![
                "127.0.0.1/32".parse().expect("a range"),
                "::1/128".parse().expect("a range"),
            ],
            log_format: LogFormat::Text,
            retain_free_text_days: None,
            retain_staff_names_days: None,
            contact_retention_days: 30,
            retention_interval_secs: 3600,
            alert_sweep_secs: 300,
            delivery_interval_ms: 5000,
            delivery_backoff_secs: 30,
            delivery_max_attempts: 8,
            smtp_url: None,
            smtp_from: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_match_the_flags() {
        let parsed = Config::try_parse_from(["branchpulse-server"]).unwrap();
        let defaults = Config::defaults();
        // Environment variables may be set where the tests run; compare only
        // what they cannot change when unset.
        if std::env::vars().all(|(k, _)| !k.starts_with("BRANCHPULSE_")) {
            assert_eq!(format!("{parsed:?}"), format!("{defaults:?}"));
        }
    }

    #[test]
    fn the_response_age_bound_is_a_number_of_days_from_1() {
        let parse = |v: &str| {
            Config::try_parse_from(["branchpulse-server", "--max-response-age-days", v])
                .map(|c| c.max_response_age_days)
        };
        assert_eq!(parse("30").unwrap(), 30);
        for bad in ["0", "forever", "36601"] {
            let e = parse(bad).unwrap_err().to_string();
            assert!(e.contains("--max-response-age-days"), "{bad}: {e}");
        }
    }

    #[test]
    fn the_public_url_needs_a_scheme_and_a_host() {
        let parse = |url: &str| Config::try_parse_from(["branchpulse-server", "--public-url", url]);
        assert!(parse("https://survey.bank.example").is_ok());
        assert!(parse("http://10.0.0.5:8080/").is_ok());
        for bad in ["survey.bank.example", "ftp://x.example", "https://"] {
            let e = parse(bad).unwrap_err().to_string();
            assert!(e.contains("--public-url"), "{bad}: {e}");
        }
    }

    #[test]
    fn metrics_ranges_are_parsed_and_named_when_wrong() {
        let parsed = Config::try_parse_from([
            "branchpulse-server",
            "--metrics-allow",
            "10.0.0.0/8,192.0.2.7/32",
        ])
        .unwrap();
        assert_eq!(parsed.metrics_allow.len(), 2);
        let e = Config::try_parse_from(["branchpulse-server", "--metrics-allow", "10.0.0.0"])
            .unwrap_err()
            .to_string();
        assert!(e.contains("--metrics-allow"), "{e}");
    }

    #[test]
    fn the_command_is_well_formed() {
        use clap::CommandFactory;
        Config::command().debug_assert();
    }
}

/// A value that must never reach a log: `Debug` shows only that it is set.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(hidden)")
    }
}

impl std::ops::Deref for Secret {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Secret {
        Secret(value.to_owned())
    }
}

impl std::str::FromStr for Secret {
    type Err = std::convert::Infallible;
    fn from_str(value: &str) -> Result<Secret, Self::Err> {
        Ok(Secret::from(value))
    }
}
