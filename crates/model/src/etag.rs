//! Versions, weak ETags and the `If-Match` / `If-None-Match` preconditions (RFC 9110, compared
//! weakly as Graph does).

/// The ETag of one version of an object: `W/"<version>"`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EntityTag(pub i64);

impl EntityTag {
    /// The header and `@odata.etag` form.
    pub fn to_header(self) -> String {
        format!("W/\"{}\"", self.0)
    }
}

/// The tags of one precondition header.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TagList {
    /// `*`: any current version.
    Any,
    /// The opaque parts of the listed tags (`W/` and quotes removed: weak comparison).
    Tags(Vec<String>),
}

impl TagList {
    /// Parses a header value such as `W/"3", "4"` or `*`.
    pub fn parse(header: &str) -> Self {
        if header.trim() == "*" {
            return TagList::Any;
        }
        let tags = header
            .split(',')
            .map(|tag| {
                let tag = tag.trim();
                let tag = tag.strip_prefix("W/").unwrap_or(tag);
                tag.trim_matches('"').to_owned()
            })
            .collect();
        TagList::Tags(tags)
    }

    /// Whether the current version (None: the object does not exist) matches the list.
    pub fn matches(&self, current: Option<EntityTag>) -> bool {
        match (self, current) {
            (_, None) => false,
            (TagList::Any, Some(_)) => true,
            (TagList::Tags(tags), Some(tag)) => {
                let opaque = tag.0.to_string();
                tags.contains(&opaque)
            }
        }
    }
}

/// The preconditions of a write.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Precondition {
    pub if_match: Option<TagList>,
    pub if_none_match: Option<TagList>,
}

impl Precondition {
    pub fn from_headers(if_match: Option<&str>, if_none_match: Option<&str>) -> Self {
        Self {
            if_match: if_match.map(TagList::parse),
            if_none_match: if_none_match.map(TagList::parse),
        }
    }

    /// Whether a write may proceed against an existing object at version `current`.
    pub fn allows(&self, current: EntityTag) -> bool {
        let match_ok = self
            .if_match
            .as_ref()
            .is_none_or(|list| list.matches(Some(current)));
        let none_match_ok = self
            .if_none_match
            .as_ref()
            .is_none_or(|list| !list.matches(Some(current)));
        match_ok && none_match_ok
    }

    /// Whether a PUT may proceed against the object there (`None`: there is none, and the PUT
    /// would create it): `If-Match` needs one that matches, `If-None-Match` one that does not
    /// (`*`: none at all).
    pub fn allows_put(&self, current: Option<EntityTag>) -> bool {
        match current {
            Some(current) => self.allows(current),
            None => self.if_match.is_none(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weak_and_strong_forms_compare_weakly() {
        let tag = EntityTag(7);
        assert_eq!(tag.to_header(), "W/\"7\"");
        for header in ["W/\"7\"", "\"7\"", "\"1\", W/\"7\"", "*"] {
            assert!(TagList::parse(header).matches(Some(tag)), "{header}");
        }
        for header in ["W/\"8\"", "\"\"", "garbage"] {
            assert!(!TagList::parse(header).matches(Some(tag)), "{header}");
        }
        assert!(!TagList::Any.matches(None));
    }

    #[test]
    fn preconditions_combine() {
        let current = EntityTag(2);
        assert!(Precondition::default().allows(current));
        assert!(!Precondition::from_headers(Some("W/\"1\""), None).allows(current));
        assert!(!Precondition::from_headers(None, Some("*")).allows(current));
        assert!(Precondition::from_headers(Some("*"), Some("W/\"1\"")).allows(current));
    }
}
