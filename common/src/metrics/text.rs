//! The text exposition format 0.0.4: family headers, sample lines, escaping and numbers.

use std::fmt::{Display, Write as _};

/// `# HELP` and `# TYPE` of one family.
pub(super) fn family_head(out: &mut String, name: &str, help: &str, type_name: &str) {
    let help = help.replace('\\', "\\\\").replace('\n', "\\n");
    // Writing to a String cannot fail.
    let _ = writeln!(out, "# HELP {name} {help}");
    let _ = writeln!(out, "# TYPE {name} {type_name}");
}

/// One sample line: `name_suffix{a="x",le="0.1"} value`, without braces when unlabelled.
pub(super) fn sample(
    out: &mut String,
    name: &str,
    suffix: &str,
    labels: &[(&str, &str)],
    le: Option<&str>,
    value: impl Display,
) {
    out.push_str(name);
    out.push_str(suffix);
    let le = le.map(|bound| ("le", bound));
    let mut pairs = labels.iter().copied().chain(le).peekable();
    if pairs.peek().is_some() {
        out.push('{');
        for (index, (label, value)) in pairs.enumerate() {
            if index > 0 {
                out.push(',');
            }
            let _ = write!(out, "{label}=\"{}\"", escape_label_value(value));
        }
        out.push('}');
    }
    let _ = writeln!(out, " {value}");
}

/// Backslash, double quote and line feed are the only escapes the format has.
pub(super) fn escape_label_value(value: &str) -> String {
    let mut escaped = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '\\' => escaped.push_str("\\\\"),
            '"' => escaped.push_str("\\\""),
            '\n' => escaped.push_str("\\n"),
            _ => escaped.push(c),
        }
    }
    escaped
}

/// A float as Prometheus reads it: the shortest decimal that round-trips (`1`, `0.0025`),
/// or `+Inf`, `-Inf`, `NaN`.
pub(super) fn float(value: f64) -> String {
    if value.is_nan() {
        "NaN".to_owned()
    } else if value.is_infinite() {
        if value > 0.0 { "+Inf" } else { "-Inf" }.to_owned()
    } else {
        value.to_string()
    }
}

/// `[a-zA-Z_:][a-zA-Z0-9_:]*`.
pub(super) fn is_metric_name(name: &str) -> bool {
    is_identifier(name, true)
}

/// `[a-zA-Z_][a-zA-Z0-9_]*`, not starting with `__` (reserved), and not `le` (the
/// histogram bucket label).
pub(super) fn is_label_name(name: &str) -> bool {
    is_identifier(name, false) && !name.starts_with("__") && name != "le"
}

fn is_identifier(name: &str, colon: bool) -> bool {
    let allowed = |c: char| c.is_ascii_alphanumeric() || c == '_' || (colon && c == ':');
    name.chars().next().is_some_and(|c| !c.is_ascii_digit()) && name.chars().all(allowed)
}
