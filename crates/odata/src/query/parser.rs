//! The `$filter` parser: tokens → [`Expr`], by recursive descent with depth and length limits.
//!
//! Precedence, loosest first: `or`, `and`, comparisons (`eq ne gt ge lt le in`, which do not
//! chain), `not`, then primaries (literals, paths, lambdas, `$count`, parentheses). As in OData,
//! `not` binds tighter than a comparison, so `not a eq b` means `(not a) eq b`.

use super::ast::{CompareOp, Expr, ExprKind, Ident, LambdaBody, LambdaKind, Literal, Path, Span};
use super::error::{
    char_position, check_length, quote, SyntaxError, MAX_LAMBDA_DEPTH, MAX_NESTING_DEPTH,
};
use super::lexer::{tokenize, Token, TokenKind};
use super::FilterOptions;

/// Parses a whole `$filter` value.
pub(crate) fn parse_filter_expr(source: &str, options: FilterOptions) -> Result<Expr, SyntaxError> {
    let mut parser = Parser::new(source)?;
    parser.max_in_list = options.max_in_list();
    let expr = parser.parse_or()?;
    parser.expect_end()?;
    Ok(expr)
}

/// Keywords that can never be a property name in a path.
const OPERATORS: [&str; 10] = ["eq", "ne", "gt", "ge", "lt", "le", "in", "and", "or", "not"];

pub(crate) struct Parser<'a> {
    source: &'a str,
    tokens: Vec<Token>,
    pos: usize,
    depth: usize,
    lambda_variables: Vec<String>,
    /// The most values one `in` list may have.
    max_in_list: usize,
}

impl<'a> Parser<'a> {
    pub(crate) fn new(source: &'a str) -> Result<Self, SyntaxError> {
        check_length(source)?;
        Ok(Self {
            source,
            tokens: tokenize(source)?,
            pos: 0,
            depth: 0,
            lambda_variables: Vec::new(),
            max_in_list: FilterOptions::default().max_in_list(),
        })
    }

    pub(crate) fn peek(&self) -> &Token {
        &self.tokens[self.pos.min(self.tokens.len() - 1)]
    }

    fn peek_at(&self, ahead: usize) -> &Token {
        &self.tokens[(self.pos + ahead).min(self.tokens.len() - 1)]
    }

    pub(crate) fn advance(&mut self) -> Token {
        let token = self.peek().clone();
        if token.kind != TokenKind::Eof {
            self.pos += 1;
        }
        token
    }

    pub(crate) fn at_keyword(&self, word: &str) -> bool {
        self.peek().ident() == Some(word)
    }

    /// The text of the token before the current one, quoted, for "after ..." messages.
    pub(crate) fn previous(&self) -> Option<String> {
        let token = self.tokens.get(self.pos.checked_sub(1)?)?;
        Some(token.describe(self.source))
    }

    pub(crate) fn error_here(&self, message: impl Into<String>) -> SyntaxError {
        SyntaxError::new(self.peek().span.start, message)
    }

    /// "expected X after 'prev', found 'next'", at the current token.
    pub(crate) fn expected(&self, what: &str) -> SyntaxError {
        let found = self.peek().describe(self.source);
        match self.previous() {
            Some(previous) => {
                self.error_here(format!("expected {what} after {previous}, found {found}"))
            }
            None => self.error_here(format!("expected {what}, found {found}")),
        }
    }

    /// Requires the end of the text after a complete expression.
    pub(crate) fn expect_end(&self) -> Result<(), SyntaxError> {
        match &self.peek().kind {
            TokenKind::Eof => Ok(()),
            TokenKind::RParen => Err(self.error_here("unexpected ')' without a matching '('")),
            _ => Err(self.unexpected_after_operand("an operator")),
        }
    }

    /// Requires the `)` that closes the `(` at `open`.
    fn expect_close(&mut self, open: Span, what: &str) -> Result<Span, SyntaxError> {
        match &self.peek().kind {
            TokenKind::RParen => Ok(self.advance().span),
            TokenKind::Eof => Err(self.error_here(format!(
                "missing ')' to close the '(' at position {}",
                char_position(self.source, open.start)
            ))),
            _ => Err(self.unexpected_after_operand(what)),
        }
    }

    /// The error for a token that cannot follow a complete operand or expression.
    fn unexpected_after_operand(&self, what: &str) -> SyntaxError {
        let Some(word) = self
            .peek()
            .ident()
            .filter(|w| !matches!(*w, "null" | "true" | "false"))
        else {
            return self.expected(what);
        };
        let word = word.to_owned();
        if word == "not" {
            return self.error_here("'not' goes before its operand, as in not (a eq b)");
        }
        let lower = word.to_ascii_lowercase();
        if OPERATORS.contains(&lower.as_str()) {
            return self.error_here(format!(
                "unknown operator {}: operators are lower case, as in '{lower}'",
                quote(&word)
            ));
        }
        self.error_here(format!(
            "unknown operator {}: expected one of eq, ne, gt, ge, lt, le, in, and, or",
            quote(&word)
        ))
    }

    fn enter(&mut self) -> Result<(), SyntaxError> {
        if self.depth >= MAX_NESTING_DEPTH {
            return Err(self.error_here(format!(
                "the expression nests more than {MAX_NESTING_DEPTH} levels deep"
            )));
        }
        self.depth += 1;
        Ok(())
    }

    fn leave(&mut self) {
        self.depth -= 1;
    }

    /// `a and b or c`: `or` chains of `and` chains, in one function (one stack frame per
    /// nesting level rather than two).
    pub(crate) fn parse_or(&mut self) -> Result<Expr, SyntaxError> {
        let mut any_of = Vec::new();
        loop {
            let mut all_of = vec![self.parse_comparison()?];
            while self.at_keyword("and") {
                self.advance();
                all_of.push(self.parse_comparison()?);
            }
            any_of.push(chain(all_of, ExprKind::And));
            if !self.at_keyword("or") {
                return Ok(chain(any_of, ExprKind::Or));
            }
            self.advance();
        }
    }

    fn parse_comparison(&mut self) -> Result<Expr, SyntaxError> {
        let left = self.parse_unary()?;
        let expr = if let Some(op) = self.peek().ident().and_then(CompareOp::from_keyword) {
            self.advance();
            let right = self.parse_unary()?;
            let span = left.span.to(right.span);
            let (left, right) = (Box::new(left), Box::new(right));
            Expr::new(ExprKind::Compare { op, left, right }, span)
        } else if self.at_keyword("in") {
            self.advance();
            self.parse_in_list(left)?
        } else {
            return Ok(left);
        };
        let chained = self
            .peek()
            .ident()
            .and_then(CompareOp::from_keyword)
            .is_some();
        if chained || self.at_keyword("in") {
            return Err(
                self.error_here("comparisons cannot be chained: join them with 'and' or 'or'")
            );
        }
        Ok(expr)
    }

    fn parse_in_list(&mut self, value: Expr) -> Result<Expr, SyntaxError> {
        if self.peek().kind != TokenKind::LParen {
            let found = self.peek().describe(self.source);
            return Err(self.error_here(format!(
                "expected '(' after 'in', as in id in ('a', 'b'), found {found}"
            )));
        }
        self.enter()?;
        let open = self.advance().span;
        if self.peek().kind == TokenKind::RParen {
            return Err(self.error_here("the list after 'in' is empty"));
        }
        let mut list = Vec::new();
        loop {
            if list.len() == self.max_in_list {
                return Err(self.error_here(format!(
                    "the list after 'in' has more than {} values",
                    self.max_in_list
                )));
            }
            list.push(self.parse_or()?);
            if self.peek().kind == TokenKind::Comma {
                self.advance();
                continue;
            }
            let close = self.expect_close(open, "an operator, ',' or ')'")?;
            self.leave();
            let span = value.span.to(close);
            let value = Box::new(value);
            return Ok(Expr::new(ExprKind::In { value, list }, span));
        }
    }

    fn parse_unary(&mut self) -> Result<Expr, SyntaxError> {
        if !self.at_keyword("not") {
            return self.parse_primary();
        }
        self.enter()?;
        let not = self.advance().span;
        let operand = self.parse_unary()?;
        self.leave();
        let span = not.to(operand.span);
        Ok(Expr::new(ExprKind::Not(Box::new(operand)), span))
    }

    /// A literal, a path (with its lambda or `$count`), or a parenthesised expression. Only
    /// the parentheses are handled here, so that this frame, live at every nesting level, stays
    /// small.
    pub(crate) fn parse_primary(&mut self) -> Result<Expr, SyntaxError> {
        match &self.peek().kind {
            TokenKind::LParen => {}
            TokenKind::Ident(word)
                if !matches!(word.as_str(), "null" | "true" | "false" | "any" | "all")
                    && !word.starts_with('$')
                    && !OPERATORS.contains(&word.as_str())
                    && self.peek_at(1).kind == TokenKind::LParen =>
            {
                return self.parse_call()
            }
            TokenKind::Ident(word) if !matches!(word.as_str(), "null" | "true" | "false") => {
                return self.parse_path_expr()
            }
            _ => return self.parse_literal(),
        }
        self.enter()?;
        let open = self.advance().span;
        let expr = self.parse_or()?;
        self.expect_close(open, "an operator or ')'")?;
        self.leave();
        Ok(expr)
    }

    /// `name(arg, …)`: a function call (the binder decides which functions exist).
    fn parse_call(&mut self) -> Result<Expr, SyntaxError> {
        let token = self.advance();
        let function = Ident {
            name: token.ident().unwrap_or_default().to_owned(),
            span: token.span,
        };
        self.enter()?;
        let open = self.advance().span;
        let mut args = Vec::new();
        if self.peek().kind != TokenKind::RParen {
            loop {
                args.push(self.parse_or()?);
                if self.peek().kind == TokenKind::Comma {
                    self.advance();
                    continue;
                }
                break;
            }
        }
        let close = self.expect_close(open, "',' or ')'")?;
        self.leave();
        let span = function.span.to(close);
        Ok(Expr::new(ExprKind::Call { function, args }, span))
    }

    fn parse_literal(&mut self) -> Result<Expr, SyntaxError> {
        let literal = match &self.peek().kind {
            TokenKind::String(value) => Literal::String(value.clone()),
            TokenKind::Int(value) => Literal::Int(*value),
            TokenKind::DateTimeOffset(value) => Literal::DateTimeOffset(value.clone()),
            TokenKind::Guid(value) => Literal::Guid(value.clone()),
            TokenKind::Enum { type_name, member } => Literal::Enum {
                type_name: type_name.clone(),
                member: member.clone(),
            },
            TokenKind::Ident(word) if word == "null" => Literal::Null,
            TokenKind::Ident(word) if word == "true" => Literal::Bool(true),
            TokenKind::Ident(word) if word == "false" => Literal::Bool(false),
            TokenKind::Eof if self.pos == 0 => {
                return Err(SyntaxError::new(0, "the expression is empty"))
            }
            _ => return Err(self.expected("an expression")),
        };
        let span = self.advance().span;
        Ok(Expr::new(ExprKind::Literal(literal), span))
    }

    /// A name that may stand in a path here, or the error saying why it may not.
    fn path_segment(&mut self) -> Result<Ident, SyntaxError> {
        let token = self.peek().clone();
        let Some(name) = token.ident() else {
            return Err(self.expected("a property name"));
        };
        if OPERATORS.contains(&name) {
            return Err(self.expected("a property name or a value"));
        }
        if name.starts_with('$') {
            let message = if name == "$count" {
                "'$count' must follow a collection, as in licenseInfoDetails/$count".to_owned()
            } else {
                format!("{} is not supported in a path", quote(name))
            };
            return Err(self.error_here(message));
        }
        if matches!(name, "any" | "all") && self.peek_at(1).kind == TokenKind::LParen {
            return Err(self.error_here(format!(
                "'{name}' must follow a collection, as in licenseInfoDetails/{name}(d: …)"
            )));
        }
        let name = name.to_owned();
        self.advance();
        Ok(Ident {
            name,
            span: token.span,
        })
    }

    fn parse_path_expr(&mut self) -> Result<Expr, SyntaxError> {
        let first = self.path_segment()?;
        let mut path = Path {
            span: first.span,
            segments: vec![first],
        };
        while self.peek().kind == TokenKind::Slash {
            self.advance();
            let token = self.peek().clone();
            match token.ident() {
                Some("$count") => {
                    self.advance();
                    if self.peek().kind == TokenKind::Slash {
                        return Err(self.error_here("'$count' must be the last segment of a path"));
                    }
                    let span = path.span.to(token.span);
                    return Ok(Expr::new(ExprKind::Count(path), span));
                }
                Some(word @ ("any" | "all")) if self.peek_at(1).kind == TokenKind::LParen => {
                    let kind = if word == "any" {
                        LambdaKind::Any
                    } else {
                        LambdaKind::All
                    };
                    self.advance();
                    return self.parse_lambda(path, kind);
                }
                _ => {
                    let segment = self.path_segment()?;
                    path.span = path.span.to(segment.span);
                    path.segments.push(segment);
                }
            }
        }
        if self.peek().kind == TokenKind::LParen {
            return Err(self.error_here(format!(
                "function calls such as {} are not supported",
                quote(&format!("{}(…)", path.text()))
            )));
        }
        let span = path.span;
        Ok(Expr::new(ExprKind::Path(path), span))
    }

    fn parse_lambda(&mut self, collection: Path, kind: LambdaKind) -> Result<Expr, SyntaxError> {
        let open = self.advance().span;
        let body = if self.peek().kind == TokenKind::RParen {
            if kind == LambdaKind::All {
                return Err(self
                    .error_here("'all' needs a condition, as in all(d: d/totalUsageCount gt 0)"));
            }
            None
        } else {
            Some(self.parse_lambda_body(kind)?)
        };
        let close = self.expect_close(open, "an operator or ')'")?;
        if self.peek().kind == TokenKind::Slash {
            return Err(
                self.error_here(format!("nothing can follow {}(…) in a path", kind.as_str()))
            );
        }
        let span = collection.span.to(close);
        Ok(Expr::new(
            ExprKind::Lambda {
                kind,
                collection,
                body,
            },
            span,
        ))
    }

    fn parse_lambda_body(&mut self, kind: LambdaKind) -> Result<LambdaBody, SyntaxError> {
        let token = self.peek().clone();
        let name = match token.ident() {
            Some(name) if !name.starts_with('$') && !OPERATORS.contains(&name) => name.to_owned(),
            _ => {
                let found = token.describe(self.source);
                return Err(self.error_here(format!(
                    "expected a lambda variable name, as in {}(d: …), found {found}",
                    kind.as_str()
                )));
            }
        };
        if self.lambda_variables.len() >= MAX_LAMBDA_DEPTH {
            return Err(self.error_here(format!(
                "lambdas nest more than {MAX_LAMBDA_DEPTH} levels deep"
            )));
        }
        if self.lambda_variables.contains(&name) {
            return Err(self.error_here(format!(
                "the lambda variable {} is already used by an enclosing lambda: choose another name",
                quote(&name)
            )));
        }
        self.advance();
        if self.peek().kind != TokenKind::Colon {
            let found = self.peek().describe(self.source);
            return Err(self.error_here(format!(
                "expected ':' after the lambda variable {}, as in {}({name}: {name}/licenseType \
                 eq 'premiumP2'), found {found}",
                quote(&name),
                kind.as_str()
            )));
        }
        self.advance();
        self.enter()?;
        self.lambda_variables.push(name.clone());
        let predicate = self.parse_or();
        self.lambda_variables.pop();
        self.leave();
        let variable = Ident {
            name,
            span: token.span,
        };
        Ok(LambdaBody {
            variable,
            predicate: Box::new(predicate?),
        })
    }
}

/// One operand alone, or a flat `and`/`or` node over several.
fn chain(mut items: Vec<Expr>, kind: fn(Vec<Expr>) -> ExprKind) -> Expr {
    if items.len() == 1 {
        return items.remove(0);
    }
    let span = items[0].span.to(items[items.len() - 1].span);
    Expr::new(kind(items), span)
}
