//! RSA-SHA256 signing and verification for Ping++.
//!
//! Ping++ uses RSA PKCS#1 v1.5 with SHA-256 in two directions:
//!
//! * **requests**: the merchant signs `body + request URI + timestamp` with its own
//!   private key and sends the result in `Pingplusplus-Signature`
//!   ([`PrivateKey::sign_request`], [`string_to_sign`]);
//! * **webhooks**: Ping++ signs the raw notification body with its key; the merchant
//!   checks it with the Ping++ public key ([`PublicKey::verify`]).
//!
//! # Backends
//!
//! Every signature and every verification runs through [`ring`], whose RSA
//! private-key operations are constant-time and blinded. The `rsa` crate is used only
//! for what it is safe and good at: reading and converting key formats (PKCS#1,
//! PKCS#8, SubjectPublicKeyInfo) and generating new key pairs. No private-key
//! operation goes through `rsa`, so its timing advisory RUSTSEC-2023-0071 (a leak in
//! `rsa`'s decryption and signing) does not apply to this crate.
//!
//! # Secrets
//!
//! `Debug` of [`PrivateKey`] and [`KeyPair`] prints only the key size; errors never
//! quote key material. The decoded key bytes this crate holds are zeroized on drop
//! (the copy inside `ring`'s key object is `ring`'s to manage).
//!
//! # Example
//!
//! ```
//! use pingpp_sign::{generate_keypair, PublicKey};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let pair = generate_keypair()?;                // or PrivateKey::from_pem_file("rsa_private_key.pem")
//! let key = pair.private_key()?;
//! let body = br#"{"status":"pending"}"#;
//! let uri = "/v1/apps/app_1Gqj58ynP0mHeX1q/withdrawals/1701611150302360654";
//! let signature = key.sign_request(body, uri, 1_475_029_155)?;
//!
//! // The server side (here: our own public key) checks the same three parts.
//! let public = PublicKey::from_pem(pair.public_pem())?;
//! public.verify_request(body, uri, 1_475_029_155, &signature)?;
//! assert!(public.verify_request(body, uri, 1_475_029_156, &signature).is_err());
//! # Ok(())
//! # }
//! ```
#![forbid(unsafe_code)]

mod pem;

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use ring::rand::SystemRandom;
use ring::signature::{self, RsaKeyPair, UnparsedPublicKey};
use rsa::pkcs1::{DecodeRsaPrivateKey, DecodeRsaPublicKey, EncodeRsaPublicKey};
use rsa::pkcs8::{
    DecodePrivateKey, DecodePublicKey, EncodePrivateKey, EncodePublicKey, LineEnding,
};
use rsa::traits::PublicKeyParts;
use rsa::{RsaPrivateKey, RsaPublicKey};
pub use zeroize::Zeroizing;

/// Smallest RSA modulus accepted, in bits (what `ring` will sign and verify with).
pub const MIN_KEY_BITS: usize = 2048;

/// Size of the keys [`generate_keypair`] makes, in bits.
pub const GENERATED_KEY_BITS: usize = 2048;

type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// A key could not be loaded, converted or generated.
///
/// Messages name the usual cause; none of them quotes key material.
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
        "expected an RSA key, found {found}; Ping++ signatures use RSA (`openssl genrsa 2048`)"
    )]
    NotRsa {
        /// The kind of key found.
        found: String,
    },
    /// A public key was given where a private key is needed.
    #[error(
        "expected a private key, found a public key; request signing needs the merchant's private key (BEGIN PRIVATE KEY or BEGIN RSA PRIVATE KEY)"
    )]
    PublicKeyGiven,
    /// A private key was given where a public key is expected.
    #[error(
        "expected a public key, found a private key; give the public half (`openssl rsa -in key.pem -pubout`), never share the private key"
    )]
    PrivateKeyGiven,
    /// A PEM block of a kind this crate does not read.
    #[error(
        "unsupported PEM block `{label}`; expected PRIVATE KEY, RSA PRIVATE KEY, PUBLIC KEY or RSA PUBLIC KEY"
    )]
    UnsupportedLabel {
        /// The label of the block (`BEGIN <label>`).
        label: String,
    },
    /// The DER inside the envelope is not a valid key of the expected format.
    #[error("malformed {format} key")]
    Malformed {
        /// The format that was tried (`PKCS#1`, `PKCS#8`, `SubjectPublicKeyInfo`).
        format: &'static str,
        /// The parser's error (never contains key bytes).
        #[source]
        source: BoxError,
    },
    /// The modulus size is outside what is accepted.
    #[error("RSA key of {bits} bits is not supported; use 2048 to 4096 bits")]
    UnsupportedSize {
        /// The key's modulus size.
        bits: usize,
    },
    /// `ring` rejected the key.
    #[error("RSA key rejected: {reason}")]
    Rejected {
        /// `ring`'s reason.
        reason: String,
    },
    /// Generating a new key pair failed.
    #[error("RSA key generation failed")]
    Generation(#[source] BoxError),
}

/// Signing failed (the random source or `ring` reported an error).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SignError {
    /// `ring` could not produce a signature.
    #[error("RSA signing failed")]
    Ring(#[source] ring::error::Unspecified),
}

/// A signature did not verify.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum VerifyError {
    /// The signature was empty.
    #[error("the signature is empty")]
    Empty,
    /// The signature is not standard base64.
    #[error("the signature is not standard base64")]
    InvalidBase64(#[source] base64::DecodeError),
    /// The signature does not match the message and key.
    #[error("the signature does not match the message for this public key")]
    Mismatch,
}

/// Builds the bytes a Ping++ request signature covers: `body`, then the request URI
/// (path with `/v1`, plus `?query` when there is one, exactly as sent), then the
/// timestamp in decimal.
///
/// Pass an empty body for GET and DELETE.
///
/// ```
/// let bytes = pingpp_sign::string_to_sign(
///     br#"{"status":"pending"}"#,
///     "/v1/apps/app_1Gqj58ynP0mHeX1q/withdrawals/17016111503023606541",
///     1_475_029_155,
/// );
/// assert_eq!(
///     bytes,
///     br#"{"status":"pending"}/v1/apps/app_1Gqj58ynP0mHeX1q/withdrawals/170161115030236065411475029155"#
/// );
/// ```
pub fn string_to_sign(body: &[u8], request_uri: &str, timestamp: i64) -> Vec<u8> {
    let ts = timestamp.to_string();
    let mut out = Vec::with_capacity(body.len() + request_uri.len() + ts.len());
    out.extend_from_slice(body);
    out.extend_from_slice(request_uri.as_bytes());
    out.extend_from_slice(ts.as_bytes());
    out
}

/// Decodes a base64 signature: the standard alphabet, padding optional, whitespace
/// and line breaks ignored. Nothing else (no URL-safe alphabet) is accepted.
pub fn decode_signature(signature_b64: &str) -> Result<Vec<u8>, VerifyError> {
    // The usual header value has nothing to strip: decode it without a copy.
    if !signature_b64.bytes().any(|b| b.is_ascii_whitespace()) {
        if signature_b64.is_empty() {
            return Err(VerifyError::Empty);
        }
        return pem::LENIENT_STANDARD
            .decode(signature_b64)
            .map_err(VerifyError::InvalidBase64);
    }
    let compact: String = signature_b64
        .chars()
        .filter(|c| !c.is_ascii_whitespace())
        .collect();
    if compact.is_empty() {
        return Err(VerifyError::Empty);
    }
    pem::LENIENT_STANDARD
        .decode(compact.as_bytes())
        .map_err(VerifyError::InvalidBase64)
}

fn read_key_file(path: &Path) -> Result<Zeroizing<String>, KeyError> {
    std::fs::read_to_string(path)
        .map(Zeroizing::new)
        .map_err(|source| KeyError::Io {
            path: path.to_owned(),
            source,
        })
}

fn malformed(format: &'static str) -> impl FnOnce(BoxError) -> KeyError {
    move |source| KeyError::Malformed { format, source }
}

/// Names the algorithm of a non-RSA key from its OID.
fn algorithm_name(oid: &rsa::pkcs8::ObjectIdentifier) -> String {
    match oid.to_string().as_str() {
        "1.2.840.10045.2.1" => "an EC key".to_owned(),
        "1.3.101.112" => "an Ed25519 key".to_owned(),
        "1.3.101.113" => "an Ed448 key".to_owned(),
        "1.2.840.10040.4.1" => "a DSA key".to_owned(),
        "1.2.840.113549.1.1.10" => "an RSA-PSS key (use a plain rsaEncryption key)".to_owned(),
        other => format!("a key with algorithm {other}"),
    }
}

fn is_private_label(label: &str) -> bool {
    label.contains("PRIVATE KEY")
}

fn is_public_label(label: &str) -> bool {
    label == "PUBLIC KEY" || label == "RSA PUBLIC KEY" || label == "CERTIFICATE"
}

/// A merchant's RSA private key, ready to sign requests.
///
/// Loads PEM (PKCS#1 `BEGIN RSA PRIVATE KEY` or PKCS#8 `BEGIN PRIVATE KEY`, with any
/// line wrapping) or DER. Cheap to clone (the key is shared).
#[derive(Clone)]
pub struct PrivateKey {
    inner: Arc<PrivateInner>,
}

struct PrivateInner {
    ring: RsaKeyPair,
    pkcs8: Zeroizing<Vec<u8>>,
    rng: SystemRandom,
}

impl fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PrivateKey")
            .field("bits", &self.bits())
            .finish_non_exhaustive()
    }
}

impl PrivateKey {
    /// Reads a private key from PEM text (PKCS#1 or PKCS#8), or from bare base64 DER.
    ///
    /// ```
    /// let err = pingpp_sign::PrivateKey::from_pem("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----")
    ///     .unwrap_err();
    /// assert!(err.to_string().contains("expected a private key"));
    /// ```
    pub fn from_pem(pem_text: &str) -> Result<Self, KeyError> {
        let block = pem::decode(pem_text)?;
        match block.label.as_deref() {
            None => Self::from_der(&block.der),
            Some("RSA PRIVATE KEY") => Self::from_pkcs1_der(&block.der),
            Some("PRIVATE KEY") => Self::from_pkcs8_der(&block.der),
            Some("ENCRYPTED PRIVATE KEY") => Err(KeyError::Encrypted),
            Some("EC PRIVATE KEY") => Err(KeyError::NotRsa {
                found: "an EC key".to_owned(),
            }),
            Some("DSA PRIVATE KEY") => Err(KeyError::NotRsa {
                found: "a DSA key".to_owned(),
            }),
            Some("OPENSSH PRIVATE KEY") => Err(KeyError::UnsupportedLabel {
                label: "OPENSSH PRIVATE KEY (convert it: ssh-keygen -p -m PKCS8 -f key)".to_owned(),
            }),
            Some(label) if is_public_label(label) => Err(KeyError::PublicKeyGiven),
            Some(label) => Err(KeyError::UnsupportedLabel {
                label: label.to_owned(),
            }),
        }
    }

    /// Reads a private key from a PEM file.
    pub fn from_pem_file(path: impl AsRef<Path>) -> Result<Self, KeyError> {
        let text = read_key_file(path.as_ref())?;
        Self::from_pem(&text)
    }

    /// Reads a private key from DER: PKCS#8 `PrivateKeyInfo` or PKCS#1 `RSAPrivateKey`.
    pub fn from_der(der: &[u8]) -> Result<Self, KeyError> {
        if rsa::pkcs8::PrivateKeyInfo::try_from(der).is_ok() {
            return Self::from_pkcs8_der(der);
        }
        match RsaPrivateKey::from_pkcs1_der(der) {
            Ok(key) => Self::from_rsa(&key),
            Err(err) => {
                if RsaPublicKey::from_public_key_der(der).is_ok()
                    || RsaPublicKey::from_pkcs1_der(der).is_ok()
                {
                    Err(KeyError::PublicKeyGiven)
                } else {
                    Err(malformed("PKCS#1 or PKCS#8")(Box::new(err)))
                }
            }
        }
    }

    fn from_pkcs8_der(der: &[u8]) -> Result<Self, KeyError> {
        let info = rsa::pkcs8::PrivateKeyInfo::try_from(der)
            .map_err(|e| malformed("PKCS#8")(Box::new(e)))?;
        if info.algorithm.oid != rsa::pkcs1::ALGORITHM_OID {
            return Err(KeyError::NotRsa {
                found: algorithm_name(&info.algorithm.oid),
            });
        }
        let key =
            RsaPrivateKey::from_pkcs8_der(der).map_err(|e| malformed("PKCS#8")(Box::new(e)))?;
        Self::from_rsa(&key)
    }

    fn from_pkcs1_der(der: &[u8]) -> Result<Self, KeyError> {
        let key =
            RsaPrivateKey::from_pkcs1_der(der).map_err(|e| malformed("PKCS#1")(Box::new(e)))?;
        Self::from_rsa(&key)
    }

    fn from_rsa(key: &RsaPrivateKey) -> Result<Self, KeyError> {
        let bits = key.size() * 8;
        if !(MIN_KEY_BITS..=8192).contains(&bits) {
            return Err(KeyError::UnsupportedSize { bits });
        }
        let pkcs8 = key
            .to_pkcs8_der()
            .map_err(|e| malformed("PKCS#8")(Box::new(e)))?;
        let pkcs8 = Zeroizing::new(pkcs8.as_bytes().to_vec());
        let ring = RsaKeyPair::from_pkcs8(&pkcs8).map_err(|e| KeyError::Rejected {
            reason: e.to_string(),
        })?;
        Ok(Self {
            inner: Arc::new(PrivateInner {
                ring,
                pkcs8,
                rng: SystemRandom::new(),
            }),
        })
    }

    /// The modulus size in bits.
    pub fn bits(&self) -> usize {
        self.inner.ring.public().modulus_len() * 8
    }

    /// Signs `message` (RSA PKCS#1 v1.5, SHA-256) and returns standard base64 with
    /// padding and no line breaks.
    pub fn sign(&self, message: &[u8]) -> Result<String, SignError> {
        let mut signature = vec![0u8; self.inner.ring.public().modulus_len()];
        self.inner
            .ring
            .sign(
                &signature::RSA_PKCS1_SHA256,
                &self.inner.rng,
                message,
                &mut signature,
            )
            .map_err(SignError::Ring)?;
        Ok(STANDARD.encode(signature))
    }

    /// Signs a request: `body` (empty for GET/DELETE) + `request_uri` + `timestamp`,
    /// see [`string_to_sign`]. The result goes in `Pingplusplus-Signature`, the same
    /// timestamp in `Pingplusplus-Request-Timestamp`.
    pub fn sign_request(
        &self,
        body: &[u8],
        request_uri: &str,
        timestamp: i64,
    ) -> Result<String, SignError> {
        self.sign(&string_to_sign(body, request_uri, timestamp))
    }

    /// The matching public key (upload it to the Ping++ dashboard).
    pub fn public_key(&self) -> PublicKey {
        PublicKey::from_trusted_pkcs1(self.inner.ring.public().as_ref().to_vec(), self.bits())
    }

    /// The private key as PKCS#8 PEM (`BEGIN PRIVATE KEY`), zeroized on drop.
    pub fn to_pkcs8_pem(&self) -> Result<Zeroizing<String>, KeyError> {
        let key = RsaPrivateKey::from_pkcs8_der(&self.inner.pkcs8)
            .map_err(|e| malformed("PKCS#8")(Box::new(e)))?;
        key.to_pkcs8_pem(LineEnding::LF)
            .map_err(|e| malformed("PKCS#8")(Box::new(e)))
    }
}

/// An RSA public key: Ping++'s (to verify webhooks) or a merchant's (to verify
/// request signatures, as the emulator does).
///
/// Loads PEM SubjectPublicKeyInfo (`BEGIN PUBLIC KEY`, what the Ping++ dashboard
/// shows) or PKCS#1 (`BEGIN RSA PUBLIC KEY`), or DER of either.
#[derive(Clone, PartialEq, Eq)]
pub struct PublicKey {
    pkcs1: Arc<[u8]>,
    bits: usize,
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PublicKey")
            .field("bits", &self.bits)
            .finish_non_exhaustive()
    }
}

impl PublicKey {
    /// Reads a public key from PEM text (SubjectPublicKeyInfo or PKCS#1), or bare
    /// base64 DER.
    pub fn from_pem(pem_text: &str) -> Result<Self, KeyError> {
        let block = pem::decode(pem_text)?;
        match block.label.as_deref() {
            None => Self::from_der(&block.der),
            Some("PUBLIC KEY") => Self::from_spki_der(&block.der),
            Some("RSA PUBLIC KEY") => Self::from_pkcs1_der(&block.der),
            Some("CERTIFICATE") => Err(KeyError::UnsupportedLabel {
                label: "CERTIFICATE (extract the key: openssl x509 -pubkey -noout -in cert.pem)"
                    .to_owned(),
            }),
            Some(label) if is_private_label(label) => Err(KeyError::PrivateKeyGiven),
            Some(label) => Err(KeyError::UnsupportedLabel {
                label: label.to_owned(),
            }),
        }
    }

    /// Reads a public key from a PEM file.
    pub fn from_pem_file(path: impl AsRef<Path>) -> Result<Self, KeyError> {
        let text = read_key_file(path.as_ref())?;
        Self::from_pem(&text)
    }

    /// Reads a public key from DER: SubjectPublicKeyInfo or PKCS#1 `RSAPublicKey`.
    pub fn from_der(der: &[u8]) -> Result<Self, KeyError> {
        if rsa::pkcs8::spki::SubjectPublicKeyInfoRef::try_from(der).is_ok() {
            return Self::from_spki_der(der);
        }
        match RsaPublicKey::from_pkcs1_der(der) {
            Ok(key) => Self::from_rsa(&key),
            Err(err) => {
                if rsa::pkcs8::PrivateKeyInfo::try_from(der).is_ok()
                    || RsaPrivateKey::from_pkcs1_der(der).is_ok()
                {
                    Err(KeyError::PrivateKeyGiven)
                } else {
                    Err(malformed("SubjectPublicKeyInfo or PKCS#1")(Box::new(err)))
                }
            }
        }
    }

    fn from_spki_der(der: &[u8]) -> Result<Self, KeyError> {
        let info = rsa::pkcs8::spki::SubjectPublicKeyInfoRef::try_from(der)
            .map_err(|e| malformed("SubjectPublicKeyInfo")(Box::new(e)))?;
        if info.algorithm.oid != rsa::pkcs1::ALGORITHM_OID {
            return Err(KeyError::NotRsa {
                found: algorithm_name(&info.algorithm.oid),
            });
        }
        let key = RsaPublicKey::from_public_key_der(der)
            .map_err(|e| malformed("SubjectPublicKeyInfo")(Box::new(e)))?;
        Self::from_rsa(&key)
    }

    fn from_pkcs1_der(der: &[u8]) -> Result<Self, KeyError> {
        let key =
            RsaPublicKey::from_pkcs1_der(der).map_err(|e| malformed("PKCS#1")(Box::new(e)))?;
        Self::from_rsa(&key)
    }

    fn from_rsa(key: &RsaPublicKey) -> Result<Self, KeyError> {
        let bits = key.n().bits();
        if !(MIN_KEY_BITS..=8192).contains(&bits) {
            return Err(KeyError::UnsupportedSize { bits });
        }
        let der = key
            .to_pkcs1_der()
            .map_err(|e| malformed("PKCS#1")(Box::new(e)))?;
        Ok(Self::from_trusted_pkcs1(der.as_bytes().to_vec(), bits))
    }

    fn from_trusted_pkcs1(pkcs1: Vec<u8>, bits: usize) -> Self {
        Self {
            pkcs1: pkcs1.into(),
            bits,
        }
    }

    /// The modulus size in bits.
    pub fn bits(&self) -> usize {
        self.bits
    }

    /// Checks a base64 signature (standard alphabet, padding optional, whitespace
    /// ignored) over `message`.
    pub fn verify(&self, message: &[u8], signature_b64: &str) -> Result<(), VerifyError> {
        let signature = decode_signature(signature_b64)?;
        self.verify_raw(message, &signature)
    }

    /// Checks raw signature bytes over `message`.
    pub fn verify_raw(&self, message: &[u8], signature: &[u8]) -> Result<(), VerifyError> {
        if signature.is_empty() {
            return Err(VerifyError::Empty);
        }
        UnparsedPublicKey::new(&signature::RSA_PKCS1_2048_8192_SHA256, &self.pkcs1[..])
            .verify(message, signature)
            .map_err(|_| VerifyError::Mismatch)
    }

    /// Checks a request signature over `body + request_uri + timestamp`.
    pub fn verify_request(
        &self,
        body: &[u8],
        request_uri: &str,
        timestamp: i64,
        signature_b64: &str,
    ) -> Result<(), VerifyError> {
        self.verify(&string_to_sign(body, request_uri, timestamp), signature_b64)
    }

    /// The key as SubjectPublicKeyInfo PEM (`BEGIN PUBLIC KEY`).
    pub fn to_pem(&self) -> String {
        // The DER was produced by `rsa` itself, so re-reading it cannot fail; fall
        // back to PKCS#1 PEM rather than panic if it ever did.
        match RsaPublicKey::from_pkcs1_der(&self.pkcs1)
            .ok()
            .and_then(|k| k.to_public_key_pem(LineEnding::LF).ok())
        {
            Some(pem) => pem,
            None => {
                let body = STANDARD.encode(&self.pkcs1);
                let lines: Vec<&str> = body
                    .as_bytes()
                    .chunks(64)
                    .filter_map(|c| std::str::from_utf8(c).ok())
                    .collect();
                format!(
                    "-----BEGIN RSA PUBLIC KEY-----\n{}\n-----END RSA PUBLIC KEY-----\n",
                    lines.join("\n")
                )
            }
        }
    }
}

/// A freshly generated key pair, as PEM text.
pub struct KeyPair {
    private_pem: Zeroizing<String>,
    public_pem: String,
}

impl fmt::Debug for KeyPair {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyPair")
            .field("bits", &GENERATED_KEY_BITS)
            .finish_non_exhaustive()
    }
}

impl KeyPair {
    /// The private key, PKCS#8 PEM (`BEGIN PRIVATE KEY`). Keep it secret.
    pub fn private_pem(&self) -> &str {
        &self.private_pem
    }

    /// The public key, SubjectPublicKeyInfo PEM (`BEGIN PUBLIC KEY`): upload this
    /// one to the Ping++ dashboard.
    pub fn public_pem(&self) -> &str {
        &self.public_pem
    }

    /// The private key, loaded for signing.
    pub fn private_key(&self) -> Result<PrivateKey, KeyError> {
        PrivateKey::from_pem(&self.private_pem)
    }

    /// The public key, loaded for verifying.
    pub fn public_key(&self) -> Result<PublicKey, KeyError> {
        PublicKey::from_pem(&self.public_pem)
    }
}

/// Generates a new 2048-bit RSA key pair for a merchant, from the operating
/// system's random source.
pub fn generate_keypair() -> Result<KeyPair, KeyError> {
    let key = RsaPrivateKey::new(&mut rand::rngs::OsRng, GENERATED_KEY_BITS)
        .map_err(|e| KeyError::Generation(Box::new(e)))?;
    let private_pem = key
        .to_pkcs8_pem(LineEnding::LF)
        .map_err(|e| KeyError::Generation(Box::new(e)))?;
    let public_pem = key
        .to_public_key()
        .to_public_key_pem(LineEnding::LF)
        .map_err(|e| KeyError::Generation(Box::new(e)))?;
    Ok(KeyPair {
        private_pem,
        public_pem,
    })
}
