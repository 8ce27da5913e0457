//! What collect prints, made safe for a terminal: control characters (ESC, BEL, newlines) and
//! the invisible reordering marks of bidirectional text, which a userPrincipalName or Graph's
//! error message may carry, are shown escaped (`\u{1b}`), so they can neither drive the
//! terminal nor break a message into several lines.

/// `text` with every control character and bidirectional formatting mark escaped as `\u{…}`.
pub(super) fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        if is_unsafe(c) {
            escaped.extend(c.escape_unicode());
        } else {
            escaped.push(c);
        }
    }
    escaped
}

fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn control_characters_are_escaped_and_the_rest_kept() {
        assert_eq!(
            escape("a\u{1b}[31mb\u{7}@x\nnext\u{202e}é"),
            "a\\u{1b}[31mb\\u{7}@x\\u{a}next\\u{202e}é"
        );
        assert_eq!(
            escape("user@contoso.example: 'ok'"),
            "user@contoso.example: 'ok'"
        );
    }
}
