//! Shared test helpers: one RSA key pair per test binary, signing, fixtures.
#![allow(dead_code)]

use std::sync::LazyLock;

use pingpp_sign::{KeyPair, PrivateKey};
use pingpp_webhook::Verifier;

/// The "Ping++" key pair the tests sign with, generated once per test binary.
pub static PING_KEYS: LazyLock<(KeyPair, PrivateKey)> = LazyLock::new(|| {
    let pair = pingpp_sign::generate_keypair().expect("generate test key pair");
    let private = pair.private_key().expect("load generated private key");
    (pair, private)
});

/// A second, unrelated key pair (e.g. the merchant's own key).
pub static OTHER_KEYS: LazyLock<(KeyPair, PrivateKey)> = LazyLock::new(|| {
    let pair = pingpp_sign::generate_keypair().expect("generate test key pair");
    let private = pair.private_key().expect("load generated private key");
    (pair, private)
});

/// A verifier for the test "Ping++" public key.
pub fn verifier() -> Verifier {
    Verifier::from_pem(PING_KEYS.0.public_pem()).expect("load test public key")
}

/// Base64 signature of `body` with the test "Ping++" key.
pub fn sign(body: &[u8]) -> String {
    PING_KEYS.1.sign(body).expect("sign")
}

/// Reads a fixture from tests/fixtures.
pub fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("read {path}: {e}"))
}

/// A minimal event body of an arbitrary type.
pub fn event_body(id: &str, livemode: bool) -> Vec<u8> {
    format!(
        r#"{{"id":"{id}","object":"event","created":1700000000,"livemode":{livemode},"type":"charge.succeeded","data":{{"object":{{"id":"ch_1","object":"charge","amount":100}}}},"pending_webhooks":0,"request":"iar_1"}}"#
    )
    .into_bytes()
}

pub mod http;
pub mod redis_server;
pub mod wire;
