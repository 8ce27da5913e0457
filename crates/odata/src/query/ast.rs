//! The untyped syntax tree of `$filter`, `$orderby` and `$select`, with byte spans into the text.
//!
//! The tree knows nothing about tally's model: `foo/bar eq 'x'` parses fine and is rejected only
//! when it is bound ([`bind`](super::bind)). Spans are byte ranges of the source text; errors turn
//! them into character positions.

use crate::edm::DateTimeOffset;

/// A byte range `start..end` of the source text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Self {
        Self { start, end }
    }

    /// The smallest span covering both.
    pub fn to(self, other: Span) -> Span {
        Span::new(self.start.min(other.start), self.end.max(other.end))
    }
}

/// A name as written: a property, a lambda variable, or a path keyword such as `$count`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ident {
    pub name: String,
    pub span: Span,
}

/// `a/b/c`: one or more identifiers separated by `/`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Path {
    pub segments: Vec<Ident>,
    pub span: Span,
}

impl Path {
    /// The path as written, segments joined by `/`.
    pub fn text(&self) -> String {
        let names: Vec<&str> = self.segments.iter().map(|s| s.name.as_str()).collect();
        names.join("/")
    }
}

/// A `$filter` expression node and where it was written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

impl Expr {
    pub fn new(kind: ExprKind, span: Span) -> Self {
        Self { kind, span }
    }
}

/// The shapes of `$filter` expressions (parentheses leave no node of their own).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ExprKind {
    Literal(Literal),
    /// A property path, possibly starting with a lambda variable: `id`, `d/licenseType`.
    Path(Path),
    /// `path/$count`: the number of elements of a collection.
    Count(Path),
    /// `path/any(...)` or `path/all(...)`.
    Lambda {
        kind: LambdaKind,
        collection: Path,
        /// `None` only for `any()`, which is true iff the collection is not empty.
        body: Option<LambdaBody>,
    },
    Compare {
        op: CompareOp,
        left: Box<Expr>,
        right: Box<Expr>,
    },
    /// `value in (list...)`; the list is never empty.
    In {
        value: Box<Expr>,
        list: Vec<Expr>,
    },
    /// `a and b and c`: a chain of two or more operands, kept flat so that long chains do not
    /// make deep trees. A parenthesised chain inside another stays a node of its own.
    And(Vec<Expr>),
    /// `a or b or c`, flat like [`ExprKind::And`].
    Or(Vec<Expr>),
    Not(Box<Expr>),
    /// A function call such as `startswith(displayName, 'A')`.
    Call {
        function: Ident,
        args: Vec<Expr>,
    },
}

/// `d: predicate` inside `any(...)`/`all(...)`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LambdaBody {
    pub variable: Ident,
    pub predicate: Box<Expr>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LambdaKind {
    Any,
    All,
}

impl LambdaKind {
    pub fn as_str(self) -> &'static str {
        match self {
            LambdaKind::Any => "any",
            LambdaKind::All => "all",
        }
    }
}

/// The six comparison operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CompareOp {
    Eq,
    Ne,
    Gt,
    Ge,
    Lt,
    Le,
}

impl CompareOp {
    pub const ALL: [CompareOp; 6] = [
        CompareOp::Eq,
        CompareOp::Ne,
        CompareOp::Gt,
        CompareOp::Ge,
        CompareOp::Lt,
        CompareOp::Le,
    ];

    /// The keyword, e.g. `eq`.
    pub fn as_str(self) -> &'static str {
        match self {
            CompareOp::Eq => "eq",
            CompareOp::Ne => "ne",
            CompareOp::Gt => "gt",
            CompareOp::Ge => "ge",
            CompareOp::Lt => "lt",
            CompareOp::Le => "le",
        }
    }

    /// The operator for a keyword (case-sensitive, as in OData).
    pub fn from_keyword(word: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|op| op.as_str() == word)
    }

    /// True for `gt ge lt le`, which need ordered operands.
    pub fn is_ordering(self) -> bool {
        !matches!(self, CompareOp::Eq | CompareOp::Ne)
    }
}

/// A literal value as written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Literal {
    Null,
    Bool(bool),
    Int(i64),
    /// The string's value, with `''` already turned into `'`.
    String(String),
    DateTimeOffset(DateTimeOffset),
    /// An unquoted GUID (OData's `Edm.Guid` literal), in lower case.
    Guid(String),
    /// `microsoft.graph.azureADLicenseType'premiumP2'`.
    Enum {
        type_name: String,
        member: String,
    },
}

/// One `$orderby` item: an expression and its direction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrderByItem {
    pub expr: Expr,
    pub direction: SortDirection,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum SortDirection {
    #[default]
    Asc,
    Desc,
}

impl SortDirection {
    pub fn as_str(self) -> &'static str {
        match self {
            SortDirection::Asc => "asc",
            SortDirection::Desc => "desc",
        }
    }
}

/// One `$select` item.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SelectItem {
    /// `*`: every structural property.
    Star(Span),
    Path(Path),
}
