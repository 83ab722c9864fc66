//! The logwriter binary as a child process of a test.

use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use tokio::process::{Child, Command};

use crate::harness::Run;

/// A running logwriter process, its log in a file.
pub struct Writer {
    pub child: Child,
    pub log: PathBuf,
}

/// A logwriter command for `run` with the given extra variables; the test servers' variables
/// from the environment are replaced. `LOGWRITER_MAX_IN_FLIGHT` is passed through, so the
/// whole suite can run with batches overlapping (`LOGWRITER_MAX_IN_FLIGHT=4 scripts/test`).
pub fn command(run: Option<&Run>, vars: &[(&str, &str)]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_logwriter"));
    for (name, _) in std::env::vars() {
        let suite_wide = name == "LOGWRITER_MAX_IN_FLIGHT";
        if !suite_wide
            && (name.starts_with("RABBITMQ_")
                || name.starts_with("MONGODB_")
                || name.starts_with("LOGWRITER_"))
        {
            command.env_remove(name);
        }
    }
    let (host, port) = integration_tests::rabbit_host_port();
    command
        .env("RABBITMQ_HOST", host)
        .env("RABBITMQ_PORT", port.to_string())
        .env("MONGODB_URI", integration_tests::mongo_uri())
        .env("STATISTICS_DISPLAY_INTERVAL", "0")
        .kill_on_drop(true);
    if let Some(run) = run {
        command
            .env("RABBITMQ_EXCHANGE", &run.exchange)
            .env("MONGODB_DATABASE", run.db.name());
    }
    for (name, value) in vars {
        command.env(name, value);
    }
    command
}

/// Starts the binary for `run` and waits until it consumes from its queue: its log says
/// so once `basic.consume` is confirmed. (Polling the queue's consumer count instead can
/// miss a writer that drains a pre-filled queue and deletes it within the polling period.)
pub async fn start(run: &Run, vars: &[(&str, &str)]) -> Writer {
    let writer = spawn(command(Some(run), vars), &run.exchange);
    let listening = writer
        .wait_log("Listening to exchange", Duration::from_secs(30))
        .await;
    assert!(listening, "never consumed:\n{}", writer.log_text());
    writer
}

/// Spawns `command` with its stdout and stderr in a fresh log file named after `label`.
pub fn spawn(mut command: Command, label: &str) -> Writer {
    let log = std::env::temp_dir().join(format!("{label}-{}.log", fastrand::u32(..)));
    let file = std::fs::File::create(&log).expect("log file");
    let stderr = file.try_clone().expect("log file");
    let child = command
        .stdout(Stdio::from(file))
        .stderr(Stdio::from(stderr))
        .spawn()
        .expect("logwriter starts");
    Writer { child, log }
}

impl Writer {
    /// Waits for the exit code.
    pub async fn exit_within(mut self, limit: Duration) -> i32 {
        match tokio::time::timeout(limit, self.child.wait()).await {
            Ok(status) => status.expect("wait").code().unwrap_or(-1),
            Err(_) => panic!(
                "logwriter did not exit within {limit:?}; log:\n{}",
                self.log_text()
            ),
        }
    }

    /// Sends SIGTERM, as `docker stop` does.
    pub fn terminate(&self) {
        let pid = self.child.id().expect("running").to_string();
        let status = std::process::Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .expect("kill runs");
        assert!(status.success(), "SIGTERM sent");
    }

    /// Waits until the log contains `text` (at most `limit`); returns whether it did.
    pub async fn wait_log(&self, text: &str, limit: Duration) -> bool {
        let started = std::time::Instant::now();
        while started.elapsed() < limit {
            if self.log_text().contains(text) {
                return true;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        false
    }

    /// The process's log so far.
    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// User + system CPU time consumed so far (Linux `/proc`).
    #[allow(dead_code)] // used by the outages target, which shares this file
    pub fn cpu_time(&self) -> Duration {
        let pid = self.child.id().expect("running");
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).expect("proc stat");
        let after_name = &stat[stat.rfind(')').expect("comm") + 2..];
        let fields: Vec<&str> = after_name.split_whitespace().collect();
        // Fields 14 and 15 of stat (utime, stime) are 11 and 12 after the name.
        let ticks: u64 = fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap();
        Duration::from_millis(ticks * 10)
    }
}
