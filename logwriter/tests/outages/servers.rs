//! Stopping and restarting the shared servers through `scripts/services`, which fails
//! loudly when a server does not come back.

/// Stops a shared server and starts it again when dropped, even if the test fails.
pub struct Stopped(&'static str);

impl Stopped {
    /// `scripts/services stop <name>`.
    pub fn service(name: &'static str) -> Self {
        services("stop", name);
        Self(name)
    }
}

/// `scripts/services restart <name>`: returns once the server answers again.
pub fn restart(name: &str) {
    services("restart", name);
}

impl Drop for Stopped {
    fn drop(&mut self) {
        services("start", self.0);
    }
}

fn services(action: &str, name: &str) {
    let script = integration_tests::repo_root().join("scripts/services");
    let status = std::process::Command::new(script)
        .args([action, name])
        .status()
        .expect("scripts/services");
    assert!(status.success(), "scripts/services {action} {name} failed");
}
