//! When each replayed message is due (pure): at `--speed` N, a message whose `Timestamp` is
//! T ms after the first message's is due T / N ms after the replay started. Timestamps that
//! go backwards (stored order is arrival order, not time order) are due at once, and never
//! pull the later messages forward.

use std::time::Duration;

/// The schedule of one replay.
#[derive(Debug, Clone)]
pub struct Pacing {
    speed: f64,
    first: Option<i64>,
    latest: i64,
}

impl Pacing {
    /// A schedule at `speed` (0: no pacing).
    pub fn new(speed: f64) -> Self {
        Self {
            speed,
            first: None,
            latest: i64::MIN,
        }
    }

    /// How long after the start the message stamped `timestamp` (ms) is due; `None` when
    /// it is due at once (no pacing, or the first message).
    pub fn due(&mut self, timestamp: i64) -> Option<Duration> {
        if self.speed <= 0.0 {
            return None;
        }
        let first = *self.first.get_or_insert(timestamp);
        self.latest = self.latest.max(timestamp);
        let millis = self.latest.saturating_sub(first) as f64 / self.speed;
        (millis > 0.0)
            .then(|| Duration::try_from_secs_f64(millis / 1000.0).unwrap_or(Duration::MAX))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schedule(speed: f64, stamps: &[i64]) -> Vec<Option<u128>> {
        let mut pacing = Pacing::new(speed);
        stamps
            .iter()
            .map(|t| pacing.due(*t).map(|d| d.as_millis()))
            .collect()
    }

    #[test]
    fn speed_zero_never_waits() {
        assert_eq!(schedule(0.0, &[0, 5_000, 60_000]), [None, None, None]);
    }

    #[test]
    fn speed_one_keeps_the_gaps_and_n_divides_them() {
        let stamps = [1_000, 1_000, 3_000, 11_000];
        assert_eq!(
            schedule(1.0, &stamps),
            [None, None, Some(2_000), Some(10_000)]
        );
        assert_eq!(
            schedule(10.0, &stamps),
            [None, None, Some(200), Some(1_000)]
        );
        assert_eq!(
            schedule(0.5, &stamps),
            [None, None, Some(4_000), Some(20_000)]
        );
    }

    #[test]
    fn a_timestamp_that_goes_back_is_due_with_the_latest_one() {
        let stamps = [0, 5_000, 2_000, 6_000];
        assert_eq!(
            schedule(1.0, &stamps),
            [None, Some(5_000), Some(5_000), Some(6_000)]
        );
    }

    #[test]
    fn extreme_timestamps_do_not_overflow() {
        let due = schedule(1e-300, &[i64::MIN, i64::MAX]);
        assert_eq!(due[0], None);
        assert!(due[1].is_some());
    }
}
