//! AMQP topic patterns (docs/spec/logreader.md §6): the `topic` query parameter matches a document's
//! `Topic` exactly as RabbitMQ matches a binding key against a routing key.
//!
//! Two independent implementations live here. [`topic_regex`] is what the reader sends to
//! the database; [`topic_matches`] is a plain word matcher that states the semantics, and
//! the tests check the first against the second.

/// The pattern word that matches zero or more words.
const HASH: &str = "#";
/// The pattern word that matches exactly one word.
const STAR: &str = "*";

/// How the database matches a topic pattern: the `$regex` it evaluates and whether that is
/// only a superset of the pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DatabaseTopic {
    /// The expression for `{Topic: {$regex: <expr>, $ne: ""}}`, or `None` when the database
    /// applies no topic condition.
    pub regex: Option<String>,
    /// Whether the condition also matches topics the pattern does not, so every document it
    /// returns must be confirmed with [`topic_matches`].
    pub confirm: bool,
}

/// What the database evaluates for `pattern` (docs/spec/logreader.md §6).
///
/// After runs of `#` collapse, a pattern with at most one `#` is translated exactly by
/// [`topic_regex`]. A pattern with several `#` words would translate into one unbounded
/// loop per `#`, and a backtracking engine (MongoDB's PCRE) tries every way of splitting a
/// topic between them: polynomial in the topic's length, on every document scanned. Such a
/// pattern is sent as its words up to the first `#` and after the last, joined by one `#`:
/// a superset with a single loop, confirmed word by word in the reader.
pub fn database_topic(pattern: &str) -> DatabaseTopic {
    let words = collapse_hashes(pattern);
    let hashes: Vec<usize> = (0..words.len()).filter(|&i| words[i] == HASH).collect();
    match (hashes.first(), hashes.last()) {
        (Some(&first), Some(&last)) if first != last => {
            let mut outer = words[..=first].to_vec();
            outer.extend_from_slice(&words[last + 1..]);
            DatabaseTopic {
                regex: regex_of_words(&outer),
                confirm: true,
            }
        }
        _ => DatabaseTopic {
            regex: regex_of_words(&words),
            confirm: false,
        },
    }
}

/// The exact database regular expression for an AMQP topic pattern, or `None` when the
/// pattern consists only of `#` words and so applies no topic condition at all. The reader
/// sends it only for patterns with at most one `#` (see [`database_topic`]).
///
/// The expression must be used as `{Topic: {$regex: <expr>, $ne: ""}}`, never alone: the
/// empty topic has zero words, and a pattern with a non-`#` word needs at least one, but
/// the expression alone reads `""` as one empty word. With the `$ne` the condition matches
/// exactly the topics [`topic_matches`] accepts. A document without a string `Topic` never
/// matches.
///
/// Built as the "Reference translation" of docs/spec/logreader.md §6: runs of `#` words collapse into
/// one, then `^` + one piece per word + `\z`. It has no back-references, and each `#` is one
/// loop over whole words; with a single `#` it runs in linear time on both MongoDB (PCRE)
/// and FerretDB (Go's RE2 syntax). Every ASCII character other than `A–Z`, `a–z` and `0–9`
/// is escaped with a backslash, which both engines read as that literal character.
/// (Rust's `regex` crate reads `\<` and `\>` as word boundaries instead, so it is not a
/// faithful evaluator for patterns containing `<` or `>`.)
///
/// The empty pattern `""` (zero words) gives `^\z`, which together with `$ne: ""` matches
/// nothing, although RabbitMQ would match it to the empty routing key. The reader never
/// asks for it: a blank `topic` parameter is rejected before this point (§5.3).
pub fn topic_regex(pattern: &str) -> Option<String> {
    regex_of_words(&collapse_hashes(pattern))
}

/// The reference translation of already collapsed words.
fn regex_of_words(words: &[&str]) -> Option<String> {
    if words == [HASH] {
        return None;
    }
    let last = words.len() - 1;
    let mut expr = String::from("^");
    for (i, word) in words.iter().enumerate() {
        // The dot before a word belongs to a `#` piece when one precedes it.
        let needs_dot = i > 0 && words[i - 1] != HASH;
        match *word {
            HASH if i == 0 => expr.push_str(r"(?:[^.]*\.)*"),
            HASH if i == last => expr.push_str(r"(?:\.[^.]*)*"),
            HASH => expr.push_str(r"\.(?:[^.]*\.)*"),
            literal_or_star => {
                if needs_dot {
                    expr.push_str(r"\.");
                }
                if literal_or_star == STAR {
                    expr.push_str("[^.]*");
                } else {
                    push_escaped(&mut expr, literal_or_star);
                }
            }
        }
    }
    expr.push_str(r"\z");
    Some(expr)
}

/// The pattern's words with every run of consecutive `#` words replaced by one `#`, which
/// matches the same topics. `split` always yields at least one word.
fn collapse_hashes(pattern: &str) -> Vec<&str> {
    let mut words: Vec<&str> = pattern.split('.').collect();
    words.dedup_by(|next, previous| *next == HASH && *previous == HASH);
    words
}

/// Appends `word` with a backslash before every ASCII character that is not a letter or a
/// digit; non-ASCII characters are copied as they are. ASCII control characters become
/// `\xHH` instead: MongoDB refuses a regular expression with a raw NUL byte (a 500 for
/// `topic=%00`), and both engines read `\xHH` as that character.
fn push_escaped(expr: &mut String, word: &str) {
    for c in word.chars() {
        if c.is_ascii_control() {
            expr.push_str(&format!("\\x{:02X}", u32::from(c)));
            continue;
        }
        if c.is_ascii() && !c.is_ascii_alphanumeric() {
            expr.push('\\');
        }
        expr.push(c);
    }
}

/// Whether `topic` matches the AMQP topic `pattern`, with RabbitMQ's exact semantics.
///
/// Both are split on `.` into words, empty words included (`a..b` has three words), except
/// that the empty string has zero words. `*` matches exactly one word (which may be empty),
/// `#` matches zero or more words, and any other pattern word matches only an identical
/// word, byte for byte: `a*` and `#b` are literal words.
pub fn topic_matches(pattern: &str, topic: &str) -> bool {
    let pattern = words(pattern);
    let topic = words(topic);
    // Dynamic programming from the end: `rest[j]` tells whether the pattern words after the
    // current one match `topic[j..]`. Quadratic at worst, and never exponential.
    let mut rest = vec![false; topic.len() + 1];
    rest[topic.len()] = true;
    for &word in pattern.iter().rev() {
        let mut here = vec![false; topic.len() + 1];
        here[topic.len()] = word == HASH && rest[topic.len()];
        for (j, &topic_word) in topic.iter().enumerate().rev() {
            here[j] = match word {
                // `#` either matches no more words, or takes this one and may take more.
                HASH => rest[j] || here[j + 1],
                STAR => rest[j + 1],
                literal => literal == topic_word && rest[j + 1],
            };
        }
        rest = here;
    }
    rest[0]
}

/// AMQP words: `""` has none, anything else is split on every `.`.
fn words(text: &str) -> Vec<&str> {
    if text.is_empty() {
        Vec::new()
    } else {
        text.split('.').collect()
    }
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant};

    use proptest::prelude::*;
    use regex::Regex;

    use super::*;

    /// The database condition `{Topic: {$regex: expr, $ne: ""}}` on a string `Topic`, with
    /// Rust's RE2-like `regex` crate standing in for the database engine.
    fn server_matches(regex: Option<&str>, topic: &str) -> bool {
        match regex {
            None => true,
            Some(expr) => {
                let regex = Regex::new(expr).expect("topic expressions always compile");
                regex.is_match(topic) && !topic.is_empty()
            }
        }
    }

    /// What the reader answers: the database condition of [`database_topic`], then the
    /// word matcher where it asks for confirmation.
    fn condition_matches(pattern: &str, topic: &str) -> bool {
        let database = database_topic(pattern);
        server_matches(database.regex.as_deref(), topic)
            && (!database.confirm || topic_matches(pattern, topic))
    }

    /// Checks one row of the table in docs/spec/logreader.md §6 with both implementations.
    fn check_row(pattern: &str, matching: &[&str], not_matching: &[&str]) {
        for topic in matching {
            assert!(topic_matches(pattern, topic), "{pattern:?} vs {topic:?}");
            assert!(
                condition_matches(pattern, topic),
                "db {pattern:?} vs {topic:?}"
            );
        }
        for topic in not_matching {
            assert!(!topic_matches(pattern, topic), "{pattern:?} vs {topic:?}");
            assert!(
                !condition_matches(pattern, topic),
                "db {pattern:?} vs {topic:?}"
            );
        }
    }

    /// One test per row of the table in docs/spec/logreader.md §6.
    macro_rules! rows {
        ($($name:ident: $pattern:expr, [$($yes:expr),*], [$($no:expr),*];)*) => {$(
            #[test]
            fn $name() {
                check_row($pattern, &[$($yes),*], &[$($no),*]);
            }
        )*};
    }

    rows! {
        row_literal: "Epoch", ["Epoch"], ["Epochs", "Epoch.x", "x.Epoch", "epoch"];
        row_trailing_star: "weather.*", ["weather.current", "weather.forecast", "weather."],
            ["weather", "weather.a.b", "weatherXcurrent"];
        row_leading_star: "*.current", ["weather.current", ".current"], ["current", "a.b.current"];
        row_middle_star: "energy.*.solar", ["energy.production.solar", "energy..solar"],
            ["energy.solar", "energy.a.b.solar"];
        row_star_both_ends: "*.production.*", ["energy.production.solar"],
            ["production.solar", "a.b.production.c"];
        row_star_is_one_word: "energy.*", ["energy.x"],
            ["energy.production.solar", "energy.storage.state", "energy"];
        row_trailing_hash: "energy.#",
            ["energy", "energy.production.solar", "energy.storage.state", "energy."],
            ["energyX", "x.energy"];
        row_leading_hash: "#.solar", ["solar", "energy.production.solar", ".solar"],
            ["solarX", "energy.solar.x"];
        row_middle_hash: "a.#.b", ["a.b", "a.x.b", "a.x.y.b", "a..b"], ["ab", "a.b.c", "x.a.b"];
        row_hash: "#", ["", "a", ".", "a.b.c", "Epoch"], [];
        row_hash_hash: "#.#", ["", "a", ".", "a.b.c", "Epoch"], [];
        row_star: "*", ["Epoch", "a"], ["", "a.b", "."];
        row_star_hash: "*.#", ["a", "a.b", "."], [""];
        row_star_is_literal_inside_a_word: "a*", ["a*"], ["ab", "a"];
        row_regex_plus: "a.b+c", ["a.b+c"], ["a.bbc", "a.bc", "a.b"];
        row_regex_brackets: "a[1]", ["a[1]"], ["a1", "a"];
        row_regex_parenthesis: "a(b", ["a(b"], ["ab", "a"];
        row_regex_backslash: "a\\b", ["a\\b"], ["ab", "a\u{8}"];
        row_regex_dollar: "a$", ["a$"], ["a"];
        row_invalid_message_topic: "Status.*", ["Status.Ready"], ["Status", "Status.Ready.x"];
    }

    rows! {
        hash_inside_a_word_is_literal: "#b", ["#b"], ["b", "a.b"];
        empty_words_are_words: "a..b", ["a..b"], ["a.b", "a...b"];
        star_matches_an_empty_word: "a.*.b", ["a..b"], ["a.b"];
        runs_of_hashes_match_like_one: "a.#.#.#.b", ["a.b", "a.x.y.b"], ["a", "b"];
        hash_then_empty_word: "#.", [".", "a.", "a.b."], ["", "a"];
        words_are_case_sensitive: "Energy.*", ["Energy.x"], ["energy.x", "ENERGY.x"];
        non_ascii_words: "é.*", ["é.x"], ["e.x", "é"];
        surrounding_hashes: "#.a.#", ["a", "x.a", "a.x", "x.a.y", "..a.."], ["", "b", "xa"];
        hash_star_needs_one_word: "#.*", ["a", ".", "a.b"], [""];
    }

    #[test]
    fn translation_follows_the_reference_pieces() {
        let cases = [
            ("Epoch", r"^Epoch\z"),
            ("weather.*", r"^weather\.[^.]*\z"),
            ("*", r"^[^.]*\z"),
            ("#.solar", r"^(?:[^.]*\.)*solar\z"),
            ("a.#.b", r"^a\.(?:[^.]*\.)*b\z"),
            ("energy.#", r"^energy(?:\.[^.]*)*\z"),
            ("*.#", r"^[^.]*(?:\.[^.]*)*\z"),
            ("#.#.a.#.#", r"^(?:[^.]*\.)*a(?:\.[^.]*)*\z"),
            ("a.#.#.b", r"^a\.(?:[^.]*\.)*b\z"),
            ("a..b", r"^a\.\.b\z"),
            ("#.", r"^(?:[^.]*\.)*\z"),
            ("a.b+c", r"^a\.b\+c\z"),
            ("a_b c-é€", r"^a\_b\ c\-é€\z"),
            ("a<b>", r"^a\<b\>\z"),
            ("", r"^\z"),
        ];
        for (pattern, expected) in cases {
            assert_eq!(
                topic_regex(pattern).as_deref(),
                Some(expected),
                "{pattern:?}"
            );
        }
    }

    #[test]
    fn control_characters_are_hex_escapes_with_no_raw_byte() {
        let expr = topic_regex("a\u{0}b.\u{1f}.\u{7f}").unwrap();
        assert_eq!(expr, r"^a\x00b\.\x1F\.\x7F\z");
        let regex = Regex::new(&expr).unwrap();
        assert!(regex.is_match("a\u{0}b.\u{1f}.\u{7f}"));
        assert!(!regex.is_match("a0b.\u{1f}.\u{7f}"));
    }

    #[test]
    fn several_hashes_are_sent_as_the_outer_words_and_confirmed() {
        let cases = [
            ("a.#.b.#.c", Some(r"^a\.(?:[^.]*\.)*c\z")),
            ("#.a.#", None),
            ("#.a.#.b", Some(r"^(?:[^.]*\.)*b\z")),
            ("x.*.#.a.#.#.b.#", Some(r"^x\.[^.]*(?:\.[^.]*)*\z")),
        ];
        for (pattern, expected) in cases {
            let database = database_topic(pattern);
            assert!(database.confirm, "{pattern:?}");
            assert_eq!(database.regex.as_deref(), expected, "{pattern:?}");
        }
        for pattern in ["a.#.#.b", "#.#", "#.a", "a.#", "a.*.b"] {
            let database = database_topic(pattern);
            assert!(!database.confirm, "{pattern:?}");
            assert_eq!(database.regex, topic_regex(pattern), "{pattern:?}");
        }
    }

    #[test]
    fn patterns_of_only_hashes_apply_no_condition() {
        for pattern in ["#", "#.#", "#.#.#"] {
            assert_eq!(topic_regex(pattern), None, "{pattern:?}");
        }
    }

    #[test]
    fn empty_pattern_matches_only_the_empty_topic() {
        assert!(topic_matches("", ""));
        assert!(!topic_matches("", "a"));
        assert!(!topic_matches("", "."));
    }

    #[test]
    fn long_non_matching_pattern_compiles_and_runs_quickly() {
        let pattern = "#.a*.*.(b".repeat(1_200);
        assert!(pattern.len() > 10_000);
        let topic = "a*.x.(b.".repeat(1_300) + "z";
        let started = Instant::now();
        let regex = Regex::new(&topic_regex(&pattern).unwrap()).unwrap();
        assert!(!regex.is_match(&topic));
        assert!(!topic_matches(&pattern, &topic));
        // Generous for debug builds: a backtracking blow-up would take far longer.
        assert!(started.elapsed() < Duration::from_secs(10));
    }

    /// A small alphabet, so that random patterns and topics often share words.
    const ALPHABET: [char; 9] = ['a', 'b', '.', '*', '#', '+', '(', '\\', 'é'];
    /// Whole words for the word-level generator, wildcards and regex characters included.
    const WORDS: [&str; 10] = ["a", "b", "", "*", "#", "a*", "+(", "\\", "é", "ab"];

    fn text(max_len: usize) -> impl Strategy<Value = String> {
        prop::collection::vec(prop::sample::select(&ALPHABET[..]), 0..=max_len)
            .prop_map(|chars| chars.into_iter().collect())
    }

    fn dotted_words(max_words: usize) -> impl Strategy<Value = String> {
        prop::collection::vec(prop::sample::select(&WORDS[..]), 0..=max_words)
            .prop_map(|words| words.join("."))
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4_000))]

        #[test]
        fn condition_agrees_with_word_matcher_on_random_text(
            pattern in text(10).prop_filter("non-empty", |p| !p.is_empty()),
            topic in text(10),
        ) {
            prop_assert_eq!(condition_matches(&pattern, &topic), topic_matches(&pattern, &topic));
        }

        #[test]
        fn condition_agrees_with_word_matcher_on_random_words(
            pattern in dotted_words(6).prop_filter("non-empty", |p| !p.is_empty()),
            topic in dotted_words(6),
        ) {
            prop_assert_eq!(condition_matches(&pattern, &topic), topic_matches(&pattern, &topic));
        }

        #[test]
        fn database_condition_is_exact_or_a_superset_with_one_loop(
            pattern in dotted_words(8).prop_filter("non-empty", |p| !p.is_empty()),
            topic in dotted_words(8),
        ) {
            let database = database_topic(&pattern);
            let server = server_matches(database.regex.as_deref(), &topic);
            let exact = topic_matches(&pattern, &topic);
            if database.confirm {
                prop_assert!(server || !exact, "the superset lost a match");
            } else {
                prop_assert_eq!(server, exact);
            }
            // One `#` piece at most: the loops that make PCRE backtrack polynomially.
            let loops = database.regex.as_deref().map_or(0, |expr| expr.matches(")*").count());
            prop_assert!(loops <= 1, "{:?}", database.regex);
        }

        #[test]
        fn every_topic_matches_itself_literally(topic in text(10)) {
            let has_wildcard = topic.split('.').any(|w| w == HASH || w == STAR);
            prop_assume!(!has_wildcard && !topic.is_empty());
            prop_assert!(topic_matches(&topic, &topic));
            prop_assert!(condition_matches(&topic, &topic));
        }
    }
}
