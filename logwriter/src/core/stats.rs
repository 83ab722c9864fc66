//! The statistics block (docs/spec/logwriter.md §12), rendered from the state as plain text. Pure.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use chrono::{DateTime, Utc};

use crate::core::state::{Simulation, Totals};

/// Values the core's totals do not hold: what is in flight right now, and the retries
/// (counted by the database side, `core::retry`).
#[derive(Debug, Clone, Copy, Default)]
pub struct Now {
    /// Deliveries received and not yet acknowledged.
    pub unacknowledged: u64,
    /// Invalid messages waiting for the run simulation id.
    pub pending: usize,
    /// Failed database attempts, each retried.
    pub flush_retries: u64,
}

fn time(t: Option<DateTime<Utc>>, seen: bool) -> String {
    let text = t.map_or_else(|| "-".to_owned(), common::time::format_normalised);
    if seen {
        text
    } else {
        format!("({text})")
    }
}

fn counts<K: std::fmt::Display>(map: &BTreeMap<K, u64>) -> String {
    if map.is_empty() {
        return "0".to_owned();
    }
    let total: u64 = map.values().sum();
    let items: Vec<String> = map.iter().map(|(k, v)| format!("{k}: {v}")).collect();
    format!("{total} ({})", items.join(", "))
}

/// Renders the block: heading, one section per simulation, then the totals.
pub fn render(simulations: &BTreeMap<String, Simulation>, totals: &Totals, now: Now) -> String {
    let mut out = String::from("Simulations listened:");
    for (id, sim) in simulations {
        let _ = write!(out, "\n  {id}");
        let _ = write!(
            out,
            "\n    name: {}\n    description: {}",
            sim.name.as_deref().unwrap_or("-"),
            sim.description.as_deref().unwrap_or("-")
        );
        let _ = write!(
            out,
            "\n    start time: {}\n    end time: {}",
            time(sim.start, sim.running),
            time(sim.end, sim.stopped)
        );
        let processes: Vec<&str> = sim.processes.iter().map(String::as_str).collect();
        let _ = write!(out, "\n    components: {}", processes.join(", "));
        let epochs = sim
            .epochs
            .map_or_else(|| "-".to_owned(), |(lo, hi)| format!("{lo} - {hi}"));
        let _ = write!(
            out,
            "\n    epochs: {epochs}\n    messages: {}",
            sim.messages
        );
        for (topic, count) in &sim.topics {
            let _ = write!(out, "\n      {topic}: {count}");
        }
    }
    render_totals(&mut out, totals, now);
    out
}

fn render_totals(out: &mut String, totals: &Totals, now: Now) {
    let _ = write!(
        out,
        "\n  totals:\n    deliveries received: {}\n    valid documents stored: {}\
         \n    invalid documents stored: {}\n    duplicates: {}\n    malformed: {}\
         \n    server-rejected documents: {}\n    deliveries lost: {}\n    flush retries: {}\
         \n    reconnects: {}\n    unacknowledged deliveries: {}\n    pending invalid messages: {}",
        totals.deliveries,
        totals.valid_stored,
        counts(&totals.invalid_stored),
        totals.duplicates,
        counts(&totals.malformed),
        totals.server_rejected,
        totals.lost,
        now.flush_retries,
        totals.reconnects,
        now.unacknowledged,
        now.pending,
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use common::document::Role;

    #[test]
    fn the_block_lists_simulations_and_totals() {
        let mut sim = Simulation::default();
        let t = common::time::parse_message_datetime("2020-06-03T04:01:52.345Z").unwrap();
        let role = Role::SimState {
            stopped: false,
            source_process_id: "sm".to_owned(),
            name: Some("demo".to_owned()),
            description: None,
        };
        sim.observe(t, &role);
        sim.count_valid("SimState");
        let mut sims = BTreeMap::new();
        sims.insert("2020-06-03T04:01:52.345Z".to_owned(), sim);
        let mut totals = Totals {
            deliveries: 3,
            valid_stored: 1,
            duplicates: 1,
            ..Totals::default()
        };
        totals.invalid_stored.insert("not-json", 2);
        totals.malformed.insert("Epoch.EpochNumber", 1);
        let now = Now {
            unacknowledged: 4,
            pending: 0,
            flush_retries: 2,
        };
        let text = render(&sims, &totals, now);
        assert!(text.starts_with("Simulations listened:\n  2020-06-03T04:01:52.345Z"));
        assert!(text.contains("name: demo"));
        assert!(text.contains("start time: 2020-06-03T04:01:52.345Z"));
        assert!(
            text.contains("end time: (2020-06-03T04:01:52.345Z)"),
            "{text}"
        );
        assert!(text.contains("components: sm"));
        assert!(text.contains("SimState: 1"));
        assert!(text.contains("invalid documents stored: 2 (not-json: 2)"));
        assert!(text.contains("malformed: 1 (Epoch.EpochNumber: 1)"));
        assert!(text.contains("unacknowledged deliveries: 4"));
        assert!(text.contains("flush retries: 2"));
    }

    #[test]
    fn times_not_seen_in_a_message_are_bracketed_and_levels_are_shown() {
        let mut sims = BTreeMap::new();
        sims.insert("s".to_owned(), Simulation::default());
        let now = Now {
            unacknowledged: 12,
            pending: 3,
            flush_retries: 0,
        };
        let block = render(&sims, &Totals::default(), now);
        assert!(block.contains("start time: (-)"), "{block}");
        assert!(block.contains("end time: (-)"), "{block}");
        assert!(block.contains("epochs: -"), "{block}");
        assert!(block.contains("unacknowledged deliveries: 12"), "{block}");
        assert!(block.contains("pending invalid messages: 3"), "{block}");
        assert!(block.contains("invalid documents stored: 0"), "{block}");
    }
}
