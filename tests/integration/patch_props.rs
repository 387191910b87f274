//! Property test of the patch engine: random configs written in varied styles (2/4-space
//! indentation, block and flow collections, indentless lists, plain/single/double quotes,
//! full-line and trailing comments, CRLF, missing final newline) × random operation sets.
//! Every patch must verify (read back as the intended tree), and every input line that names
//! no key an operation touches must survive unchanged and in order.
//!
//! CI runs 2,000 cases; `PROPTEST_CASES=100000 cargo test --release patch_props` runs more.

use kratos_harden::patch::{Format, Op, apply};
use proptest::prelude::*;
use serde_json::Value;

/// Strings chosen to break naive YAML writers, plus arbitrary Unicode.
fn tricky() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("yes".to_owned()),
        Just("on".to_owned()),
        Just("1e3".to_owned()),
        Just("0x1F".to_owned()),
        Just("null".to_owned()),
        Just("~".to_owned()),
        Just(String::new()),
        Just(" lead".to_owned()),
        Just("a: b".to_owned()),
        Just("a #b".to_owned()),
        Just("#x".to_owned()),
        Just("- x".to_owned()),
        Just("*x".to_owned()),
        Just("&x".to_owned()),
        Just("!x".to_owned()),
        Just("x:".to_owned()),
        Just("it's \"quoted\"".to_owned()),
        Just("tab\there".to_owned()),
        Just("line\nbreak".to_owned()),
        Just("https://app.acme.io/cb?x=1".to_owned()),
        "[a-zA-Z0-9_./-]{1,12}",
        any::<String>().prop_map(|s| s.chars().take(10).collect()),
    ]
}

#[derive(Clone, Debug)]
struct Style {
    step: usize,
    crlf: bool,
    final_newline: bool,
    indentless: bool,
}

#[derive(Clone, Debug)]
enum Shape {
    Scalar(String, u8),
    List(Vec<String>, bool),
    Map(Vec<(String, Shape)>, bool),
}

fn shape() -> impl Strategy<Value = Shape> {
    let leaf = (tricky(), 0u8..3).prop_map(|(s, q)| Shape::Scalar(s, q));
    leaf.prop_recursive(3, 24, 5, |inner| {
        prop_oneof![
            (prop::collection::vec(tricky(), 1..4), any::<bool>())
                .prop_map(|(v, f)| Shape::List(v, f)),
            (prop::collection::vec(inner, 1..5), any::<bool>()).prop_map(|(children, flow)| {
                Shape::Map(
                    children
                        .into_iter()
                        .enumerate()
                        .map(|(i, c)| (format!("k{i}"), c))
                        .collect(),
                    flow,
                )
            }),
        ]
    })
}

fn quote(s: &str, style: u8) -> String {
    match style {
        1 if !s.chars().any(char::is_control) => format!("'{}'", s.replace('\'', "''")),
        _ => serde_json::to_string(s).unwrap_or_default(),
    }
}

fn scalar_text(s: &str, q: u8) -> String {
    let plain_ok = q == 0
        && !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "_./-".contains(c))
        && !s.starts_with(['-', '.'])
        && s.parse::<f64>().is_err();
    if plain_ok {
        s.to_owned()
    } else {
        quote(s, q.max(2))
    }
}

fn flow_text(shape: &Shape) -> String {
    match shape {
        Shape::Scalar(s, _) => quote(s, 2),
        Shape::List(items, _) => format!(
            "[{}]",
            items
                .iter()
                .map(|s| quote(s, 2))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Shape::Map(entries, _) => format!(
            "{{{}}}",
            entries
                .iter()
                .map(|(k, v)| format!("{k}: {}", flow_text(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// Writes `entries` at `col`, with comments; nested keys are prefixed to stay unique.
fn write_map(
    entries: &[(String, Shape)],
    prefix: &str,
    col: usize,
    style: &Style,
    out: &mut Vec<String>,
) {
    let pad = " ".repeat(col);
    for (i, (k, v)) in entries.iter().enumerate() {
        let key = format!("{prefix}{k}");
        if i == 0 {
            out.push(format!("{pad}# about {key}"));
        }
        match v {
            Shape::Scalar(s, q) => out.push(format!(
                "{pad}{key}: {}  # trailing {key}",
                scalar_text(s, *q)
            )),
            Shape::List(_, true) | Shape::Map(_, true) => {
                out.push(format!("{pad}{key}: {}", flow_text(v)));
            }
            Shape::List(items, _) => {
                out.push(format!("{pad}{key}:"));
                let dash = if style.indentless {
                    col
                } else {
                    col + style.step
                };
                for item in items {
                    out.push(format!("{}- {}", " ".repeat(dash), quote(item, 2)));
                }
            }
            Shape::Map(children, _) => {
                out.push(format!("{pad}{key}:"));
                write_map(children, &format!("{key}_"), col + style.step, style, out);
            }
        }
    }
}

/// Dotted paths of scalars and lists in the written document, with the key written there.
fn paths(entries: &[(String, Shape)], prefix: &str, dotted: &str, out: &mut Vec<(String, bool)>) {
    for (k, v) in entries {
        let key = format!("{prefix}{k}");
        let path = if dotted.is_empty() {
            key.clone()
        } else {
            format!("{dotted}.{key}")
        };
        match v {
            Shape::Scalar(..) => out.push((path, false)),
            Shape::List(..) => out.push((path, true)),
            Shape::Map(children, flow) => {
                if !*flow {
                    paths(children, &format!("{key}_"), &path, out);
                }
            }
        }
    }
}

fn document() -> impl Strategy<Value = (String, Vec<(String, bool)>)> {
    (
        prop::collection::vec(shape(), 1..6),
        prop_oneof![Just(2usize), Just(4usize)],
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(shapes, step, crlf, final_newline, indentless)| {
            let style = Style {
                step,
                crlf,
                final_newline,
                indentless,
            };
            // A plain root scalar first, so every document has something to set.
            let entries: Vec<(String, Shape)> =
                std::iter::once(Shape::Scalar("base".to_owned(), 0))
                    .chain(shapes)
                    .enumerate()
                    .map(|(i, s)| (format!("r{i}"), s))
                    .collect();
            let mut lines = vec!["# generated".to_owned()];
            write_map(&entries, "", 0, &style, &mut lines);
            let nl = if style.crlf { "\r\n" } else { "\n" };
            let mut text = lines.join(nl);
            if style.final_newline {
                text.push_str(nl);
            }
            let mut found = Vec::new();
            paths(&entries, "", "", &mut found);
            (text, found)
        })
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(2000),
        .. ProptestConfig::default()
    })]

    #[test]
    fn patches_verify_and_keep_untouched_lines(
        (text, targets) in document(),
        picks in prop::collection::vec((any::<prop::sample::Index>(), tricky(), 0u8..3), 1..5),
    ) {
        let mut ops = Vec::new();
        let mut touched: Vec<String> = Vec::new();
        for (i, (pick, value, kind)) in picks.iter().enumerate() {
            let (path, is_list) = &targets[pick.index(targets.len())];
            let last = path.rsplit('.').next().unwrap_or(path).to_owned();
            if touched.contains(&last) {
                continue;
            }
            match (kind, is_list) {
                (0, false) => ops.push(Op::Set { path: path.clone(), value: Value::String(value.clone()) }),
                (0 | 1, true) => ops.push(Op::Prepend { path: path.clone(), value: Value::String(value.clone()) }),
                _ => {
                    let new_key = format!("new{i}");
                    ops.push(Op::Set { path: format!("{path}_{new_key}"), value: Value::String(value.clone()) });
                    touched.push(format!("{path}_{new_key}"));
                    continue;
                }
            }
            touched.push(last);
        }
        let parsed: Result<kratos_harden::config::node::Node, _> = serde_saphyr::from_str(&text);
        prop_assume!(parsed.is_ok());
        let patched = apply(&text, Format::Yaml, &ops);
        prop_assert!(patched.is_ok(), "patch failed: {:?}\n{text}\n{ops:?}", patched.err());
        let patched = patched.unwrap_or_else(|_| unreachable!());
        prop_assert!(patched.refused.is_empty(), "refused {:?}", patched.refused);
        // Untouched lines survive, in order.
        let out_lines: Vec<&str> = patched.text.lines().collect();
        let mut cursor = 0;
        for line in text.lines() {
            if touched.iter().any(|t| line.contains(t.as_str())) {
                continue;
            }
            match out_lines[cursor..].iter().position(|l| *l == line) {
                Some(offset) => cursor += offset + 1,
                None => prop_assert!(false, "line {line:?} was lost\n--- in ---\n{text}\n--- out ---\n{}", patched.text),
            }
        }
    }
}
