//! Generating secrets from the operating system's CSPRNG, and keeping them out of output.
//!
//! Alphabet: `A–Z a–z 0–9` only. That is safe unquoted in YAML, in a shell and in Kratos's CSV
//! parsing of env arrays (no `,` or `"`). Lengths: signing secrets (`default`, `cookie`,
//! `pagination`) and cipher secrets get exactly 32 characters (190 bits). 32 bytes is what the
//! cipher requires, and it is also an AES key length: Kratos hands `secrets.cookie` (or
//! `secrets.default`) to its continuity cookie store as gorilla/securecookie key *pairs*, whose
//! odd-index entries are AES keys that must be 16, 24 or 32 bytes
//! (<https://github.com/ory/kratos/blob/v1.3.1/driver/registry_default.go#L555>). A 43-character
//! secret there breaks social sign-in and settings re-authentication.

use std::fmt;

use rand::rand_core::TryRng as _;

/// The characters secrets are drawn from.
const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/// What a secret is for (it decides the length).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// `secrets.default`, `secrets.cookie`, `secrets.pagination`: exactly 32 characters (a
    /// valid AES key wherever the continuity cookie store reads it as one).
    Signing,
    /// `secrets.cipher`: exactly 32 characters.
    Cipher,
    /// A password or key for a connected service (hook API key): 40 characters.
    Credential,
}

impl Kind {
    /// Number of characters generated.
    #[must_use]
    pub fn chars(self) -> usize {
        match self {
            // One length for both: the cipher's required size and an AES key length.
            Kind::Signing | Kind::Cipher => 32,
            Kind::Credential => 40,
        }
    }
}

/// Where random bytes come from. Tests inject a fixed source; everything else uses [`OsSecrets`].
pub trait Source {
    /// Fills `buf` with random bytes.
    fn fill(&mut self, buf: &mut [u8]) -> Result<(), SecretError>;
}

/// The operating system's CSPRNG (`getrandom` through `rand::rngs::SysRng`).
#[derive(Debug, Default)]
pub struct OsSecrets;

impl Source for OsSecrets {
    fn fill(&mut self, buf: &mut [u8]) -> Result<(), SecretError> {
        rand::rngs::SysRng
            .try_fill_bytes(buf)
            .map_err(|e| SecretError(e.to_string()))
    }
}

/// The OS random source failed; no secret is made up instead.
#[derive(Debug, thiserror::Error)]
#[error("the operating system's random number generator failed: {0}")]
pub struct SecretError(String);

/// A generated secret. `Debug` and `Display` mask it; [`Secret::expose`] is explicit.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Generates a secret of `kind` from `source`, uniformly over [`ALPHABET`] (rejection
    /// sampling, so no character is more likely than another). A draw that this tool's own
    /// rules would call patterned or a placeholder (a telltale word such as `admin` turns up
    /// in about one random secret in 100,000) is drawn again, so a fix never creates a finding;
    /// that removes a negligible part of the space.
    ///
    /// # Errors
    /// The source fails, or gives only patterned values (a broken generator).
    pub fn generate(kind: Kind, source: &mut dyn Source) -> Result<Self, SecretError> {
        for _ in 0..64 {
            let candidate = draw(kind.chars(), source)?;
            if !crate::kratos::credential::low_variety(&candidate)
                && !crate::kratos::credential::is_placeholder(&candidate)
            {
                return Ok(Self(candidate));
            }
        }
        Err(SecretError(
            "64 draws in a row had a pattern; the source is not random".to_owned(),
        ))
    }

    /// The secret's text, for writing it where it belongs.
    #[must_use]
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The masked form used in every output: `<generated: 32 chars>`.
    #[must_use]
    pub fn masked(&self) -> String {
        format!("<generated: {} chars>", self.0.len())
    }
}

/// `len` characters drawn uniformly from [`ALPHABET`].
fn draw(len: usize, source: &mut dyn Source) -> Result<String, SecretError> {
    let limit = 256 - 256 % ALPHABET.len();
    let mut out = String::with_capacity(len);
    let mut buf = [0u8; 64];
    while out.len() < len {
        source.fill(&mut buf)?;
        for &byte in &buf {
            if usize::from(byte) < limit && out.len() < len {
                out.push(char::from(ALPHABET[usize::from(byte) % ALPHABET.len()]));
            }
        }
    }
    Ok(out)
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.masked())
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.masked())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A counter, so tests are repeatable.
    struct Counter(u8);

    impl Source for Counter {
        fn fill(&mut self, buf: &mut [u8]) -> Result<(), SecretError> {
            for b in buf {
                self.0 = self.0.wrapping_add(7);
                *b = self.0;
            }
            Ok(())
        }
    }

    #[test]
    fn lengths_and_alphabet() {
        let mut os = OsSecrets;
        for kind in [Kind::Signing, Kind::Cipher, Kind::Credential] {
            let s = Secret::generate(kind, &mut os).expect("os rng");
            assert_eq!(s.expose().len(), kind.chars());
            assert!(s.expose().bytes().all(|b| ALPHABET.contains(&b)));
        }
        let bits = |k: Kind| f64::from(u32::try_from(k.chars()).expect("small")) * 62f64.log2();
        assert!(bits(Kind::Signing) >= 190.0);
        assert_eq!(Kind::Signing.chars(), 32, "an AES key length");
        assert!(bits(Kind::Cipher) >= 190.0);
    }

    #[test]
    fn os_secrets_differ_and_counter_is_repeatable() {
        let mut os = OsSecrets;
        let a = Secret::generate(Kind::Signing, &mut os).expect("rng");
        let b = Secret::generate(Kind::Signing, &mut os).expect("rng");
        assert_ne!(a, b);
        let c = Secret::generate(Kind::Cipher, &mut Counter(0)).expect("counter");
        let d = Secret::generate(Kind::Cipher, &mut Counter(0)).expect("counter");
        assert_eq!(c, d);
    }

    /// Only zeros: every draw is `AAAA…`.
    struct Zeros;

    impl Source for Zeros {
        fn fill(&mut self, buf: &mut [u8]) -> Result<(), SecretError> {
            buf.fill(0);
            Ok(())
        }
    }

    /// Zeros first (`AAAA…`, patterned), then a counter.
    struct ZerosThenCounter(bool, Counter);

    impl Source for ZerosThenCounter {
        fn fill(&mut self, buf: &mut [u8]) -> Result<(), SecretError> {
            if self.0 {
                return self.1.fill(buf);
            }
            self.0 = true;
            buf.fill(0);
            Ok(())
        }
    }

    /// Found by the fixpoint test (about once in a hundred runs): a random secret holding a
    /// telltale word was flagged by the next audit. Patterned draws are drawn again, and a
    /// source that gives nothing else is an error, not a weak secret.
    #[test]
    fn patterned_draws_are_drawn_again() {
        let s = Secret::generate(Kind::Cipher, &mut ZerosThenCounter(false, Counter(0)))
            .expect("second draw");
        assert_ne!(s.expose(), "A".repeat(32));
        assert!(!crate::kratos::credential::low_variety(s.expose()));
        assert!(Secret::generate(Kind::Signing, &mut Zeros).is_err());
    }

    #[test]
    fn secrets_are_masked_in_debug_and_display() {
        let s = Secret::generate(Kind::Cipher, &mut OsSecrets).expect("rng");
        assert_eq!(format!("{s}"), "<generated: 32 chars>");
        assert_eq!(format!("{s:?}"), "<generated: 32 chars>");
        assert!(!format!("{s:?}").contains(s.expose()));
    }
}
