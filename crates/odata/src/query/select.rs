//! The `$select` parser: `*` or comma-separated property paths.

use super::ast::{Ident, Path, SelectItem};
use super::error::{QueryError, QueryOption, SyntaxError};
use super::lexer::TokenKind;
use super::parser::Parser;

/// Parses a `$select` value such as `id,snapshotDateTime` or `*`.
pub fn parse_select(source: &str) -> Result<Vec<SelectItem>, QueryError> {
    parse(source).map_err(|error| error.into_query_error(QueryOption::Select, source))
}

fn parse(source: &str) -> Result<Vec<SelectItem>, SyntaxError> {
    let mut parser = Parser::new(source)?;
    if parser.peek().kind == TokenKind::Eof {
        return Err(parser.error_here("the list of properties is empty"));
    }
    let mut items = Vec::new();
    loop {
        if parser.peek().kind == TokenKind::Star {
            items.push(SelectItem::Star(parser.advance().span));
        } else {
            items.push(SelectItem::Path(path(&mut parser)?));
        }
        match parser.peek().kind {
            TokenKind::Comma => {
                parser.advance();
            }
            TokenKind::Eof => return Ok(items),
            _ => return Err(parser.expected("',' or the end")),
        }
    }
}

fn path(parser: &mut Parser<'_>) -> Result<Path, SyntaxError> {
    let mut segments = vec![segment(parser)?];
    while parser.peek().kind == TokenKind::Slash {
        parser.advance();
        segments.push(segment(parser)?);
    }
    let span = segments[0].span.to(segments[segments.len() - 1].span);
    Ok(Path { segments, span })
}

fn segment(parser: &mut Parser<'_>) -> Result<Ident, SyntaxError> {
    match parser.peek().ident() {
        Some(name) if !name.starts_with('$') => {
            let name = name.to_owned();
            let span = parser.advance().span;
            Ok(Ident { name, span })
        }
        _ => Err(parser.expected("a property name or '*'")),
    }
}
