//! The retry schedule of docs/spec/logwriter.md §7.6 and §11.1, as a pure function: 1 s, doubling up
//! to 30 s, each delay multiplied by a random factor in [0.8, 1.2] and capped at 30 s.
//!
//! The schedule is a value, not a sleeping loop, so it is unit-tested without time travel;
//! the callers sleep (racing only the *sleep* against cancellation).

use std::time::Duration;

/// First retry delay.
pub const INITIAL: Duration = Duration::from_secs(1);
/// Longest delay, after jitter.
pub const CAP: Duration = Duration::from_secs(30);
/// Jitter bounds: the delay is multiplied by a factor in `[JITTER_MIN, JITTER_MAX]`.
pub const JITTER_MIN: f64 = 0.8;
/// See [`JITTER_MIN`].
pub const JITTER_MAX: f64 = 1.2;

/// The delay before retry number `attempt` (0 is the first retry) with the jitter factor
/// `jitter` (clamped into [0.8, 1.2]).
pub fn delay(attempt: u32, jitter: f64) -> Duration {
    let base = INITIAL.as_secs_f64() * 2f64.powi(attempt.min(16) as i32);
    let base = base.min(CAP.as_secs_f64());
    let jittered = base * jitter.clamp(JITTER_MIN, JITTER_MAX);
    Duration::from_secs_f64(jittered.min(CAP.as_secs_f64()))
}

/// A retry sequence: each failure asks for the next delay; a success resets it.
#[derive(Debug, Clone, Default)]
pub struct Backoff {
    attempt: u32,
}

impl Backoff {
    /// A fresh sequence whose next delay is about 1 s.
    pub fn new() -> Self {
        Self::default()
    }

    /// The delay before the next retry, with a random jitter; advances the sequence.
    pub fn next_delay(&mut self) -> Duration {
        let jitter = JITTER_MIN + fastrand::f64() * (JITTER_MAX - JITTER_MIN);
        let delay = delay(self.attempt, jitter);
        self.attempt = self.attempt.saturating_add(1);
        delay
    }

    /// Failed attempts since the last reset.
    pub fn attempts(&self) -> u32 {
        self.attempt
    }

    /// Called after a success: the next failure waits about 1 s again.
    pub fn reset(&mut self) {
        self.attempt = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_double_from_one_second_up_to_the_cap() {
        let secs: Vec<f64> = (0..8).map(|n| delay(n, 1.0).as_secs_f64()).collect();
        assert_eq!(secs, [1.0, 2.0, 4.0, 8.0, 16.0, 30.0, 30.0, 30.0]);
        assert_eq!(delay(u32::MAX, 1.0), CAP);
    }

    #[test]
    fn jitter_scales_the_delay_but_never_exceeds_the_cap() {
        assert_eq!(delay(0, 0.8), Duration::from_secs_f64(0.8));
        assert_eq!(delay(0, 1.2), Duration::from_secs_f64(1.2));
        assert_eq!(delay(3, 1.2), Duration::from_secs_f64(9.6));
        assert_eq!(delay(4, 1.2), Duration::from_secs_f64(19.2));
        assert_eq!(delay(5, 1.2), CAP);
    }

    #[test]
    fn out_of_range_jitter_is_clamped() {
        assert_eq!(delay(0, 0.0), Duration::from_secs_f64(0.8));
        assert_eq!(delay(0, 9.0), Duration::from_secs_f64(1.2));
        assert_eq!(delay(10, 1.2), CAP);
    }

    #[test]
    fn random_delays_stay_in_the_jitter_band_and_reset() {
        let mut backoff = Backoff::new();
        for attempt in 0..10 {
            let nominal = delay(attempt, 1.0).as_secs_f64();
            let got = backoff.next_delay().as_secs_f64();
            assert!(got >= nominal * 0.8 - 1e-9 && got <= (nominal * 1.2).min(30.0) + 1e-9);
        }
        assert_eq!(backoff.attempts(), 10);
        backoff.reset();
        assert!(backoff.next_delay() <= Duration::from_secs_f64(1.2));
    }
}
