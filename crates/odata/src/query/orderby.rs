//! The `$orderby` parser: comma-separated `expression [asc|desc]` items.

use super::ast::{OrderByItem, SortDirection};
use super::error::{QueryError, QueryOption, SyntaxError};
use super::lexer::TokenKind;
use super::parser::Parser;

/// Parses a `$orderby` value such as `snapshotDateTime desc, id`. Items are primaries (paths,
/// literals, `$count`, parenthesised expressions); binding decides which ones tally can sort by.
pub fn parse_orderby(source: &str) -> Result<Vec<OrderByItem>, QueryError> {
    parse(source).map_err(|error| error.into_query_error(QueryOption::OrderBy, source))
}

fn parse(source: &str) -> Result<Vec<OrderByItem>, SyntaxError> {
    let mut parser = Parser::new(source)?;
    let mut items = Vec::new();
    loop {
        let expr = parser.parse_primary()?;
        let mut span = expr.span;
        let direction = match parser.peek().ident() {
            Some("asc") => SortDirection::Asc,
            Some("desc") => SortDirection::Desc,
            _ => SortDirection::Asc,
        };
        if matches!(parser.peek().ident(), Some("asc" | "desc")) {
            span = span.to(parser.advance().span);
        }
        items.push(OrderByItem {
            expr,
            direction,
            span,
        });
        match &parser.peek().kind {
            TokenKind::Comma => {
                parser.advance();
            }
            TokenKind::Eof => return Ok(items),
            TokenKind::Ident(word)
                if !matches!(word.as_str(), "asc" | "desc")
                    && matches!(word.to_ascii_lowercase().as_str(), "asc" | "desc") =>
            {
                let lower = word.to_ascii_lowercase();
                return Err(parser.error_here(format!(
                    "unknown sort direction '{word}': directions are lower case, as in '{lower}'"
                )));
            }
            _ => return Err(parser.expected("'asc', 'desc', ',' or the end")),
        }
    }
}
