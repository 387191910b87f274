//! Reading one file into a [`Node`] tree: size, encoding and syntax checks with positions.
//!
//! Kratos reads `.yml`, `.yaml`, `.json` and `.toml` (`X:configx/koanf_file.go`). YAML and JSON go
//! through the same span-aware YAML parser (JSON is read as YAML 1.2 flow syntax); TOML is
//! refused with a message that says how to convert it.

use std::path::Path;

use super::ConfigError;
use super::node::{Node, Value};

/// Files above this size are refused before parsing (Kratos configs are a few kilobytes).
pub const MAX_FILE_BYTES: u64 = 10 * 1024 * 1024;

/// The format of a configuration file, from its extension.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// `.yml` / `.yaml` (and anything else read as YAML, such as the embedded demo).
    Yaml,
    /// `.json`.
    Json,
}

/// Decides the format from the extension, refusing what Kratos would refuse.
pub fn format_of(path: &Path, display: &str) -> Result<Format, ConfigError> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    match ext.as_deref() {
        Some("yml" | "yaml") => Ok(Format::Yaml),
        Some("json") => Ok(Format::Json),
        Some("toml") => Err(ConfigError::Toml {
            file: display.to_owned(),
        }),
        _ => Err(ConfigError::Extension {
            file: display.to_owned(),
        }),
    }
}

/// A `.json` file must be JSON: Kratos reads it with a JSON parser, so YAML syntax that our
/// YAML reader would accept is an error here too (and the JSON-style editor relies on it).
pub fn check_json(text: &str, display: &str) -> Result<(), ConfigError> {
    serde_json::from_str::<serde::de::IgnoredAny>(text)
        .map(|_| ())
        .map_err(|err| {
            // serde_json's message ends with " at line L column C"; the position goes in front.
            let raw = err.to_string();
            let message = raw
                .rsplit_once(" at line ")
                .map_or(raw.as_str(), |(head, _)| head);
            ConfigError::Syntax {
                file: display.to_owned(),
                line: u64::try_from(err.line()).unwrap_or(1).max(1),
                column: u64::try_from(err.column()).unwrap_or(1).max(1),
                message: format!("invalid JSON: {message} (Kratos reads .json files as JSON)"),
            }
        })
}

/// Reads a file from disk with the size limit, returning its text. Only a regular file is read
/// (a FIFO would block for ever, a device never ends), and the limit is enforced while reading,
/// not taken from the metadata.
pub fn read_text(path: &Path, display: &str) -> Result<String, ConfigError> {
    use std::io::Read as _;
    let read_error = |error| ConfigError::Read {
        file: display.to_owned(),
        error,
    };
    let file = open_regular(path).map_err(|e| match e {
        Opened::Folder => ConfigError::IsDirectory {
            file: display.to_owned(),
        },
        Opened::Special(what) => read_error(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            format!("is {what}, not a regular file; name a regular file instead"),
        )),
        Opened::Io(source) => read_error(source),
    })?;
    let mut bytes = Vec::new();
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(read_error)?;
    decode(bytes, display)
}

/// Why [`open_regular`] gave no file.
pub enum Opened {
    /// The path is a folder.
    Folder,
    /// The path is a FIFO, socket or device (named).
    Special(&'static str),
    /// The open itself failed.
    Io(std::io::Error),
}

/// Opens `path` for reading if it is a regular file, deciding from the opened file itself
/// (`fstat`), so nothing can be swapped in between a check and the open. `O_NONBLOCK` makes
/// opening a FIFO return at once instead of waiting for a writer; `O_NOCTTY` keeps a terminal
/// device from becoming ours. Symlinks are followed (a linked config is read through).
pub fn open_regular(path: &Path) -> Result<std::fs::File, Opened> {
    use std::os::unix::fs::OpenOptionsExt as _;
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY)
        .open(path)
        .map_err(Opened::Io)?;
    let kind = file.metadata().map_err(Opened::Io)?.file_type();
    if kind.is_file() {
        Ok(file)
    } else if kind.is_dir() {
        Err(Opened::Folder)
    } else {
        Err(Opened::Special(special_kind(kind)))
    }
}

/// What a file that is not regular is, for messages.
#[must_use]
pub fn special_kind(kind: std::fs::FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt as _;
    if kind.is_dir() {
        "a folder"
    } else if kind.is_fifo() {
        "a FIFO (named pipe)"
    } else if kind.is_socket() {
        "a socket"
    } else if kind.is_char_device() || kind.is_block_device() {
        "a device"
    } else if kind.is_symlink() {
        "a symbolic link"
    } else {
        // Messages go on ", not a regular file": saying it here too would say it twice.
        "an unknown kind of file"
    }
}

/// Checks UTF-8 (naming the first bad byte's line and column) and drops a leading BOM.
pub fn decode(bytes: Vec<u8>, display: &str) -> Result<String, ConfigError> {
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(ConfigError::TooLarge {
            file: display.to_owned(),
            bytes: bytes.len() as u64,
        });
    }
    match String::from_utf8(bytes) {
        Ok(mut text) => {
            if text.starts_with('\u{feff}') {
                text.drain(..3);
            }
            Ok(text)
        }
        Err(err) => {
            let good = &err.as_bytes()[..err.utf8_error().valid_up_to()];
            let line = good.split(|&b| b == b'\n').count();
            let line_start = good.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
            let column = String::from_utf8_lossy(&good[line_start..]).chars().count() + 1;
            Err(ConfigError::NotUtf8 {
                file: display.to_owned(),
                line,
                column,
            })
        }
    }
}

/// Parses text into a tree whose top level must be a mapping.
pub fn parse(text: &str, display: &str) -> Result<Node, ConfigError> {
    let root: Node = serde_saphyr::from_str_with_options(text, options())
        .map_err(|err| syntax_error(&err, display, text.contains('&')))?;
    match root.value {
        Value::Map(_) => Ok(root),
        Value::Null => Err(ConfigError::NotMapping {
            file: display.to_owned(),
            found: "an empty document".to_owned(),
        }),
        _ => Err(ConfigError::NotMapping {
            file: display.to_owned(),
            found: root.kind().to_owned(),
        }),
    }
}

/// Parses a text of one or more documents (`---`), as Kubernetes manifests are written; empty
/// documents are skipped. Positions count from the start of the whole text.
pub fn parse_documents(text: &str, display: &str) -> Result<Vec<Node>, ConfigError> {
    serde_saphyr::from_multiple_with_options(text, options())
        .map_err(|err| syntax_error(&err, display, text.contains('&')))
}

/// The reader's options: no snippets (they would quote a secret), no comments, a budget that
/// stops an alias bomb early.
fn options() -> serde_saphyr::Options {
    let mut options = serde_saphyr::Options::default();
    // The snippet would quote the offending line, which may hold a secret.
    options.with_snippet = false;
    // Comments matter to the patcher (which reads the text itself), not to the tree: not
    // collecting them takes a tenth off the load.
    options.emit_comments = false;
    // A Kratos config is a few thousand values; the parser's defaults (a million events) let
    // an alias bomb replay for seconds before it stops. A quarter of that reads 100,000
    // values, five times the 20,000-line benchmark config.
    let mut budget = serde_saphyr::Budget::default();
    budget.max_events = 250_000;
    budget.max_nodes = 100_000;
    options.budget = Some(budget);
    options
}

/// `anchors`: the text defines anchors, so a value budget breached is likely an alias bomb.
fn syntax_error(err: &serde_saphyr::Error, display: &str, anchors: bool) -> ConfigError {
    let (line, column) = err
        .location()
        .map_or((1, 1), |l| (l.line().max(1), l.column().max(1)));
    let raw = err.without_snippet().to_string();
    // The parser appends " at line L, column C"; we print the position in front instead.
    let text = raw
        .rsplit_once(" at line ")
        .map_or(raw.as_str(), |(head, _)| head);
    let message = if text.starts_with("duplicate mapping key") {
        // The key is not repeated here: a pasted secret used as a key would be printed.
        "this key is already set above in the same mapping; Kratos refuses duplicate keys, so \
         keep one of them"
            .to_owned()
    } else if text.starts_with("multiple YAML documents") {
        "the file holds several YAML documents ('---'); Kratos reads one document per file, \
         so split them into separate files passed with -c"
            .to_owned()
    } else if text.contains("budget breached: Alias")
        || (anchors && text.contains("budget breached: Nodes"))
    {
        "the aliases expand to too many values (an alias bomb?); a Kratos config is far smaller, \
         so write the values out or remove the aliases"
            .to_owned()
    } else if text.contains("budget breached: Depth") || text.contains("recursion limit") {
        "the values are nested too deeply for a Kratos config; check the brackets and indentation"
            .to_owned()
    } else if text.contains("budget breached") {
        "the file has far more values than a Kratos config; is this the right file?".to_owned()
    } else {
        format!("invalid YAML/JSON: {text}")
    };
    ConfigError::Syntax {
        file: display.to_owned(),
        line,
        column,
        message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicate_key_names_line_and_key() {
        let err = parse("a: 1\na: 2\n", "k.yml").expect_err("duplicate");
        assert_eq!(
            err.to_string(),
            "k.yml:2:1: this key is already set above in the same mapping; Kratos refuses \
             duplicate keys, so keep one of them"
        );
    }

    #[test]
    fn non_mapping_and_empty_are_refused() {
        assert!(parse("- a\n", "k.yml").is_err());
        assert!(parse("", "k.yml").is_err());
        assert!(parse("just text", "k.yml").is_err());
    }

    #[test]
    fn utf8_error_points_at_the_byte() {
        let err = decode(b"a: 1\nb: \xff\n".to_vec(), "k.yml").expect_err("bad utf8");
        assert!(err.to_string().starts_with("k.yml:2:4:"), "{err}");
    }

    #[test]
    fn bom_is_dropped() {
        assert_eq!(
            decode(b"\xef\xbb\xbfa: 1".to_vec(), "k").expect("ok"),
            "a: 1"
        );
    }

    #[test]
    fn extensions() {
        assert_eq!(format_of(Path::new("a.YML"), "a").ok(), Some(Format::Yaml));
        assert_eq!(format_of(Path::new("a.json"), "a").ok(), Some(Format::Json));
        assert!(format_of(Path::new("a.toml"), "a").is_err());
        assert!(format_of(Path::new("a.ini"), "a").is_err());
    }
}
