//! The `aws-lc-rs` backend: AWS-LC's RSA (blinded, constant-time private-key
//! operations, assembly for current CPUs). Signs, verifies and generates keys.

use aws_lc_rs::encoding::AsDer as _;
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::{KeyPair, KeySize};
use aws_lc_rs::signature::{
    KeyPair as _, ParsedPublicKey, RSA_PKCS1_2048_8192_SHA256, RSA_PKCS1_SHA256,
    RsaPublicKeyComponents,
};
use zeroize::Zeroizing;

use crate::error::BoxError;

/// A loaded private key.
pub(crate) struct Signer {
    key: KeyPair,
    rng: SystemRandom,
}

impl Signer {
    /// Loads PKCS#8 v1 DER that passed `formats`' checks.
    pub(crate) fn from_pkcs8(pkcs8: &[u8]) -> Result<Self, String> {
        KeyPair::from_pkcs8(pkcs8)
            .map(|key| Signer {
                key,
                rng: SystemRandom::new(),
            })
            .map_err(|e| e.to_string())
    }

    /// RSA PKCS#1 v1.5 with SHA-256 over `message`.
    pub(crate) fn sign(&self, message: &[u8]) -> Option<Vec<u8>> {
        let mut signature = vec![0u8; self.key.public_modulus_len()];
        self.key
            .sign(&RSA_PKCS1_SHA256, &self.rng, message, &mut signature)
            .ok()?;
        Some(signature)
    }
}

/// A public key parsed once, for any number of verifications.
pub(crate) struct Verifier(ParsedPublicKey);

impl Verifier {
    /// From the modulus and exponent (big-endian).
    pub(crate) fn new(n: &[u8], e: &[u8]) -> Result<Self, String> {
        RsaPublicKeyComponents { n, e }
            .to_parsed_public_key(&RSA_PKCS1_2048_8192_SHA256)
            .map(Verifier)
            .map_err(|e| e.to_string())
    }

    /// Whether `signature` is a valid RSA PKCS#1 v1.5 SHA-256 signature of `message`.
    pub(crate) fn verify(&self, message: &[u8], signature: &[u8]) -> bool {
        self.0.verify_sig(message, signature).is_ok()
    }
}

/// A new 2048-bit key pair: (PKCS#8 v1 DER, SubjectPublicKeyInfo DER).
pub(crate) fn generate(bits: usize) -> Result<(Zeroizing<Vec<u8>>, Vec<u8>), BoxError> {
    let size = match bits {
        2048 => KeySize::Rsa2048,
        3072 => KeySize::Rsa3072,
        4096 => KeySize::Rsa4096,
        other => return Err(format!("no {other}-bit key generation").into()),
    };
    let key = KeyPair::generate(size).map_err(|_| "aws-lc-rs could not generate a key")?;
    let pkcs8 = key
        .as_der()
        .map_err(|_| "aws-lc-rs could not encode the private key")?;
    let pkcs8 = Zeroizing::new(pkcs8.as_ref().to_vec());
    let spki = key
        .public_key()
        .as_der()
        .map_err(|_| "aws-lc-rs could not encode the public key")?;
    Ok((pkcs8, spki.as_ref().to_vec()))
}
