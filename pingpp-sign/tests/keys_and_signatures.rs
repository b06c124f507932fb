//! Key formats, signing and verification, including interoperability with the
//! `openssl` command line (present on every machine this project runs on).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::LazyLock;

use pingpp_sign::{
    KeyError, KeyPair, PrivateKey, PublicKey, VerifyError, decode_signature, generate_keypair,
    string_to_sign,
};
use proptest::prelude::*;

/// One key pair per test binary: generation is the slow part.
static PAIR: LazyLock<KeyPair> = LazyLock::new(|| generate_keypair().expect("key generation"));
static KEY: LazyLock<PrivateKey> = LazyLock::new(|| PAIR.private_key().expect("load private"));
static PUBLIC: LazyLock<PublicKey> = LazyLock::new(|| PAIR.public_key().expect("load public"));

/// Keys made by openssl, in every format, in one temporary directory.
struct OpensslKeys {
    dir: tempfile::TempDir,
}

static OPENSSL: LazyLock<OpensslKeys> = LazyLock::new(|| {
    let dir = tempfile::tempdir().expect("tempdir");
    let keys = OpensslKeys { dir };
    keys.run(&[
        "genpkey",
        "-algorithm",
        "RSA",
        "-pkeyopt",
        "rsa_keygen_bits:2048",
        "-out",
        "pkcs8.pem",
    ]);
    keys.run(&[
        "pkey",
        "-in",
        "pkcs8.pem",
        "-traditional",
        "-out",
        "pkcs1.pem",
    ]);
    keys.run(&[
        "pkey",
        "-in",
        "pkcs8.pem",
        "-outform",
        "DER",
        "-out",
        "pkcs8.der",
    ]);
    keys.run(&[
        "rsa",
        "-in",
        "pkcs8.pem",
        "-outform",
        "DER",
        "-traditional",
        "-out",
        "pkcs1.der",
    ]);
    keys.run(&["pkey", "-in", "pkcs8.pem", "-pubout", "-out", "spki.pem"]);
    keys.run(&[
        "rsa",
        "-in",
        "pkcs8.pem",
        "-RSAPublicKey_out",
        "-out",
        "rsa_pub.pem",
    ]);
    keys.run(&[
        "pkey",
        "-in",
        "pkcs8.pem",
        "-aes256",
        "-passout",
        "pass:secret",
        "-out",
        "encrypted.pem",
    ]);
    keys.run(&[
        "rsa",
        "-in",
        "pkcs8.pem",
        "-aes128",
        "-traditional",
        "-passout",
        "pass:secret",
        "-out",
        "encrypted_pkcs1.pem",
    ]);
    keys.run(&[
        "genpkey",
        "-algorithm",
        "EC",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-out",
        "ec.pem",
    ]);
    keys.run(&["pkey", "-in", "ec.pem", "-pubout", "-out", "ec_pub.pem"]);
    keys.run(&[
        "genpkey",
        "-algorithm",
        "RSA",
        "-pkeyopt",
        "rsa_keygen_bits:1024",
        "-out",
        "small.pem",
    ]);
    keys
});

impl OpensslKeys {
    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn text(&self, name: &str) -> String {
        std::fs::read_to_string(self.path(name)).expect("read openssl output")
    }

    fn run(&self, args: &[&str]) -> std::process::Output {
        let out = Command::new("openssl")
            .args(args)
            .current_dir(self.dir.path())
            .output()
            .expect("the openssl command line must be installed");
        assert!(
            out.status.success(),
            "openssl {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        out
    }
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).expect("write");
    path
}

#[test]
fn string_to_sign_matches_the_protocol_examples() {
    assert_eq!(
        string_to_sign(
            br#"{"status":"pending"}"#,
            "/v1/apps/app_1Gqj58ynP0mHeX1q/withdrawals/17016111503023606541",
            1_475_029_155
        ),
        br#"{"status":"pending"}/v1/apps/app_1Gqj58ynP0mHeX1q/withdrawals/170161115030236065411475029155"#.to_vec()
    );
    assert_eq!(
        string_to_sign(
            b"",
            "/v1/apps/app_1Gqj58ynP0mHeX1q/withdrawals?page=1&per_page=3",
            1_475_029_155
        ),
        b"/v1/apps/app_1Gqj58ynP0mHeX1q/withdrawals?page=1&per_page=31475029155".to_vec()
    );
}

#[test]
fn loads_every_private_key_format_and_they_are_the_same_key() {
    let k = &*OPENSSL;
    let from_pkcs8 = PrivateKey::from_pem(&k.text("pkcs8.pem")).expect("PKCS#8 PEM");
    let from_pkcs1 = PrivateKey::from_pem(&k.text("pkcs1.pem")).expect("PKCS#1 PEM");
    let from_pkcs8_der = PrivateKey::from_der(&std::fs::read(k.path("pkcs8.der")).expect("read"))
        .expect("PKCS#8 DER");
    let from_pkcs1_der = PrivateKey::from_der(&std::fs::read(k.path("pkcs1.der")).expect("read"))
        .expect("PKCS#1 DER");
    let from_file = PrivateKey::from_pem_file(k.path("pkcs1.pem")).expect("file");
    assert!(k.text("pkcs1.pem").contains("BEGIN RSA PRIVATE KEY"));
    assert!(k.text("pkcs8.pem").contains("BEGIN PRIVATE KEY"));

    let public = PublicKey::from_pem(&k.text("spki.pem")).expect("SPKI");
    assert_eq!(
        PublicKey::from_pem(&k.text("rsa_pub.pem")).expect("PKCS#1 public"),
        public
    );
    for key in [
        &from_pkcs8,
        &from_pkcs1,
        &from_pkcs8_der,
        &from_pkcs1_der,
        &from_file,
    ] {
        assert_eq!(key.bits(), 2048);
        assert_eq!(key.public_key(), public);
        let sig = key.sign(b"hello").expect("sign");
        public.verify(b"hello", &sig).expect("verifies");
    }
}

#[test]
fn tolerates_crlf_unwrapped_and_bare_base64_keys() {
    let pem = OPENSSL.text("pkcs8.pem");
    let crlf = pem.replace('\n', "\r\n");
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    let one_line = format!("-----BEGIN PRIVATE KEY-----{body}-----END PRIVATE KEY-----");
    let expected = PrivateKey::from_pem(&pem).expect("plain").public_key();
    for text in [crlf, one_line, body] {
        assert_eq!(
            PrivateKey::from_pem(&text).expect("lenient").public_key(),
            expected
        );
    }
}

#[test]
fn wrong_keys_get_clear_errors() {
    let k = &*OPENSSL;
    let cases: Vec<(&str, KeyError)> = vec![
        (
            "encrypted.pem",
            PrivateKey::from_pem(&k.text("encrypted.pem")).unwrap_err(),
        ),
        (
            "encrypted_pkcs1.pem",
            PrivateKey::from_pem(&k.text("encrypted_pkcs1.pem")).unwrap_err(),
        ),
        (
            "ec.pem",
            PrivateKey::from_pem(&k.text("ec.pem")).unwrap_err(),
        ),
        (
            "spki.pem as private",
            PrivateKey::from_pem(&k.text("spki.pem")).unwrap_err(),
        ),
        (
            "small.pem",
            PrivateKey::from_pem(&k.text("small.pem")).unwrap_err(),
        ),
    ];
    assert!(matches!(cases[0].1, KeyError::Encrypted), "{:?}", cases[0]);
    assert!(matches!(cases[1].1, KeyError::Encrypted), "{:?}", cases[1]);
    assert!(
        matches!(&cases[2].1, KeyError::NotRsa { found } if found.contains("EC")),
        "{:?}",
        cases[2]
    );
    assert!(
        matches!(cases[3].1, KeyError::PublicKeyGiven),
        "{:?}",
        cases[3]
    );
    assert!(
        matches!(cases[4].1, KeyError::UnsupportedSize { bits: 1024 }),
        "{:?}",
        cases[4]
    );
    assert!(cases[0].1.to_string().contains("passphrase"));
    assert!(cases[3].1.to_string().contains("expected a private key"));

    assert!(matches!(
        PublicKey::from_pem(&k.text("pkcs8.pem")),
        Err(KeyError::PrivateKeyGiven)
    ));
    assert!(matches!(
        PublicKey::from_pem(&k.text("pkcs1.pem")),
        Err(KeyError::PrivateKeyGiven)
    ));
    assert!(matches!(
        PublicKey::from_pem(&k.text("ec_pub.pem")),
        Err(KeyError::NotRsa { .. })
    ));
    assert!(matches!(
        PrivateKey::from_pem(
            "-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----"
        ),
        Err(KeyError::UnsupportedLabel { .. })
    ));
    assert!(matches!(
        PrivateKey::from_pem("not a key!"),
        Err(KeyError::MalformedPem { .. })
    ));
    assert!(matches!(
        PrivateKey::from_der(b"\x30\x03\x02\x01\x05"),
        Err(KeyError::Malformed { .. })
    ));
    assert!(matches!(
        PublicKey::from_der(&[]),
        Err(KeyError::Malformed { .. })
    ));

    let missing = PrivateKey::from_pem_file("/definitely/not/here.pem").unwrap_err();
    assert!(matches!(missing, KeyError::Io { .. }));
    assert!(missing.to_string().contains("/definitely/not/here.pem"));
    assert!(
        std::error::Error::source(&missing).is_some(),
        "io error kept as source"
    );
}

#[test]
fn key_material_never_shows_in_debug_or_errors() {
    let pem = PAIR.private_pem();
    let body_lines: Vec<&str> = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    let shown = [
        format!("{:?}", *KEY),
        format!("{:#?}", *KEY),
        format!("{:?}", *PAIR),
        format!("{:?}", *PUBLIC),
    ];
    for text in &shown {
        assert!(text.contains("2048"), "{text}");
        for line in &body_lines {
            // Any 16-character run of the key's base64 would be a leak.
            for chunk in line.as_bytes().chunks(16).filter(|c| c.len() == 16) {
                let chunk = std::str::from_utf8(chunk).expect("ascii");
                assert!(!text.contains(chunk), "key material leaked into {text}");
            }
        }
    }
    // A truncated key gives an error that does not echo its content either.
    let broken = &pem[..pem.len() / 2];
    let err = PrivateKey::from_pem(broken).unwrap_err();
    let message = format!("{err} {err:?}");
    assert!(!message.contains(&body_lines[1][..16]), "{message}");
}

#[test]
fn generated_keys_are_pkcs8_and_spki_and_round_trip() {
    assert!(
        PAIR.private_pem()
            .starts_with("-----BEGIN PRIVATE KEY-----")
    );
    assert!(PAIR.public_pem().starts_with("-----BEGIN PUBLIC KEY-----"));
    assert_eq!(KEY.public_key(), *PUBLIC);
    assert_eq!(
        PublicKey::from_pem(&PUBLIC.to_pem()).expect("re-read"),
        *PUBLIC
    );
    let again = PrivateKey::from_pem(&KEY.to_pkcs8_pem().expect("export")).expect("re-read");
    assert_eq!(again.public_key(), *PUBLIC);
}

#[test]
fn openssl_signatures_verify_with_ours() {
    let k = &*OPENSSL;
    let message = string_to_sign(
        br#"{"amount":100}"#,
        "/v1/apps/app_1/withdrawals",
        1_700_000_000,
    );
    let msg_path = write(k.dir.path(), "ossl_msg.bin", &message);
    k.run(&[
        "dgst",
        "-sha256",
        "-sign",
        "pkcs8.pem",
        "-out",
        "ossl_msg.sig",
        msg_path.to_str().expect("utf8"),
    ]);
    let signature = std::fs::read(k.path("ossl_msg.sig")).expect("sig");
    let public = PublicKey::from_pem_file(k.path("spki.pem")).expect("public");
    public
        .verify_raw(&message, &signature)
        .expect("openssl signature verifies");
    let b64 = base64_std(&signature);
    public
        .verify_request(
            br#"{"amount":100}"#,
            "/v1/apps/app_1/withdrawals",
            1_700_000_000,
            &b64,
        )
        .expect("as a request signature");
    assert!(matches!(
        public.verify_request(
            br#"{"amount":101}"#,
            "/v1/apps/app_1/withdrawals",
            1_700_000_000,
            &b64
        ),
        Err(VerifyError::Mismatch)
    ));
}

#[test]
fn our_signatures_verify_with_openssl() {
    let k = &*OPENSSL;
    let key = PrivateKey::from_pem_file(k.path("pkcs1.pem")).expect("key");
    let message = string_to_sign(
        b"",
        "/v1/apps/app_1/withdrawals?page=1&per_page=3",
        1_475_029_155,
    );
    let signature = decode_signature(&key.sign(&message).expect("sign")).expect("decode");
    let msg_path = write(k.dir.path(), "ours_msg.bin", &message);
    let sig_path = write(k.dir.path(), "ours_msg.sig", &signature);
    let out = k.run(&[
        "dgst",
        "-sha256",
        "-verify",
        "spki.pem",
        "-signature",
        sig_path.to_str().expect("utf8"),
        msg_path.to_str().expect("utf8"),
    ]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("Verified OK"));
}

#[test]
fn signature_decoding_is_lenient_only_where_documented() {
    let sig = KEY.sign(b"payload").expect("sign");
    assert!(
        sig.ends_with('='),
        "2048-bit signatures need padding: {sig}"
    );
    assert!(!sig.contains('\n'));
    let unpadded = sig.trim_end_matches('=');
    let wrapped: String = sig
        .as_bytes()
        .chunks(64)
        .map(|c| std::str::from_utf8(c).expect("ascii"))
        .collect::<Vec<_>>()
        .join("\r\n");
    for variant in [sig.as_str(), unpadded, wrapped.as_str()] {
        PUBLIC.verify(b"payload", variant).expect("accepted");
    }
    let url_safe = sig.replace('+', "-").replace('/', "_");
    if url_safe != sig {
        assert!(matches!(
            PUBLIC.verify(b"payload", &url_safe),
            Err(VerifyError::InvalidBase64(_))
        ));
    }
    assert!(matches!(
        PUBLIC.verify(b"payload", ""),
        Err(VerifyError::Empty)
    ));
    assert!(matches!(
        PUBLIC.verify(b"payload", " \n "),
        Err(VerifyError::Empty)
    ));
    assert!(matches!(
        PUBLIC.verify(b"payload", "%%%"),
        Err(VerifyError::InvalidBase64(_))
    ));
    assert!(matches!(
        PUBLIC.verify(b"payload", "AAAA"),
        Err(VerifyError::Mismatch)
    ));
}

fn base64_std(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn request_signatures_round_trip_and_bind_every_part(
        body in proptest::collection::vec(any::<u8>(), 0..512),
        path in "/v1/[a-z_/0-9]{0,40}(\\?[a-z_=&0-9]{0,30})?",
        timestamp in 0i64..4_000_000_000,
        flip in any::<prop::sample::Index>(),
    ) {
        let sig = KEY.sign_request(&body, &path, timestamp).expect("sign");
        prop_assert!(PUBLIC.verify_request(&body, &path, timestamp, &sig).is_ok());
        prop_assert!(PUBLIC.verify_request(&body, &path, timestamp + 1, &sig).is_err());
        let other_path = format!("{path}x");
        prop_assert!(PUBLIC.verify_request(&body, &other_path, timestamp, &sig).is_err());
        let mut other_body = body.clone();
        if other_body.is_empty() {
            other_body.push(b'{');
        } else {
            let i = flip.index(other_body.len());
            other_body[i] ^= 0x01;
        }
        prop_assert!(PUBLIC.verify_request(&other_body, &path, timestamp, &sig).is_err());
    }
}

proptest! {
    /// The no-copy path (no whitespace) and the stripping path decode alike.
    #[test]
    fn signature_decoding_paths_agree(text in "[A-Za-z0-9+/=_\\-]{0,48}") {
        let direct = decode_signature(&text).map_err(|e| e.to_string());
        let stripped = decode_signature(&format!(" {text}\r\n")).map_err(|e| e.to_string());
        prop_assert_eq!(direct, stripped);
    }
}
