//! The lexer: query option text → tokens with byte spans. Keywords are plain identifiers here;
//! the parser decides what `eq` or `any` means where it stands.

use super::ast::Span;
use super::error::{quote, SyntaxError};
use crate::edm::DateTimeOffset;

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum TokenKind {
    /// `name`, `$count`, and also keywords such as `eq`, `null`, `any`.
    Ident(String),
    String(String),
    Int(i64),
    DateTimeOffset(DateTimeOffset),
    /// An unquoted GUID, in lower case.
    Guid(String),
    Enum {
        type_name: String,
        member: String,
    },
    LParen,
    RParen,
    Comma,
    Slash,
    Colon,
    Star,
    Eof,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Token {
    pub kind: TokenKind,
    pub span: Span,
}

impl Token {
    /// The token as a message shows it: quoted source text, or "the end of the expression".
    pub(crate) fn describe(&self, source: &str) -> String {
        match self.kind {
            TokenKind::Eof => "the end of the expression".to_owned(),
            TokenKind::String(_) => format!(
                "the string {}",
                quote(
                    source
                        .get(self.span.start + 1..self.span.end - 1)
                        .unwrap_or_default()
                )
            ),
            _ => quote(
                source
                    .get(self.span.start..self.span.end)
                    .unwrap_or_default(),
            ),
        }
    }

    /// The identifier's name, if the token is one.
    pub(crate) fn ident(&self) -> Option<&str> {
        match &self.kind {
            TokenKind::Ident(name) => Some(name),
            _ => None,
        }
    }
}

/// Splits `source` into tokens, ending with one [`TokenKind::Eof`] at `source.len()`.
pub(crate) fn tokenize(source: &str) -> Result<Vec<Token>, SyntaxError> {
    let bytes = source.as_bytes();
    let mut tokens = Vec::new();
    let mut at = 0;
    while let Some(&byte) = bytes.get(at) {
        if byte.is_ascii_whitespace() {
            at += 1;
            continue;
        }
        let start = at;
        let kind = match byte {
            b'(' => punct(&mut at, TokenKind::LParen),
            b')' => punct(&mut at, TokenKind::RParen),
            b',' => punct(&mut at, TokenKind::Comma),
            b'/' => punct(&mut at, TokenKind::Slash),
            b':' => punct(&mut at, TokenKind::Colon),
            b'*' => punct(&mut at, TokenKind::Star),
            b'\'' => {
                let (value, end) = string(source, at)?;
                at = end;
                TokenKind::String(value)
            }
            _ if looks_like_guid(&bytes[at..]) => {
                at += 36;
                TokenKind::Guid(source[start..at].to_ascii_lowercase())
            }
            b'0'..=b'9' | b'-' => {
                let (kind, end) = number_or_date(source, at)?;
                at = end;
                kind
            }
            b'$' | b'_' | b'a'..=b'z' | b'A'..=b'Z' => {
                if let Some(string) = tokens.last().filter(|t| is_string_ending_at(t, at)) {
                    return Err(SyntaxError::new(
                        at,
                        format!(
                            "unexpected text right after the string {}: a quote inside a \
                             string is written twice, as in 'it''s'",
                            string.describe(source)
                        ),
                    ));
                }
                let (kind, end) = word(source, at)?;
                at = end;
                kind
            }
            _ => return Err(unexpected_character(source, at)),
        };
        tokens.push(Token {
            kind,
            span: Span::new(start, at),
        });
    }
    tokens.push(Token {
        kind: TokenKind::Eof,
        span: Span::new(source.len(), source.len()),
    });
    Ok(tokens)
}

fn is_string_ending_at(token: &Token, at: usize) -> bool {
    matches!(token.kind, TokenKind::String(_)) && token.span.end == at
}

fn punct(at: &mut usize, kind: TokenKind) -> TokenKind {
    *at += 1;
    kind
}

fn is_ident_start(byte: u8) -> bool {
    byte.is_ascii_alphabetic() || byte == b'_'
}

fn is_ident_continue(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || byte == b'_'
}

/// Reads `'...'` starting at the opening quote; `''` stands for one quote.
/// Returns the value and the byte offset after the closing quote.
fn string(source: &str, start: usize) -> Result<(String, usize), SyntaxError> {
    let bytes = source.as_bytes();
    let mut value = String::new();
    let mut piece = start + 1;
    let mut at = start + 1;
    while at < bytes.len() {
        if bytes[at] == 0 {
            // No stored text holds one, and PostgreSQL's text cannot.
            return Err(SyntaxError::new(
                at,
                "a string literal cannot contain the NUL character (%00)",
            ));
        }
        if bytes[at] == b'\'' {
            value.push_str(&source[piece..at]);
            if bytes.get(at + 1) == Some(&b'\'') {
                value.push('\'');
                at += 2;
                piece = at;
                continue;
            }
            return Ok((value, at + 1));
        }
        at += 1;
    }
    Err(SyntaxError::new(
        start,
        "unterminated string literal: it needs a closing quote (a quote inside a string is \
         written twice, as in 'it''s')",
    ))
}

/// Reads an integer or a DateTimeOffset literal: the maximal run of characters that can belong
/// to either, classified afterwards so that a bad literal is reported whole.
fn number_or_date(source: &str, start: usize) -> Result<(TokenKind, usize), SyntaxError> {
    let bytes = source.as_bytes();
    let negative = bytes[start] == b'-';
    if negative && !bytes.get(start + 1).is_some_and(u8::is_ascii_digit) {
        return Err(SyntaxError::new(
            start,
            "unexpected character '-': arithmetic is not supported, and a negative number is \
             written with the minus sign right before its digits",
        ));
    }
    let mut end = start + 1;
    while bytes
        .get(end)
        .is_some_and(|&b| is_ident_continue(b) || matches!(b, b'.' | b':' | b'+' | b'-'))
    {
        end += 1;
    }
    let text = &source[start..end];
    let digits = if negative { &text[1..] } else { text };
    if digits.bytes().all(|b| b.is_ascii_digit()) {
        return match text.parse::<i64>() {
            Ok(value) => Ok((TokenKind::Int(value), end)),
            Err(_) => Err(SyntaxError::new(
                start,
                format!(
                    "the integer {} is out of range: integers must be between {} and {}",
                    quote(text),
                    i64::MIN,
                    i64::MAX
                ),
            )),
        };
    }
    if !negative && (digits.contains(':') || digits[1..].contains('-')) {
        return match DateTimeOffset::parse(text) {
            Ok(value) => Ok((TokenKind::DateTimeOffset(value), end)),
            Err(error) => Err(SyntaxError::new(
                start,
                format!(
                    "invalid DateTimeOffset literal {}: {error} (expected \
                     YYYY-MM-DDThh:mm[:ss[.fffffff]] followed by Z or ±hh:mm)",
                    quote(text)
                ),
            )),
        };
    }
    let message = if digits.contains('.') || digits.contains(['e', 'E']) {
        format!(
            "{} is not an integer: decimal and floating-point literals are not supported",
            quote(text)
        )
    } else {
        format!("invalid number {}", quote(text))
    };
    Err(SyntaxError::new(start, message))
}

/// Reads an identifier, `$name`, or a qualified enum literal `ns.Type'member'`.
fn word(source: &str, start: usize) -> Result<(TokenKind, usize), SyntaxError> {
    let bytes = source.as_bytes();
    let mut end = start;
    if bytes[start] == b'$' {
        end += 1;
        if !bytes.get(end).copied().is_some_and(is_ident_start) {
            return Err(SyntaxError::new(start, "expected a name after '$'"));
        }
    }
    let mut dotted = false;
    loop {
        while bytes.get(end).copied().is_some_and(is_ident_continue) {
            end += 1;
        }
        let next_starts_a_name = bytes.get(end + 1).copied().is_some_and(is_ident_start);
        if bytes.get(end) == Some(&b'.') && next_starts_a_name && bytes[start] != b'$' {
            dotted = true;
            end += 1;
        } else {
            break;
        }
    }
    let name = &source[start..end];
    match (dotted, bytes.get(end)) {
        (false, Some(b'\'')) => Err(SyntaxError::new(
            end,
            format!(
                "unexpected quote after {}: only an enum type's qualified name may precede a \
                 string, as in microsoft.graph.azureADLicenseType'premiumP2'",
                quote(name)
            ),
        )),
        (false, _) => Ok((TokenKind::Ident(name.to_owned()), end)),
        (true, Some(b'\'')) => {
            let (member, after) = string(source, end)?;
            let type_name = name.to_owned();
            Ok((TokenKind::Enum { type_name, member }, after))
        }
        (true, _) => Err(SyntaxError::new(
            start,
            format!(
                "unexpected qualified name {}: only enum literals may be qualified, as in \
                 microsoft.graph.azureADLicenseType'premiumP2'",
                quote(name)
            ),
        )),
    }
}

/// `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx` (hex), not followed by more name characters.
fn looks_like_guid(bytes: &[u8]) -> bool {
    bytes.len() >= 36
        && bytes[..36].iter().enumerate().all(|(i, b)| match i {
            8 | 13 | 18 | 23 => *b == b'-',
            _ => b.is_ascii_hexdigit(),
        })
        && !bytes.get(36).copied().is_some_and(is_ident_continue)
}

fn unexpected_character(source: &str, at: usize) -> SyntaxError {
    let rest = &source[at..];
    let hint = [
        ("==", "'==' is not an OData operator: use 'eq'"),
        ("!=", "'!=' is not an OData operator: use 'ne'"),
        ("<>", "'<>' is not an OData operator: use 'ne'"),
        (">=", "'>=' is not an OData operator: use 'ge'"),
        ("<=", "'<=' is not an OData operator: use 'le'"),
        ("&&", "'&&' is not an OData operator: use 'and'"),
        ("||", "'||' is not an OData operator: use 'or'"),
        ("=", "'=' is not an OData operator: use 'eq'"),
        (">", "'>' is not an OData operator: use 'gt'"),
        ("<", "'<' is not an OData operator: use 'lt'"),
        ("!", "'!' is not an OData operator: use 'not'"),
        ("&", "'&' is not an OData operator: use 'and'"),
        ("|", "'|' is not an OData operator: use 'or'"),
        ("\"", "strings are quoted with single quotes, as in 'text'"),
    ]
    .into_iter()
    .find(|(prefix, _)| rest.starts_with(prefix));
    let message = match hint {
        Some((_, hint)) => hint.to_owned(),
        None => {
            let c = rest.chars().next().unwrap_or_default();
            format!("unexpected character '{c}'")
        }
    };
    SyntaxError::new(at, message)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(source: &str) -> Vec<TokenKind> {
        tokenize(source)
            .unwrap()
            .into_iter()
            .map(|t| t.kind)
            .collect()
    }

    #[test]
    fn tokens_and_spans() {
        let tokens = tokenize("a/$count ge -12").unwrap();
        let spans: Vec<(usize, usize)> =
            tokens.iter().map(|t| (t.span.start, t.span.end)).collect();
        assert_eq!(spans, [(0, 1), (1, 2), (2, 8), (9, 11), (12, 15), (15, 15)]);
        assert_eq!(tokens[4].kind, TokenKind::Int(-12));
    }

    #[test]
    fn strings_unescape_doubled_quotes() {
        assert_eq!(
            kinds("'it''s' ''"),
            [
                TokenKind::String("it's".into()),
                TokenKind::String(String::new()),
                TokenKind::Eof
            ]
        );
    }

    #[test]
    fn enum_literals_and_dates() {
        let tokens = kinds("microsoft.graph.azureADLicenseType'premiumP2' 2020-01-01T00:00Z");
        assert_eq!(
            tokens[0],
            TokenKind::Enum {
                type_name: "microsoft.graph.azureADLicenseType".into(),
                member: "premiumP2".into()
            }
        );
        assert!(matches!(tokens[1], TokenKind::DateTimeOffset(_)));
    }

    #[test]
    fn errors_point_at_the_offending_byte() {
        for (source, at) in [
            ("'abc", 0),
            ("a == b", 2),
            ("x eq 1.5", 5),
            ("x eq 99999999999999999999", 5),
            ("x eq 2020-01-01T00:00:00.12345678Z", 5),
            ("a.b", 0),
            ("x'1'", 1),
            ("$", 0),
            ("- 1", 0),
            ("é", 0),
        ] {
            assert_eq!(tokenize(source).unwrap_err().at, at, "{source}");
        }
    }

    #[test]
    fn guids_are_one_token_in_lower_case() {
        let tokens = tokenize("id eq 6F9619FF-8B86-D011-B42D-00C04FC964FF").unwrap();
        assert_eq!(
            tokens[2].kind,
            TokenKind::Guid("6f9619ff-8b86-d011-b42d-00c04fc964ff".into())
        );
        // A GUID's run must end there: a longer word is not a GUID.
        assert!(tokenize("6f9619ff-8b86-d011-b42d-00c04fc964ffx").is_err());
    }
}
