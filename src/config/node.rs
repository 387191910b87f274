//! The position-carrying configuration tree.
//!
//! Every value and every mapping key remembers the file, line and column it came from, so a
//! finding can point at the exact line even after several files were layered on top of each
//! other. The tree is built directly by serde from `serde-saphyr`'s span-aware deserializer:
//! parsing a file and recording positions is one pass.

use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::Spanned;

/// Index of a source file in [`crate::config::Deployment::sources`].
pub type FileId = u16;

/// Where a key or value sits: file, 1-based line and column (line 0 = unknown).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Pos {
    /// The file the text came from.
    pub file: FileId,
    /// 1-based line.
    pub line: u32,
    /// 1-based column (characters).
    pub column: u32,
}

impl Pos {
    fn from_location(loc: serde_saphyr::Location) -> Self {
        Self {
            file: 0,
            line: u32::try_from(loc.line()).unwrap_or(u32::MAX),
            column: u32::try_from(loc.column()).unwrap_or(u32::MAX),
        }
    }
}

/// A value in the tree.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// `null`, `~` or an empty value.
    Null,
    /// A boolean (YAML 1.1 `yes`/`on` included, as serde-saphyr and Kratos' loader read them).
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A floating point number (or an integer too large for `i64`).
    Float(f64),
    /// A string.
    Str(String),
    /// A sequence.
    Seq(Vec<Node>),
    /// A mapping, in file order.
    Map(Vec<Entry>),
}

/// One `key: value` pair of a mapping.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    /// The key, as text (non-string scalar keys are converted to their text).
    pub key: String,
    /// Where the key is written.
    pub key_pos: Pos,
    /// The value.
    pub node: Node,
}

/// A value with its position.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    /// The value.
    pub value: Value,
    /// Where the value is written: a sequence item's own position, a mapping value's key.
    pub pos: Pos,
}

impl Node {
    /// A node without a position (used for synthesised values).
    #[must_use]
    pub fn new(value: Value) -> Self {
        Self {
            value,
            pos: Pos::default(),
        }
    }

    /// Looks a dotted path up (`a.b.0.c`; numbers index sequences).
    #[must_use]
    pub fn get(&self, path: &str) -> Option<&Node> {
        if path.is_empty() {
            return Some(self);
        }
        path.split('.').try_fold(self, Node::child)
    }

    /// One step down: a mapping key or a sequence index.
    #[must_use]
    pub fn child(&self, segment: &str) -> Option<&Node> {
        match &self.value {
            Value::Map(entries) => entries.iter().find(|e| e.key == segment).map(|e| &e.node),
            Value::Seq(items) => segment.parse::<usize>().ok().and_then(|i| items.get(i)),
            _ => None,
        }
    }

    /// The mapping entry for `key`, with the key's own position.
    #[must_use]
    pub fn entry(&self, key: &str) -> Option<&Entry> {
        self.entries().iter().find(|e| e.key == key)
    }

    /// The entries of a mapping (empty for anything else).
    #[must_use]
    pub fn entries(&self) -> &[Entry] {
        match &self.value {
            Value::Map(entries) => entries,
            _ => &[],
        }
    }

    /// The items of a sequence (empty for anything else).
    #[must_use]
    pub fn items(&self) -> &[Node] {
        match &self.value {
            Value::Seq(items) => items,
            _ => &[],
        }
    }

    /// The items of a sequence, mutably (empty for anything else).
    pub fn items_mut(&mut self) -> &mut [Node] {
        match &mut self.value {
            Value::Seq(items) => items,
            _ => &mut [],
        }
    }

    /// The string, if this is a string.
    #[must_use]
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The boolean, if this is a boolean (or the strings `"true"`/`"false"`, as Kratos casts them).
    #[must_use]
    pub fn as_bool(&self) -> Option<bool> {
        match &self.value {
            Value::Bool(b) => Some(*b),
            Value::Str(s) if s.eq_ignore_ascii_case("true") => Some(true),
            Value::Str(s) if s.eq_ignore_ascii_case("false") => Some(false),
            _ => None,
        }
    }

    /// The integer, if this is an integer (or a string holding one).
    #[must_use]
    pub fn as_i64(&self) -> Option<i64> {
        match &self.value {
            Value::Int(i) => Some(*i),
            Value::Str(s) => s.trim().parse().ok(),
            _ => None,
        }
    }

    /// True for `null` and empty values.
    #[must_use]
    pub fn is_null(&self) -> bool {
        matches!(self.value, Value::Null)
    }

    /// Sets the file of every position in this subtree.
    pub fn set_file(&mut self, file: FileId) {
        self.pos.file = file;
        match &mut self.value {
            Value::Seq(items) => items.iter_mut().for_each(|n| n.set_file(file)),
            Value::Map(entries) => {
                for e in entries {
                    e.key_pos.file = file;
                    e.node.set_file(file);
                }
            }
            _ => {}
        }
    }

    /// Moves every position of the subtree down `lines` lines and right `columns` columns: a
    /// document read out of a block scalar, placed where it is written.
    pub fn shift(&mut self, lines: u32, columns: u32) {
        let moved = |pos: &mut Pos| {
            if pos.line > 0 {
                pos.line = pos.line.saturating_add(lines);
                pos.column = pos.column.saturating_add(columns);
            }
        };
        moved(&mut self.pos);
        match &mut self.value {
            Value::Seq(items) => items.iter_mut().for_each(|n| n.shift(lines, columns)),
            Value::Map(entries) => {
                for e in entries {
                    moved(&mut e.key_pos);
                    e.node.shift(lines, columns);
                }
            }
            _ => {}
        }
    }

    /// The value without positions, as JSON (mapping order kept).
    #[must_use]
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match &self.value {
            Value::Null => J::Null,
            Value::Bool(b) => J::Bool(*b),
            Value::Int(i) => J::from(*i),
            Value::Float(f) => serde_json::Number::from_f64(*f).map_or(J::Null, J::Number),
            Value::Str(s) => J::String(s.clone()),
            Value::Seq(items) => J::Array(items.iter().map(Node::to_json).collect()),
            Value::Map(entries) => J::Object(
                entries
                    .iter()
                    .map(|e| (e.key.clone(), e.node.to_json()))
                    .collect(),
            ),
        }
    }

    /// A short, secret-free description of the kind of value (for messages).
    #[must_use]
    pub fn kind(&self) -> &'static str {
        match self.value {
            Value::Null => "null",
            Value::Bool(_) => "a boolean",
            Value::Int(_) | Value::Float(_) => "a number",
            Value::Str(_) => "a string",
            Value::Seq(_) => "a list",
            Value::Map(_) => "a mapping",
        }
    }

    /// Every string in the subtree for which `matches` is true, with its dotted path. Paths
    /// are only built for matches: this runs over whole configs.
    pub fn find_strings(&self, matches: &dyn Fn(&str) -> bool) -> Vec<(String, &Node)> {
        /// A path segment, turned into text only when a string matches.
        enum Seg<'a> {
            Key(&'a str),
            Index(usize),
        }
        fn walk<'a>(
            node: &'a Node,
            trail: &mut Vec<Seg<'a>>,
            matches: &dyn Fn(&str) -> bool,
            out: &mut Vec<(String, &'a Node)>,
        ) {
            match &node.value {
                Value::Str(s) if matches(s) => {
                    let parts: Vec<String> = trail
                        .iter()
                        .map(|seg| match seg {
                            Seg::Key(k) => (*k).to_owned(),
                            Seg::Index(i) => i.to_string(),
                        })
                        .collect();
                    out.push((parts.join("."), node));
                }
                Value::Seq(items) => {
                    for (i, n) in items.iter().enumerate() {
                        trail.push(Seg::Index(i));
                        walk(n, trail, matches, out);
                        trail.pop();
                    }
                }
                Value::Map(entries) => {
                    for e in entries {
                        trail.push(Seg::Key(&e.key));
                        walk(&e.node, trail, matches, out);
                        trail.pop();
                    }
                }
                _ => {}
            }
        }
        let mut out = Vec::new();
        walk(self, &mut Vec::new(), matches, &mut out);
        out
    }
}

/// Joins two dotted path parts.
#[must_use]
pub fn join(prefix: &str, segment: &str) -> String {
    if prefix.is_empty() {
        segment.to_owned()
    } else {
        format!("{prefix}.{segment}")
    }
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let spanned = Spanned::<Value>::deserialize(d)?;
        Ok(Node {
            value: spanned.value,
            pos: Pos::from_location(spanned.referenced),
        })
    }
}

/// A mapping key: any scalar, kept as its text.
struct Key(String);

impl<'de> Deserialize<'de> for Key {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl Visitor<'_> for KeyVisitor {
            type Value = Key;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a scalar mapping key")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Key, E> {
                Ok(Key(v.to_owned()))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Key, E> {
                Ok(Key(v))
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Key, E> {
                Ok(Key(v.to_string()))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Key, E> {
                Ok(Key(v.to_string()))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Key, E> {
                Ok(Key(v.to_string()))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Key, E> {
                Ok(Key(v.to_string()))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Key, E> {
                Ok(Key("null".to_owned()))
            }
        }
        d.deserialize_any(KeyVisitor)
    }
}

impl<'de> Deserialize<'de> for Value {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ValueVisitor)
    }
}

struct ValueVisitor;

impl<'de> Visitor<'de> for ValueVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any YAML or JSON value")
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Int(v))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Value, E> {
        #[allow(clippy::cast_precision_loss)] // only integers beyond i64 take this path
        Ok(i64::try_from(v).map_or(Value::Float(v as f64), Value::Int))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        Ok(Value::Float(v))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Value, E> {
        Ok(Value::Str(v.to_owned()))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Value, E> {
        Ok(Value::Str(v))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        Value::deserialize(d)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some(n) = seq.next_element::<Node>()? {
            items.push(n);
        }
        Ok(Value::Seq(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut entries = Vec::with_capacity(map.size_hint().unwrap_or(0));
        while let Some(key) = map.next_key::<Spanned<Key>>()? {
            // A mapping value is located at its key: asking the parser for the value's own span
            // too costs about a fifth of the parse, and every finding points at the key anyway.
            let key_pos = Pos::from_location(key.referenced);
            let value = map.next_value::<Value>()?;
            entries.push(Entry {
                key: key.value.0,
                key_pos,
                node: Node {
                    value,
                    pos: key_pos,
                },
            });
        }
        Ok(Value::Map(entries))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Node {
        serde_saphyr::from_str(text).expect("parses")
    }

    #[test]
    fn keys_and_values_carry_positions() {
        let root = parse("a:\n  b: 1\n  list:\n    - x\n    - \"y\"\n");
        let b = root.get("a").and_then(|a| a.entry("b")).expect("b");
        assert_eq!((b.key_pos.line, b.key_pos.column), (2, 3));
        assert_eq!(
            b.node.pos, b.key_pos,
            "mapping values are located at their key"
        );
        let y = root.get("a.list.1").expect("y");
        assert_eq!(y.as_str(), Some("y"));
        assert_eq!((y.pos.line, y.pos.column), (5, 7));
    }

    #[test]
    fn json_parses_with_positions() {
        let root = parse("{\n  \"dsn\": \"memory\",\n  \"n\": 3\n}");
        let dsn = root.get("dsn").expect("dsn");
        assert_eq!(dsn.as_str(), Some("memory"));
        assert_eq!(dsn.pos.line, 2);
        assert_eq!(root.get("n").and_then(Node::as_i64), Some(3));
    }

    #[test]
    fn scalars_are_typed() {
        let root = parse("a: true\nb: ~\nc: 1.5\nd: '12'\ne:\n");
        assert_eq!(root.get("a").and_then(Node::as_bool), Some(true));
        assert!(root.get("b").is_some_and(Node::is_null));
        assert!(root.get("e").is_some_and(Node::is_null));
        assert_eq!(
            root.get("c").map(|n| n.value.clone()),
            Some(Value::Float(1.5))
        );
        assert_eq!(root.get("d").and_then(Node::as_str), Some("12"));
    }
}
