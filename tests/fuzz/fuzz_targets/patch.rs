//! Random operations on random documents: the engine either refuses or produces text that
//! parses and reads back as intended (its own verification); a `Verify` error is a bug.
#![no_main]

use kratos_harden::patch::{self, Format, Op, PatchError};
use libfuzzer_sys::fuzz_target;
use serde_json::{Value, json};

/// Paths the operations aim at: the document's top-level keys and their children (from the
/// text, so invalid documents still get paths), plus a few that do not exist.
fn paths(text: &str) -> Vec<String> {
    let mut out = vec!["log.level".to_owned(), "secrets.cookie".to_owned(), "a.b.c".to_owned()];
    let mut top = String::new();
    for line in text.lines().take(64) {
        let key = line.trim_start().split(':').next().unwrap_or("").trim();
        if key.is_empty() || !key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            continue;
        }
        if line.starts_with(key) {
            top = key.to_owned();
            out.push(top.clone());
        } else if !top.is_empty() {
            out.push(format!("{top}.{key}"));
        }
    }
    out
}

fn value(byte: u8) -> Value {
    match byte % 7 {
        0 => json!(true),
        1 => json!(12),
        2 => json!("plain"),
        3 => json!("needs: quoting # and 'more'"),
        4 => json!(["a", "b,c"]),
        5 => json!({"hook": "session"}),
        _ => json!(null),
    }
}

fuzz_target!(|bytes: &[u8]| {
    let Some((&split, rest)) = bytes.split_first() else {
        return;
    };
    let cut = usize::from(split).min(rest.len());
    let (ops_bytes, doc) = rest.split_at(cut);
    let Ok(text) = std::str::from_utf8(doc) else {
        return;
    };
    let targets = paths(text);
    let ops: Vec<Op> = ops_bytes
        .chunks(3)
        .filter(|c| c.len() == 3)
        .map(|c| {
            let path = targets[usize::from(c[1]) % targets.len()].clone();
            match c[0] % 3 {
                0 => Op::Set { path, value: value(c[2]) },
                1 => Op::Prepend { path, value: value(c[2]) },
                _ => Op::Remove { path },
            }
        })
        .collect();
    // JSON mode only for JSON documents, as the loader guarantees for `.json` files.
    let is_json = serde_json::from_str::<Value>(text).is_ok();
    for format in [Format::Yaml, Format::Json]
        .into_iter()
        .filter(|f| *f == Format::Yaml || is_json)
    {
        if let Err(PatchError::Verify { path }) = patch::apply(text, format, &ops) {
            panic!("verification failed at {path}");
        }
    }
    if let Err(PatchError::Verify { path }) = patch::dotenv::apply(text, &ops) {
        panic!("env verification failed at {path}");
    }
});
