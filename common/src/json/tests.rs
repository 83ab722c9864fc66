use super::*;

fn ok(text: &str) -> Json {
    parse(text).unwrap_or_else(|e| panic!("{text:?} should parse: {e}"))
}

fn not_json(text: &str) {
    assert_eq!(parse(text), Err(ParseError::NotJson), "{text:?}");
}

fn obj(entries: &[(&str, Json)]) -> Json {
    Json::Object(
        entries
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect(),
    )
}

fn s(text: &str) -> Json {
    Json::String(text.to_owned())
}

fn nested(levels: usize, inner: &str) -> String {
    format!("{}{inner}{}", "[".repeat(levels), "]".repeat(levels))
}

#[test]
fn scalars_parse_at_top_level() {
    assert_eq!(ok("null"), Json::Null);
    assert_eq!(ok("true"), Json::Bool(true));
    assert_eq!(ok(" false "), Json::Bool(false));
    assert_eq!(ok("\"x\""), s("x"));
    assert_eq!(ok("42"), Json::Int(42));
}

#[test]
fn integers_keep_their_exact_value_at_any_size() {
    assert_eq!(ok("2147483647"), Json::Int(2_147_483_647));
    assert_eq!(ok("2147483648"), Json::Int(2_147_483_648));
    assert_eq!(ok("9223372036854775807"), Json::Int(i64::MAX));
    assert_eq!(ok("-9223372036854775808"), Json::Int(i64::MIN));
    assert_eq!(
        ok("9223372036854775808"),
        Json::BigInt("9223372036854775808".into())
    );
    assert_eq!(
        ok("-9223372036854775809"),
        Json::BigInt("-9223372036854775809".into())
    );
    let huge = "1".repeat(400);
    assert_eq!(ok(&huge), Json::BigInt(huge.clone()));
}

#[test]
fn minus_zero_is_the_integer_zero() {
    assert_eq!(ok("-0"), Json::Int(0));
    assert_eq!(ok("0"), Json::Int(0));
}

#[test]
fn fractions_and_exponents_are_doubles() {
    assert_eq!(ok("1.0"), Json::Double(1.0));
    assert_eq!(ok("1e0"), Json::Double(1.0));
    assert_eq!(ok("1E+2"), Json::Double(100.0));
    assert_eq!(ok("-2.5e-3"), Json::Double(-0.0025));
    assert_eq!(ok("0.1"), Json::Double(0.1));
    let Json::Double(minus_zero) = ok("-0.0") else {
        panic!("double")
    };
    assert!(minus_zero == 0.0 && minus_zero.is_sign_negative());
}

#[test]
fn doubles_are_correctly_rounded() {
    assert_eq!(ok("0.30000000000000004"), Json::Double(0.1 + 0.2));
    assert_eq!(
        ok("9007199254740993.0"),
        Json::Double(9_007_199_254_740_992.0)
    );
    assert_eq!(
        ok("2.2250738585072011e-308"),
        Json::Double(2.225_073_858_507_201e-308)
    );
}

#[test]
fn overflowing_doubles_become_infinite() {
    assert_eq!(ok("1e400"), Json::Double(f64::INFINITY));
    assert_eq!(ok("-1e400"), Json::Double(f64::NEG_INFINITY));
    assert_eq!(ok("1e-400"), Json::Double(0.0));
}

#[test]
fn nan_and_infinity_literals_are_doubles() {
    assert!(matches!(ok("NaN"), Json::Double(d) if d.is_nan()));
    assert_eq!(ok("Infinity"), Json::Double(f64::INFINITY));
    assert_eq!(ok("-Infinity"), Json::Double(f64::NEG_INFINITY));
    let Json::Array(items) = ok("[NaN, Infinity ,-Infinity]") else {
        panic!("array")
    };
    assert!(
        matches!(items[..], [Json::Double(n), Json::Double(p), Json::Double(m)]
        if n.is_nan() && p == f64::INFINITY && m == f64::NEG_INFINITY)
    );
    for text in [
        "nan",
        "+Infinity",
        "-NaN",
        "Inf",
        "infinity",
        "NaNa",
        "-Inf",
    ] {
        not_json(text);
    }
}

#[test]
fn malformed_numbers_are_not_json() {
    for text in [
        "01", "-", "+1", "1.", ".5", "1e", "1e+", "0x10", "1.5.", "--1", "-01", "1 2",
    ] {
        not_json(text);
    }
}

#[test]
fn strings_decode_every_escape() {
    assert_eq!(ok(r#""\"\\\/\b\f\n\r\t""#), s("\"\\/\u{8}\u{c}\n\r\t"));
    assert_eq!(ok(r#""\u00e9\u20AC""#), s("é€"));
    assert_eq!(ok(r#""\ud83d\ude00""#), s("😀"));
    assert_eq!(ok(r#""\u0000""#), s("\0"));
    assert_eq!(ok("\"é😀\u{7f}\""), s("é😀\u{7f}"));
}

#[test]
fn lone_surrogates_are_not_json() {
    for text in [
        r#""\ud83d""#,
        r#""\ude00""#,
        r#""\ud83dx""#,
        r#""\ud83d\u0041""#,
        r#""\ud83d\n""#,
    ] {
        not_json(text);
    }
}

#[test]
fn bad_strings_are_not_json() {
    for text in [
        "\"a\u{1}\"",
        "\"a\nb\"",
        "\"\t\"",
        "\"\u{1f}\"",
        r#""\x""#,
        r#""\u12""#,
        r#""\u12g4""#,
        "\"abc",
        "\"\\",
        "'x'",
    ] {
        not_json(text);
    }
}

#[test]
fn empty_text_bom_and_trailing_garbage_are_not_json() {
    for text in [
        "",
        " ",
        "\u{feff}{}",
        "{} x",
        "{}}",
        "[1]]",
        "{}\u{a0}",
        "{}\u{c}",
        "nul",
        "truex",
    ] {
        not_json(text);
    }
    assert_eq!(ok(" \t\r\n{} \t\r\n"), Json::Object(vec![]));
}

#[test]
fn objects_keep_key_order() {
    let value = ok(r#"{"b":1,"a":{"d":[],"c":null},"":true}"#);
    let expected = obj(&[
        ("b", Json::Int(1)),
        ("a", obj(&[("d", Json::Array(vec![])), ("c", Json::Null)])),
        ("", Json::Bool(true)),
    ]);
    assert_eq!(value, expected);
}

#[test]
fn duplicate_keys_keep_the_last_value_at_the_first_position() {
    let expected = obj(&[("a", Json::Int(3)), ("b", Json::Int(2))]);
    assert_eq!(ok(r#"{"a":1,"b":2,"a":3}"#), expected);
}

#[test]
fn duplicate_keys_in_large_objects_use_the_index() {
    let mut text: Vec<String> = (0..40).map(|i| format!("\"k{i}\":{i}")).collect();
    text.push("\"k3\":\"last\"".into());
    text.push("\"k39\":-1".into());
    let Json::Object(entries) = ok(&format!("{{{}}}", text.join(","))) else {
        panic!("object")
    };
    assert_eq!(entries.len(), 40);
    assert_eq!(entries[3], ("k3".to_owned(), s("last")));
    assert_eq!(entries[39], ("k39".to_owned(), Json::Int(-1)));
}

#[test]
fn escaped_keys_are_compared_decoded() {
    assert_eq!(ok(r#"{"a":1,"\u0061":2}"#), obj(&[("a", Json::Int(2))]));
}

#[test]
fn malformed_containers_are_not_json() {
    for text in [
        "[1,]",
        "{\"a\":1,}",
        "[,1]",
        "{,}",
        "{\"a\"}",
        "{\"a\" 1}",
        "{a:1}",
        "[1 2]",
        "{\"a\":1 \"b\":2}",
        "[",
        "{",
        "]",
        "[}",
        "{]",
        "{\"a\":}",
        "{1:2}",
    ] {
        not_json(text);
    }
}

#[test]
fn ninety_levels_are_accepted() {
    let value = ok(&nested(MAX_DEPTH, "1"));
    let mut depth = 0;
    let mut cursor = &value;
    while let Json::Array(items) = cursor {
        depth += 1;
        match items.first() {
            Some(next) => cursor = next,
            None => break,
        }
    }
    assert_eq!(depth, MAX_DEPTH);
    assert_eq!(*cursor, Json::Int(1));
    ok(&nested(MAX_DEPTH, ""));
}

#[test]
fn ninety_one_levels_are_too_deep() {
    assert_eq!(parse(&nested(MAX_DEPTH + 1, "")), Err(ParseError::TooDeep));
    let objects = format!("{}1{}", "{\"a\":".repeat(91), "}".repeat(91));
    assert_eq!(parse(&objects), Err(ParseError::TooDeep));
    let objects = format!("{}1{}", "{\"a\":".repeat(90), "}".repeat(90));
    assert!(parse(&objects).is_ok());
}

#[test]
fn too_deep_is_reported_only_for_otherwise_valid_json() {
    assert_eq!(parse(&(nested(100, "") + "x")), Err(ParseError::NotJson));
    assert_eq!(parse(&nested(100, "1,")), Err(ParseError::NotJson));
    assert_eq!(
        parse(&format!("{}1", "[".repeat(100))),
        Err(ParseError::NotJson)
    );
    assert_eq!(
        parse(&format!("{}1{}}}", "[".repeat(95), "]".repeat(94))),
        Err(ParseError::NotJson)
    );
    let deep_then_more = format!("[{},{{\"a\":[1,\"\\u0041\"]}}]", nested(100, "{\"x\":[]}"));
    assert_eq!(parse(&deep_then_more), Err(ParseError::TooDeep));
    let deep_with_lone_surrogate = format!("[{}]", nested(100, "\"\\ud800\""));
    assert_eq!(parse(&deep_with_lone_surrogate), Err(ParseError::NotJson));
}

#[test]
fn hostile_nesting_does_not_overflow_the_stack() {
    let depth = 1_000_000;
    assert_eq!(parse(&nested(depth, "")), Err(ParseError::TooDeep));
    assert_eq!(parse(&"[".repeat(depth)), Err(ParseError::NotJson));
    assert_eq!(parse(&"{\"a\":".repeat(depth)), Err(ParseError::NotJson));
}

#[test]
fn get_and_as_str_read_objects() {
    let value = ok(r#"{"Type":"Epoch","n":1}"#);
    assert_eq!(value.get("Type").and_then(Json::as_str), Some("Epoch"));
    assert_eq!(value.get("n").and_then(Json::as_str), None);
    assert_eq!(value.get("missing"), None);
    assert_eq!(Json::Null.get("Type"), None);
}
