//! Pretty-printed JSON written piece by piece, byte for byte what `serde_json::to_string_pretty`
//! prints for the whole document: the JSON and SARIF reports stream their arrays (a deployment
//! or a result at a time, rendered on worker threads), so each piece is serialized by serde
//! at the depth where the whole document would put it, never cut out of a printed text.

use std::io::{self, Write};

use serde::Serialize;
use serde_json::ser::Formatter;

/// `serde_json`'s `PrettyFormatter` (two spaces) that starts `level` containers deep, so a value
/// serialized on its own lines up with the document around it. Also the state of a document
/// written by hand: the open containers' depth and whether the innermost has a value yet.
#[derive(Clone, Copy, Debug)]
pub(super) struct Pretty {
    level: usize,
    has_value: bool,
}

impl Pretty {
    /// Writing inside `level` open containers, the innermost holding values when `has_value`
    /// (its closing bracket then goes on its own line).
    pub(super) fn at(level: usize, has_value: bool) -> Self {
        Self { level, has_value }
    }

    /// `value` at the current depth.
    pub(super) fn value<T: Serialize + ?Sized>(
        self,
        out: &mut dyn Write,
        value: &T,
    ) -> io::Result<()> {
        let mut serializer =
            serde_json::Serializer::with_formatter(out, Pretty::at(self.level, false));
        value.serialize(&mut serializer).map_err(io::Error::from)
    }

    /// `"key": value` as a member of the open object; `first` for its first member.
    pub(super) fn member<T: Serialize + ?Sized>(
        &mut self,
        out: &mut dyn Write,
        first: bool,
        key: &str,
        value: &T,
    ) -> io::Result<()> {
        self.key(out, first, key)?;
        self.value(out, value)?;
        self.end_object_value(out)
    }

    /// `"key": ` of a member whose value the caller writes (then `end_object_value`).
    pub(super) fn key(&mut self, out: &mut dyn Write, first: bool, key: &str) -> io::Result<()> {
        self.begin_object_key(out, first)?;
        serde_json::to_writer(&mut *out, key)?;
        self.end_object_key(out)?;
        self.begin_object_value(out)
    }

    /// `value` as an item of the open array; `first` for its first item.
    pub(super) fn item<T: Serialize + ?Sized>(
        &mut self,
        out: &mut dyn Write,
        first: bool,
        value: &T,
    ) -> io::Result<()> {
        self.begin_array_value(out, first)?;
        self.value(out, value)?;
        self.end_array_value(out)
    }
}

/// Two spaces per level, as `PrettyFormatter::new()`.
fn indent<W: ?Sized + Write>(out: &mut W, level: usize) -> io::Result<()> {
    for _ in 0..level {
        out.write_all(b"  ")?;
    }
    Ok(())
}

// The same bytes as serde_json's `PrettyFormatter`: the tests compare with it.
impl Formatter for Pretty {
    fn begin_array<W: ?Sized + Write>(&mut self, out: &mut W) -> io::Result<()> {
        self.level += 1;
        self.has_value = false;
        out.write_all(b"[")
    }

    fn end_array<W: ?Sized + Write>(&mut self, out: &mut W) -> io::Result<()> {
        self.level -= 1;
        if self.has_value {
            out.write_all(b"\n")?;
            indent(out, self.level)?;
        }
        out.write_all(b"]")
    }

    fn begin_array_value<W: ?Sized + Write>(&mut self, out: &mut W, first: bool) -> io::Result<()> {
        out.write_all(if first { b"\n" } else { b",\n" })?;
        indent(out, self.level)
    }

    fn end_array_value<W: ?Sized + Write>(&mut self, _out: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }

    fn begin_object<W: ?Sized + Write>(&mut self, out: &mut W) -> io::Result<()> {
        self.level += 1;
        self.has_value = false;
        out.write_all(b"{")
    }

    fn end_object<W: ?Sized + Write>(&mut self, out: &mut W) -> io::Result<()> {
        self.level -= 1;
        if self.has_value {
            out.write_all(b"\n")?;
            indent(out, self.level)?;
        }
        out.write_all(b"}")
    }

    fn begin_object_key<W: ?Sized + Write>(&mut self, out: &mut W, first: bool) -> io::Result<()> {
        out.write_all(if first { b"\n" } else { b",\n" })?;
        indent(out, self.level)
    }

    fn begin_object_value<W: ?Sized + Write>(&mut self, out: &mut W) -> io::Result<()> {
        out.write_all(b": ")
    }

    fn end_object_value<W: ?Sized + Write>(&mut self, _out: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A value serialized at depth 2 as the item of a hand-written document equals
    /// `to_string_pretty` of the whole document (nested, empty and non-empty containers).
    #[test]
    fn pieces_print_like_the_whole_document() {
        let item = serde_json::json!({ "a": [1, {"b": []}, {}], "c": "x\ny", "d": null });
        let whole = serde_json::json!({ "head": 1, "list": [item, item], "tail": [] });
        let mut out: Vec<u8> = Vec::new();
        let mut doc = Pretty::at(0, false);
        doc.begin_object(&mut out).expect("writes");
        doc.member(&mut out, true, "head", &1).expect("writes");
        doc.key(&mut out, false, "list").expect("writes");
        doc.begin_array(&mut out).expect("writes");
        doc.item(&mut out, true, &item).expect("writes");
        doc.item(&mut out, false, &item).expect("writes");
        // Picked up again from its depth alone, as the end of a streamed report is.
        let mut doc = Pretty::at(2, true);
        doc.end_array(&mut out).expect("writes");
        doc.end_object_value(&mut out).expect("writes");
        doc.member(&mut out, false, "tail", &Vec::<u8>::new())
            .expect("writes");
        doc.end_object(&mut out).expect("writes");
        let expected = serde_json::to_string_pretty(&whole).expect("prints");
        assert_eq!(String::from_utf8(out).expect("UTF-8"), expected);
    }
}
