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

/// True for a published example value or a value that says it is a stand-in: the denylist,
/// a marker word, text in angle brackets (`<client secret>`, `<секрет>`, in any language), or
/// an instruction such as `your-client-secret`.
#[must_use]
pub fn is_placeholder(value: &str) -> bool {
    let v = value.trim();
    if DENYLIST.iter().any(|d| d.eq_ignore_ascii_case(v)) {
        return true;
    }
    if v.len() > 2 && v.starts_with('<') && v.ends_with('>') {
        return true;
    }
    let lower = v.to_lowercase();
    if [
        "your-",
        "your_",
        "your ",
        "yourclient",
        "insert-",
        "insert_",
        "enter-",
        "enter_",
    ]
    .iter()
    .any(|p| lower.starts_with(p))
    {
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

/// Words that give away a human-made secret, compared case-insensitively. Five letters or
/// more, so that a random 43-character secret contains one by chance about once in 100,000
/// (and the generator draws again when it does: `secret::Secret::generate`).
const TELLTALE_WORDS: &[&str] = &[
    "secret",
    "cookie",
    "cipher",
    "kratos",
    "password",
    "passw0rd",
    "change",
    "please",
    "insecure",
    "example",
    "default",
    "session",
    "token",
    "production",
    "staging",
    "develop",
    "local",
    "qwerty",
    "asdfgh",
    "letmein",
    "welcome",
    "monkey",
    "dragon",
    "master",
    "sunshine",
    "iloveyou",
    "admin",
    "super",
    "hello",
    "abcde",
    "12345",
    "54321",
];

/// True when most neighbouring characters are equal or one apart (`aaaa`, `abcd`, `9876`).
fn stepwise(chars: &[char]) -> bool {
    let steps = chars
        .windows(2)
        .filter(|w| (i64::from(u32::from(w[0])) - i64::from(u32::from(w[1]))).abs() <= 1)
        .count();
    steps * 2 >= chars.len().saturating_sub(1).max(1)
}

/// True when the text repeats a shorter unit (`kratoskratoskratos…`), allowing a tenth of
/// the characters to differ.
fn periodic(chars: &[char]) -> bool {
    (1..=chars.len() / 2).any(|period| {
        let same = chars
            .iter()
            .zip(&chars[period..])
            .filter(|(a, b)| a == b)
            .count();
        same * 10 >= (chars.len() - period) * 9
    })
}

/// True for a secret (cookie/cipher key, hook key) with too little variety to be random:
/// fewer than 10 distinct characters, a repeated unit, a run of neighbouring characters, or a
/// telltale word. Values under 32 characters are also scored with zxcvbn; longer ones are not,
/// because zxcvbn's cost grows with the square of the length (1.2 ms at 44 characters) and
/// the structural checks already catch what a generator would never produce.
#[must_use]
pub fn low_variety(value: &str) -> bool {
    let chars: Vec<char> = value.chars().collect();
    if distinct_chars(value) < 10 || stepwise(&chars) || periodic(&chars) {
        return true;
    }
    let lower = value.to_ascii_lowercase();
    if TELLTALE_WORDS.iter().any(|w| lower.contains(w)) {
        return true;
    }
    chars.len() < 32 && strength(value, &["kratos", "secret", "cookie", "cipher"]) < 3
}

/// Words people build service passwords from, besides the names in the context.
const FILLER_WORDS: &[&str] = &[
    "password",
    "passwd",
    "secret",
    "pass",
    "pwd",
    "dev",
    "development",
    "prod",
    "production",
    "stage",
    "staging",
    "test",
    "local",
    "admin",
    "root",
    "user",
    "db",
    "database",
    "kratos",
    "ory",
    "changeme",
    "default",
    "welcome",
    "letmein",
    "qwerty",
];

/// True when `value` is only context names (user, database, project) and filler words with
/// digits and separators: `bindu_secret`, `kratos_dev_password`, `Acme2024!`-style suffixes.
fn guessable_compound(value: &str, context: &[&str]) -> bool {
    let mut rest = value.to_lowercase();
    let mut words: Vec<String> = context
        .iter()
        .map(|w| w.to_lowercase())
        .filter(|w| w.len() >= 3)
        .collect();
    words.extend(FILLER_WORDS.iter().map(|w| (*w).to_owned()));
    // Longest first, so `password` goes before `pass`.
    words.sort_by_key(|w| std::cmp::Reverse(w.len()));
    let mut found = false;
    for word in &words {
        if rest.contains(word.as_str()) {
            found = true;
            rest = rest.replace(word.as_str(), "");
        }
    }
    found
        && rest
            .chars()
            .all(|c| c.is_ascii_digit() || c.is_ascii_punctuation() || c.is_whitespace())
}

/// Why a typed password or key is weak, if it is (never the value itself).
#[must_use]
pub fn password_weakness(value: &str, context: &[&str]) -> Option<&'static str> {
    if value.is_empty() {
        Some("is empty")
    } else if is_placeholder(value) {
        Some("is a published example or placeholder value")
    } else if guessable_compound(value, context) {
        Some("is made of names from the config and common words (guessable)")
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
    fn compound_passwords_and_instruction_placeholders() {
        for (value, context) in [
            ("bindu_secret", &["bindu"][..]),
            ("kratos_dev_password", &["kratos"][..]),
            ("Acme-Prod-2024!", &["acme"][..]),
            ("identity_db_pass123", &["identity"][..]),
        ] {
            assert!(guessable_compound(value, context), "{value}");
            assert!(password_weakness(value, context).is_some(), "{value}");
        }
        for value in ["Xq7vLp2mZt9rWk4b", "bindu-q7vLp2mZt9r"] {
            assert!(!guessable_compound(value, &["bindu"]), "{value}");
        }
        for value in [
            "<client secret>",
            "<секрет клиента>",
            "your-client-secret",
            "changeme",
        ] {
            assert!(is_placeholder(value), "{value}");
        }
        assert!(!is_placeholder("<"), "a lone bracket is just odd");
    }

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
        assert!(!low_variety("9sK2mQ7vX4nB8cR1tY6wZ3pL5hJ0dF2gA7eU4iO1kM="));
        assert!(low_variety("ThisIsMyCookieKey2024ForOurKratosSetup"));
        assert!(low_variety("kr4tos-kr4tos-kr4tos-kr4tos-kr4tos-x"));
        assert!(low_variety("0123456789abcdefghijklmnopqrstuv"));
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
            Some("is made of names from the config and common words (guessable)")
        );
        assert_eq!(
            password_weakness("qwertyuiopasdfgh", &[]),
            Some("is easy to guess (zxcvbn score below 3)")
        );
        assert_eq!(password_weakness("v9#Qm2!rT8zLw4&k", &[]), None);
    }
}
