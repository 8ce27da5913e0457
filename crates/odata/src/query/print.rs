//! Writes a `$filter` tree back as OData text, with only the parentheses its shape needs, so
//! that parsing the output gives the same tree (spans aside).

use std::fmt::{self, Write};

use super::ast::{Expr, ExprKind, Literal, Path};

/// Binding strength of a node, loosest first.
fn precedence(expr: &Expr) -> u8 {
    match expr.kind {
        ExprKind::Or(..) => 0,
        ExprKind::And(..) => 1,
        ExprKind::Compare { .. } | ExprKind::In { .. } => 2,
        ExprKind::Not(_) => 3,
        ExprKind::Literal(_)
        | ExprKind::Path(_)
        | ExprKind::Count(_)
        | ExprKind::Lambda { .. }
        | ExprKind::Call { .. } => 4,
    }
}

/// Writes `expr`, parenthesised if it binds looser than `min` requires.
fn write_expr(f: &mut fmt::Formatter<'_>, expr: &Expr, min: u8) -> fmt::Result {
    let parenthesise = precedence(expr) < min;
    if parenthesise {
        f.write_char('(')?;
    }
    match &expr.kind {
        ExprKind::Or(items) => write_chain(f, items, " or ", 1)?,
        ExprKind::And(items) => write_chain(f, items, " and ", 2)?,
        ExprKind::Compare { op, left, right } => {
            write_expr(f, left, 3)?;
            write!(f, " {} ", op.as_str())?;
            write_expr(f, right, 3)?;
        }
        ExprKind::In { value, list } => {
            write_expr(f, value, 3)?;
            f.write_str(" in (")?;
            for (i, item) in list.iter().enumerate() {
                if i > 0 {
                    f.write_str(", ")?;
                }
                write_expr(f, item, 0)?;
            }
            f.write_char(')')?;
        }
        ExprKind::Not(operand) => {
            f.write_str("not ")?;
            write_expr(f, operand, 3)?;
        }
        ExprKind::Literal(literal) => write!(f, "{literal}")?,
        ExprKind::Path(path) => write!(f, "{path}")?,
        ExprKind::Count(path) => write!(f, "{path}/$count")?,
        ExprKind::Lambda {
            kind,
            collection,
            body,
        } => {
            write!(f, "{collection}/{}(", kind.as_str())?;
            if let Some(body) = body {
                write!(f, "{}: ", body.variable.name)?;
                write_expr(f, &body.predicate, 0)?;
            }
            f.write_char(')')?;
        }
        ExprKind::Call { function, args } => {
            write!(f, "{}(", function.name)?;
            for (i, arg) in args.iter().enumerate() {
                if i > 0 {
                    f.write_str(", ")?;
                }
                write_expr(f, arg, 0)?;
            }
            f.write_char(')')?;
        }
    }
    if parenthesise {
        f.write_char(')')?;
    }
    Ok(())
}

/// Writes a flat chain; an item that is itself a chain of the same kind was parenthesised in
/// the source, and `min` keeps it so.
fn write_chain(
    f: &mut fmt::Formatter<'_>,
    items: &[Expr],
    separator: &str,
    min: u8,
) -> fmt::Result {
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            f.write_str(separator)?;
        }
        write_expr(f, item, min)?;
    }
    Ok(())
}

fn write_quoted(f: &mut fmt::Formatter<'_>, text: &str) -> fmt::Result {
    write!(f, "'{}'", text.replace('\'', "''"))
}

impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_expr(f, self, 0)
    }
}

impl fmt::Display for Path {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text())
    }
}

impl fmt::Display for Literal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Literal::Null => f.write_str("null"),
            Literal::Bool(value) => write!(f, "{value}"),
            Literal::Int(value) => write!(f, "{value}"),
            Literal::String(value) => write_quoted(f, value),
            Literal::DateTimeOffset(value) => f.write_str(value.as_str()),
            Literal::Guid(value) => f.write_str(value),
            Literal::Enum { type_name, member } => {
                f.write_str(type_name)?;
                write_quoted(f, member)
            }
        }
    }
}
