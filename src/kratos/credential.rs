//! Judging secrets and passwords without ever printing them.
//!
//! Neither zxcvbn nor any length heuristic catches the published Kratos placeholder secrets
//! (crates.md §3), so the denylist and marker words come first; zxcvbn only adds a score for
//! values that people type (database and SMTP passwords, hook keys).

/// Published example values from Kratos quickstarts, e2e tests, docs and common tutorials
/// (kratos-hardening.md §6, corpus/SOURCES.md), compared case-insensitively.
const DENYLIST: &[&str] = &[
    "PLEASE-CHANGE-ME-I-AM-VERY-INSECURE",
    "PLEASE-CHANGE-ME-I-AM-VERY-INSEC",
    "32-LONG-SECRET-NOT-SECURE-AT-ALL",
    "secret-thirty-two-character-long",
    "youReallyNeedToChangeThis",
    "CHANGE-ME-INSECURE-PASSWORD",
    "ChangeMe!",
    "changeme",
    "change-me",
    "change_me",
    "secret",
    "password",
    "passw0rd",
    "test",
    "foo",
    "bar",
    "todo",
    "kratos",
    "admin",
    "root",
    "postgres",
    "mysql",
    "cockroach",
    "example",
    "client_secret",
    "clientsecret",
    "client-secret",
    "123abc",
    "123456",
    "12345678",
    "1",
];

/// Words that mark a value as a stand-in, after upper-casing and dropping `-`, `_`, spaces.
const MARKERS: &[&str] = &[
    "CHANGEME",
    "INSECURE",
    "NOTSECURE",
    "PLACEHOLDER",
    "REPLACEME",
    "SETVIAENV",
    "YOURSECRET",
    "YOURPASSWORD",
    "DUMMY",
];

/// True for a published example value or a value that says it is a stand-in.
#[must_use]
pub fn is_placeholder(value: &str) -> bool {
    let v = value.trim();
    if DENYLIST.iter().any(|d| d.eq_ignore_ascii_case(v)) {
        return true;
    }
    let normal: String = v
        .chars()
        .filter(|c| !matches!(c, '-' | '_' | ' ' | '.'))
        .map(|c| c.to_ascii_uppercase())
        .collect();
    MARKERS.iter().any(|m| normal.contains(m))
}

/// True for `${VAR}` or `$VAR`: Kratos never expands these (`X:configx/koanf_file.go`).
#[must_use]
pub fn is_env_reference(value: &str) -> bool {
    let v = value.trim();
    if let Some(start) = v.find("${") {
        return v[start..].contains('}');
    }
    v.strip_prefix('$').is_some_and(|name| {
        !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
    })
}

/// Number of distinct characters.
#[must_use]
pub fn distinct_chars(value: &str) -> usize {
    let mut seen: Vec<char> = value.chars().collect();
    seen.sort_unstable();
    seen.dedup();
    seen.len()
}

/// zxcvbn score 0–4 (`context` words such as the user name count as guessable).
#[must_use]
pub fn strength(value: &str, context: &[&str]) -> u8 {
    // zxcvbn's cost grows with length; anything past 64 characters is judged on its prefix.
    let prefix: String = value.chars().take(64).collect();
    u8::from(zxcvbn::zxcvbn(&prefix, context).score())
}

/// True for a long secret (cookie/cipher key) with too little variety to be random:
/// fewer than 10 distinct characters, or a pattern zxcvbn guesses easily.
#[must_use]
pub fn low_variety(value: &str) -> bool {
    distinct_chars(value) < 10 || strength(value, &["kratos", "secret", "cookie", "cipher"]) < 3
}

/// Why a typed password or key is weak, if it is (never the value itself).
#[must_use]
pub fn password_weakness(value: &str, context: &[&str]) -> Option<&'static str> {
    if value.is_empty() {
        Some("is empty")
    } else if is_placeholder(value) {
        Some("is a published example or placeholder value")
    } else if value.chars().count() < 12 {
        Some("is shorter than 12 characters")
    } else if strength(value, context) < 3 {
        Some("is easy to guess (zxcvbn score below 3)")
    } else {
        None
    }
}

/// A secret-free description for messages: `<secret: 35 chars>`.
#[must_use]
pub fn describe(value: &str) -> String {
    format!("<secret: {} chars>", value.chars().count())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_from_the_corpus() {
        for p in [
            "PLEASE-CHANGE-ME-I-AM-VERY-INSECURE",
            "32-LONG-SECRET-NOT-SECURE-AT-ALL",
            "secret-thirty-two-character-long",
            "KRATOS_API_KEY_VALUE_SET_VIA_ENV_VARIABLE",
            "ChangeMe!",
            "please_change_me_now_1234567890ab",
        ] {
            assert!(is_placeholder(p), "{p}");
        }
        assert!(!is_placeholder("q8Vt2mZr7LxN4pWc9KfHs3JdYb6GeTnA"));
    }

    #[test]
    fn env_references() {
        assert!(is_env_reference("${OIDC_SECRET}"));
        assert!(is_env_reference("prefix-${X}"));
        assert!(is_env_reference("$GITHUB_CLIENT_SECRET"));
        assert!(!is_env_reference("pa$$word"));
        assert!(!is_env_reference("$"));
    }

    #[test]
    fn variety_and_weakness() {
        assert!(low_variety("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"));
        assert!(low_variety("abcdefghijklmnopqrstuvwxyz012345"));
        assert!(!low_variety("q8Vt2mZr7LxN4pWc9KfHs3JdYb6GeTnA"));
        assert_eq!(
            password_weakness("postgres", &[]),
            Some("is a published example or placeholder value")
        );
        assert_eq!(password_weakness("", &[]), Some("is empty"));
        assert_eq!(
            password_weakness("Xy7!", &[]),
            Some("is shorter than 12 characters")
        );
        assert_eq!(
            password_weakness("kratoskratos", &["kratos"]),
            Some("is easy to guess (zxcvbn score below 3)")
        );
        assert_eq!(password_weakness("v9#Qm2!rT8zLw4&k", &[]), None);
    }
}
