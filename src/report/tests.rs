//! The streamed reports: one valid document whatever the number of deployments.

use super::*;
use crate::config::Deployment;
use crate::rules::{Context, check_all};

/// `text` is the deployment as `audit` sees it: findings with the fix `apply` would make.
fn audited(text: &str, name: &str) -> Audited {
    let deployment =
        Deployment::from_texts(vec![(name.into(), name.into(), text.into())]).expect("loads");
    let cx = Context::new(&deployment, Profile::Production, None);
    let mut findings = check_all(&cx);
    crate::harden::attach_fixes(&deployment, &cx, &mut findings).expect("plans");
    Audited {
        version: cx.version,
        findings,
        caveat: None,
        hidden: deployment.hidden,
        service: None,
        sources: deployment.sources,
    }
}

fn run(format: Format) -> Run {
    Run {
        format,
        profile: Profile::Production,
        fail_on: Some(Severity::High),
        color: false,
    }
}

/// The streamed JSON is one valid document, whatever the number of deployments, with the
/// deployments in order and the totals at the end.
#[test]
fn streamed_json_is_one_document() {
    let clean = audited("dsn: memory\n", "a/kratos.yml");
    let demo = audited(crate::demo::CONFIG, "b/kratos.yml");
    for deployments in [
        vec![],
        vec![demo],
        vec![clean, audited(crate::demo::CONFIG, "c")],
    ] {
        let text = run(Format::Json).render(&deployments, vec!["w".into()]);
        let doc: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
        let listed = doc["deployments"].as_array().expect("deployments");
        assert_eq!(listed.len(), deployments.len());
        for (out, d) in listed.iter().zip(&deployments) {
            assert_eq!(out["files"][0]["path"], d.sources[0].display.as_str());
            assert_eq!(
                out["findings"].as_array().map(Vec::len),
                Some(d.findings.len())
            );
        }
        let total: usize = deployments.iter().map(|d| d.findings.len()).sum();
        assert_eq!(doc["summary"]["total"], total);
        assert_eq!(doc["warnings"], serde_json::json!(["w"]));
        assert!(text.ends_with("}\n"));
        assert_printed_whole(&text);
    }
}

/// The streamed text is byte for byte what serde prints for the whole document at once.
fn assert_printed_whole(text: &str) {
    let doc: serde_json::Value = serde_json::from_str(text).expect("valid JSON");
    let whole = serde_json::to_string_pretty(&doc).expect("prints") + "\n";
    assert!(whole == text, "streamed:\n{text}\nwhole:\n{whole}");
}

/// The streamed SARIF holds one result per finding, deployments without findings adding
/// no stray separator.
#[test]
fn streamed_sarif_is_one_log() {
    for deployments in [
        vec![],
        vec![audited("dsn: memory\n", "a")],
        vec![
            audited(crate::demo::CONFIG, "b"),
            audited("dsn: memory\n", "a"),
            audited(crate::demo::CONFIG, "c"),
        ],
    ] {
        let text = run(Format::Sarif).render(&deployments, Vec::new());
        let doc: serde_json::Value = serde_json::from_str(&text).expect("valid SARIF JSON");
        let total: usize = deployments.iter().map(|d| d.findings.len()).sum();
        let results = doc["runs"][0]["results"].as_array().map(Vec::len);
        assert_eq!(results, Some(total));
        assert_eq!(doc["runs"][0]["columnKind"], "unicodeCodePoints");
        assert_printed_whole(&text);
        let findings = deployments.iter().flat_map(|d| &d.findings);
        for (result, f) in doc["runs"][0]["results"]
            .as_array()
            .into_iter()
            .flatten()
            .zip(findings)
        {
            let shown = &result["properties"]["fix"];
            match &f.fix {
                Some(fix) => {
                    assert_eq!(shown["applicability"], fix.applicability.as_str());
                    assert_eq!(shown["summary"], fix.summary.as_ref());
                }
                None => assert!(shown.is_null()),
            }
        }
    }
}

/// Each finding line carries `[*]` for a safe fix, `[!]` for an unsafe one and no mark for a
/// manual one; the summary counts them, suppressed findings included (`apply` fixes those too).
#[test]
fn text_marks_and_counts_fixes() {
    let mut demo = audited(crate::demo::CONFIG, "demo/kratos.yml");
    demo.findings[0].suppressed = Some("accepted".into());
    let text = run(Format::Text).render(std::slice::from_ref(&demo), Vec::new());
    let mut counts = [0; 3];
    for f in &demo.findings {
        let line = text
            .lines()
            .find(|l| l.contains(&f.message))
            .unwrap_or_default();
        assert!(!line.is_empty(), "no line for {}", f.rule.id);
        let (mark, slot) = match f.fix.as_ref().map(|x| x.applicability) {
            Some(Applicability::Safe) => (Some("[*]"), 0),
            Some(Applicability::Unsafe) => (Some("[!]"), 1),
            _ => (None, 2),
        };
        counts[slot] += 1;
        let id = format!(" {} ", f.rule.id);
        let after_id = line.split_once(&id).map_or("", |(_, rest)| rest);
        match mark {
            Some(mark) => assert!(after_id.starts_with(&format!("{mark} ")), "{line}"),
            None => assert!(!after_id.starts_with('['), "{line}"),
        }
    }
    assert!(
        counts.iter().all(|&n| n > 0),
        "the demo has every kind: {counts:?}"
    );
    let expected = format!(
        "Fixes: {} fixable with `apply` [*], {} more with `apply --unsafe-fixes` [!], {} manual.",
        counts[0], counts[1], counts[2]
    );
    assert!(text.contains(&expected), "{text}");
    let s = summarize(demo.findings.iter(), None);
    assert_eq!([s.fixable_safe, s.fixable_unsafe, s.manual], counts);
    assert_eq!(s.total + s.suppressed, counts.iter().sum::<usize>());
}
