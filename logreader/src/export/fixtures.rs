//! Messages shaped like the conformance fixture (`messages1.json`), shared by the unit tests
//! of the time series and CSV modules.

use std::collections::HashMap;

use bson::{doc, Bson, Document};

/// 2020-06-03T13:00:00Z in milliseconds.
pub const EPOCH_1_START: i64 = 1_591_189_200_000;
/// 2020-06-03T14:00:00Z in milliseconds.
pub const EPOCH_2_START: i64 = 1_591_192_800_000;

/// Start times of epochs 1 and 2, as the fixture's Epoch messages give them.
pub fn epoch_starts() -> HashMap<i64, i64> {
    HashMap::from([(1, EPOCH_1_START), (2, EPOCH_2_START)])
}

/// A result message with the given attributes.
pub fn message(epoch: i64, topic: &str, process: &str, attributes: Document) -> Document {
    let mut message = doc! {
        "SimulationId": "2020-06-03T04:01:52.345Z",
        "Topic": topic,
        "EpochNumber": epoch,
        "Type": "Result",
        "SourceProcessId": process,
    };
    message.extend(attributes);
    message
}

/// A TimeSeriesBlock with the given time points and `(name, values)` series.
pub fn block(times: &[&str], series: &[(&str, Vec<Bson>)]) -> Bson {
    let mut entries = Document::new();
    for (name, values) in series {
        entries.insert(*name, doc! {"UnitOfMeasure": "%", "Values": values.clone()});
    }
    Bson::Document(doc! {"TimeIndex": times.to_vec(), "Series": entries})
}

/// A `energy.storage.state` message of `battery` whose `batteryState` block has the given
/// times and series.
pub fn battery(
    epoch: i64,
    battery: &str,
    times: &[&str],
    series: &[(&str, Vec<Bson>)],
) -> Document {
    let attributes = doc! {"batteryState": block(times, series)};
    message(epoch, "energy.storage.state", battery, attributes)
}

/// A `energy.production.solar` message of `solarPlant1` with QuantityBlocks.
pub fn solar(epoch: i64, real: f64, reactive: f64) -> Document {
    let attributes = doc! {
        "RealPower": {"Value": real, "UnitOfMeasure": "kW"},
        "ReactivePower": {"Value": reactive, "UnitOfMeasure": "kV.A{r}"},
        "bus": "bus1",
    };
    message(epoch, "energy.production.solar", "solarPlant1", attributes)
}

/// Integers as BSON int32 values.
pub fn ints(values: &[i32]) -> Vec<Bson> {
    values.iter().copied().map(Bson::Int32).collect()
}

/// The epoch-2 battery messages of the fixture (`battery1-2`, `battery2-2`, `battery3-2`).
pub fn fixture_epoch_2_batteries() -> Vec<Document> {
    let half_hours = ["2020-06-03T14:00:00Z", "2020-06-03T14:30:00Z"];
    let quarters = [
        "2020-06-03T14:00:00Z",
        "2020-06-03T14:15:00Z",
        "2020-06-03T14:30:00Z",
        "2020-06-03T14:45:00Z",
    ];
    vec![
        battery(
            2,
            "battery1",
            &half_hours,
            &[
                ("chargePercentage", ints(&[87, 91])),
                ("capacity", ints(&[260, 310])),
            ],
        ),
        battery(
            2,
            "battery2",
            &half_hours,
            &[
                ("chargePercentage", ints(&[45, 48])),
                ("capacity", ints(&[140, 160])),
            ],
        ),
        battery(
            2,
            "battery3",
            &quarters,
            &[("chargePercentage", ints(&[57, 55, 55, 52]))],
        ),
    ]
}
