//! The bookkeeping of the database retries (docs/spec/logwriter.md §7.6, §13.2): the delay
//! before each retry ([`Backoff`]), the level of its log line (ERROR at most once per
//! [`ERROR_LOG_INTERVAL`] for an operational error, WARN for a transient one), the one-time
//! "Connected" line after the first success, and how many retries there were. Pure: the
//! database side (`crate::database`) owns one and asks it after every attempt, whichever
//! step or task the attempt belongs to.

use std::time::{Duration, Instant};

use crate::core::backoff::Backoff;

/// How often at most an operational (not transient) database error is logged at ERROR.
pub const ERROR_LOG_INTERVAL: Duration = Duration::from_secs(30);

/// The level of the log line of a failed database operation (§7.6).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RetryLog {
    /// A transient error: WARN.
    Warn,
    /// An operational error, the first in [`ERROR_LOG_INTERVAL`]: ERROR.
    Error,
    /// An operational error logged at ERROR less than [`ERROR_LOG_INTERVAL`] ago: DEBUG.
    Debug,
}

/// The retry state of one process.
#[derive(Debug, Default)]
pub struct Retries {
    backoff: Backoff,
    connected: bool,
    last_error_log: Option<Instant>,
    count: u64,
}

impl Retries {
    /// No attempt yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// After a successful database operation; whether it is the first (then `Connected to
    /// MongoDB` is logged). The next failure waits about 1 s again.
    pub fn succeeded(&mut self) -> bool {
        self.backoff.reset();
        !std::mem::replace(&mut self.connected, true)
    }

    /// After a failed database operation at `now`: the delay before the retry and the level
    /// of its log line. Operational errors are logged at ERROR at most once per
    /// [`ERROR_LOG_INTERVAL`], because an operator must act but a line per retry would bury
    /// everything else.
    pub fn failed(&mut self, transient: bool, now: Instant) -> (Duration, RetryLog) {
        let delay = self.backoff.next_delay();
        self.count += 1;
        let level = if transient {
            RetryLog::Warn
        } else if self
            .last_error_log
            .is_none_or(|t| now.saturating_duration_since(t) >= ERROR_LOG_INTERVAL)
        {
            self.last_error_log = Some(now);
            RetryLog::Error
        } else {
            RetryLog::Debug
        };
        (delay, level)
    }

    /// Failed attempts so far (the statistics block's "flush retries").
    pub fn count(&self) -> u64 {
        self.count
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operational_errors_are_logged_at_error_once_per_thirty_seconds() {
        let mut retries = Retries::new();
        let t0 = Instant::now();
        let mut level =
            |transient, after: u64| retries.failed(transient, t0 + Duration::from_secs(after)).1;
        assert_eq!(level(false, 0), RetryLog::Error);
        assert_eq!(level(false, 10), RetryLog::Debug);
        assert_eq!(level(true, 11), RetryLog::Warn, "transient: always WARN");
        assert_eq!(level(false, 29), RetryLog::Debug);
        assert_eq!(level(false, 30), RetryLog::Error);
        assert_eq!(level(false, 31), RetryLog::Debug);
        assert_eq!(retries.count(), 6);
    }

    #[test]
    fn retries_back_off_until_a_success_resets_them() {
        let mut retries = Retries::new();
        let now = Instant::now();
        let delays: Vec<Duration> = (0..8).map(|_| retries.failed(true, now).0).collect();
        assert!(delays[0] <= Duration::from_millis(1200), "{delays:?}");
        assert!(delays[7] >= Duration::from_secs(24), "{delays:?}");
        assert!(retries.succeeded(), "the first success is announced");
        assert!(!retries.succeeded(), "only once");
        assert!(retries.failed(true, now).0 <= Duration::from_millis(1200));
    }

    #[test]
    fn transient_failures_never_use_up_the_error_line() {
        let mut retries = Retries::new();
        let t0 = Instant::now();
        for seconds in [0, 1, 30, 31, 3600] {
            let (_, level) = retries.failed(true, t0 + Duration::from_secs(seconds));
            assert_eq!(level, RetryLog::Warn, "{seconds} s");
        }
        let (_, level) = retries.failed(false, t0 + Duration::from_secs(3601));
        assert_eq!(level, RetryLog::Error, "the first operational error");
        assert_eq!(retries.count(), 6);
    }
}
