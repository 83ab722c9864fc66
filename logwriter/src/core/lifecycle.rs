//! The process lifecycle (pure): its states and which transitions are allowed. The
//! metrics module publishes it to `/health` and `logwriter_state{state}`.

/// The process lifecycle, as `/health` and `logwriter_state{state}` report it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Lifecycle {
    /// Opening the broker connection and declaring the topology (also after a loss).
    Connecting = 0,
    /// Consuming deliveries.
    Consuming = 1,
    /// The stop sequence (§10.1) or the signal drain (§10.2) is running.
    Draining = 2,
    /// Done; the process is about to exit.
    Stopped = 3,
}

impl Lifecycle {
    /// Every state, in order.
    pub const ALL: [Self; 4] = [
        Self::Connecting,
        Self::Consuming,
        Self::Draining,
        Self::Stopped,
    ];

    /// The name used in `/health` and in the `state` label.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Connecting => "connecting",
            Self::Consuming => "consuming",
            Self::Draining => "draining",
            Self::Stopped => "stopped",
        }
    }

    /// The state stored as `code` (`as u8`); an unknown code reads as stopped.
    pub fn from_code(code: u8) -> Self {
        Self::ALL
            .into_iter()
            .find(|state| *state as u8 == code)
            .unwrap_or(Self::Stopped)
    }
}

/// Whether the lifecycle may move from `current` to `next`. Draining and stopped are final
/// phases: once in them, the process never goes back to connecting or consuming, and
/// stopped is never left.
pub fn allowed(current: Lifecycle, next: Lifecycle) -> bool {
    match current {
        Lifecycle::Connecting | Lifecycle::Consuming => true,
        Lifecycle::Draining => matches!(next, Lifecycle::Draining | Lifecycle::Stopped),
        Lifecycle::Stopped => next == Lifecycle::Stopped,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_read_back_and_an_unknown_code_reads_as_stopped() {
        for state in Lifecycle::ALL {
            assert_eq!(Lifecycle::from_code(state as u8), state);
        }
        assert_eq!(Lifecycle::from_code(200), Lifecycle::Stopped);
        let names: Vec<&str> = Lifecycle::ALL.iter().map(|s| s.as_str()).collect();
        assert_eq!(names, ["connecting", "consuming", "draining", "stopped"]);
    }

    #[test]
    fn a_lost_connection_goes_back_to_connecting_but_a_drain_never_does() {
        use Lifecycle::*;
        assert!(allowed(Consuming, Connecting), "a reconnect");
        assert!(allowed(Connecting, Consuming));
        assert!(allowed(Connecting, Draining), "a signal while connecting");
        assert!(!allowed(Draining, Connecting));
        assert!(!allowed(Draining, Consuming));
        assert!(allowed(Draining, Stopped));
        assert!(!allowed(Stopped, Draining));
        assert!(allowed(Stopped, Stopped));
    }
}
