//! A forward-only reader over the characters of a datetime string, shared by both grammars.
//!
//! Both grammars are fixed-width and need at most one character of look-ahead, so a slice of
//! Unicode scalar values and an index are enough; no regular expressions are involved.

/// Position in a slice of characters. Every method that fails leaves the position unchanged,
/// so callers can try an alternative.
#[derive(Debug, Clone)]
pub(super) struct Cursor<'a> {
    chars: &'a [char],
    pos: usize,
}

impl<'a> Cursor<'a> {
    pub(super) fn new(chars: &'a [char]) -> Self {
        Self { chars, pos: 0 }
    }

    pub(super) fn is_end(&self) -> bool {
        self.pos >= self.chars.len()
    }

    pub(super) fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    /// Takes any one character.
    pub(super) fn next(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += 1;
        Some(c)
    }

    /// Takes `c` if it comes next.
    pub(super) fn eat(&mut self, c: char) -> bool {
        let found = self.peek() == Some(c);
        if found {
            self.pos += 1;
        }
        found
    }

    /// Takes `c`, failing when something else comes next; for use with `?`.
    pub(super) fn expect(&mut self, c: char) -> Option<()> {
        self.eat(c).then_some(())
    }

    /// Takes exactly `n` ASCII digits and returns their value.
    pub(super) fn digits(&mut self, n: usize) -> Option<u32> {
        let field = self.chars.get(self.pos..self.pos + n)?;
        // `char::to_digit` knows only ASCII digits, which is exactly what the grammars want.
        let value = field
            .iter()
            .try_fold(0u32, |acc, c| c.to_digit(10).map(|d| acc * 10 + d))?;
        self.pos += n;
        Some(value)
    }

    /// Takes the longest run of ASCII digits (possibly empty) and returns it as a fraction of
    /// a second: the number of digits and the microseconds of the first six, never rounded.
    pub(super) fn fraction_digits(&mut self) -> (usize, u32) {
        let run = self.chars[self.pos..]
            .iter()
            .take_while(|c| c.is_ascii_digit())
            .count();
        let micros = self.chars[self.pos..self.pos + run]
            .iter()
            .chain(std::iter::repeat(&'0'))
            .take(6)
            .fold(0, |acc, c| acc * 10 + c.to_digit(10).unwrap_or(0));
        self.pos += run;
        (run, micros)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chars(s: &str) -> Vec<char> {
        s.chars().collect()
    }

    #[test]
    fn digits_take_exactly_the_width_and_only_ascii_digits() {
        let text = chars("2020-");
        let mut c = Cursor::new(&text);
        assert_eq!(c.digits(4), Some(2020));
        assert_eq!(c.digits(1), None);
        assert!(c.eat('-'));
        assert!(c.is_end());
        assert_eq!(c.digits(1), None);
    }

    #[test]
    fn failed_digits_leave_the_position_unchanged() {
        let text = chars("1a");
        let mut c = Cursor::new(&text);
        assert_eq!(c.digits(2), None);
        assert_eq!(c.peek(), Some('1'));
    }

    #[test]
    fn non_ascii_digits_are_not_digits() {
        let text = chars("١٢");
        assert_eq!(Cursor::new(&text).digits(2), None);
        let text = chars("１２");
        assert_eq!(Cursor::new(&text).digits(2), None);
    }

    #[test]
    fn fraction_digits_pad_and_truncate_to_microseconds() {
        let cases = [
            ("", (0, 0)),
            ("1", (1, 100_000)),
            ("123456", (6, 123_456)),
            ("1234569999", (10, 123_456)),
            ("999999999", (9, 999_999)),
            ("5x", (1, 500_000)),
        ];
        for (text, expected) in cases {
            let text = chars(text);
            assert_eq!(Cursor::new(&text).fraction_digits(), expected);
        }
    }

    #[test]
    fn next_and_eat_work_on_unicode_scalar_values() {
        let text = chars("é+");
        let mut c = Cursor::new(&text);
        assert!(!c.eat('+'));
        assert_eq!(c.next(), Some('é'));
        assert!(c.eat('+'));
        assert_eq!(c.next(), None);
    }
}
