//! Strict JSON parsing: like `serde_json::from_slice::<Value>`, but a duplicate key in any object
//! is an error naming its property path (serde_json would silently keep the last one).

use std::fmt;

use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

/// Why a body is not acceptable JSON.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JsonError {
    /// The same key twice in one object, at this property path.
    DuplicateKey(String),
    /// Not JSON at all; serde_json's description with line and column.
    Syntax(String),
}

impl fmt::Display for JsonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            JsonError::DuplicateKey(path) => {
                write!(f, "The property '{path}' appears more than once.")
            }
            JsonError::Syntax(detail) => write!(f, "The request body is not valid JSON: {detail}."),
        }
    }
}

const DUPLICATE_MARKER: &str = "\u{0}duplicate:";

/// Parses `bytes` as one JSON value, rejecting duplicate keys.
pub fn parse_strict(bytes: &[u8]) -> Result<Value, JsonError> {
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let value = PathSeed(Step::Root)
        .deserialize(&mut deserializer)
        .and_then(|value| deserializer.end().map(|()| value));
    value.map_err(|error| {
        let text = error.to_string();
        match text.strip_prefix(DUPLICATE_MARKER) {
            Some(rest) => {
                JsonError::DuplicateKey(rest.split(" at line ").next().unwrap_or(rest).to_owned())
            }
            None => JsonError::Syntax(text),
        }
    })
}

/// Where a value is: its parent and its key or index. The path's text is built only for an
/// error, so valid bodies cost no allocation per property.
#[derive(Clone, Copy)]
enum Step<'a> {
    Root,
    Key(&'a PathSeed<'a>, &'a str),
    Index(&'a PathSeed<'a>, usize),
}

/// Deserializes one value, knowing its property path for error messages.
struct PathSeed<'a>(Step<'a>);

impl PathSeed<'_> {
    fn path(&self) -> String {
        match self.0 {
            Step::Root => String::new(),
            Step::Key(parent, key) => {
                let parent = parent.path();
                if parent.is_empty() {
                    key.to_owned()
                } else {
                    format!("{parent}.{key}")
                }
            }
            Step::Index(parent, index) => format!("{}[{index}]", parent.path()),
        }
    }
}

impl<'de> DeserializeSeed<'de> for PathSeed<'_> {
    type Value = Value;

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for PathSeed<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, value: bool) -> Result<Value, E> {
        Ok(Value::Bool(value))
    }

    fn visit_i64<E>(self, value: i64) -> Result<Value, E> {
        Ok(Value::from(value))
    }

    fn visit_u64<E>(self, value: u64) -> Result<Value, E> {
        Ok(Value::from(value))
    }

    fn visit_f64<E>(self, value: f64) -> Result<Value, E> {
        Ok(serde_json::Number::from_f64(value).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E>(self, value: &str) -> Result<Value, E> {
        Ok(Value::String(value.to_owned()))
    }

    fn visit_string<E>(self, value: String) -> Result<Value, E> {
        Ok(Value::String(value))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(PathSeed(Step::Index(&self, items.len())))? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut object = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if object.contains_key(&key) {
                return Err(de::Error::custom(format_args!(
                    "{DUPLICATE_MARKER}{}",
                    PathSeed(Step::Key(&self, &key)).path()
                )));
            }
            let value = map.next_value_seed(PathSeed(Step::Key(&self, &key)))?;
            object.insert(key, value);
        }
        Ok(Value::Object(object))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_json_parses_as_serde_json_would() {
        let text = br#"{"a":[1,-2,3.5,"x",null,true,{"b":{}}]}"#;
        assert_eq!(
            parse_strict(text).unwrap(),
            serde_json::from_slice::<Value>(text).unwrap()
        );
    }

    #[test]
    fn duplicate_keys_name_their_path() {
        assert_eq!(
            parse_strict(br#"{"a":1,"a":2}"#),
            Err(JsonError::DuplicateKey("a".into()))
        );
        assert_eq!(
            parse_strict(br#"{"list":[{},{"x":1,"y":2,"x":3}]}"#),
            Err(JsonError::DuplicateKey("list[1].x".into()))
        );
    }

    #[test]
    fn syntax_errors_and_trailing_data_are_rejected() {
        for text in [&b"{"[..], b"{} {}", b"", b"{'a':1}", b"[1,]"] {
            assert!(
                matches!(parse_strict(text), Err(JsonError::Syntax(_))),
                "{text:?}"
            );
        }
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_stack_overflow() {
        let text = "[".repeat(100_000);
        assert!(matches!(
            parse_strict(text.as_bytes()),
            Err(JsonError::Syntax(_))
        ));
    }
}
