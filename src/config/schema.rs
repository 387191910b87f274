//! Identity schemas named in `identity.schemas[].url`.
//!
//! Kratos loads them through `file://`, `base64://` and `http(s)://` (K:schema/loader.go). We
//! read `file://` (relative paths against the folder of the config file that names them) and
//! `base64://`; remote schemas are never fetched (the rules report them). A schema that cannot
//! be read or parsed keeps a `problem` that the rules turn into a warning finding.

use std::path::PathBuf;

use base64::Engine as _;

use super::node::{FileId, Node, join};
use super::{Deployment, Source, SourceKind, load};

/// Where an identity schema lives.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SchemaLocation {
    /// A local file.
    File(PathBuf),
    /// Inline, base64-encoded in the URL.
    Base64,
    /// `http://` or `https://`: not fetched.
    Remote,
    /// Anything else (Kratos would refuse it).
    Unsupported,
}

/// One identity schema entry and, when it could be read, its parsed tree.
#[derive(Clone, Debug)]
pub struct IdentitySchema {
    /// The schema id.
    pub id: String,
    /// Config path of the URL (`identity.schemas.0.url`).
    pub url_path: String,
    /// Where the schema lives.
    pub location: SchemaLocation,
    /// The parsed schema (positions point into its own source).
    pub root: Option<Node>,
    /// Why it could not be read, without secret values.
    pub problem: Option<String>,
}

/// Loads every schema the merged config names, registering each read file as a source.
pub(super) fn load_all(deployment: &mut Deployment) -> Vec<IdentitySchema> {
    let Some(list) = deployment.root.get("identity.schemas") else {
        return Vec::new();
    };
    let entries: Vec<(usize, String, String, FileId)> = list
        .items()
        .iter()
        .enumerate()
        .filter_map(|(i, item)| {
            let url = item.get("url")?;
            let id = item.get("id").and_then(Node::as_str).unwrap_or("default");
            Some((i, id.to_owned(), url.as_str()?.to_owned(), url.pos.file))
        })
        .collect();
    entries
        .into_iter()
        .map(|(i, id, url, file)| load_one(deployment, i, id, &url, file))
        .collect()
}

fn load_one(
    deployment: &mut Deployment,
    index: usize,
    id: String,
    url: &str,
    file: FileId,
) -> IdentitySchema {
    let url_path = join(&join("identity.schemas", &index.to_string()), "url");
    let mut schema = IdentitySchema {
        id,
        url_path,
        location: SchemaLocation::Unsupported,
        root: None,
        problem: None,
    };
    let lower = url.to_ascii_lowercase();
    let text = if let Some(rest) = url.strip_prefix("file://") {
        let relative = PathBuf::from(rest);
        let (path, display) = if relative.is_absolute() {
            (relative.clone(), crate::shown::path(&relative))
        } else {
            // Shown next to the config as the user named it, not as an absolute path.
            let shown = std::path::Path::new(&deployment.source(file).display)
                .parent()
                .unwrap_or(std::path::Path::new(""))
                .join(&relative);
            (
                deployment.folder_of(file).join(relative),
                crate::shown::path(&shown),
            )
        };
        schema.location = SchemaLocation::File(path.clone());
        load::read_text(&path, &display).map(|text| (path, display, text))
    } else if let Some(encoded) = url.strip_prefix("base64://") {
        schema.location = SchemaLocation::Base64;
        let display = format!("{} (base64)", schema.url_path);
        base64::engine::general_purpose::STANDARD
            .decode(encoded.trim())
            .or_else(|_| base64::engine::general_purpose::URL_SAFE.decode(encoded.trim()))
            .map_err(|_| super::ConfigError::Syntax {
                file: display.clone(),
                line: 1,
                column: 1,
                message: "the base64:// value does not decode".to_owned(),
            })
            .and_then(|bytes| load::decode(bytes, &display))
            .map(|text| (PathBuf::new(), display, text))
    } else {
        schema.location = if lower.starts_with("http://") || lower.starts_with("https://") {
            SchemaLocation::Remote
        } else {
            SchemaLocation::Unsupported
        };
        return schema;
    };
    match text.and_then(|(path, display, text)| {
        load::parse(&text, &display).map(|tree| (path, display, text, tree))
    }) {
        Ok((path, display, text, mut tree)) => {
            let id = FileId::try_from(deployment.sources.len()).unwrap_or(FileId::MAX);
            tree.set_file(id);
            deployment.sources.push(Source {
                path,
                display,
                kind: SourceKind::IdentitySchema,
                text,
            });
            schema.root = Some(tree);
        }
        Err(err) => schema.problem = Some(err.to_string()),
    }
    schema
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_schema(url: &str, dir: &std::path::Path) -> Deployment {
        let text = format!("identity:\n  schemas:\n    - id: default\n      url: {url}\n");
        Deployment::from_texts(vec![(
            dir.join("kratos.yml"),
            "kratos.yml".to_owned(),
            text,
        )])
        .expect("loads")
    }

    #[test]
    fn relative_file_urls_resolve_against_the_config_folder() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("id.json"), r#"{"type": "object"}"#).expect("write");
        let d = with_schema("file://id.json", dir.path());
        assert!(d.schemas[0].root.is_some(), "{:?}", d.schemas[0].problem);
        assert_eq!(d.sources.len(), 2);
        assert_eq!(d.sources[1].kind, SourceKind::IdentitySchema);
    }

    #[test]
    fn missing_file_is_a_problem_not_an_error() {
        let dir = tempfile::tempdir().expect("tempdir");
        let d = with_schema("file:///nonexistent/id.json", dir.path());
        assert!(d.schemas[0].root.is_none());
        assert!(
            d.schemas[0]
                .problem
                .as_deref()
                .is_some_and(|p| p.contains("cannot read"))
        );
    }

    #[test]
    fn base64_and_remote() {
        let dir = tempfile::tempdir().expect("tempdir");
        let encoded = base64::engine::general_purpose::STANDARD.encode(r#"{"type":"object"}"#);
        let d = with_schema(&format!("base64://{encoded}"), dir.path());
        assert_eq!(d.schemas[0].location, SchemaLocation::Base64);
        assert!(d.schemas[0].root.is_some());
        let d = with_schema("https://example.com/id.json", dir.path());
        assert_eq!(d.schemas[0].location, SchemaLocation::Remote);
    }
}
