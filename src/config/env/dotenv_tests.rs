//! The parser against compose's rules (the cases of compose-go's own fixtures, rewritten).

#![allow(clippy::panic, clippy::unwrap_used)] // test code: a failed case names what it found

use super::*;

fn values(text: &str) -> Vec<(String, String)> {
    parse(text)
        .unwrap_or_else(|e| panic!("{}:{}: {}", e.line, e.column, e.message))
        .statements
        .into_iter()
        .map(|s| (s.name, s.value))
        .collect()
}

fn value(text: &str) -> String {
    values(text)
        .pop()
        .map_or_else(|| panic!("no statement in {text:?}"), |(_, v)| v)
}

fn error(text: &str) -> (u32, u32, String) {
    let e = parse(text).expect_err("a syntax error");
    (e.line, e.column, e.message)
}

#[test]
fn unquoted_values_lose_inline_comments_and_trailing_space() {
    assert_eq!(value("A=b"), "b");
    assert_eq!(value("A = b c  \n"), "b c");
    assert_eq!(value("A=b # note"), "b");
    assert_eq!(value("A=b#c"), "b#c", "only ` #` starts a comment");
    assert_eq!(
        value("A=b\t#c"),
        "b\t#c",
        "compose cuts at a space before #, not a tab"
    );
    assert_eq!(
        value("A= # c"),
        "# c",
        "compose trims before it looks for ` #`"
    );
    assert_eq!(value("A=\n"), "");
    assert_eq!(value("A=x=y"), "x=y");
    assert_eq!(value("A: yaml style"), "yaml style");
}

#[test]
fn single_quotes_are_literal_except_an_escaped_quote() {
    assert_eq!(value(r"A='a\nb $X \\ #c'"), r"a\nb $X \\ #c");
    assert_eq!(value(r"A='Let\'s go'"), "Let's go");
    assert_eq!(value("A='' # empty"), "");
    assert_eq!(value("A='first\nsecond'"), "first\nsecond");
}

#[test]
fn double_quotes_decode_escapes_as_compose_does() {
    assert_eq!(value(r#"A="a\nb\tc""#), "a\nb\tc");
    assert_eq!(value(r#"A="say \"hi\" \\ done""#), r#"say "hi" \ done"#);
    assert_eq!(value(r#"A="\$HOME and $$""#), "$HOME and $");
    assert_eq!(
        value(r#"A="\0101\0\012\x""#),
        r"A\\12\x",
        "octal and unknown escapes"
    );
    assert_eq!(value(r#"A="it's""#), "it's");
    assert_eq!(
        value("A=\"two\r\nlines\"\r\n"),
        "two\r\nlines",
        "kept as written"
    );
}

#[test]
fn references_expand_from_earlier_lines_only_outside_single_quotes() {
    let got = values("HOST=db\nA=pg://$HOST\nB=\"${HOST}:1\"\nC='$HOST'\nD=$LATER\nLATER=x\n");
    assert_eq!(got[1].1, "pg://db");
    assert_eq!(got[2].1, "db:1");
    assert_eq!(got[3].1, "$HOST");
    assert_eq!(got[4].1, "$LATER", "not set yet: kept as written");
    let parsed = parse("DSN=postgres://k:${DB_PASSWORD}@db/k\n").expect("parses");
    assert_eq!(parsed.statements[0].unresolved, ["DB_PASSWORD"]);
}

#[test]
fn export_comments_blank_lines_crlf_and_bom() {
    let got =
        values("\u{feff}# c\r\n\r\nexport A=1\r\n  export\tB = '2'\r\n#x=y\r\nC=\"3\" # n\r\n");
    assert_eq!(
        got,
        [("A", "1"), ("B", "2"), ("C", "3")].map(|(n, v)| (n.to_owned(), v.to_owned()))
    );
}

#[test]
fn lines_and_spans_point_at_the_source() {
    let text = "# top\nA='x\ny'\nexport B=plain # c\r\nC=\n";
    let parsed = parse(text).expect("parses");
    let [a, b, c] = &parsed.statements[..] else {
        panic!("three statements");
    };
    assert_eq!((a.line, b.line, c.line), (2, 4, 5));
    assert_eq!(&text[a.value_span.clone()], "'x\ny'");
    assert_eq!(&text[a.lines_span.clone()], "A='x\ny'\n");
    assert_eq!(&text[b.value_span.clone()], "plain");
    assert_eq!(&text[b.lines_span.clone()], "export B=plain # c\r\n");
    assert_eq!((a.quote, b.quote), (Quote::Single, Quote::Bare));
    assert!(c.value_span.is_empty());
}

#[test]
fn the_later_of_two_values_is_in_force_and_names_the_first() {
    let parsed = parse("A=1\nB=2\nA=3\n").expect("parses");
    let in_force: Vec<(&str, &str, Option<u32>)> = parsed
        .in_force()
        .into_iter()
        .map(|(s, first)| (s.name.as_str(), s.value.as_str(), first))
        .collect();
    assert_eq!(in_force, [("B", "2", None), ("A", "3", Some(1))]);
}

#[test]
fn a_bare_name_is_passed_through_from_composes_environment() {
    let parsed = parse("DSN\nA=1\nLAST").expect("parses");
    assert_eq!(
        parsed.passed,
        [("DSN".to_owned(), 1), ("LAST".to_owned(), 3)]
    );
    assert_eq!(parsed.statements.len(), 1);
}

#[test]
fn malformed_lines_name_line_and_column() {
    let (line, column, message) = error("A=1\nB='s3cr3t\nC=2\n");
    assert_eq!((line, column), (2, 3));
    assert!(
        message.contains("never closed") && message.contains('B'),
        "{message}"
    );
    assert!(!message.contains("s3cr3t"), "never the value: {message}");
    for text in ["s3cr3t pasted\n", "s3cr3t$\n", "A=\"${s3cr3t x}\"\n"] {
        let message = error(text).2;
        assert!(!message.contains("s3cr3t"), "never the value: {message}");
    }
    assert_eq!(error("A=1\nINVALID LINE\n").0, 2);
    assert_eq!(error("A=1\nx\ty=1\n").0, 2);
    let (line, column, _) = error("ok=1\n  na$me=1\n");
    assert_eq!((line, column), (2, 5));
    assert_eq!(error("=1\n").1, 1);
    let (line, column, message) = error("A='x' B=y\n");
    assert_eq!((line, column), (1, 7));
    assert!(message.contains("after the closing quote"), "{message}");
    assert_eq!(
        error("A=ab${\n").1,
        5,
        "an unclosed `${{` is compose's error too"
    );
    assert_eq!(error("A=\"x ${1}\"\n").1, 3);
}

#[test]
fn a_partial_parse_keeps_what_came_before_the_error() {
    let (parsed, error) = parse_partial("A=1\nB=\"open\n");
    assert_eq!(parsed.statements.len(), 1);
    assert_eq!(error.map(|e| e.line), Some(2));
}

#[test]
fn every_quoted_value_reads_back_byte_exact() {
    for v in [
        "plain",
        "",
        "with space",
        "it's",
        r#"say "hi""#,
        r"back\slash",
        r"two\\back",
        "$HOME $$ ${X}x",
        "a#b #c",
        "k=v=w",
        "mixed 'single' \"double\" \\ = #",
        "line\nbreak",
        "ünïcödé ✓",
    ] {
        for style in [Quote::Bare, Quote::Single, Quote::Double] {
            let Ok(written) = quote_as(v, style) else {
                continue;
            };
            assert_eq!(value(&format!("A={written}\n")), v, "{written}");
            let crlf = values(&format!("A={written}\r\nB=\"x\"\r\n"));
            assert_eq!(crlf[0].1, v, "{written} in a CRLF file");
        }
    }
}
