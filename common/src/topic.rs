//! AMQP topic patterns (logreader.md §6). Provisional bodies: the signatures are final.

/// Database regular expression for an AMQP topic pattern; `None` when no condition applies.
pub fn topic_regex(pattern: &str) -> Option<String> {
    let _ = pattern;
    None
}

/// Reference word matcher with RabbitMQ semantics.
pub fn topic_matches(pattern: &str, topic: &str) -> bool {
    pattern == topic
}
