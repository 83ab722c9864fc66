//! The query-string rules of docs/spec/logreader.md §3.2. Decoding is
//! `application/x-www-form-urlencoded` (`form_urlencoded`: `+` is a space, an invalid `%`
//! escape is kept literally, invalid UTF-8 becomes U+FFFD); on top of it, blank values count
//! as absent, the last occurrence wins and `process` occurrences are merged.

/// The decoded fields of one query string, in order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QueryParams {
    fields: Vec<(String, String)>,
}

impl QueryParams {
    /// Splits and decodes a raw query string (the part after `?`, without it).
    pub fn parse(raw: &str) -> Self {
        let fields = form_urlencoded::parse(raw.as_bytes())
            .map(|(name, value)| (name.into_owned(), value.into_owned()))
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

/// Percent-decodes a path segment (§3.1): an invalid escape is kept literally, `+` stays
/// `+`, and invalid UTF-8 becomes U+FFFD.
pub fn decode_path_segment(text: &str) -> String {
    percent_encoding::percent_decode_str(text)
        .decode_utf8_lossy()
        .into_owned()
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
