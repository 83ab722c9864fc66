use std::collections::{BTreeMap, BTreeSet};

use proptest::prelude::*;

use super::*;

fn received(pairs: &[(&str, &str)]) -> MessageNumbers {
    let mut numbers = MessageNumbers::default();
    for (process, id) in pairs {
        numbers.record(process, id);
    }
    numbers
}

#[test]
fn no_gap_no_report() {
    let numbers = received(&[("p", "p-2"), ("p", "p-1"), ("p", "p-3"), ("p", "p-2")]);
    assert_eq!(numbers.gaps(), []);
}

#[test]
fn a_gap_is_counted_and_its_first_ids_listed() {
    let numbers = received(&[("b", "b-5"), ("a", "a-1"), ("a", "a-4"), ("b", "b-2")]);
    let gaps = numbers.gaps();
    assert_eq!(
        gaps,
        [
            Gap {
                process: "a".into(),
                count: 2,
                first: vec![2, 3]
            },
            Gap {
                process: "b".into(),
                count: 3,
                first: vec![1, 3, 4]
            },
        ]
    );
    assert_eq!(gaps[0].first_ids(), ["a-2", "a-3"]);
}

#[test]
fn only_the_first_ids_are_listed() {
    let numbers = received(&[("p", "p-1000000")]);
    let gaps = numbers.gaps();
    assert_eq!(gaps[0].count, 999_999);
    assert_eq!(gaps[0].first, (1..=10).collect::<Vec<u64>>());
}

#[test]
fn ids_off_the_pattern_are_not_checked() {
    let numbers = received(&[
        ("p", "p-r3"),
        ("p", "q-3"),
        ("p", "p-03"),
        ("p", "p-0"),
        ("p", "p-"),
        ("p", "p3"),
        ("p", "p-+3"),
        ("p", "p-99999999999999999999999"),
        ("process-1", "process-1-3"),
    ]);
    let gaps = numbers.gaps();
    assert_eq!(gaps.len(), 1, "{gaps:?}");
    assert_eq!(gaps[0].process, "process-1");
    assert_eq!(gaps[0].first, [1, 2]);
}

proptest! {
    /// The ranges give the same answer as a plain set of every number received.
    #[test]
    fn gaps_match_a_plain_set(received in prop::collection::vec((0..3_u8, 1..200_u64), 0..300)) {
        let mut numbers = MessageNumbers::default();
        let mut plain: BTreeMap<String, BTreeSet<u64>> = BTreeMap::new();
        for (p, n) in &received {
            let process = format!("p{p}");
            numbers.record(&process, &format!("{process}-{n}"));
            plain.entry(process).or_default().insert(*n);
        }
        let expected: Vec<Gap> = plain
            .into_iter()
            .filter_map(|(process, set)| {
                let highest = *set.last()?;
                let missing: Vec<u64> = (1..=highest).filter(|n| !set.contains(n)).collect();
                (!missing.is_empty()).then(|| Gap {
                    process,
                    count: missing.len() as u64,
                    first: missing.into_iter().take(LISTED).collect(),
                })
            })
            .collect();
        prop_assert_eq!(numbers.gaps(), expected);
    }
}
