use super::*;

fn params(query: &str) -> QueryParams {
    QueryParams::parse(query)
}

fn error_of<T: std::fmt::Debug>(result: Result<T, QueryError>) -> String {
    let error = result.unwrap_err();
    let (title, description) = error.title_and_description();
    format!("{title} | {description}")
}

#[test]
fn messages_validation_order_is_sim_dates_epochs_warnings_limit_skip() {
    let all =
        "skip=-1&limit=0&onlyWarnings=z&endEpoch=e&startEpoch=s&epoch=y&toSimDate=t&fromSimDate=x";
    let expected = [
        "Invalid datetime value | Invalid datetime value for fromSimDate: x",
        "Invalid datetime value | Invalid datetime value for toSimDate: t",
        "Invalid integer value | Invalid integer value for epoch: y.",
        "Invalid integer value | Invalid integer value for startEpoch: s.",
        "Invalid integer value | Invalid integer value for endEpoch: e.",
        "Invalid value for onlyWarnings. | Value should be true or false but it was z.",
        "Invalid value for limit. | Value should be a positive integer but it was 0.",
        "Invalid value for skip. | Value should be a non-negative integer but it was -1.",
    ];
    // Drop the parameters one by one from the end of the order: each time the next one
    // in the order is reported.
    let mut fields: Vec<&str> = all.split('&').collect();
    for message in expected {
        assert_eq!(
            error_of(MessagesQuery::parse(&params(&fields.join("&")))),
            message
        );
        fields.pop();
    }
    assert!(MessagesQuery::parse(&params(&fields.join("&"))).is_ok());
}

#[test]
fn timeseries_validation_order_ends_with_format_and_attrs() {
    assert_eq!(
        error_of(TimeseriesQuery::parse(&params("format=xml&onlyWarnings=x"))),
        "Invalid value for onlyWarnings. | Value should be true or false but it was x."
    );
    assert_eq!(
        error_of(TimeseriesQuery::parse(&params("format=xml"))),
        "Invalid time series result format. | Format should be json or csv instead of xml."
    );
    assert_eq!(
        error_of(TimeseriesQuery::parse(&params("format=&attrs="))),
        "Missing parameter | The \"attrs\" parameter is required."
    );
    let query = TimeseriesQuery::parse(&params("format=&attrs=a,b&onlyWarnings=true")).unwrap();
    assert_eq!(query.format, Format::Json);
    assert_eq!(query.attrs, "a,b");
}

#[test]
fn invalid_messages_only_validate_limit_and_skip() {
    let query = InvalidMessagesQuery::parse(&params("epoch=x&onlyWarnings=y&topic=a.*")).unwrap();
    assert_eq!(query.topic.as_deref(), Some("a.*"));
    assert_eq!(
        error_of(InvalidMessagesQuery::parse(&params("skip=a&limit=b"))),
        "Invalid value for limit. | Value should be a positive integer but it was b."
    );
}

#[test]
fn simulations_validate_from_before_to() {
    assert_eq!(
        error_of(SimulationsQuery::parse(&params("toDate=b&fromDate=a"))),
        "Invalid datetime value | Invalid datetime value for fromDate: a"
    );
    assert_eq!(
        SimulationsQuery::parse(&params("fromDate=&toDate=")).ok(),
        Some(SimulationsQuery {
            from: None,
            to: None,
            format: ListFormat::Json,
        })
    );
}

#[test]
fn lists_take_json_or_ndjson_after_every_other_parameter() {
    let ndjson = MessagesQuery::parse(&params("format=ndjson&limit=2")).unwrap();
    assert_eq!(ndjson.format, ListFormat::Ndjson);
    let blank = InvalidMessagesQuery::parse(&params("format=")).unwrap();
    assert_eq!(blank.format, ListFormat::Json, "blank means json");
    assert_eq!(
        error_of(MessagesQuery::parse(&params("format=csv&skip=x"))),
        "Invalid value for skip. | Value should be a non-negative integer but it was x."
    );
    assert_eq!(
        error_of(SimulationsQuery::parse(&params("format=csv"))),
        "Invalid result format. | Format should be json or ndjson instead of csv."
    );
}

#[test]
fn simulated_times_override_epoch_numbers() {
    let query = MessagesQuery::parse(&params("fromSimDate=2020-06-03T14:00:00Z&epoch=1")).unwrap();
    assert!(matches!(
        query.epochs,
        EpochRequest::SimTime {
            from: Some(_),
            to: None
        }
    ));
    let query = MessagesQuery::parse(&params("epoch=1&epoch=2&startEpoch=")).unwrap();
    assert_eq!(
        query.epochs,
        EpochRequest::Numbers {
            epoch: Some(2),
            start: None,
            end: None
        }
    );
}

#[test]
fn pretty_is_only_true() {
    assert!(pretty(&params("pretty=true")));
    assert!(!pretty(&params("pretty=True")));
    assert!(!pretty(&params("pretty=1")));
}

#[test]
fn the_long_layout_needs_csv_and_is_checked_before_attrs() {
    let long = TimeseriesQuery::parse(&params("attrs=a&format=csv&layout=long")).unwrap();
    assert_eq!(long.layout, Layout::Long);
    let wide = TimeseriesQuery::parse(&params("attrs=a&layout=wide")).unwrap();
    assert_eq!(wide.layout, Layout::Wide);
    for query in [
        "attrs=a&layout=long",
        "attrs=a&format=csv&layout=Long",
        "layout=tall",
    ] {
        let error = error_of(TimeseriesQuery::parse(&params(query)));
        assert!(
            error.starts_with("Invalid time series layout. |"),
            "{query}: {error}"
        );
    }
}
