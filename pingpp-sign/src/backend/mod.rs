//! The crypto backends and the choice between them.
//!
//! Each enabled feature compiles one module. When several are enabled the fastest
//! does everything, always the same one: `aws-lc-rs`, then `ring`, then
//! `rust-crypto` (which only verifies). The others are compiled only for the
//! cross-backend tests.

use crate::Backend;

#[cfg(feature = "aws-lc-rs")]
pub(crate) mod aws_lc;
#[cfg(all(feature = "ring", any(test, not(feature = "aws-lc-rs"))))]
pub(crate) mod ring;
#[cfg(all(
    feature = "rust-crypto",
    any(test, not(any(feature = "aws-lc-rs", feature = "ring")))
))]
pub(crate) mod rust_crypto;

#[cfg(not(any(feature = "aws-lc-rs", feature = "ring", feature = "rust-crypto")))]
compile_error!(
    "pingpp-sign needs a crypto backend: enable feature `aws-lc-rs` (the default), `ring`, or `rust-crypto` (verification only)"
);

/// The backend in use.
pub(crate) const ACTIVE: Backend = if cfg!(feature = "aws-lc-rs") {
    Backend::AwsLcRs
} else if cfg!(feature = "ring") {
    Backend::Ring
} else {
    Backend::RustCrypto
};

#[cfg(feature = "aws-lc-rs")]
pub(crate) use aws_lc::{Signer, Verifier};

#[cfg(all(feature = "ring", not(feature = "aws-lc-rs")))]
pub(crate) use ring::{Signer, Verifier};

#[cfg(all(
    feature = "rust-crypto",
    not(any(feature = "aws-lc-rs", feature = "ring"))
))]
pub(crate) use rust_crypto::Verifier;

/// No signing backend in this build: a private key can never be loaded.
#[cfg(not(any(feature = "aws-lc-rs", feature = "ring")))]
pub(crate) enum Signer {}

#[cfg(not(any(feature = "aws-lc-rs", feature = "ring")))]
impl Signer {
    pub(crate) fn from_pkcs8(_pkcs8: &[u8]) -> Result<Self, String> {
        Err(String::from("no signing backend"))
    }

    pub(crate) fn sign(&self, _message: &[u8]) -> Option<Vec<u8>> {
        match *self {}
    }
}

/// No backend at all (only with the `compile_error!` above).
#[cfg(not(any(feature = "aws-lc-rs", feature = "ring", feature = "rust-crypto")))]
pub(crate) enum Verifier {}

#[cfg(not(any(feature = "aws-lc-rs", feature = "ring", feature = "rust-crypto")))]
impl Verifier {
    pub(crate) fn new(_n: &[u8], _e: &[u8]) -> Result<Self, String> {
        Err(String::from("no backend"))
    }

    pub(crate) fn verify(&self, _message: &[u8], _signature: &[u8]) -> bool {
        match *self {}
    }
}

/// A new key pair: (PKCS#8 v1 DER, SubjectPublicKeyInfo DER). Only `aws-lc-rs`
/// generates RSA keys.
pub(crate) fn generate(
    bits: usize,
) -> Result<(zeroize::Zeroizing<Vec<u8>>, Vec<u8>), crate::KeyError> {
    #[cfg(feature = "aws-lc-rs")]
    {
        aws_lc::generate(bits).map_err(crate::KeyError::Generation)
    }
    #[cfg(not(feature = "aws-lc-rs"))]
    {
        let _ = bits;
        Err(crate::KeyError::GenerationUnavailable { backend: ACTIVE })
    }
}

/// Every backend compiled into this test build, signing and verifying each other's
/// signatures with the same key.
#[cfg(test)]
mod tests {
    use crate::formats;
    use crate::pem;

    const PRIVATE: &str = include_str!("../../tests/fixtures/test_private_key.pem");

    type SignFn = Box<dyn Fn(&[u8]) -> Vec<u8>>;
    type VerifyFn = Box<dyn Fn(&[u8], &[u8]) -> bool>;

    fn key() -> formats::RsaPrivateParts {
        let block = pem::decode(PRIVATE).expect("fixture PEM");
        formats::private_key(&block.der, crate::KeyKind::Pkcs8Private).expect("fixture key")
    }

    #[allow(unused_variables, unused_mut)]
    fn signers(pkcs8: &[u8]) -> Vec<(&'static str, SignFn)> {
        let mut out: Vec<(&'static str, SignFn)> = Vec::new();
        #[cfg(feature = "aws-lc-rs")]
        {
            let signer = super::aws_lc::Signer::from_pkcs8(pkcs8).expect("aws-lc-rs loads");
            out.push((
                "aws-lc-rs",
                Box::new(move |m| signer.sign(m).expect("aws-lc-rs signs")),
            ));
        }
        #[cfg(feature = "ring")]
        {
            let signer = super::ring::Signer::from_pkcs8(pkcs8).expect("ring loads");
            out.push((
                "ring",
                Box::new(move |m| signer.sign(m).expect("ring signs")),
            ));
        }
        out
    }

    fn verifiers(n: &[u8], e: &[u8]) -> Vec<(&'static str, VerifyFn)> {
        let mut out: Vec<(&'static str, VerifyFn)> = Vec::new();
        #[cfg(feature = "aws-lc-rs")]
        {
            let v = super::aws_lc::Verifier::new(n, e).expect("aws-lc-rs parses");
            out.push(("aws-lc-rs", Box::new(move |m, s| v.verify(m, s))));
        }
        #[cfg(feature = "ring")]
        {
            let v = super::ring::Verifier::new(n, e).expect("ring parses");
            out.push(("ring", Box::new(move |m, s| v.verify(m, s))));
        }
        #[cfg(feature = "rust-crypto")]
        {
            let v = super::rust_crypto::Verifier::new(n, e).expect("rust-crypto parses");
            out.push(("rust-crypto", Box::new(move |m, s| v.verify(m, s))));
        }
        out
    }

    #[test]
    fn signatures_of_each_backend_verify_under_every_backend() {
        let key = key();
        let verifiers = verifiers(&key.public.n, &key.public.e);
        assert!(!verifiers.is_empty());
        let message = b"{\"amount\":100}/v1/apps/app_1/withdrawals1700000000";
        for (signer_name, sign) in signers(&key.pkcs8) {
            let signature = sign(message);
            assert_eq!(signature.len(), 256);
            let mut corrupted = signature.clone();
            corrupted[100] ^= 0x40;
            for (verifier_name, verify) in &verifiers {
                let pair = format!("{signer_name} -> {verifier_name}");
                assert!(verify(message, &signature), "{pair}: genuine");
                assert!(
                    !verify(b"{\"amount\":101}", &signature),
                    "{pair}: other message"
                );
                assert!(!verify(message, &corrupted), "{pair}: corrupted");
                assert!(!verify(message, &signature[1..]), "{pair}: truncated");
                assert!(!verify(message, &[]), "{pair}: empty");
            }
        }
    }

    #[test]
    fn pkcs1_v15_signatures_are_deterministic_across_backends() {
        let key = key();
        let signatures: Vec<(&str, Vec<u8>)> = signers(&key.pkcs8)
            .into_iter()
            .map(|(name, sign)| (name, sign(b"same bytes")))
            .collect();
        for pair in signatures.windows(2) {
            assert_eq!(pair[0].1, pair[1].1, "{} vs {}", pair[0].0, pair[1].0);
        }
    }
}
