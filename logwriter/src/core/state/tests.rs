use super::*;

fn at(s: &str) -> DateTime<Utc> {
    common::time::parse_message_datetime(s).unwrap()
}

fn simstate(stopped: bool, name: Option<&str>) -> Role {
    Role::SimState {
        stopped,
        source_process_id: "sm".to_owned(),
        name: name.map(str::to_owned),
        description: None,
    }
}

#[test]
fn roles_update_times_processes_epochs_and_names() {
    let mut sim = Simulation::default();
    sim.observe(at("2020-01-01T00:00:05Z"), &simstate(false, Some("n")));
    sim.observe(
        at("2020-01-01T00:00:01Z"),
        &Role::StatusOrResult {
            epoch_number: 3,
            source_process_id: "r1".to_owned(),
        },
    );
    sim.observe(
        at("2020-01-01T00:00:09Z"),
        &Role::Epoch {
            epoch_number: 1,
            source_process_id: "sm".to_owned(),
        },
    );
    sim.observe(
        at("2020-01-01T00:00:10Z"),
        &Role::Generic { malformed: None },
    );
    sim.observe(at("2020-01-01T00:00:11Z"), &simstate(true, None));
    assert!(sim.running && sim.stopped);
    assert_eq!(
        sim.name.as_deref(),
        Some("n"),
        "a stopped without Name keeps it"
    );
    assert_eq!(sim.start, Some(at("2020-01-01T00:00:01Z")));
    assert_eq!(sim.end, Some(at("2020-01-01T00:00:11Z")));
    assert_eq!(sim.epochs, Some((1, 3)));
    assert_eq!(sim.processes.iter().collect::<Vec<_>>(), ["r1", "sm"]);
}

#[test]
fn the_seed_keeps_string_processes_and_counts() {
    let mut sim = Simulation::default();
    sim.seed(&doc! {
        "Processes": ["b", 5, "a"],
        "Messages": 7_i64,
        "InvalidMessages": 2,
        "Topics": [{"Topic": "x", "Messages": 7_i64}],
    });
    sim.count_valid("x");
    sim.count_valid("a");
    assert!(sim.metadata_exists);
    assert_eq!(sim.processes.iter().collect::<Vec<_>>(), ["a", "b"]);
    assert_eq!(sim.messages, 9);
    assert_eq!(sim.invalid_messages, 2);
    assert_eq!(
        sim.topics_array(),
        [
            doc! {"Topic": "a", "Messages": 1_i64},
            doc! {"Topic": "x", "Messages": 8_i64}
        ]
    );
}

#[test]
fn the_101st_warning_for_one_reason_is_demoted() {
    let mut sim = Simulation::default();
    for _ in 0..100 {
        assert!(sim.warn_allowed("not-json"));
    }
    assert!(!sim.warn_allowed("not-json"));
    assert!(sim.warn_allowed("not-object"), "counted per reason");
}
