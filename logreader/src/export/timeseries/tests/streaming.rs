//! The bounded-memory paths: the column store, the one-epoch-at-a-time builder and the
//! chunked rendering.

use bson::{doc, Bson};

use super::super::cells::{Cell, Values};
use super::*;

#[test]
fn a_values_list_stores_only_values_and_reads_back_one_per_row() {
    let mut values = Values::default();
    values.push(1, &Bson::Double(1.5));
    values.push(2, &Bson::Null);
    values.push(3, &Bson::String("x".into()));
    let dense: Vec<Option<&Cell>> = values.dense(5).collect();
    assert_eq!(
        dense,
        [
            None,
            Some(&Cell::Double(1.5)),
            None,
            Some(&Cell::String("x".into())),
            None
        ]
    );
    // Fewer rows than stored values: only those rows.
    assert_eq!(values.dense(2).count(), 2);
}

#[test]
fn cells_render_like_the_values_they_hold() {
    let values = [
        Bson::Double(0.1),
        Bson::Int32(-3),
        Bson::Int64(1 << 40),
        Bson::Boolean(true),
        Bson::String("a;\"b".into()),
        Bson::Document(doc! {"b": 1, "a": [1.0, "x"]}),
        Bson::DateTime(bson::DateTime::from_millis(1_591_156_912_345)),
    ];
    for value in values {
        let mut list = Values::default();
        list.push(0, &value);
        let cell = list.dense(1).next().flatten().expect("a cell");
        let mut json = String::new();
        cell.write_json(&mut json, false, 0);
        assert_eq!(
            json,
            crate::export::json::to_json(&value, false),
            "{value:?}"
        );
        assert_eq!(
            cell.csv_text(),
            crate::export::csv::format_cell(&value),
            "{value:?}"
        );
    }
}

/// The builder works one epoch at a time; `build` sorts by epoch first, so feeding the
/// builder directly in §8 order gives the same series as `build` on any order.
#[test]
fn the_builder_in_epoch_order_equals_build_on_shuffled_input() {
    let message = |epoch: i32, process: &str, value: f64| {
        doc! {"EpochNumber": epoch, "Topic": "t", "SourceProcessId": process, "x": value}
    };
    let ordered = vec![
        message(1, "p", 1.0),
        message(1, "q", 2.0),
        message(2, "p", 3.0),
        message(2, "q", 4.0),
    ];
    let shuffled = vec![
        ordered[2].clone(),
        ordered[0].clone(),
        ordered[3].clone(),
        ordered[1].clone(),
    ];
    let attrs = parse_attrs("x");
    let starts = crate::export::fixtures::epoch_starts();
    let mut builder = TimeSeriesBuilder::new(&attrs, &starts);
    for document in ordered {
        builder.push(document);
    }
    let incremental = builder.finish();
    let built = build(shuffled, &attrs, &starts);
    assert_eq!(incremental.to_json(false), built.to_json(false));
    assert_eq!(incremental.to_csv(), built.to_csv());
    assert_eq!(incremental.rows().len(), 2);
}

#[test]
fn chunked_rendering_concatenates_to_the_whole_body() {
    let messages: Vec<Document> = (0..200)
        .map(|i| {
            doc! {"EpochNumber": 1 + i % 2, "Topic": format!("t{}", i % 7),
            "SourceProcessId": "p", "x": f64::from(i), "s": format!("v;{i}")}
        })
        .collect();
    let series = build(
        messages,
        &parse_attrs("x,s"),
        &crate::export::fixtures::epoch_starts(),
    );
    for pretty in [false, true] {
        let mut chunks = Vec::new();
        let mut out = String::new();
        series.write_json(pretty, &mut out, &mut |out| {
            if out.len() > 100 {
                chunks.push(std::mem::take(out));
            }
        });
        chunks.push(out);
        assert!(chunks.len() > 3);
        assert_eq!(chunks.concat(), series.to_json(pretty));
    }
    let mut lines = 0;
    let mut out = String::new();
    series.write_csv(&mut out, &mut |out| {
        assert!(out.ends_with("\r\n"), "flushed between lines");
        lines += 1;
        out.clear();
    });
    assert_eq!(lines, series.rows().len());
}
