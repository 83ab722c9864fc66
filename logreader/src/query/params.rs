//! The query-string rules of docs/spec/logreader.md §3.2, written by hand because they differ from
//! `application/x-www-form-urlencoded` decoders in small ways that matter here: an invalid
//! `%` escape is kept literally, blank values count as absent, the last occurrence wins and
//! `process` occurrences are merged.

/// The decoded fields of one query string, in order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QueryParams {
    fields: Vec<(String, String)>,
}

impl QueryParams {
    /// Splits and decodes a raw query string (the part after `?`, without it).
    pub fn parse(raw: &str) -> Self {
        let fields = raw
            .split('&')
            .filter(|field| !field.is_empty())
            .map(|field| {
                let (name, value) = field.split_once('=').unwrap_or((field, ""));
                (decode_component(name), decode_component(value))
            })
            .collect();
        Self { fields }
    }

    /// The last non-blank value of `name`, if any (blank means absent).
    pub fn get(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .rev()
            .find(|(key, value)| key == name && !value.is_empty())
            .map(|(_, value)| value.as_str())
    }

    /// Every non-blank occurrence of `name`, each split on `,`, concatenated in order.
    /// Empty items inside a value are kept (`a,,b` gives three items).
    pub fn list(&self, name: &str) -> Option<Vec<String>> {
        let items: Vec<String> = self
            .fields
            .iter()
            .filter(|(key, value)| key == name && !value.is_empty())
            .flat_map(|(_, value)| value.split(','))
            .map(str::to_owned)
            .collect();
        (!items.is_empty()).then_some(items)
    }

    /// All decoded fields, for the DEBUG log.
    pub fn fields(&self) -> &[(String, String)] {
        &self.fields
    }
}

/// Decodes `+` to a space and `%XX` to a byte, keeps invalid escapes literally, and reads
/// the bytes as UTF-8 with U+FFFD for invalid sequences.
pub fn decode_component(text: &str) -> String {
    decode_bytes(text, true)
}

/// Percent-decodes a path segment: like [`decode_component`], but `+` stays `+` (§3.1).
pub fn decode_path_segment(text: &str) -> String {
    decode_bytes(text, false)
}

fn decode_bytes(text: &str, plus_is_space: bool) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' if plus_is_space => out.push(b' '),
            b'%' => match (bytes.get(i + 1), bytes.get(i + 2)) {
                (Some(&high), Some(&low))
                    if high.is_ascii_hexdigit() && low.is_ascii_hexdigit() =>
                {
                    out.push(hex_value(high) << 4 | hex_value(low));
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            byte => out.push(byte),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex_value(digit: u8) -> u8 {
    match digit {
        b'0'..=b'9' => digit - b'0',
        b'a'..=b'f' => digit - b'a' + 10,
        _ => digit - b'A' + 10,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_plus_percent_and_keeps_invalid_escapes() {
        let params = QueryParams::parse("topic=energy.%23&a=b+c&bad=%zz%4&pct=100%");
        assert_eq!(params.get("topic"), Some("energy.#"));
        assert_eq!(params.get("a"), Some("b c"));
        assert_eq!(params.get("bad"), Some("%zz%4"));
        assert_eq!(params.get("pct"), Some("100%"));
    }

    #[test]
    fn invalid_utf8_becomes_replacement_characters() {
        let params = QueryParams::parse("epoch=%FF%C3%A4");
        assert_eq!(params.get("epoch"), Some("\u{fffd}ä"));
    }

    #[test]
    fn blank_is_absent_and_last_non_blank_wins() {
        let params = QueryParams::parse("epoch=1&epoch=2&epoch=&topic=&flag&x=%20");
        assert_eq!(params.get("epoch"), Some("2"));
        assert_eq!(params.get("topic"), None);
        assert_eq!(params.get("flag"), None);
        assert_eq!(params.get("x"), Some(" "));
        assert_eq!(params.get("Epoch"), None);
    }

    #[test]
    fn process_occurrences_are_split_and_merged() {
        let params = QueryParams::parse("process=a,b&process=&process=c&process=d,,e");
        assert_eq!(
            params.list("process"),
            Some(
                vec!["a", "b", "c", "d", "", "e"]
                    .into_iter()
                    .map(String::from)
                    .collect()
            )
        );
        assert_eq!(QueryParams::parse("process=").list("process"), None);
    }

    #[test]
    fn fields_split_at_the_first_equals_sign() {
        let params = QueryParams::parse("a=b=c&&d");
        assert_eq!(params.get("a"), Some("b=c"));
        assert_eq!(params.fields().len(), 2);
    }

    #[test]
    fn path_segments_keep_plus() {
        assert_eq!(decode_path_segment("a+b%20c%2"), "a+b c%2");
    }
}
