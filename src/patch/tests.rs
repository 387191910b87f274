//! Patch engine cases: each input, the operations, and the exact expected output.

#![allow(clippy::panic)] // a failed case reports the patch error

use serde_json::json;

use super::{Format, Op, PatchError, apply};

fn set(path: &str, value: serde_json::Value) -> Op {
    Op::Set {
        path: path.to_owned(),
        value,
    }
}

fn check(input: &str, ops: &[Op], expected: &str) {
    let patched = apply(input, Format::Yaml, ops).unwrap_or_else(|e| panic!("patch failed: {e}"));
    assert!(patched.refused.is_empty(), "refused: {:?}", patched.refused);
    assert_eq!(
        patched.text, expected,
        "\n--- got ---\n{}\n--- want ---\n{expected}",
        patched.text
    );
}

/// Patches `input` and checks the result starts with `prefix` (what must stay before an
/// addition at the end).
fn check_start(input: &str, ops: &[Op], prefix: &str) {
    let patched = apply(input, Format::Yaml, ops).unwrap_or_else(|e| panic!("patch failed: {e}"));
    assert!(
        patched.text.starts_with(prefix),
        "\n--- got ---\n{:?}\n--- want a start of ---\n{prefix:?}",
        patched.text
    );
}

#[test]
fn scalar_replaced_keeping_comments_and_quotes() {
    check(
        "# header\nlog:\n  level: debug   # noisy\n  leak_sensitive_values: true\nurl: 'http://x'\n",
        &[
            set("log.level", json!("info")),
            set("log.leak_sensitive_values", json!(false)),
            set("url", json!("https://x")),
        ],
        "# header\nlog:\n  level: info   # noisy\n  leak_sensitive_values: false\nurl: 'https://x'\n",
    );
}

#[test]
fn missing_keys_and_parents_are_inserted_at_the_document_indent() {
    check(
        "session:\n    lifespan: 24h\n\n# end\n",
        &[set(
            "session.whoami.required_aal",
            json!("highest_available"),
        )],
        "session:\n    lifespan: 24h\n    whoami:\n        required_aal: highest_available\n\n# end\n",
    );
    check(
        "dsn: memory\n",
        &[set("ciphers.algorithm", json!("xchacha20-poly1305"))],
        "dsn: memory\nciphers:\n  algorithm: xchacha20-poly1305\n",
    );
}

#[test]
fn two_keys_under_one_new_parent() {
    check(
        "dsn: memory\n",
        &[
            set("session.whoami.required_aal", json!("highest_available")),
            set("session.lifespan", json!("24h")),
        ],
        "dsn: memory\nsession:\n  whoami:\n    required_aal: highest_available\n  lifespan: 24h\n",
    );
}

#[test]
fn empty_and_null_values_become_mappings() {
    check(
        "session:\nlog: ~\n",
        &[
            set("session.lifespan", json!("24h")),
            set("log.level", json!("info")),
        ],
        "session:\n  lifespan: 24h\nlog:\n  level: info\n",
    );
}

#[test]
fn lists_keep_their_style() {
    check(
        "secrets:\n  cookie:\n    - old-one\n    - \"kept\"\n  cipher:\n  - a\norigins: [a, 'b']\n",
        &[
            set("secrets.cookie", json!(["new-secret", "kept"])),
            set("secrets.cipher", json!(["c"])),
            set("origins", json!(["x", "b"])),
        ],
        "secrets:\n  cookie:\n    - new-secret\n    - \"kept\"\n  cipher:\n  - c\norigins: [x, 'b']\n",
    );
}

#[test]
fn prepend_to_block_and_flow_lists() {
    check(
        "a:\n  - x\nb: [y]\n",
        &[
            Op::Prepend {
                path: "a".into(),
                value: json!("new"),
            },
            Op::Prepend {
                path: "b".into(),
                value: json!({"hook": "session"}),
            },
            Op::Prepend {
                path: "c.d".into(),
                value: json!("z"),
            },
        ],
        "a:\n  - new\n  - x\nb: [{hook: session}, y]\nc:\n  d:\n    - z\n",
    );
}

#[test]
fn remove_a_key_with_its_block() {
    check(
        "a: 1\n# keep\nb:\n  c: 2\n  d: 3\ne: 4\n",
        &[
            Op::Remove { path: "b".into() },
            Op::Remove { path: "zzz".into() },
        ],
        "a: 1\n# keep\ne: 4\n",
    );
}

#[test]
fn list_items_are_removed_with_their_lines() {
    let remove = |path: &str| Op::Remove { path: path.into() };
    // A middle item with its trailing comment; the others and their comments stay.
    check(
        "hooks:\n  # first\n  - hook: a\n  - hook: session   # sign in\n    config: {}\n  - hook: c\n",
        &[remove("hooks.1")],
        "hooks:\n  # first\n  - hook: a\n  - hook: c\n",
    );
    // The last item of a file without a final newline, and CRLF.
    check("l:\r\n- a\r\n- b", &[remove("l.1")], "l:\r\n- a\r\n");
    // The only item leaves an empty list, not a null.
    check(
        "h:\n  hooks:\n    - hook: session  # x\nz: 1\n",
        &[remove("h.hooks.0")],
        "h:\n  hooks: []  # x\nz: 1\n",
    );
    // Two items, last index first.
    check(
        "l:\n- a\n- b\n- c\n",
        &[remove("l.2"), remove("l.0")],
        "l:\n- b\n",
    );
    // Flow lists and JSON are left to the operator.
    for (input, format) in [
        ("l: [a, b]\n", Format::Yaml),
        ("{\"l\": [\"a\", \"b\"]}\n", Format::Json),
    ] {
        let patched = apply(input, format, &[remove("l.0")]).expect("patch");
        assert_eq!(patched.text, input);
        assert_eq!(patched.refused.len(), 1, "{input}");
    }
}

#[test]
fn crlf_and_missing_final_newline() {
    check(
        "log:\r\n  level: debug\r\ndsn: memory",
        &[
            set("log.level", json!("info")),
            set("secrets.default", json!(["s"])),
        ],
        "log:\r\n  level: info\r\ndsn: memory\r\nsecrets:\r\n  default:\r\n    - s",
    );
}

#[test]
fn ambiguous_strings_are_quoted() {
    check(
        "a: x\n",
        &[
            set("a", json!("yes")),
            set("b", json!("1e3")),
            set("c", json!("*x")),
        ],
        "a: \"yes\"\nb: \"1e3\"\nc: \"*x\"\n",
    );
}

#[test]
fn block_scalars_can_be_replaced() {
    check(
        "a: |\n  one\n  two\nb: 1\n",
        &[set("a", json!("x"))],
        "a: x\nb: 1\n",
    );
}

#[test]
fn scalar_to_block_and_back() {
    check(
        "a: 1\nb:\n  c: 2\n",
        &[set("a", json!({"k": "v"})), set("b", json!("flat"))],
        "a:\n  k: v\nb: flat\n",
    );
}

#[test]
fn flow_mappings_are_extended_in_place() {
    check(
        "cookie: {same_site: Lax, persistent: true}   # flow\n",
        &[
            set("cookie.same_site", json!("Strict")),
            set("cookie.path", json!("/")),
        ],
        "cookie: {same_site: Strict, persistent: true, path: /}   # flow\n",
    );
}

#[test]
fn json_documents_stay_json() {
    let input = "{\n  \"log\": {\n    \"level\": \"debug\"\n  },\n  \"dsn\": \"memory\"\n}\n";
    let patched = apply(
        input,
        Format::Json,
        &[
            set("log.level", json!("info")),
            set("log.leak_sensitive_values", json!(false)),
            set("session.whoami.required_aal", json!("highest_available")),
        ],
    )
    .expect("patches");
    assert_eq!(
        patched.text,
        "{\n  \"log\": {\n    \"level\": \"info\",\n    \"leak_sensitive_values\": false\n  },\n  \"dsn\": \"memory\",\n  \"session\": {\n    \"whoami\": {\n      \"required_aal\": \"highest_available\"\n    }\n  }\n}\n"
    );
    let _: serde_json::Value = serde_json::from_str(&patched.text).expect("still JSON");
}

#[test]
fn anchors_and_aliases_are_refused_but_others_apply() {
    let patched = apply(
        "base: &b\n  level: debug\nlog: *b\nother: 1\n",
        Format::Yaml,
        &[
            set("log.level", json!("info")),
            set("base.level", json!("info")),
            set("other", json!(2)),
        ],
    )
    .expect("patches");
    assert_eq!(patched.refused.len(), 2);
    assert!(patched.refused[0].1.to_string().contains("anchor or alias"));
    assert_eq!(
        patched.text,
        "base: &b\n  level: debug\nlog: *b\nother: 2\n"
    );
}

#[test]
fn four_space_documents_and_indentless_lists() {
    check(
        "selfservice:\n    methods:\n        password:\n            enabled: true\nlist:\n- a\n",
        &[
            set("selfservice.methods.totp.enabled", json!(true)),
            set("list2", json!(["x"])),
        ],
        "selfservice:\n    methods:\n        password:\n            enabled: true\n        totp:\n            enabled: true\nlist:\n- a\nlist2:\n- x\n",
    );
}

#[test]
fn a_removed_items_trailing_comment_goes_with_it() {
    check(
        "cipher:\n  - a\n  - b   # old one\nnext: 1\n",
        &[set("cipher", json!(["x", "a"]))],
        "cipher:\n  - x\n  - a\nnext: 1\n",
    );
    check(
        "cipher:\n  - a   # kept\nnext: 1\n",
        &[set("cipher", json!(["x", "a"]))],
        "cipher:\n  - x\n  - a   # kept\nnext: 1\n",
    );
}

#[test]
fn removing_the_only_key_removes_its_parent() {
    check(
        "a: 1\nsecrets:\n  default:\n    - x\nlog:\n  level: info\n",
        &[Op::Remove {
            path: "secrets.default".into(),
        }],
        "a: 1\nlog:\n  level: info\n",
    );
}

#[test]
fn remove_and_insert_at_the_same_line_end() {
    check(
        "hooks:\n  - hook: web_hook\n    config:\n      url: http://x\n      can_interrupt: true\nnext: 1\n",
        &[
            Op::Remove {
                path: "hooks.0.config.can_interrupt".into(),
            },
            set("hooks.0.config.response.parse", json!(true)),
        ],
        "hooks:\n  - hook: web_hook\n    config:\n      url: http://x\n      response:\n        parse: true\nnext: 1\n",
    );
}

#[test]
fn prepends_go_after_edits_by_index_and_twice_in_order() {
    check(
        "hooks:\n  - hook: web_hook\n    config:\n      url: http://x\n",
        &[
            Op::Prepend {
                path: "hooks".into(),
                value: json!({"hook": "require_verified_address"}),
            },
            set("hooks.0.config.url", json!("https://x")),
            Op::Prepend {
                path: "hooks".into(),
                value: json!({"hook": "revoke_active_sessions"}),
            },
        ],
        "hooks:\n  - hook: revoke_active_sessions\n  - hook: require_verified_address\n  - hook: web_hook\n    config:\n      url: https://x\n",
    );
}

#[test]
fn removing_every_key_of_a_mapping_and_of_the_document() {
    check(
        "# c\nsecrets:\n  cookie: [a]\n  cipher: [b]\nlog:\n  level: info\n",
        &[
            Op::Remove {
                path: "secrets.cookie".into(),
            },
            Op::Remove {
                path: "secrets.cipher".into(),
            },
        ],
        "# c\nlog:\n  level: info\n",
    );
    check(
        "selfservice:\n  flows:\n    registration:\n      enable_legacy_one_step: true\n",
        &[Op::Remove {
            path: "selfservice.flows.registration.enable_legacy_one_step".into(),
        }],
        "{}\n",
    );
}

#[test]
fn a_key_created_inside_a_list_being_rewritten_waits_for_the_next_pass() {
    check(
        "login:\n  hooks:\n    - hook: web_hook\n      config:\n        url: https://x\nnext: 1\n",
        &[
            set(
                "login.hooks",
                json!([{"hook": "web_hook", "config": {"url": "https://x"}}, {"hook": "x"}]),
            ),
            set("login.hooks.0.config.response.parse", json!(true)),
        ],
        "login:\n  hooks:\n    - hook: web_hook\n      config:\n        url: https://x\n        response:\n          parse: true\n    - hook: x\nnext: 1\n",
    );
}

/// Found by fuzzing: a `Remove` of an absent key, alone in the first pass, ended the loop
/// before the prepends' pass, and verification then reported an internal error.
#[test]
fn a_no_op_removal_does_not_drop_the_prepends() {
    check(
        "x:\n  y: 1\n",
        &[
            Op::Remove {
                path: "secrets.cookie".into(),
            },
            Op::Prepend {
                path: "a.b".into(),
                value: json!("v"),
            },
        ],
        "x:\n  y: 1\na:\n  b:\n    - v\n",
    );
}

/// Found by fuzzing: setting a key and removing it in one batch is refused, not misverified.
#[test]
fn setting_and_removing_one_key_refuses_the_second() {
    let ops = [
        set("secrets.cookie", json!(["a"])),
        Op::Remove {
            path: "secrets.cookie".into(),
        },
    ];
    let patched = apply("log:\n  level: info\n", Format::Yaml, &ops).expect("patches");
    assert_eq!(
        patched.text,
        "log:\n  level: info\nsecrets:\n  cookie:\n    - a\n"
    );
    assert_eq!(patched.refused.len(), 1);
    assert_eq!(patched.refused[0].0, 1);
}

/// Found by fuzzing: a key YAML 1.1 reads as a boolean (`n`, `on`…) cannot be verified, so an
/// operation on it is refused instead of failing as an internal error.
#[test]
fn keys_read_as_booleans_are_refused() {
    for key in ["n", "on", "Yes"] {
        let text = format!("{key}: a b\n");
        let patched = apply(&text, Format::Yaml, &[set(key, json!(true))]).expect("patches");
        assert_eq!(patched.text, text);
        assert_eq!(patched.refused.len(), 1, "{key}");
    }
}

/// Found by fuzzing: removing a key and setting a key inside it in one batch is refused.
#[test]
fn removing_a_parent_and_setting_inside_it_refuses_the_second() {
    let ops = [
        Op::Remove {
            path: "serve".into(),
        },
        set("serve.public", json!("plain")),
    ];
    let patched = apply("serve:\n  public:\nlog: 1\n", Format::Yaml, &ops).expect("patches");
    assert_eq!(patched.text, "log: 1\n");
    assert_eq!(patched.refused.len(), 1);
}

/// Found by fuzzing: two operations on one key in one batch keep the first, refuse the second.
#[test]
fn two_changes_to_one_key_refuse_the_second() {
    let ops = [
        set("l", json!("plain")),
        set("l", json!({"hook": "session"})),
    ];
    let patched = apply("l:\n", Format::Yaml, &ops).expect("patches");
    assert_eq!(patched.text, "l: plain\n");
    assert_eq!(patched.refused.len(), 1);
}

/// Found by fuzzing: two prepends that would both create one missing list keep the first.
#[test]
fn two_prepends_creating_one_list_refuse_the_second() {
    let ops = [
        Op::Prepend {
            path: "l".into(),
            value: json!(12),
        },
        Op::Prepend {
            path: "l".into(),
            value: json!("x"),
        },
    ];
    let patched = apply("l:\n", Format::Yaml, &ops).expect("patches");
    assert_eq!(patched.refused.len(), 1);
    assert!(patched.text.contains("12"), "{}", patched.text);
}

/// Found by fuzzing: a lone carriage return is a YAML line break the editor does not handle;
/// the operations are refused and the text is left as it is.
#[test]
fn lone_carriage_returns_are_left_alone() {
    let text = "log:\r  level: debug\rdsn: memory\r";
    let patched = apply(text, Format::Yaml, &[set("log.level", json!("info"))]).expect("patches");
    assert_eq!(patched.text, text);
    assert_eq!(patched.refused.len(), 1);
}

/// Found by fuzzing: a tag decides how the text after it reads (`key: !` then `null` is the
/// string "null"), so edits through a tagged node are refused; untagged siblings still change.
/// (A tagged key makes its mapping one with a complex key: nothing inside it is edited.)
#[test]
fn tagged_values_are_left_alone() {
    for text in [
        "a: !\n",
        "a:\n    !//apj.acme.t.aE\n",
        "a: !!str 5\n",
        "a: !x\n  b: 1\n",
        "a: !x [1]\n",
    ] {
        for op in [
            set("a", json!(null)),
            set("a.b", json!(2)),
            Op::Remove { path: "a".into() },
        ] {
            let patched = apply(text, Format::Yaml, std::slice::from_ref(&op)).expect("patches");
            assert_eq!(patched.text, text, "{op:?} on {text:?}");
            assert_eq!(patched.refused.len(), 1, "{op:?} on {text:?}");
        }
    }
    let text = "k: !t 1\nlog:\n  level: debug\n";
    let patched = apply(
        text,
        Format::Yaml,
        &[set("log.level", json!("info")), set("k", json!(2))],
    )
    .expect("patches");
    assert_eq!(patched.text, "k: !t 1\nlog:\n  level: info\n");
    assert_eq!(patched.refused.len(), 1);
}

/// Found by fuzzing: setting a key and then something inside it in one batch refuses the
/// second (the first made `serve` a scalar).
#[test]
fn a_change_inside_a_key_changed_in_the_same_batch_is_refused() {
    let ops = [
        set("a.b.c", json!(12)),
        set("serve", json!("plain")),
        set("serve.postgres", json!({"hook": "session"})),
    ];
    let patched = apply("serve:", Format::Yaml, &ops).expect("patches");
    assert_eq!(patched.refused.len(), 1);
    assert!(patched.text.contains("serve: plain"), "{}", patched.text);
}

/// Found by fuzzing: a mapping with an empty (null) key ends after its `:`, not at the key's
/// text; replacing it left the colon behind. Edits of and through it are refused.
#[test]
fn a_mapping_with_an_empty_key_is_left_alone() {
    for op in [set("rls", json!(["a", "b,c"])), set("rls.x", json!(1))] {
        let patched = apply("rls:\n :", Format::Yaml, std::slice::from_ref(&op)).expect("patches");
        assert_eq!(patched.text, "rls:\n :", "{op:?}");
        assert_eq!(patched.refused.len(), 1, "{op:?}");
    }
}

/// Found by fuzzing: a mapping whose last value is empty (`m:`) ended before that colon, so
/// replacing the mapping left `:` behind.
#[test]
fn replacing_a_mapping_whose_last_value_is_empty() {
    check(
        "s:\ne:\n m:\n",
        &[set("e", json!(["a", "b,c"]))],
        "s:\ne:\n - a\n - b,c\n",
    );
}

/// Valid YAML that no Kratos config looks like, for `odd_shapes_never_misverify`.
const ODD_SHAPES: &[&str] = &[
    "e:\n - a\n -\n",
    "e:\n - a\n -",
    "e:\n m: \n",
    "e:\n m: # c\n",
    "e:\n ? m\n",
    "e: {m: }\n",
    "e:\n - m:\n",
    "e:\n - m:\nf: 1\n",
    "e:\n  m:\n  n:\n",
    "e:\n  m: ~\n",
    "e:\n  m: \"\"\n",
    "e:\n  m: ''\n",
    "e:\n  m: |\n    x\n",
    "e:\n  m: >-\n    x\n\n",
    "e: !!map\n  m: 1\n",
    "e:\n  - - a\n    -\n",
    "e:\n  m:\n    -\n",
    "e: [a, ]\n",
    "e: {a: , }\n",
    "e:\n  m:\t\n",
    "e:\n  m :\n",
    "e:\n  'm':\n",
    "e:\n  \"m\" :\n",
    "e:\r\n  m:\r\n",
    "e:\n  m:\n# end\n",
    "e:\n  m:\n  # end\n",
    "e:\n  m: !\n",
    "e:\n  m:\n    !\n",
    "+:\n     !\n",
    "e:\n  m: |\n",
    "e:\n  m: >- # c\n\nf: 1\n",
    "e: |\nf: 1\n",
    "e:\n-\n :\n",
    "e:\n-\n  m: 1\n",
    "e:\n  -\n    m: 1\n",
    "e:\n- !\n",
    "e:\n  - !t x\n",
    "e:\n  - &a x\n  - *a\n",
    "e:\n -",
    "e:\n -\n - x\n",
    "e:\n- |\n  t\n",
    "e:\n- # c\n  x\n",
    "e:\n- - a\n",
    "e:\n  ? [a]\n  : 1\n",
    "e: {? a}\n",
    "e:\n  a: 1\n  ? b\n",
    "? e\n: 1\n",
    "e:\n  a: 1\n  ? b\n  : 2\nf: 0\n",
    "e: &x\n  m: 1\nf: *x\n",
    "e: [a, {b: }]\n",
    "e: [\n  a,\n  b\n]\n",
    "e: {\n a: 1\n}\n",
    "e: \"a\n  b\"\n",
    "e: a\n  b\n",
    "e: 1 # c\n",
    "---\ne: 1\n...\n",
    "%YAML 1.2\n---\ne: 1\n",
    "e: 1   \n",
    "e:\n- a\n- b\nf: 1\n",
    "e:\t1\n",
    "e:\r\n- a\r\n",
    "e:   \n  m: 1\n",
    "# c\ne:\n  # c\n  m: 1 # c\n  # c\n# c\n",
    "e:\n  m: 1\n\n\nf: 2\n",
    "e: {m: 1, n: [1, 2]}\n",
    "e: !!str\n",
    "f: 1\n",
    "{}\n",
    "e: []\n",
    "e: {}\n",
    "d: >\n :\n  ",
    "e: |\n  a\n   \n\n",
    "e: |+\n  a\n\n",
    "e: |2\n     x\n  y\n",
    "e: >-\n  a\n  \n  b\n",
    "e: |\n  a\n \nf: 1\n",
    "e:\n  - |\n    x\n      \n  - y\n",
    "e:\n  m: |\n    x\n     \n",
    "007: a\ne: 1\n",
    "e:\n  1e3: a\n",
    "e:\n- # c\n- x\n",
    "e:\n  - # c\n",
    "e:\n  - a\n  -\t#\n",
    "  e:\n    m:",
    "e:\n- ? #x",
    "a: 1\n?\n e\n: 1\n",
    "e:\n-\n :\n",
    "? >\n#",
    "e: 1\n? |\n# c\n",
    "e:\n - a\n - |+\n\n",
    "e:\n m: |+\n\n # c\n",
    "e:\n- | # c\n- x\n",
    "a: >-\n 1\ne:\n  m:\n  # end\n",
    "e:\n  m: >-\n\n    \t\n",
    "    e:\n      m: |+\n  ",
    "e:\n-\n :\n- ? x\n  :\n",
];

/// The operations every odd shape is put through: whole values of each kind, keys inside,
/// removals, prepends, items by index, new branches.
fn odd_ops() -> Vec<Op> {
    vec![
        set("e", json!(["a", "b,c"])),
        set("e", json!({"hook": "x"})),
        set("e", json!("plain")),
        Op::Remove { path: "e".into() },
        set("e.m", json!(12)),
        set("e.z", json!(true)),
        Op::Remove { path: "e.m".into() },
        Op::Prepend {
            path: "e".into(),
            value: json!("x"),
        },
        set("e.0", json!("q")),
        set("f", json!(1)),
        set("g", json!(["a"])),
        set("g.m", json!(null)),
        set("g.0", json!({"k": 1})),
        Op::Prepend {
            path: "g".into(),
            value: json!({"hook": "x"}),
        },
        Op::Remove { path: "e.0".into() },
        Op::Remove { path: "e.1".into() },
        set("e.m.n", json!([1])),
        set("h.i.j", json!("deep")),
    ]
}

/// Every batch (each operation alone, and with `pairs` every ordered pair) over every
/// document whose result does not read back as intended.
fn misverified(docs: &[String], pairs: bool) -> Vec<String> {
    let ops = odd_ops();
    let mut bad = Vec::new();
    for d in docs {
        for first in &ops {
            let seconds = ops.iter().map(Some).filter(|_| pairs);
            for second in std::iter::once(None).chain(seconds) {
                let batch: Vec<Op> = std::iter::once(first.clone())
                    .chain(second.cloned())
                    .collect();
                if let Err(PatchError::Verify { path }) = apply(d, Format::Yaml, &batch) {
                    bad.push(format!("{d:?} {batch:?} -> {path}"));
                }
            }
        }
    }
    bad
}

/// Small changes to a valid document that keep it valid: a comment, blank line or space after
/// a line, a comment line; after an indicator (`:`, `-`, `?`) an anchor, tag, comment, line
/// break, block scalar, explicit key, quoted scalar, flow collection or list; a line indented
/// further or made a list item or explicit key; CRLF, an indented root, a missing or extra
/// final newline, a key or comment before it.
fn mutants(d: &str) -> Vec<String> {
    let mut docs = Vec::new();
    let lines: Vec<&str> = d.split_inclusive('\n').collect();
    for (i, line) in lines.iter().enumerate() {
        let body = line.trim_end_matches(['\n', '\r']);
        for add in [" # c", "\t#", " #", "\n", "\n# x", "\n  \n", " ", "\n  # y"] {
            let mut v: String = lines[..i].concat();
            v.push_str(body);
            v.push_str(add);
            v.push_str(&line[body.len()..]);
            v.push_str(&lines[i + 1..].concat());
            docs.push(v);
        }
    }
    for (i, _) in d.match_indices([':', '-', '?']) {
        for add in [
            " &a",
            " !!str",
            " &b !t",
            "\n",
            " # z\n",
            "\n    ",
            " |",
            " >-\n",
            " ?",
            " []",
            " {}",
            " ''",
            " ? x\n  :",
            " |+\n\n",
            "\n-",
            " - ",
        ] {
            docs.push(format!("{}{add}{}", &d[..=i], &d[i + 1..]));
        }
    }
    for (i, _) in d.match_indices([':', '-', '?']) {
        for add in [
            " \"x\"",
            " 'y'",
            " {a: 1}",
            " [1]",
            " |-\n   z\n",
            " >\n  w",
            " &c []",
        ] {
            docs.push(format!("{}{add}{}", &d[..=i], &d[i + 1..]));
        }
    }
    for (i, line) in lines.iter().enumerate() {
        for pre in ["  ", " ", "- ", "? "] {
            docs.push(format!(
                "{}{pre}{line}{}",
                lines[..i].concat(),
                lines[i + 1..].concat()
            ));
        }
    }
    docs.push(d.replace("\r\n", "\n").replace('\n', "\r\n"));
    docs.push(
        d.lines()
            .map(|l| format!("  {l}"))
            .collect::<Vec<_>>()
            .join("\n"),
    );
    docs.push(d.trim_end().to_owned());
    docs.push(format!("{d}\n"));
    docs.push(format!("a: 1\n{d}"));
    docs.push(format!("# top\n{d}"));
    docs.retain(|v| super::read_tree(v).is_ok());
    docs.sort();
    docs.dedup();
    docs
}

/// Odd but valid shapes around a key (empty items and values, comments, tags, quoted keys,
/// block scalars, CRLF) under every operation and every ordered pair of operations: the
/// engine edits or refuses, and its result always reads back as intended.
#[test]
fn odd_shapes_never_misverify() {
    let docs: Vec<String> = ODD_SHAPES.iter().map(|d| (*d).to_owned()).collect();
    let bad = misverified(&docs, true);
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

/// Each odd shape changed in small ways ([`mutants`]), under every operation (with the deep
/// version below, found eight bugs the fuzzer had not reached: an indented root, explicit keys
/// and values on their own lines, keep-chomped scalars of empty lines, comments after block
/// scalars…).
#[test]
fn mutated_odd_shapes_never_misverify() {
    let docs: Vec<String> = ODD_SHAPES.iter().flat_map(|d| mutants(d)).collect();
    assert!(docs.len() > 4_500, "{} mutants", docs.len());
    let bad = misverified(&docs, false);
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

/// The long version (`cargo test --release -- --ignored`, about a minute): every pair of
/// operations over the mutants, and every operation over mutants of mutants (~70,000).
#[test]
#[ignore = "about a minute in release; run with the fuzzers"]
fn mutated_odd_shapes_deep() {
    let first: Vec<String> = ODD_SHAPES.iter().flat_map(|d| mutants(d)).collect();
    let mut bad = misverified(&first, true);
    let mut second: Vec<String> = first.iter().flat_map(|d| mutants(d)).collect();
    second.sort();
    second.dedup();
    bad.extend(misverified(&second, false));
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

/// Found by fuzzing: a tagged empty value (`+:\n  !`) ends after its tag, not at its colon.
#[test]
fn a_key_added_after_a_tagged_empty_value() {
    let ops = [Op::Prepend {
        path: "secrets.cookie".into(),
        value: json!(null),
    }];
    check_start("+:\n     !\n", &ops, "+:\n     !\n");
}

/// Found by fuzzing: a block scalar with no content (`key: |`) was placed at the next key, so
/// removing its key took part of the next entry.
#[test]
fn a_block_scalar_without_content() {
    check(
        "ersion: |\nx: 1\n",
        &[Op::Remove {
            path: "ersion".into(),
        }],
        "x: 1\n",
    );
    let ops = [
        set("secrets.cookie", json!(12)),
        Op::Remove {
            path: "ersion".into(),
        },
    ];
    for text in ["ersion: |", "ersion: |\n", "ersion: >-\n\n"] {
        check_start(text, &ops, "secrets:\n  cookie: 12");
    }
}

/// Found by fuzzing: an indentless list whose first item starts on the line below its `-`;
/// the list started at the item, so a prepend went between the dash and its item.
#[test]
fn a_list_item_below_its_dash() {
    check(
        "urls:\n-\n  m: 1\n",
        &[Op::Prepend {
            path: "urls".into(),
            value: json!({"hook": "session"}),
        }],
        "urls:\n- hook: session\n-\n  m: 1\n",
    );
}

/// Found by fuzzing: a first list item with a tag (`- !`); the prepended item copied the tag.
#[test]
fn a_prepend_does_not_copy_a_tag_or_anchor() {
    let prepend = |path: &str| Op::Prepend {
        path: path.into(),
        value: json!("plain"),
    };
    check(
        "_urls:\n- !\n",
        &[prepend("_urls")],
        "_urls:\n- plain\n- !\n",
    );
    check(
        "e:\n  - &a x\n  - *a\n",
        &[prepend("e")],
        "e:\n  - plain\n  - &a x\n  - *a\n",
    );
}

/// Found by fuzzing: a key set to a list, then a key "inside" that list by name, in one batch;
/// the second is refused. Inside by an index the list has is still edited.
#[test]
fn a_change_inside_a_set_list_must_use_its_indices() {
    let ops = [
        set("courier", json!(["a", "b,c"])),
        set("courier.base_url", json!(null)),
    ];
    let patched = apply("e:", Format::Yaml, &ops).expect("patches");
    assert_eq!(patched.refused.len(), 1);
    let ops = [set("e", json!(["a", "b"])), set("e.0", json!("c"))];
    let patched = apply("e:\n  - a\n", Format::Yaml, &ops).expect("patches and verifies");
    assert!(patched.refused.is_empty(), "{:?}", patched.refused);
    let ops = [set("e.x", json!(1)), set("e", json!({"y": 2}))];
    let patched = apply("e:\n  x: 0\n", Format::Yaml, &ops).expect("patches");
    assert_eq!(patched.refused.len(), 1, "set whole after a change inside");
}

/// Found by fuzzing: a key YAML reads as a number that does not print back as itself (here a
/// 36-digit integer) cannot be addressed reliably; operations on it are refused.
#[test]
fn numeric_keys_that_do_not_read_back_are_refused() {
    let key = "4".repeat(36);
    for text in [
        format!("{key}:\n"),
        "007: a\n".to_owned(),
        "1e3: a\n".to_owned(),
    ] {
        let path = text.split(':').next().unwrap_or_default().to_owned();
        let patched = apply(&text, Format::Yaml, &[Op::Remove { path }]).expect("patches");
        assert_eq!(patched.text, text);
        assert_eq!(patched.refused.len(), 1);
    }
    check("e:\n  - a\n", &[set("e.0", json!("b"))], "e:\n  - b\n");
}

/// Found by fuzzing: a block scalar whose last line holds only spaces indented past its
/// content (`d: >\n :\n  ` reads as ":\n \n"): those spaces are text, so a key added after
/// the scalar must come after them.
#[test]
fn a_block_scalar_ending_in_a_line_of_spaces() {
    check_start(
        "d: >\n :\n  ",
        &[set("log.level", json!(true))],
        "d: >\n :\n  \n",
    );
}

/// Found by the pair test and the fuzzer: shapes whose spans were misread. Removing an absent
/// key from an empty flow mapping; a key added after a keep-chomped block scalar; a list set
/// whole whose first item has a comment, a block scalar header or a tag between its dash and
/// its content.
#[test]
fn list_items_with_something_between_dash_and_content() {
    check("e: {}\n", &[Op::Remove { path: "e.m".into() }], "e: {}\n");
    check(
        "e: |+\n  a\n\n",
        &[set("f", json!(1))],
        "e: |+\n  a\n\nf: 1\n",
    );
    for text in ["e:\n- # c\n  x\n", "e:\n- |\n  t\n", "e:\n- !\n"] {
        let patched =
            apply(text, Format::Yaml, &[set("e", json!(["a"]))]).expect("patches and verifies");
        assert!(
            patched.refused.is_empty(),
            "{text:?}: {:?}",
            patched.refused
        );
        assert!(
            patched.text.trim_end().ends_with("- a"),
            "{:?}",
            patched.text
        );
    }
}

/// Found by fuzzing: an explicit key's missing value (`- ? x`) is reported on the next line;
/// removing the list took that line with it.
#[test]
fn an_explicit_key_without_value_ends_on_its_line() {
    let ops = [
        set("secrets.cookie", json!(["a", "b,c"])),
        Op::Remove { path: "s".into() },
    ];
    let patched = apply("s:\n- ? x\n", Format::Yaml, &ops).expect("patches and verifies");
    assert!(patched.text.contains("cookie"), "{}", patched.text);
    check(
        "s:\n- ? x\nsecrets:\n  cookie:\n    - a\n",
        &[Op::Remove { path: "s".into() }],
        "secrets:\n  cookie:\n    - a\n",
    );
}

/// Found by fuzzing: a block scalar header with a comment holding `|` (`key: | #|`); the
/// edit started inside the comment.
#[test]
fn a_block_scalar_header_comment_is_not_its_indicator() {
    check(
        "ersizn: | #|\nn:\n",
        &[set("ersizn", json!(null))],
        "ersizn: null\nn:\n",
    );
    check("k: | # a > b\n  text\n", &[set("k", json!("x"))], "k: x\n");
}

/// Found by fuzzing: a mapping set whole, then a key it does not hold set inside it, in one
/// batch; the second is refused.
#[test]
fn a_change_inside_a_set_mapping_must_use_its_keys() {
    let ops = [
        set("secrets.cookie", json!(["a", "b,c"])),
        set("serve", json!({"hook": "session"})),
        set("serve.base_url", json!("plain")),
    ];
    let patched = apply("serve:\n c:\n l:\n", Format::Yaml, &ops).expect("patches and verifies");
    assert_eq!(patched.refused.len(), 1, "{:?}", patched.refused);
}

/// Found by fuzzing: an anchored empty value (`d:\n   &E`) ends after its anchor; a key added
/// after it went before the anchor.
#[test]
fn a_key_added_after_an_anchored_empty_value() {
    check_start(
        "d:\n   &E",
        &[set("secrets.cookie", json!("plain"))],
        "d:\n   &E\n",
    );
}

/// Found by fuzzing: an empty item with a comment after its dash (`- # c`) is reported at the
/// comment's end; replacing its list kept the dash and wrote the new value into the comment.
#[test]
fn replacing_a_list_whose_item_is_empty_with_a_comment() {
    // The comment would be lost with the list: the rewrite is refused, the text unchanged.
    for doc in [
        "k:\n  l:\n  - #",
        "k:\n  l:\n  -\t# c\n  - x\n",
        "k:\n  l:\n    - # c\n",
    ] {
        let patched = apply(doc, Format::Yaml, &[set("k.l", json!({"hook": "session"}))])
            .expect("patches and verifies");
        assert_eq!(patched.text, doc);
        assert!(
            matches!(&patched.refused[..], [(0, PatchError::Refused { reason, .. })] if reason.contains("comment")),
            "{doc:?}: {:?}",
            patched.refused
        );
    }
    let patched = apply(
        "k:\n  l:\n  -\n  - x\n",
        Format::Yaml,
        &[set("k.l", json!({"hook": "session"}))],
    )
    .expect("patches and verifies");
    assert_eq!(patched.text, "k:\n  l:\n    hook: session\n");
}

/// Found by exploring indented documents: at the end of a file whose root is indented, a new
/// sibling key went between an empty value's key and its new value.
#[test]
fn a_value_and_a_sibling_added_at_the_end_of_an_indented_file() {
    check(
        "  e:\n    m:",
        &[set("e.m", json!(12)), set("f", json!(1))],
        "  e:\n    m: 12\n  f: 1",
    );
}

/// Found by fuzzing: a block scalar key with no content (`? >`) sits after its header, where
/// the search for its `?` missed it; a key was then added into the complex mapping.
#[test]
fn a_block_scalar_key_without_content() {
    let patched =
        apply("? >\n#", Format::Yaml, &[set("log.level", json!("plain"))]).expect("verifies");
    assert_eq!(patched.text, "? >\n#");
    assert_eq!(patched.refused.len(), 1);
}

/// Found by exploring: a keep-chomped block scalar with no content keeps its empty lines
/// (`|+` then blank lines: the value is line breaks); a key added after it went between the
/// header and them, changing the value.
#[test]
fn a_key_added_after_a_keep_scalar_of_empty_lines() {
    check(
        "e:\n - a\n - |+\n\n",
        &[set("f", json!(1))],
        "e:\n - a\n - |+\n\nf: 1\n",
    );
    check(
        "e:\n m: |+\n\n # c\n",
        &[set("f", json!(1))],
        "e:\n m: |+\n\nf: 1\n # c\n",
    );
    // A tab at the content's indentation is content.
    check(
        "e:\n  m: >-\n\n    \t\n",
        &[set("e.z", json!(true))],
        "e:\n  m: >-\n\n    \t\n  z: true\n",
    );
}

/// Found by exploring: removing the entry after a block scalar left its indented comment,
/// which then read as the scalar's text.
#[test]
fn removing_the_entry_after_a_block_scalar() {
    check(
        "a: >-\n 1\ne:\n  m:\n  # end\n",
        &[Op::Remove { path: "e".into() }],
        "a: >-\n 1\n",
    );
    // After anything else, the comment stays where it is.
    check(
        "a: 1\ne:\n  m:\n  # end\n",
        &[Op::Remove { path: "e".into() }],
        "a: 1\n  # end\n",
    );
}

/// Found by fuzzing: the empty key of `? # note` is reported at the next token, on the next
/// line; removing the mapping holding it took the next key along.
#[test]
fn an_explicit_empty_key_with_a_comment() {
    check(
        "k:\n- ? #x",
        &[
            set("secrets.cookie", json!(12)),
            Op::Remove { path: "k".into() },
        ],
        "secrets:\n  cookie: 12",
    );
    // An explicit key on the line after its `?` is not a plain key.
    let patched = apply(
        "a: 1\n?\n e\n: 1\n",
        Format::Yaml,
        &[Op::Remove { path: "e".into() }],
    )
    .expect("verifies");
    assert_eq!(patched.refused.len(), 1, "{:?}", patched.text);
}

#[test]
fn format_follows_the_extension() {
    use std::path::Path;
    for (path, format) in [
        ("kratos.json", Format::Json),
        ("conf/KRATOS.Json", Format::Json),
        ("kratos.yml", Format::Yaml),
        ("kratos.yaml", Format::Yaml),
        ("values.json.bak", Format::Yaml),
        ("json", Format::Yaml),
    ] {
        assert_eq!(Format::of(Path::new(path)), format, "{path}");
    }
}

/// Found by the attacker pass: a list written anew lost the comments between its items.
#[test]
fn a_block_list_rewrite_keeps_the_comments_of_the_items_that_stay() {
    check(
        "urls:\n  # ours\n  - https://a/  # app a\n  - http://b/ # legacy\n  - https://x/ # quickstart\n  # the shop\n  - https://s/ # shop\nnext: 1\n",
        &[set(
            "urls",
            json!(["https://a/", "https://b/", "https://s/"]),
        )],
        "urls:\n  # ours\n  - https://a/  # app a\n  - https://b/ # legacy\n  # the shop\n  - https://s/ # shop\nnext: 1\n",
    );
}

#[test]
fn a_rewrite_that_would_drop_a_comment_is_refused() {
    let refused = |doc: &str, ops: &[Op]| {
        let patched = apply(doc, Format::Yaml, ops).expect("patches");
        assert_eq!(patched.text, doc, "nothing changes");
        match &patched.refused[..] {
            [(0, PatchError::Refused { line, reason })] => (*line, reason.clone()),
            other => panic!("{doc:?}: {other:?}"),
        }
    };
    // A flow list with comments inside.
    let (line, reason) = refused(
        "urls: [\n  https://a/, # app a\n  https://x/\n]\n",
        &[set("urls", json!(["https://a/"]))],
    );
    assert_eq!(line, 2);
    assert!(reason.contains("`urls` holds a comment"), "{reason}");
    // A comment line above an item that goes: what it says is unknown.
    let (line, _) = refused(
        "urls:\n  - https://a/\n  # legacy apps\n  - http://x/\n  - http://y/\n",
        &[set("urls", json!(["https://a/", "http://y/"]))],
    );
    assert_eq!(line, 3);
    // A mapping written anew.
    let (line, _) = refused(
        "hook:\n  url: http://x/  # staging\n  method: POST\n",
        &[set("hook", json!({"url": "https://x/"}))],
    );
    assert_eq!(line, 2);
    // Without comments the same rewrites go through.
    check(
        "urls: [\n  https://a/,\n  https://x/\n]\n",
        &[set("urls", json!(["https://a/"]))],
        "urls: [https://a/]\n",
    );
}
