//! The `where=` grammar: accepted forms, the filter each becomes, every class of malformed
//! expression with its position, and properties over generated expressions.

use bson::{doc, Bson, DateTime};
use proptest::prelude::*;

use super::*;

fn filter(text: &str) -> Vec<Document> {
    parse(text)
        .unwrap_or_else(|e| panic!("{text}: {e:?}"))
        .to_mongo()
}

fn error(text: &str) -> (usize, String) {
    let error = parse(text).expect_err(text);
    (error.position, error.message)
}

#[test]
fn comparisons_become_typed_conditions() {
    assert_eq!(
        filter("RealPower.Value > 5"),
        [doc! {"RealPower.Value": {"$gt": 5_i64}}]
    );
    assert_eq!(filter("x<=-2.5"), [doc! {"x": {"$lte": -2.5}}]);
    assert_eq!(filter("x >= 1e3"), [doc! {"x": {"$gte": 1000.0}}]);
    assert_eq!(
        filter("SourceProcessId = \"battery1\""),
        [doc! {"SourceProcessId": {"$in": ["battery1"]}}]
    );
    assert_eq!(filter("ok != true"), [doc! {"ok": {"$nin": [true]}}]);
    assert_eq!(filter("w = null"), [doc! {"w": {"$in": [Bson::Null]}}]);
    assert_eq!(
        filter("Warnings exists"),
        [doc! {"Warnings": {"$exists": true}}]
    );
    assert_eq!(
        filter("p in [\"a\", 2, false]"),
        [doc! {"p": {"$in": ["a", 2_i64, false]}}]
    );
    assert_eq!(
        filter("a = 1 and b exists and c in [null]"),
        [
            doc! {"a": {"$in": [1_i64]}},
            doc! {"b": {"$exists": true}},
            doc! {"c": {"$in": [Bson::Null]}},
        ]
    );
}

#[test]
fn strings_keep_json_escapes_and_any_characters() {
    assert_eq!(
        filter(r#"Name = "a \"b\" \u00e9 and x = 1""#),
        [doc! {"Name": {"$in": ["a \"b\" é and x = 1"]}}]
    );
    assert_eq!(
        filter("Ünïcode.名前 = \"ok\""),
        [doc! {"Ünïcode.名前": {"$in": ["ok"]}}]
    );
}

#[test]
fn a_datetime_string_also_compares_with_stored_dates() {
    let ms = |m: i64| Bson::DateTime(DateTime::from_millis(m));
    let at = 1_591_156_912_345; // 2020-06-03T04:01:52.345Z
    assert_eq!(
        filter("Timestamp = \"2020-06-03T04:01:52.345Z\""),
        [doc! {"Timestamp": {"$in": ["2020-06-03T04:01:52.345Z", ms(at)]}}]
    );
    assert_eq!(
        filter("Timestamp >= \"2020-06-03T04:01:52.345Z\""),
        [doc! {"$or": [
            {"Timestamp": {"$gte": "2020-06-03T04:01:52.345Z"}},
            {"Timestamp": {"$gte": ms(at)}},
        ]}]
    );
    // Sub-millisecond digits: a stored date is ≥ 52.3451 exactly when ≥ 52.346, and
    // ≤ 52.3451 exactly when ≤ 52.345; none equals it.
    let sub = "\"2020-06-03T04:01:52.3451Z\"";
    let date_of = |text: &str| -> Option<Bson> {
        let document = &filter(text)[0];
        let alternatives = document.get_array("$or").ok()?;
        let second = alternatives[1].as_document()?;
        let (_, condition) = second.iter().next()?;
        condition
            .as_document()?
            .iter()
            .next()
            .map(|(_, v)| v.clone())
    };
    assert_eq!(date_of(&format!("t >= {sub}")), Some(ms(at + 1)));
    assert_eq!(date_of(&format!("t < {sub}")), Some(ms(at + 1)));
    assert_eq!(date_of(&format!("t <= {sub}")), Some(ms(at)));
    assert_eq!(date_of(&format!("t > {sub}")), Some(ms(at)));
    assert_eq!(
        filter(&format!("t = {sub}")),
        [doc! {"t": {"$in": ["2020-06-03T04:01:52.3451Z"]}}]
    );
    assert_eq!(
        filter("t = \"not a date\""),
        [doc! {"t": {"$in": ["not a date"]}}]
    );
}

#[test]
fn every_class_of_malformed_expression_names_its_position() {
    let cases: &[(&str, usize, &str)] = &[
        ("", 1, "expected a field path, found the end"),
        ("   ", 4, "expected a field path"),
        ("= 5", 1, "expected a field path"),
        ("a..b = 1", 3, "none is empty"),
        (".a = 1", 1, "none is empty"),
        ("a. = 1", 3, "none is empty"),
        ("$where = 1", 1, "does not start with `$`"),
        ("a.$gt = 1", 3, "does not start with `$`"),
        ("a", 2, "expected an operator"),
        ("a == 1", 4, "expected a value"),
        ("a => 1", 4, "expected a value"),
        ("a ~ 1", 3, "expected an operator"),
        ("a = ", 5, "expected a value"),
        ("a = foo", 5, "expected a value"),
        ("a = 'x'", 5, "expected a value"),
        ("a = \"open", 5, "closed by `\"`"),
        ("a = \"bad \\q\"", 5, "a JSON string"),
        ("a = 01", 5, "a JSON number"),
        ("a = 1x", 5, "a JSON number"),
        ("a = 1e999", 5, "within range"),
        ("a = 1 b = 2", 7, "`and` or the end"),
        ("a = 1 and", 10, "expected a field path"),
        ("a = 1 or b = 2", 7, "`and` or the end"),
        ("a in 1", 6, "`[` opening the list"),
        ("a in []", 7, "expected a value"),
        ("a in [1,]", 9, "expected a value"),
        ("a in [1 2]", 9, "`,` or `]`"),
        ("a in [1", 8, "`,` or `]`"),
        ("a\0 = 1", 2, "expected an operator"),
    ];
    for (text, position, expected) in cases {
        let (at, message) = error(text);
        assert_eq!(at, *position, "{text:?}: {message}");
        assert!(message.contains(expected), "{text:?}: {message}");
    }
}

#[test]
fn positions_count_characters_not_bytes() {
    assert_eq!(error("é = 1 b").0, 7);
}

fn literal() -> impl Strategy<Value = Literal> {
    prop_oneof![
        any::<i64>().prop_map(Literal::Int),
        (-1.0e12..1.0e12f64).prop_map(|x| Literal::Double(if x.fract() == 0.0 {
            x + 0.5
        } else {
            x
        })),
        "[ -~é\"\\\\]{0,12}".prop_map(Literal::Str),
        any::<bool>().prop_map(Literal::Bool),
        Just(Literal::Null),
    ]
}

fn condition() -> impl Strategy<Value = Condition> {
    let path = prop::collection::vec("[A-Za-z_é][A-Za-z0-9_$é-]{0,6}", 1..4);
    let op = prop_oneof![
        Just(Op::Eq),
        Just(Op::Ne),
        Just(Op::Lt),
        Just(Op::Le),
        Just(Op::Gt),
        Just(Op::Ge)
    ];
    let test = prop_oneof![
        Just(Test::Exists),
        (op, literal()).prop_map(|(op, value)| Test::Compare(op, value)),
        prop::collection::vec(literal(), 1..4).prop_map(Test::In),
    ];
    (path, test).prop_map(|(path, test)| Condition { path, test })
}

/// The expression text of a syntax tree, with the given space around tokens.
fn render(filter: &FieldFilter, space: &str) -> String {
    let value = |literal: &Literal| match literal {
        Literal::Int(n) => n.to_string(),
        Literal::Double(x) => format!("{x:?}"),
        Literal::Str(text) => serde_json::to_string(text).unwrap(),
        Literal::Bool(b) => b.to_string(),
        Literal::Null => "null".to_owned(),
    };
    let condition = |c: &Condition| {
        let path = c.path.join(".");
        match &c.test {
            Test::Exists => format!("{path} exists"),
            Test::In(values) => {
                let values: Vec<String> = values.iter().map(value).collect();
                format!("{path} in{space}[{}]", values.join(&format!(",{space}")))
            }
            Test::Compare(op, v) => {
                let op = ["=", "!=", "<", "<=", ">", ">="][*op as usize];
                format!("{path}{space}{op}{space}{}", value(v))
            }
        }
    };
    let conditions: Vec<String> = filter.conditions.iter().map(condition).collect();
    conditions.join(" and ")
}

proptest! {
    #[test]
    fn rendered_expressions_parse_back_to_the_same_tree(
        conditions in prop::collection::vec(condition(), 1..4),
        space in prop_oneof![Just(""), Just(" "), Just("  ")],
    ) {
        let tree = FieldFilter { conditions };
        let text = render(&tree, space);
        prop_assert_eq!(parse(&text), Ok(tree), "{}", text);
    }

    #[test]
    fn any_text_parses_or_fails_at_a_position_inside_it(text in "\\PC{0,40}") {
        match parse(&text) {
            Ok(filter) => {
                for condition in filter.to_mongo() {
                    for key in condition.keys() {
                        prop_assert!(key == "$or" || !key.starts_with('$'), "{}", key);
                    }
                }
            }
            Err(error) => {
                prop_assert!(error.position >= 1);
                prop_assert!(error.position <= text.chars().count() + 1);
            }
        }
    }
}
