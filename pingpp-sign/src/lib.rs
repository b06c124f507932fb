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
//! The RSA arithmetic runs in one of three backends, chosen by cargo features:
//!
//! | feature | signs | verifies | generates keys | needs |
//! |---|---|---|---|---|
//! | `aws-lc-rs` (default) | yes | yes | yes | a C compiler (no cmake, no bindgen) |
//! | `ring` | yes | yes | no | a C compiler |
//! | `rust-crypto` | no | yes | no | nothing: pure Rust (`rsa` + `sha2`) |
//!
//! `aws-lc-rs` is the fastest (on par with OpenSSL) and is the library rustls's
//! default provider uses, so a default build links one C crypto library. With several
//! features enabled the fastest does everything, always the same one (`aws-lc-rs`,
//! then `ring`, then `rust-crypto`); with none the crate does not compile.
//! [`backend()`] tells which one is in use. Private-key operations run only in
//! `aws-lc-rs` or `ring`, both constant-time and blinded; `rust-crypto` compiles no
//! private-key operation of `rsa`, so its timing advisory (RUSTSEC-2023-0071, about
//! decryption and signing) does not apply. A `rust-crypto`-only build still has
//! [`PrivateKey`], but loading one fails with [`KeyError::SigningUnavailable`]; a
//! build without `aws-lc-rs` returns [`KeyError::GenerationUnavailable`] from
//! [`generate_keypair`] (make keys with `openssl genpkey` instead).
//!
//! Key formats are read by the RustCrypto format crates (`pkcs1`, `pkcs8`, `spki`,
//! `der`, `pem-rfc7468`: no bignum, no random source) and the same rules hold for
//! every backend: RSA keys of 2048 to 4096 bits ([`MIN_KEY_BITS`], [`MAX_KEY_BITS`])
//! with public exponent 65537 (an odd exponent from 65537 to 2^33 − 1 is accepted
//! too). Errors name the kind of key found ([`KeyKind`]), its size and what is
//! accepted; no backend type appears in this crate's API.
//!
//! # Secrets
//!
//! `Debug` of [`PrivateKey`] and [`KeyPair`] prints only the key size; errors never
//! quote key material. The decoded key bytes this crate holds are zeroized on drop
//! (the copy inside the backend's key object is the backend's to manage).
//!
//! # Example
//!
//! ```
//! # #[cfg(any(feature = "aws-lc-rs", feature = "ring"))]
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let private_key_path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/test_private_key.pem");
//! use pingpp_sign::{PrivateKey, PublicKey};
//!
//! let key = PrivateKey::from_pem_file(private_key_path)?; // e.g. "rsa_private_key.pem"
//! let body = br#"{"status":"pending"}"#;
//! let uri = "/v1/apps/app_1Gqj58ynP0mHeX1q/withdrawals/1701611150302360654";
//! let signature = key.sign_request(body, uri, 1_475_029_155)?;
//!
//! // The server side checks the same three parts with the public half.
//! let public: PublicKey = PublicKey::from_pem(&key.public_key().to_pem())?;
//! public.verify_request(body, uri, 1_475_029_155, &signature)?;
//! assert!(public.verify_request(body, uri, 1_475_029_156, &signature).is_err());
//! # Ok(())
//! # }
//! # #[cfg(not(any(feature = "aws-lc-rs", feature = "ring")))]
//! # fn main() {}
//! ```
//!
//! A new merchant key pair (with the default `aws-lc-rs` backend):
//!
//! ```
//! # #[cfg(feature = "aws-lc-rs")]
//! # fn main() -> Result<(), pingpp_sign::KeyError> {
//! let pair = pingpp_sign::generate_keypair()?;
//! assert!(pair.public_pem().starts_with("-----BEGIN PUBLIC KEY-----")); // for the dashboard
//! let key = pair.private_key()?; // pair.private_pem() goes in a file only you can read
//! assert_eq!(key.bits(), 2048);
//! # Ok(())
//! # }
//! # #[cfg(not(feature = "aws-lc-rs"))]
//! # fn main() {}
//! ```
#![forbid(unsafe_code)]

mod backend;
mod error;
mod formats;
mod key;
mod pem;

use std::fmt;

pub use error::{KeyError, KeyKind, SignError, VerifyError};
pub use key::{KeyPair, PrivateKey, PublicKey, generate_keypair};
pub use zeroize::Zeroizing;

/// Smallest RSA modulus accepted, in bits (by every backend).
pub const MIN_KEY_BITS: usize = 2048;

/// Largest RSA modulus accepted, in bits (by every backend: `ring` signs with at
/// most 4096 bits, the `rsa` crate verifies with at most 4096).
pub const MAX_KEY_BITS: usize = 4096;

/// Size of the keys [`generate_keypair`] makes, in bits.
pub const GENERATED_KEY_BITS: usize = 2048;

/// A crypto backend (see the [crate docs](crate#backends)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Backend {
    /// `aws-lc-rs`: signs, verifies, generates keys.
    AwsLcRs,
    /// `ring`: signs and verifies.
    Ring,
    /// `rust-crypto` (`rsa` + `sha2`): verifies only.
    RustCrypto,
}

impl Backend {
    /// The backend's name, which is also the name of its cargo feature.
    pub const fn name(self) -> &'static str {
        match self {
            Backend::AwsLcRs => "aws-lc-rs",
            Backend::Ring => "ring",
            Backend::RustCrypto => "rust-crypto",
        }
    }

    /// Whether this backend can load private keys and sign.
    pub const fn can_sign(self) -> bool {
        matches!(self, Backend::AwsLcRs | Backend::Ring)
    }

    /// Whether this backend can generate RSA key pairs.
    pub const fn can_generate_keys(self) -> bool {
        matches!(self, Backend::AwsLcRs)
    }
}

impl fmt::Display for Backend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The backend this build uses for every operation.
///
/// ```
/// let backend = pingpp_sign::backend();
/// println!("pingpp-sign on {backend}");
/// # #[cfg(feature = "aws-lc-rs")]
/// # assert_eq!(backend, pingpp_sign::Backend::AwsLcRs);
/// ```
pub const fn backend() -> Backend {
    backend::ACTIVE
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
        return pem::decode_base64(signature_b64).map_err(|_| VerifyError::InvalidBase64);
    }
    let compact: String = signature_b64
        .chars()
        .filter(|c| !c.is_ascii_whitespace())
        .collect();
    if compact.is_empty() {
        return Err(VerifyError::Empty);
    }
    pem::decode_base64(&compact).map_err(|_| VerifyError::InvalidBase64)
}
