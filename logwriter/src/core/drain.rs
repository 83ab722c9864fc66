//! Emptying the queue after the run's `stopped` (docs/spec/logwriter.md §10.1 step 2): the
//! consumer keeps going until the broker reports no ready message, or until the shutdown
//! timeout, and only then is cancelled. Pure: the caller asks the broker and passes in the
//! count and the time.

use std::time::{Duration, Instant};

/// What the consumer does next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Go on consuming.
    Consume,
    /// Ask the broker how many messages are ready.
    Check,
    /// Cancel the consumer: the queue is empty, or the time is up.
    Cancel,
}

/// The queue drain that follows the run's `stopped`.
#[derive(Debug, Clone)]
pub struct QueueDrain {
    deadline: Instant,
    /// Deliveries to handle before the next check: the ready count of the last one.
    until_check: u64,
}

impl QueueDrain {
    /// Starts at `now`; the drain ends at `now + limit` at the latest.
    pub fn start(now: Instant, limit: Duration) -> Self {
        Self {
            deadline: now + limit,
            until_check: 0,
        }
    }

    /// When the drain gives up.
    pub fn deadline(&self) -> Instant {
        self.deadline
    }

    /// The first step, right after `stopped` was handled.
    pub fn first_step(&self, now: Instant) -> Step {
        self.step(now)
    }

    /// After one more delivery was handled.
    pub fn delivered(&mut self, now: Instant) -> Step {
        self.until_check = self.until_check.saturating_sub(1);
        self.step(now)
    }

    /// The broker reported `ready` messages waiting in the queue.
    pub fn checked(&mut self, ready: u32, now: Instant) -> Step {
        if ready == 0 || now >= self.deadline {
            return Step::Cancel;
        }
        // The prefetched deliveries arrive first; checking again only once as many
        // deliveries as were ready have been handled keeps the checks few.
        self.until_check = u64::from(ready);
        Step::Consume
    }

    fn step(&self, now: Instant) -> Step {
        if now >= self.deadline {
            Step::Cancel
        } else if self.until_check == 0 {
            Step::Check
        } else {
            Step::Consume
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMIT: Duration = Duration::from_secs(8);

    #[test]
    fn an_empty_queue_is_checked_once_and_cancelled() {
        let now = Instant::now();
        let mut drain = QueueDrain::start(now, LIMIT);
        assert_eq!(drain.first_step(now), Step::Check);
        assert_eq!(drain.checked(0, now), Step::Cancel);
    }

    #[test]
    fn a_backlog_is_consumed_and_checked_again_once_handled() {
        let now = Instant::now();
        let mut drain = QueueDrain::start(now, LIMIT);
        assert_eq!(drain.checked(3, now), Step::Consume);
        assert_eq!(drain.delivered(now), Step::Consume);
        assert_eq!(drain.delivered(now), Step::Consume);
        assert_eq!(drain.delivered(now), Step::Check);
        assert_eq!(drain.checked(1, now), Step::Consume);
        assert_eq!(drain.delivered(now), Step::Check);
        assert_eq!(drain.checked(0, now), Step::Cancel);
    }

    #[test]
    fn the_deadline_cancels_whatever_is_left() {
        let now = Instant::now();
        let mut drain = QueueDrain::start(now, LIMIT);
        assert_eq!(drain.checked(1000, now), Step::Consume);
        let late = now + LIMIT;
        assert_eq!(drain.deadline(), late);
        assert_eq!(drain.delivered(late), Step::Cancel);
        assert_eq!(drain.checked(5, late), Step::Cancel);
        assert_eq!(drain.first_step(late), Step::Cancel);
    }
}
