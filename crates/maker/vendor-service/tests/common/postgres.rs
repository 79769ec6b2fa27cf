//! A throw-away PostgreSQL cluster for the test suite, or the server named by
//! `HEARTH_TEST_POSTGRES_URL` (a URL to a database whose user may `CREATE DATABASE`).
//!
//! The cluster lives in a temp folder, listens on a free loopback port with its socket in that
//! folder, trusts local connections, and is stopped and removed on drop. As root, `initdb` and
//! `pg_ctl` run as the `postgres` user through `runuser` (PostgreSQL refuses to run as root).
//! Failing to start is an error, never a skip.

use std::os::unix::fs::MetadataExt as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use sqlx::AnyPool;

pub struct Cluster {
    /// `postgres://…/postgres`-style URL used to create and drop test databases.
    admin_url: String,
    local: Option<LocalCluster>,
}

struct LocalCluster {
    dir: tempfile::TempDir,
    bin: PathBuf,
    as_postgres: bool,
}

impl Cluster {
    pub fn start() -> Result<Self, String> {
        if let Ok(url) = std::env::var("HEARTH_TEST_POSTGRES_URL") {
            return Ok(Self {
                admin_url: url,
                local: None,
            });
        }
        let bin = find_bin_dir()?;
        let as_postgres = std::fs::metadata("/proc/self")
            .map_err(|e| e.to_string())?
            .uid()
            == 0;
        let dir = tempfile::Builder::new()
            .prefix("hearth-pg-")
            .tempdir()
            .map_err(|e| format!("temp dir: {e}"))?;
        if as_postgres {
            run(Command::new("chown")
                .arg("postgres:postgres")
                .arg(dir.path()))?;
        }
        let data = dir.path().join("data");
        let local = LocalCluster {
            dir,
            bin,
            as_postgres,
        };
        run(local.command("initdb").arg("-D").arg(&data).args([
            "-U",
            "hearth",
            "--auth=trust",
            "-E",
            "UTF8",
            "--no-locale",
            "--no-sync",
        ]))?;
        // A port that was free a moment ago may be taken by the time PostgreSQL binds it;
        // try a few.
        let mut last_error = String::new();
        for _ in 0..5 {
            let port = free_port()?;
            let options = format!(
                "-p {port} -k {} -c listen_addresses=127.0.0.1 -c fsync=off",
                local.dir.path().display()
            );
            let log = local.dir.path().join("postgres.log");
            let result = run(local
                .command("pg_ctl")
                .arg("-D")
                .arg(&data)
                .args(["-o", &options, "-l"])
                .arg(&log)
                .args(["-w", "-t", "60", "start"]));
            match result {
                Ok(()) => {
                    return Ok(Self {
                        admin_url: format!("postgres://hearth@127.0.0.1:{port}/postgres"),
                        local: Some(local),
                    });
                }
                Err(e) => {
                    let log_text = std::fs::read_to_string(&log).unwrap_or_default();
                    last_error = format!("{e}\n{log_text}");
                }
            }
        }
        Err(format!("PostgreSQL did not start: {last_error}"))
    }

    /// A new, empty database; returns its URL.
    pub async fn fresh_database(&self) -> String {
        let name = format!("hearth_test_{}", uuid::Uuid::new_v4().simple());
        let admin = self.admin().await;
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(&admin)
            .await
            .expect("CREATE DATABASE");
        admin.close().await;
        let (prefix, _) = self
            .admin_url
            .rsplit_once('/')
            .expect("admin URL has a database part");
        format!("{prefix}/{name}")
    }

    pub async fn drop_database(&self, url: &str) {
        let Some((_, name)) = url.rsplit_once('/') else {
            return;
        };
        let admin = self.admin().await;
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
        )))
        .execute(&admin)
        .await
        .expect("DROP DATABASE");
        admin.close().await;
    }

    async fn admin(&self) -> AnyPool {
        sqlx::any::install_default_drivers();
        AnyPool::connect(&self.admin_url)
            .await
            .expect("connect to PostgreSQL admin database")
    }
}

impl LocalCluster {
    fn command(&self, tool: &str) -> Command {
        let path = self.bin.join(tool);
        if self.as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(path);
            c
        } else {
            Command::new(path)
        }
    }
}

impl Drop for LocalCluster {
    fn drop(&mut self) {
        let data = self.dir.path().join("data");
        let _ = self
            .command("pg_ctl")
            .arg("-D")
            .arg(&data)
            .args(["-m", "immediate", "-w", "stop"])
            .output();
    }
}

fn run(command: &mut Command) -> Result<(), String> {
    let out = command
        .output()
        .map_err(|e| format!("cannot run {command:?}: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{command:?} failed ({}): {}{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

fn free_port() -> Result<u16, String> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    Ok(listener.local_addr().map_err(|e| e.to_string())?.port())
}

/// `HEARTH_PG_BIN`, else the newest `/usr/lib/postgresql/<major>/bin`.
fn find_bin_dir() -> Result<PathBuf, String> {
    if let Ok(dir) = std::env::var("HEARTH_PG_BIN") {
        return Ok(PathBuf::from(dir));
    }
    let root = Path::new("/usr/lib/postgresql");
    let mut majors: Vec<(u32, PathBuf)> = std::fs::read_dir(root)
        .map_err(|e| {
            format!(
                "{}: {e} (install postgresql or set HEARTH_TEST_POSTGRES_URL)",
                root.display()
            )
        })?
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let major = e.file_name().to_str()?.parse().ok()?;
            let bin = e.path().join("bin");
            bin.join("initdb").exists().then_some((major, bin))
        })
        .collect();
    majors.sort();
    majors
        .pop()
        .map(|(_, bin)| bin)
        .ok_or_else(|| "no PostgreSQL with initdb under /usr/lib/postgresql".into())
}
