//! BranchPulse's sync server.
//!
//! It receives survey responses from kiosks and shoppers' phones
//! (`POST /api/v1/responses`), checks each with `branchpulse-core`, stores
//! it once (the client's UUID is the key), and serves the built web app.
//!
//! ```no_run
//! # async fn run() -> Result<(), branchpulse_server::ServeError> {
//! use branchpulse_server::{config::Config, serve};
//! let mut config = Config::defaults();
//! config.database_url = "sqlite://data/branchpulse.db".into();
//! serve(config).await
//! # }
//! ```
//!
//! Layout, in the order data goes through it: [`routes`] holds the thin
//! HTTP handlers and [`auth`] who may call them; [`ingest`] is what happens
//! to a batch of responses; [`catalog`] the questionnaires and branches
//! (in the database, seeded from the questionnaires folder, changed by
//! admins); [`store`] the one storage interface; [`read_models`] what is
//! read back out (aggregates, comments, CSV exports); [`alerts`] the rules
//! admins set, the silent-kiosk sweep and the inbox; [`maintenance`] the
//! work on stored data beside requests (erasure, retention, moving to
//! PostgreSQL). [`assets`] serves the web app.

pub mod alerts;
pub mod assets;
pub mod auth;
pub mod catalog;
pub mod config;
pub mod contacts;
pub mod delivery;
pub mod demo;
pub mod error;
pub mod evidence;
pub mod ingest;
pub mod maintenance;
pub mod read_models;
pub mod review;
pub mod routes;
pub mod status;
pub mod store;
pub mod telemetry;

use catalog::{Catalog, CatalogError, Folder};
use config::Config;
use std::net::SocketAddr;
use std::sync::Arc;
use store::{Store, StoreError};
use tokio::net::TcpListener;

/// What every handler can reach.
#[derive(Debug, Clone)]
pub struct AppState {
    pub store: Store,
    pub catalog: Catalog,
    pub config: Arc<Config>,
    /// The sign-in back-off of names that are no account.
    pub unknown_names: Arc<auth::sign_in::UnknownNames>,
    /// How alerts are sent to webhooks and e-mail addresses.
    pub senders: delivery::Senders,
}

/// Why the server did not start or stopped with an error.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error(transparent)]
    Catalog(#[from] CatalogError),
    #[error("{0}")]
    Store(#[from] StoreError),
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("server error: {0}")]
    Io(#[from] std::io::Error),
    #[error(transparent)]
    Demo(#[from] demo::DemoError),
    #[error(transparent)]
    Account(#[from] auth::first_run::AccountError),
    /// A delivery setting (SMTP) that cannot be used.
    #[error("{0}")]
    Delivery(String),
}

/// Logs on stderr, as text or JSON lines; `RUST_LOG` chooses what is shown
/// (default: info).
pub fn init_logging(format: config::LogFormat) {
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let _ = tracing::subscriber::set_global_default(log_subscriber(format, std::io::stderr, ansi));
}

/// The subscriber behind [`init_logging`], writing to `writer`.
pub fn log_subscriber<W>(
    format: config::LogFormat,
    writer: W,
    ansi: bool,
) -> Box<dyn tracing::Subscriber + Send + Sync>
where
    W: for<'w> tracing_subscriber::fmt::MakeWriter<'w> + Send + Sync + 'static,
{
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer);
    match format {
        config::LogFormat::Text => Box::new(builder.with_ansi(ansi).finish()),
        // The request's span (its id among its fields) goes on every line.
        config::LogFormat::Json => Box::new(
            builder
                .json()
                .with_current_span(true)
                .with_span_list(false)
                .finish(),
        ),
    }
}

impl AppState {
    /// Check the questionnaires folder, open the database named in
    /// `config`, seed it from the folder and load the catalog from it.
    pub async fn open(config: Config) -> Result<AppState, ServeError> {
        // The folder is checked before the database is touched, so a broken
        // file stops the server without changing anything.
        let folder = Folder::load(&config.questionnaires)?;
        let senders = delivery::Senders::new(&config).map_err(ServeError::Delivery)?;
        let store = Store::connect(&config.database_url).await?;
        auth::first_run::ensure_admin(&store, config.admin_password.as_deref()).await?;
        let catalog = Catalog::open(&store, &folder).await?;
        let snapshot = catalog.snapshot();
        let added = store
            .backfill(|r| {
                snapshot
                    .questionnaire(&r.questionnaire_id, r.questionnaire_version)
                    .map(|q| store::Facts::of(q, r))
            })
            .await?;
        if added > 0 {
            tracing::info!(
                responses = added,
                "added responses stored before the dashboard tables to the rollups"
            );
        }
        Ok(AppState {
            store,
            catalog,
            config: Arc::new(config),
            unknown_names: Arc::default(),
            senders,
        })
    }
}

/// A bound server, not yet running: tests read its address, then run it.
pub struct Server {
    listener: TcpListener,
    state: AppState,
}

impl Server {
    pub async fn bind(config: Config) -> Result<Server, ServeError> {
        let addr = config.addr;
        let state = AppState::open(config).await?;
        // Texts past their retention go before anyone can read them.
        maintenance::retention::run(&state, time::OffsetDateTime::now_utc()).await?;
        // The demo is in place before the first request, as it would be for
        // a manager opening the dashboard.
        if state.config.demo {
            match demo::seed_if_empty(&state, time::OffsetDateTime::now_utc()).await? {
                Some(seeded) => tracing::info!(
                    kiosk = seeded.kiosk,
                    visits = seeded.visits,
                    "demo data added"
                ),
                None => {
                    tracing::info!(
                        "--demo: the database already holds responses; no demo data added"
                    )
                }
            }
        }
        let listener = TcpListener::bind(addr)
            .await
            .map_err(|source| ServeError::Bind { addr, source })?;
        Ok(Server { listener, state })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .expect("a bound listener has an address")
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serve until `shutdown` completes, then finish the requests in flight
    /// and close the database.
    pub async fn run(
        self,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> Result<(), ServeError> {
        let store = self.state.store.clone();
        let every = std::time::Duration::from_secs(self.state.config.catalog_reload_secs.max(1));
        let watcher = self.state.catalog.watch(store.clone(), every);
        let retention = maintenance::retention::watch(
            self.state.clone(),
            std::time::Duration::from_secs(self.state.config.retention_interval_secs.max(1)),
        );
        let sweep = alerts::sweep::watch(
            self.state.clone(),
            std::time::Duration::from_secs(self.state.config.alert_sweep_secs.max(1)),
        );
        let deliveries = delivery::watch(self.state.clone());
        let app = routes::app(self.state);
        let served = axum::serve(
            self.listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(shutdown)
        .await;
        watcher.abort();
        sweep.abort();
        retention.abort();
        if let Some(deliveries) = deliveries {
            deliveries.abort();
        }
        served?;
        store.close().await;
        tracing::info!("stopped");
        Ok(())
    }
}

/// Run the server until Ctrl-C or SIGTERM.
pub async fn serve(config: Config) -> Result<(), ServeError> {
    let dist = config.dist.clone();
    let server = Server::bind(config).await?;
    if !dist.join("index.html").is_file() {
        tracing::warn!(
            dist = %dist.display(),
            "the web app is not built there; the API works, the pages do not (run `cargo xtask run`)"
        );
    }
    let state = server.state();
    tracing::info!(
        questionnaires = state.catalog.questionnaires().count(),
        branches = state.catalog.branches().len(),
        database = %state.config.database_url,
        "ready"
    );
    // xtask and the end-to-end tests read this line to find the port.
    println!("BranchPulse listening on http://{}", server.local_addr());
    server.run(shutdown_signal()).await
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}
