//! The `ring` backend: portable, constant-time private-key operations; no key
//! generation (ring cannot generate RSA keys).

use ring::rand::SystemRandom;
use ring::signature::{
    RSA_PKCS1_2048_8192_SHA256, RSA_PKCS1_SHA256, RsaKeyPair, RsaPublicKeyComponents,
};

/// A loaded private key.
pub(crate) struct Signer {
    key: RsaKeyPair,
    rng: SystemRandom,
}

impl Signer {
    /// Loads PKCS#8 v1 DER that passed `formats`' checks.
    pub(crate) fn from_pkcs8(pkcs8: &[u8]) -> Result<Self, String> {
        RsaKeyPair::from_pkcs8(pkcs8)
            .map(|key| Signer {
                key,
                rng: SystemRandom::new(),
            })
            .map_err(|e| e.to_string())
    }

    /// RSA PKCS#1 v1.5 with SHA-256 over `message`.
    pub(crate) fn sign(&self, message: &[u8]) -> Option<Vec<u8>> {
        let mut signature = vec![0u8; self.key.public().modulus_len()];
        self.key
            .sign(&RSA_PKCS1_SHA256, &self.rng, message, &mut signature)
            .ok()?;
        Some(signature)
    }
}

/// The modulus and exponent; ring has no parsed RSA public key type, its
/// `RsaPublicKeyComponents` is the cheapest form to verify with.
pub(crate) struct Verifier(RsaPublicKeyComponents<Vec<u8>>);

impl Verifier {
    /// From the modulus and exponent (big-endian).
    pub(crate) fn new(n: &[u8], e: &[u8]) -> Result<Self, String> {
        Ok(Verifier(RsaPublicKeyComponents {
            n: n.to_vec(),
            e: e.to_vec(),
        }))
    }

    /// Whether `signature` is a valid RSA PKCS#1 v1.5 SHA-256 signature of `message`.
    pub(crate) fn verify(&self, message: &[u8], signature: &[u8]) -> bool {
        self.0
            .verify(&RSA_PKCS1_2048_8192_SHA256, message, signature)
            .is_ok()
    }
}
