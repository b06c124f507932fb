//! Arbitrary text → `PrivateKey::from_pem` / `PublicKey::from_pem`, arbitrary bytes →
//! `from_der`: they return `Ok` or `Err`, never panic. Whatever loads must be usable:
//! a loaded private key signs, its public key verifies that signature, and a loaded
//! public key survives `to_pem` → `from_pem`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pingpp_sign::{PrivateKey, PublicKey};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    check_private(PrivateKey::from_pem(&text));
    check_private(PrivateKey::from_der(data));
    check_public(PublicKey::from_pem(&text));
    check_public(PublicKey::from_der(data));
});

fn check_private(key: Result<PrivateKey, pingpp_sign::KeyError>) {
    match key {
        Ok(key) => {
            let message = b"pingpp fuzz";
            let signature = key.sign(message).expect("a loaded private key must sign");
            key.public_key()
                .verify(message, &signature)
                .expect("a loaded private key's public key must verify its signature");
            let pem = key.to_pkcs8_pem().expect("a loaded key must export");
            let again = PrivateKey::from_pem(&pem).expect("our own PKCS#8 PEM must load");
            assert_eq!(again.bits(), key.bits());
        }
        Err(e) => {
            // Display and the source chain must not panic.
            let mut source: Option<&dyn std::error::Error> = Some(&e);
            while let Some(err) = source {
                let _ = err.to_string();
                source = err.source();
            }
        }
    }
}

fn check_public(key: Result<PublicKey, pingpp_sign::KeyError>) {
    match key {
        Ok(key) => {
            let pem = key.to_pem();
            let again = PublicKey::from_pem(&pem).expect("our own SPKI PEM must load");
            assert_eq!(
                again.to_pem(),
                pem,
                "to_pem → from_pem → to_pem changed the key"
            );
            // Verification of garbage is an error, not a panic.
            assert!(key.verify(b"message", "AAAA").is_err());
        }
        Err(e) => {
            let mut source: Option<&dyn std::error::Error> = Some(&e);
            while let Some(err) = source {
                let _ = err.to_string();
                source = err.source();
            }
        }
    }
}
