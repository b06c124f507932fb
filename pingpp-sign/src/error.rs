//! The errors of loading keys, signing and verifying. No backend type appears in
//! them: causes from the DER parser or a backend are boxed, or reduced to text.

use std::fmt;
use std::path::PathBuf;

use crate::Backend;

pub(crate) type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// What every backend accepts, quoted in the size and exponent errors.
pub(crate) const ACCEPTED: &str =
    "accepted are RSA keys of 2048 to 4096 bits with public exponent 65537";

/// The kind of a key or certificate, as found in its PEM label or DER structure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum KeyKind {
    /// PKCS#1 `RSAPrivateKey` (`BEGIN RSA PRIVATE KEY`, what `openssl genrsa` wrote).
    Pkcs1Private,
    /// PKCS#8 `PrivateKeyInfo` (`BEGIN PRIVATE KEY`).
    Pkcs8Private,
    /// X.509 `SubjectPublicKeyInfo` (`BEGIN PUBLIC KEY`, what the Ping++ dashboard shows).
    SpkiPublic,
    /// PKCS#1 `RSAPublicKey` (`BEGIN RSA PUBLIC KEY`).
    Pkcs1Public,
    /// An X.509 certificate (`BEGIN CERTIFICATE`): it holds a public key.
    Certificate,
}

impl KeyKind {
    /// Whether this kind holds a private key.
    pub fn is_private(self) -> bool {
        matches!(self, KeyKind::Pkcs1Private | KeyKind::Pkcs8Private)
    }
}

impl fmt::Display for KeyKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            KeyKind::Pkcs1Private => "PKCS#1 RSA private key (BEGIN RSA PRIVATE KEY)",
            KeyKind::Pkcs8Private => "PKCS#8 private key (BEGIN PRIVATE KEY)",
            KeyKind::SpkiPublic => "SubjectPublicKeyInfo public key (BEGIN PUBLIC KEY)",
            KeyKind::Pkcs1Public => "PKCS#1 RSA public key (BEGIN RSA PUBLIC KEY)",
            KeyKind::Certificate => "X.509 certificate (BEGIN CERTIFICATE)",
        })
    }
}

/// `"a PKCS#8 private key (BEGIN PRIVATE KEY) of 2048 bits"`, or without the size.
struct Described(KeyKind, Option<usize>);

impl fmt::Display for Described {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.0, self.1) {
            (KeyKind::Certificate, None) => write!(f, "an {}", self.0),
            (KeyKind::Certificate, Some(bits)) => {
                write!(f, "an {} holding an RSA key of {bits} bits", self.0)
            }
            (kind, None) => write!(f, "a {kind}"),
            (kind, Some(bits)) => write!(f, "a {kind} of {bits} bits"),
        }
    }
}

fn described(kind: &KeyKind, bits: &Option<usize>) -> Described {
    Described(*kind, *bits)
}

/// A key could not be loaded, converted or generated.
///
/// Messages name the kind of key found, its size when known, and what is accepted;
/// none of them quotes key material.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum KeyError {
    /// The key file could not be read.
    #[error("cannot read key file {}", path.display())]
    Io {
        /// The path that was given.
        path: PathBuf,
        /// What the operating system said.
        #[source]
        source: std::io::Error,
    },
    /// The PEM envelope is broken (no END line, bad base64, empty).
    #[error("malformed PEM key: {reason}")]
    MalformedPem {
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The key is protected by a passphrase.
    #[error(
        "the key is encrypted with a passphrase; decrypt it first, e.g. `openssl pkey -in key.pem -out key-plain.pem`"
    )]
    Encrypted,
    /// The key is not an RSA key (EC, Ed25519, DSA, ...).
    #[error(
        "expected an RSA key, found {found}; Ping++ signatures use RSA (`openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048`)"
    )]
    NotRsa {
        /// The kind of key found, e.g. `an EC key (PKCS#8)`.
        found: String,
    },
    /// A public key or a certificate was given where a private key is needed.
    #[error(
        "expected a private key, found {}: it has only a public key; request signing needs the merchant's private key (BEGIN PRIVATE KEY or BEGIN RSA PRIVATE KEY)",
        described(kind, bits)
    )]
    PublicKeyGiven {
        /// What was found.
        kind: KeyKind,
        /// Its modulus size, when it could be read.
        bits: Option<usize>,
    },
    /// A private key was given where a public key is expected.
    #[error(
        "expected a public key, found {}; give the public half (`openssl pkey -in key.pem -pubout`), never share the private key",
        described(kind, bits)
    )]
    PrivateKeyGiven {
        /// What was found.
        kind: KeyKind,
        /// Its modulus size, when it could be read.
        bits: Option<usize>,
    },
    /// A certificate was given where a public key is expected.
    #[error(
        "expected a public key (BEGIN PUBLIC KEY), found {}; extract its key with `openssl x509 -pubkey -noout -in cert.pem`",
        described(&KeyKind::Certificate, bits)
    )]
    CertificateGiven {
        /// The size of the certificate's RSA key, when it has one.
        bits: Option<usize>,
    },
    /// A PEM block of a kind this crate does not read.
    #[error(
        "unsupported PEM block `{label}`; expected PRIVATE KEY, RSA PRIVATE KEY, PUBLIC KEY or RSA PUBLIC KEY"
    )]
    UnsupportedLabel {
        /// The label of the block (`BEGIN <label>`).
        label: String,
    },
    /// The DER inside the envelope is not a valid key of the expected format.
    #[error("malformed {format}")]
    Malformed {
        /// The format that was tried (`PKCS#1 RSA private key`, `SubjectPublicKeyInfo
        /// public key`, ...).
        format: &'static str,
        /// The DER parser's error (never contains key bytes).
        #[source]
        source: BoxError,
    },
    /// The modulus size is outside what is accepted (2048 to 4096 bits).
    #[error("{} is not supported; {ACCEPTED}", described(kind, &Some(*bits)))]
    UnsupportedSize {
        /// What was found.
        kind: KeyKind,
        /// The key's modulus size in bits.
        bits: usize,
    },
    /// The public exponent is not accepted (65537 is; an odd exponent from 65537
    /// up to 2^33 − 1 is too).
    #[error(
        "{} has public exponent {exponent}, which is not supported; {ACCEPTED} (make a new key: `openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048`)",
        described(kind, &Some(*bits))
    )]
    UnsupportedExponent {
        /// What was found.
        kind: KeyKind,
        /// The key's modulus size in bits.
        bits: usize,
        /// The exponent in decimal (or a note of its size when it is huge).
        exponent: String,
    },
    /// The crypto backend rejected a key that parsed (e.g. inconsistent numbers).
    #[error("{} was rejected by the {backend} backend: {reason}", described(kind, &Some(*bits)))]
    Rejected {
        /// What was found.
        kind: KeyKind,
        /// The key's modulus size in bits.
        bits: usize,
        /// The backend that rejected it.
        backend: Backend,
        /// The backend's reason.
        reason: String,
    },
    /// This build verifies only: no signing backend is compiled in.
    #[error(
        "this build of pingpp-sign can only verify (crypto backend `{backend}`); loading a private key to sign needs feature `aws-lc-rs` or `ring`"
    )]
    SigningUnavailable {
        /// The backend in use.
        backend: Backend,
    },
    /// This build cannot generate RSA keys.
    #[error(
        "the `{backend}` crypto backend cannot generate RSA keys; enable feature `aws-lc-rs`, or make a key with `openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048`"
    )]
    GenerationUnavailable {
        /// The backend in use.
        backend: Backend,
    },
    /// Generating a new key pair failed.
    #[error("RSA key generation failed")]
    Generation(#[source] BoxError),
}

/// Signing failed inside the crypto backend.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SignError {
    /// The backend could not produce a signature.
    #[error("RSA signing failed in the {backend} backend")]
    Failed {
        /// The backend in use.
        backend: Backend,
    },
}

/// A signature did not verify.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum VerifyError {
    /// The signature was empty.
    #[error("the signature is empty")]
    Empty,
    /// The signature is not standard base64 (padding optional, whitespace ignored).
    #[error("the signature is not standard base64")]
    InvalidBase64,
    /// The signature does not match the message and key.
    #[error("the signature does not match the message for this public key")]
    Mismatch,
}
