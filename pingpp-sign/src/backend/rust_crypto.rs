//! The `rust-crypto` backend: pure Rust (`rsa` + `sha2`), verification only. No
//! private-key operation of `rsa` is compiled in, so its timing advisory
//! (RUSTSEC-2023-0071, about decryption and signing) does not reach this crate.

use rsa::pkcs1v15::{Signature, VerifyingKey};
use rsa::signature::Verifier as _;
use rsa::{BigUint, RsaPublicKey};
use sha2::Sha256;

/// A public key parsed once, for any number of verifications.
pub(crate) struct Verifier(VerifyingKey<Sha256>);

impl Verifier {
    /// From the modulus and exponent (big-endian).
    pub(crate) fn new(n: &[u8], e: &[u8]) -> Result<Self, String> {
        RsaPublicKey::new(BigUint::from_bytes_be(n), BigUint::from_bytes_be(e))
            .map(|key| Verifier(VerifyingKey::new(key)))
            .map_err(|e| e.to_string())
    }

    /// Whether `signature` is a valid RSA PKCS#1 v1.5 SHA-256 signature of `message`.
    pub(crate) fn verify(&self, message: &[u8], signature: &[u8]) -> bool {
        Signature::try_from(signature)
            .map(|signature| self.0.verify(message, &signature).is_ok())
            .unwrap_or(false)
    }
}
