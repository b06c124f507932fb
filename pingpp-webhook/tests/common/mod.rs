//! Shared test helpers: fixture key pairs, signing, fixtures.
//!
//! The keys are throwaway fixtures (`tests/fixtures/*_private_key.pem`, made with
//! `openssl genpkey`; they protect nothing), so the suite runs under every crypto
//! backend: where this build cannot sign (`rust-crypto`), `openssl` signs.
#![allow(dead_code)]

use std::sync::LazyLock;

use pingpp_sign::PublicKey;
use pingpp_webhook::Verifier;

/// A fixture key pair.
pub struct TestKeys {
    private_pem: String,
    public_pem: String,
    #[cfg(any(feature = "aws-lc-rs", feature = "ring"))]
    private: pingpp_sign::PrivateKey,
}

impl TestKeys {
    fn load(name: &str) -> Self {
        let private_pem = String::from_utf8(fixture(&format!("{name}_private_key.pem")))
            .expect("fixture key is text");
        let public_pem = String::from_utf8(fixture(&format!("{name}_public_key.pem")))
            .expect("fixture key is text");
        TestKeys {
            #[cfg(any(feature = "aws-lc-rs", feature = "ring"))]
            private: pingpp_sign::PrivateKey::from_pem(&private_pem).expect("load fixture key"),
            private_pem,
            public_pem,
        }
    }

    /// The private key, PKCS#8 PEM.
    pub fn private_pem(&self) -> &str {
        &self.private_pem
    }

    /// The public key, SubjectPublicKeyInfo PEM.
    pub fn public_pem(&self) -> &str {
        &self.public_pem
    }

    /// The public key, loaded.
    pub fn public_key(&self) -> PublicKey {
        PublicKey::from_pem(&self.public_pem).expect("load fixture public key")
    }

    /// Base64 RSA-SHA256 signature of `body`: ours where this build signs,
    /// openssl's otherwise.
    pub fn sign(&self, body: &[u8]) -> Result<String, String> {
        #[cfg(any(feature = "aws-lc-rs", feature = "ring"))]
        {
            self.private.sign(body).map_err(|e| e.to_string())
        }
        #[cfg(not(any(feature = "aws-lc-rs", feature = "ring")))]
        {
            use base64::Engine as _;
            let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
            let key = dir.path().join("key.pem");
            std::fs::write(&key, &self.private_pem).map_err(|e| e.to_string())?;
            let key = key.to_str().ok_or("temp path is not UTF-8")?;
            let raw = openssl(&["dgst", "-sha256", "-sign", key], body);
            Ok(base64::engine::general_purpose::STANDARD.encode(raw))
        }
    }
}

/// Runs `openssl` with `input` on stdin and returns its stdout.
pub fn openssl(args: &[&str], input: &[u8]) -> Vec<u8> {
    use std::io::Write as _;
    use std::process::{Command, Stdio};
    let mut child = Command::new("openssl")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the openssl command line must be installed");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input)
        .expect("write to openssl");
    let out = child.wait_with_output().expect("openssl runs");
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// The "Ping++" key pair the tests sign with.
pub static PING_KEYS: LazyLock<TestKeys> = LazyLock::new(|| TestKeys::load("ping"));

/// A second, unrelated key pair (e.g. the merchant's own key).
pub static OTHER_KEYS: LazyLock<TestKeys> = LazyLock::new(|| TestKeys::load("other"));

/// A verifier for the test "Ping++" public key.
pub fn verifier() -> Verifier {
    Verifier::from_pem(PING_KEYS.public_pem()).expect("load test public key")
}

/// Base64 signature of `body` with the test "Ping++" key.
pub fn sign(body: &[u8]) -> String {
    PING_KEYS.sign(body).expect("sign")
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
