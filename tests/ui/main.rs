//! End-to-end test of the web UI (spec docs/spec/logreader.md §12, acceptance items 132–133
//! and 152): the real logreader, started in-process on port 0 against the real MongoDB-wire
//! server with the conformance fixtures loaded, and the messages of `tests/ui/board.json`
//! as the run without messages ([`BOARD_RUN`]), is driven in headless Chromium by `tests/ui/ui.mjs`
//! (playwright-core). `scripts/test` installs Chromium and the npm packages; when either,
//! or `node`, is missing this test fails naming `scripts/test`.

#[path = "../conformance/fixtures.rs"]
mod fixtures;

use std::path::Path;
use std::process::{ExitStatus, Stdio};
use std::time::{Duration, Instant};

use tokio::io::{AsyncBufReadExt, AsyncRead, BufReader};
use tokio::process::Command;

const CHROMIUM: &str = "/usr/bin/chromium";
const SCRIPT: &str = "tests/ui/ui.mjs";
const TIMEOUT: Duration = Duration::from_secs(120);
/// The conformance run that has metadata but no messages: the board page's run.
const BOARD_RUN: &str = "2020-06-03T10:01:52.345Z";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn web_ui_lists_runs_and_builds_working_query_urls_in_chromium() {
    let root = integration_tests::repo_root();
    preconditions(&root).await;

    let dir = integration_tests::conformance_dir();
    let manifest = fixtures::read_json(&dir.join("cases.json"));
    let db = integration_tests::fresh_database("ui").await;
    fixtures::load(&db, &dir, &manifest).await;
    let board = root.join("tests/ui/board.json");
    fixtures::load_file(&db, &format!("simulation_{BOARD_RUN}"), &board).await;
    let (base, stop) = integration_tests::start_logreader(db.name()).await;

    let started = Instant::now();
    let outcome = run_script(&root, &dir, &base).await;
    let elapsed = started.elapsed();

    let _ = stop.send(());
    db.drop().await.expect("drop the UI test database");
    match outcome {
        Ok((status, _)) if status.success() => {
            eprintln!("UI test passed in {:.1} s", elapsed.as_secs_f64());
        }
        Ok((status, output)) => panic!(
            "`node {SCRIPT} {base}` failed ({status}) after {:.1} s:\n{output}",
            elapsed.as_secs_f64()
        ),
        Err(reason) => panic!("`node {SCRIPT} {base}`: {reason}"),
    }
}

/// Fails, naming `scripts/test`, when anything the script needs is not installed.
async fn preconditions(root: &Path) {
    let node = Command::new("node").arg("--version").output().await;
    match node {
        Ok(output) if output.status.success() => {}
        Ok(output) => panic!(
            "`node --version` failed ({}); install Node.js >= 20 (scripts/test expects it)",
            output.status
        ),
        Err(error) => panic!(
            "`node` cannot be run ({error}); the UI test needs Node.js >= 20, \
             then scripts/test installs the rest"
        ),
    }
    assert!(
        Path::new(CHROMIUM).exists(),
        "{CHROMIUM} is missing; run scripts/test (it runs `apt-get install -y chromium`)"
    );
    assert!(
        root.join("tests/ui/node_modules/playwright-core/package.json")
            .exists(),
        "tests/ui/node_modules/playwright-core is missing; run scripts/test \
         (it runs `npm ci --prefix tests/ui --no-audit --no-fund`)"
    );
}

/// Runs the script under a timeout, echoing each output line as it comes; returns the exit
/// status and the collected output.
async fn run_script(
    root: &Path,
    fixtures: &Path,
    base: &str,
) -> Result<(ExitStatus, String), String> {
    let mut child = Command::new("node")
        .arg(SCRIPT)
        .arg(base)
        .current_dir(root)
        .env("UI_FIXTURES_DIR", fixtures)
        .env("UI_SCREENSHOT", root.join("target/ui-screenshot.png"))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .map_err(|error| format!("cannot start node ({error}); run scripts/test"))?;
    let stdout = child.stdout.take().expect("piped stdout");
    let stderr = child.stderr.take().expect("piped stderr");
    let run = async {
        let (out, err) = tokio::join!(echo(stdout, "ui"), echo(stderr, "ui stderr"));
        let status = child.wait().await;
        (status, format!("{out}{err}"))
    };
    match tokio::time::timeout(TIMEOUT, run).await {
        Ok((Ok(status), output)) => Ok((status, output)),
        Ok((Err(error), _)) => Err(format!("waiting for node failed: {error}")),
        Err(_) => Err(format!(
            "no result within {} s; node was killed",
            TIMEOUT.as_secs()
        )),
    }
}

/// Prints every line of `stream` as it arrives and returns them all.
async fn echo(stream: impl AsyncRead + Unpin, label: &str) -> String {
    let mut lines = BufReader::new(stream).lines();
    let mut all = String::new();
    while let Ok(Some(line)) = lines.next_line().await {
        eprintln!("[{label}] {line}");
        all.push_str(&line);
        all.push('\n');
    }
    all
}
