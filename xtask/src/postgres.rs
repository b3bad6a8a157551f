//! A throwaway PostgreSQL cluster on loopback for the server's test suite:
//! initdb into a temporary folder, start on a free port, stop and remove
//! when dropped. Installs Debian's postgresql package first if it is missing.

use crate::cmd;
use anyhow::{bail, Context, Result};
use std::path::{Path, PathBuf};
use std::process::Command;

pub struct Cluster {
    bin: PathBuf,
    dir: tempfile::TempDir,
    /// `postgres://postgres@127.0.0.1:PORT/postgres`
    pub url: String,
}

/// The newest `/usr/lib/postgresql/N/bin` that has initdb.
fn find_bin() -> Option<PathBuf> {
    let mut found: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let version = e.file_name().to_str()?.parse::<u32>().ok()?;
            let bin = e.path().join("bin");
            bin.join("initdb").is_file().then_some((version, bin))
        })
        .collect();
    found.sort();
    found.pop().map(|(_, bin)| bin)
}

fn ensure_installed() -> Result<PathBuf> {
    if let Some(bin) = find_bin() {
        println!("ok: PostgreSQL ({})", bin.display());
        return Ok(bin);
    }
    println!("installing: Debian postgresql with apt-get (a minute or two)");
    crate::tools::apt_install(&["postgresql"])?;
    find_bin().context("postgresql is installed but no /usr/lib/postgresql/*/bin/initdb was found")
}

/// PostgreSQL refuses to run as root: then the commands run as `postgres`.
fn as_server_user(bin: &Path, program: &str) -> Command {
    let exe = bin.join(program);
    if crate::tools::is_root() {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(exe);
        c
    } else {
        Command::new(exe)
    }
}

fn free_port() -> Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

pub fn start() -> Result<Cluster> {
    cmd::step("Starting a throwaway PostgreSQL cluster on loopback");
    let bin = ensure_installed()?;
    let dir = tempfile::Builder::new()
        .prefix("branchpulse-pg-")
        .tempdir()?;
    if crate::tools::is_root() {
        cmd::run(
            Command::new("chown")
                .args(["-R", "postgres:"])
                .arg(dir.path()),
        )?;
    }
    let data = dir.path().join("data");
    cmd::run(
        as_server_user(&bin, "initdb")
            .arg("-D")
            .arg(&data)
            .args([
                "-U",
                "postgres",
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--locale=C",
                "--no-sync",
            ])
            .stdout(std::process::Stdio::null()),
    )?;
    let port = free_port()?;
    let options = format!(
        "-c listen_addresses=127.0.0.1 -p {port} -k {} -c fsync=off -c max_connections=200",
        dir.path().display()
    );
    cmd::run(
        as_server_user(&bin, "pg_ctl")
            .arg("-D")
            .arg(&data)
            .arg("-l")
            .arg(dir.path().join("server.log"))
            .args(["-w", "-o", &options, "start"])
            .stdout(std::process::Stdio::null()),
    )?;
    let url = format!("postgres://postgres@127.0.0.1:{port}/postgres");
    println!("PostgreSQL at {url}");
    Ok(Cluster { bin, dir, url })
}

impl Cluster {
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("server.log")).unwrap_or_default()
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let status = as_server_user(&self.bin, "pg_ctl")
            .arg("-D")
            .arg(self.dir.path().join("data"))
            .args(["-m", "fast", "-w", "stop"])
            .stdout(std::process::Stdio::null())
            .status();
        if !matches!(status, Ok(s) if s.success()) {
            eprintln!(
                "warning: could not stop the test PostgreSQL cluster in {}",
                self.dir.path().display()
            );
        }
    }
}

/// The server's test suite against the cluster; `release_server` is the
/// binary its hostile-input tests start.
pub fn server_tests(cluster: &Cluster, release_server: &Path) -> Result<()> {
    cmd::step("Server tests against PostgreSQL (the same suite, a fresh database per test)");
    let result = cmd::run(
        cmd::cargo()
            .args([
                "test",
                "-p",
                "branchpulse-server",
                "--",
                "--include-ignored",
            ])
            .env("BRANCHPULSE_TEST_POSTGRES", &cluster.url)
            .env(crate::e2e::RELEASE_SERVER_VAR, release_server),
    );
    if result.is_err() {
        eprintln!("--- PostgreSQL log ---\n{}", cluster.log());
        bail!("server tests failed against PostgreSQL");
    }
    Ok(())
}
