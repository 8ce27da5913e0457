//! `QueryError`: what went wrong in a query option, and the character position where it did.
//!
//! Positions are **1-based character (Unicode scalar) offsets** into the option's value as the
//! parser received it (after URL decoding): the first character is position 1, and an error at
//! the end of the text (e.g. a missing `)`) is reported at `length + 1`. Internally the lexer,
//! the AST and the binder work with byte offsets ([`Span`](super::Span)); they are turned into
//! character positions only here, where a message is built for a human.

use std::fmt;

/// The longest option value the parser accepts, in characters.
pub const MAX_QUERY_LENGTH: usize = 4096;
/// The deepest nesting of parentheses, `not`, lambdas and `in` lists the parser accepts.
pub const MAX_NESTING_DEPTH: usize = 64;
/// The deepest nesting of `any`/`all` lambdas (each costs the parser more stack than a `(`).
/// With both limits, the worst input needs under 1 MiB of stack in a debug build and under
/// 256 KiB in a release build (a test pins the former).
pub const MAX_LAMBDA_DEPTH: usize = 16;

/// The default of the most values one `in` list may have (`tally serve --max-in-list`; see
/// [`FilterOptions`](super::FilterOptions)).
pub const DEFAULT_MAX_IN_LIST: usize = 100;

/// The system query option a piece of text came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum QueryOption {
    Filter,
    OrderBy,
    Select,
}

impl QueryOption {
    /// The option's name as written in a URL, e.g. `$filter`.
    pub fn as_str(self) -> &'static str {
        match self {
            QueryOption::Filter => "$filter",
            QueryOption::OrderBy => "$orderby",
            QueryOption::Select => "$select",
        }
    }
}

impl fmt::Display for QueryOption {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Whether the text could not be read at all, or was read but means nothing for tally's model.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// The text does not follow the grammar, or exceeds a limit.
    Syntax,
    /// The text parses, but names an unknown property, mixes types, misuses a lambda, etc.
    Binding,
}

/// A query option that tally cannot use; its `Display` is the message for a 400 response.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueryError {
    pub option: QueryOption,
    pub kind: ErrorKind,
    /// 1-based character position in the option's value (see the module docs).
    pub position: usize,
    /// What is wrong, without the position prefix.
    pub message: String,
}

impl QueryError {
    /// An error at byte offset `at` of `source`, reported as a 1-based character position.
    pub(crate) fn at(
        option: QueryOption,
        kind: ErrorKind,
        source: &str,
        at: usize,
        message: impl Into<String>,
    ) -> Self {
        Self {
            option,
            kind,
            position: char_position(source, at),
            message: message.into(),
        }
    }
}

impl fmt::Display for QueryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.kind {
            ErrorKind::Syntax => "Syntax error",
            ErrorKind::Binding => "Invalid query",
        };
        write!(
            f,
            "{what} at position {} in '{}': {}",
            self.position, self.option, self.message
        )
    }
}

impl std::error::Error for QueryError {}

/// The 1-based character position of byte offset `at` (clamped to the text, and rounded down to
/// a character boundary).
pub(crate) fn char_position(source: &str, at: usize) -> usize {
    let mut at = at.min(source.len());
    while !source.is_char_boundary(at) {
        at -= 1;
    }
    source[..at].chars().count() + 1
}

/// A syntax error that has not yet been given its option and source text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct SyntaxError {
    /// Byte offset into the source.
    pub at: usize,
    pub message: String,
}

impl SyntaxError {
    pub(crate) fn new(at: usize, message: impl Into<String>) -> Self {
        Self {
            at,
            message: message.into(),
        }
    }

    pub(crate) fn into_query_error(self, option: QueryOption, source: &str) -> QueryError {
        QueryError::at(option, ErrorKind::Syntax, source, self.at, self.message)
    }
}

/// Rejects text over [`MAX_QUERY_LENGTH`] characters before any parsing starts.
pub(crate) fn check_length(source: &str) -> Result<(), SyntaxError> {
    match source.char_indices().nth(MAX_QUERY_LENGTH) {
        Some((at, _)) => Err(SyntaxError::new(
            at,
            format!("the expression is longer than {MAX_QUERY_LENGTH} characters"),
        )),
        None => Ok(()),
    }
}

/// Quotes a piece of source text for a message, shortening it if it is long.
pub(crate) fn quote(text: &str) -> String {
    const MAX: usize = 40;
    match text.char_indices().nth(MAX) {
        Some((cut, _)) => format!("'{}…'", &text[..cut]),
        None => format!("'{text}'"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_characters_from_one() {
        assert_eq!(char_position("abc", 0), 1);
        assert_eq!(char_position("abc", 3), 4);
        assert_eq!(char_position("é x", 3), 3);
        assert_eq!(char_position("é x", 1), 1);
        assert_eq!(char_position("abc", 99), 4);
    }

    #[test]
    fn display_reads_like_a_sentence() {
        let error = QueryError::at(
            QueryOption::Filter,
            ErrorKind::Syntax,
            "snapshotDateTime 5",
            17,
            "expected an operator after 'snapshotDateTime'",
        );
        assert_eq!(
            error.to_string(),
            "Syntax error at position 18 in '$filter': expected an operator after 'snapshotDateTime'"
        );
    }

    #[test]
    fn long_text_is_quoted_short() {
        assert_eq!(quote("abc"), "'abc'");
        assert_eq!(quote(&"x".repeat(50)), format!("'{}…'", "x".repeat(40)));
    }
}
