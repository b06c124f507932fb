//! Key formats, signing and verification, including interoperability with the
//! `openssl` command line (present on every machine this project runs on).
//!
//! The suite runs under each backend (`--no-default-features --features ring` or
//! `rust-crypto`): tests that need a signature from this crate are compiled only
//! where it can sign, the others get their signatures from `openssl`.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::LazyLock;

use pingpp_sign::{
    Backend, KeyError, KeyKind, PrivateKey, PublicKey, VerifyError, decode_signature,
    string_to_sign,
};
#[cfg(any(feature = "aws-lc-rs", feature = "ring"))]
use proptest::prelude::*;

/// Throwaway fixture key pair (2048 bits, e = 65537), see tests/fixtures/README.md.
const TEST_PRIVATE: &str = include_str!("fixtures/test_private_key.pem");
const TEST_PUBLIC: &str = include_str!("fixtures/test_public_key.pem");

static PUBLIC: LazyLock<PublicKey> =
    LazyLock::new(|| PublicKey::from_pem(TEST_PUBLIC).expect("load the fixture public key"));
#[cfg(any(feature = "aws-lc-rs", feature = "ring"))]
static KEY: LazyLock<PrivateKey> =
    LazyLock::new(|| PrivateKey::from_pem(TEST_PRIVATE).expect("load the fixture private key"));

fn fixture_path(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// A base64 signature of `message` with the fixture key: ours where this build
/// signs, openssl's otherwise.
fn sign_fixture(message: &[u8]) -> String {
    #[cfg(any(feature = "aws-lc-rs", feature = "ring"))]
    {
        KEY.sign(message).expect("sign")
    }
    #[cfg(not(any(feature = "aws-lc-rs", feature = "ring")))]
    {
        let path = write(OPENSSL.dir.path(), "fixture_msg.bin", message);
        let key = fixture_path("test_private_key.pem");
        OPENSSL.run(&[
            "dgst",
            "-sha256",
            "-sign",
            key.to_str().expect("utf8"),
            "-out",
            "fixture_msg.sig",
            path.to_str().expect("utf8"),
        ]);
        base64_std(&std::fs::read(OPENSSL.path("fixture_msg.sig")).expect("sig"))
    }
}

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
    keys.run(&[
        "req",
        "-x509",
        "-key",
        "pkcs8.pem",
        "-subj",
        "/CN=pingpp test",
        "-days",
        "1",
        "-out",
        "cert.pem",
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
fn the_backend_is_the_fastest_enabled_one() {
    let expected = if cfg!(feature = "aws-lc-rs") {
        Backend::AwsLcRs
    } else if cfg!(feature = "ring") {
        Backend::Ring
    } else {
        Backend::RustCrypto
    };
    assert_eq!(pingpp_sign::backend(), expected);
    assert_eq!(expected.to_string(), expected.name());
    assert_eq!(
        expected.can_sign(),
        cfg!(any(feature = "aws-lc-rs", feature = "ring"))
    );
    assert_eq!(expected.can_generate_keys(), cfg!(feature = "aws-lc-rs"));
}

#[test]
fn loads_every_public_key_format_and_they_are_the_same_key() {
    let k = &*OPENSSL;
    let public = PublicKey::from_pem(&k.text("spki.pem")).expect("SPKI");
    assert_eq!(public.bits(), 2048);
    let spki_body: String = k
        .text("spki.pem")
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .collect();
    for other in [
        PublicKey::from_pem(&k.text("rsa_pub.pem")).expect("PKCS#1 public"),
        PublicKey::from_pem_file(k.path("spki.pem")).expect("file"),
        PublicKey::from_pem(&k.text("spki.pem").replace('\n', "\r\n")).expect("CRLF"),
        PublicKey::from_pem(&spki_body).expect("bare base64 from a dashboard"),
        PublicKey::from_pem(&format!("\u{feff}  {}", k.text("spki.pem"))).expect("BOM"),
        PublicKey::from_pem(&public.to_pem()).expect("our own PEM"),
    ] {
        assert_eq!(other, public);
    }
    assert!(public.to_pem().starts_with("-----BEGIN PUBLIC KEY-----\n"));
}

#[cfg(any(feature = "aws-lc-rs", feature = "ring"))]
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

#[cfg(not(any(feature = "aws-lc-rs", feature = "ring")))]
#[test]
fn a_verify_only_build_says_so_for_every_private_key_format() {
    let k = &*OPENSSL;
    for result in [
        PrivateKey::from_pem(&k.text("pkcs8.pem")),
        PrivateKey::from_pem(&k.text("pkcs1.pem")),
        PrivateKey::from_der(&std::fs::read(k.path("pkcs8.der")).expect("read")),
        PrivateKey::from_pem(TEST_PRIVATE),
    ] {
        let err = result.unwrap_err();
        assert!(
            matches!(
                err,
                KeyError::SigningUnavailable {
                    backend: Backend::RustCrypto
                }
            ),
            "{err:?}"
        );
        let message = err.to_string();
        assert!(message.contains("can only verify"), "{message}");
        assert!(message.contains("`aws-lc-rs` or `ring`"), "{message}");
    }
    // Format errors still come first: a public key is named as such.
    assert!(matches!(
        PrivateKey::from_pem(TEST_PUBLIC),
        Err(KeyError::PublicKeyGiven { .. })
    ));
}

#[cfg(any(feature = "aws-lc-rs", feature = "ring"))]
#[test]
fn tolerates_crlf_unwrapped_indented_and_bare_base64_private_keys() {
    let pem = OPENSSL.text("pkcs8.pem");
    let crlf = pem.replace('\n', "\r\n");
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    let one_line = format!("-----BEGIN PRIVATE KEY-----{body}-----END PRIVATE KEY-----");
    let indented: String = pem.lines().map(|l| format!("    {l}\n")).collect();
    let expected = PrivateKey::from_pem(&pem).expect("plain").public_key();
    for text in [crlf, one_line, body, indented, format!("\u{feff}{pem}")] {
        assert_eq!(
            PrivateKey::from_pem(&text).expect("lenient").public_key(),
            expected
        );
    }
}

fn describe(err: &KeyError) -> String {
    format!("{err} / {err:?}")
}

#[test]
fn wrong_keys_get_clear_errors() {
    let k = &*OPENSSL;
    let err = PrivateKey::from_pem(&k.text("encrypted.pem")).unwrap_err();
    assert!(matches!(err, KeyError::Encrypted), "{}", describe(&err));
    assert!(err.to_string().contains("passphrase"));
    let err = PrivateKey::from_pem(&k.text("encrypted_pkcs1.pem")).unwrap_err();
    assert!(matches!(err, KeyError::Encrypted), "{}", describe(&err));

    let err = PrivateKey::from_pem(&k.text("ec.pem")).unwrap_err();
    assert!(
        matches!(&err, KeyError::NotRsa { found } if found.contains("EC")),
        "{}",
        describe(&err)
    );
    let err = PublicKey::from_pem(&k.text("ec_pub.pem")).unwrap_err();
    assert!(
        matches!(&err, KeyError::NotRsa { found } if found.contains("EC")),
        "{}",
        describe(&err)
    );

    let err = PrivateKey::from_pem(&k.text("spki.pem")).unwrap_err();
    assert!(
        matches!(
            err,
            KeyError::PublicKeyGiven {
                kind: KeyKind::SpkiPublic,
                bits: Some(2048)
            }
        ),
        "{}",
        describe(&err)
    );
    assert!(err.to_string().contains("expected a private key"));
    let err = PrivateKey::from_pem(&k.text("rsa_pub.pem")).unwrap_err();
    assert!(
        matches!(
            err,
            KeyError::PublicKeyGiven {
                kind: KeyKind::Pkcs1Public,
                ..
            }
        ),
        "{}",
        describe(&err)
    );

    for (name, kind) in [
        ("pkcs8.pem", KeyKind::Pkcs8Private),
        ("pkcs1.pem", KeyKind::Pkcs1Private),
    ] {
        let err = PublicKey::from_pem(&k.text(name)).unwrap_err();
        assert!(
            matches!(err, KeyError::PrivateKeyGiven { kind: k, bits: Some(2048) } if k == kind),
            "{}",
            describe(&err)
        );
        assert!(err.to_string().contains("never share the private key"));
    }
    let err = PublicKey::from_der(&std::fs::read(k.path("pkcs8.der")).expect("read")).unwrap_err();
    assert!(
        matches!(err, KeyError::PrivateKeyGiven { .. }),
        "{}",
        describe(&err)
    );

    let err = PrivateKey::from_pem(&k.text("small.pem")).unwrap_err();
    assert!(
        matches!(
            err,
            KeyError::UnsupportedSize {
                kind: KeyKind::Pkcs8Private,
                bits: 1024
            }
        ),
        "{}",
        describe(&err)
    );

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

/// What a new user meets with keys out of range: the kind, the size and what is
/// accepted, the same in every backend.
#[test]
fn out_of_range_keys_and_certificates_are_named_with_kind_and_size() {
    let text = |name: &str| std::fs::read_to_string(fixture_path(name)).expect("fixture");

    let err = PrivateKey::from_pem(&text("rsa8192_private_key.pem")).unwrap_err();
    assert!(
        matches!(
            err,
            KeyError::UnsupportedSize {
                kind: KeyKind::Pkcs8Private,
                bits: 8192
            }
        ),
        "{}",
        describe(&err)
    );
    assert_eq!(
        err.to_string(),
        "a PKCS#8 private key (BEGIN PRIVATE KEY) of 8192 bits is not supported; \
         accepted are RSA keys of 2048 to 4096 bits with public exponent 65537"
    );

    let err = PublicKey::from_pem(&text("rsa8192_public_key.pem")).unwrap_err();
    assert!(
        matches!(
            err,
            KeyError::UnsupportedSize {
                kind: KeyKind::SpkiPublic,
                bits: 8192
            }
        ),
        "{}",
        describe(&err)
    );
    assert!(
        err.to_string()
            .contains("SubjectPublicKeyInfo public key (BEGIN PUBLIC KEY) of 8192 bits")
    );

    let err = PrivateKey::from_pem(&text("e3_private_key.pem")).unwrap_err();
    assert!(
        matches!(&err, KeyError::UnsupportedExponent { kind: KeyKind::Pkcs8Private, bits: 2048, exponent } if exponent == "3"),
        "{}",
        describe(&err)
    );
    assert!(err.to_string().contains("public exponent 3"), "{err}");
    assert!(err.to_string().contains("65537"), "{err}");

    let cert = OPENSSL.text("cert.pem");
    let err = PrivateKey::from_pem(&cert).unwrap_err();
    assert!(
        matches!(
            err,
            KeyError::PublicKeyGiven {
                kind: KeyKind::Certificate,
                bits: Some(2048)
            }
        ),
        "{}",
        describe(&err)
    );
    assert!(
        err.to_string()
            .contains("an X.509 certificate (BEGIN CERTIFICATE) holding an RSA key of 2048 bits"),
        "{err}"
    );
    let err = PublicKey::from_pem(&cert).unwrap_err();
    assert!(
        matches!(err, KeyError::CertificateGiven { bits: Some(2048) }),
        "{}",
        describe(&err)
    );
    assert!(err.to_string().contains("openssl x509 -pubkey"), "{err}");
}

#[test]
fn key_material_never_shows_in_debug_or_errors() {
    let body_lines: Vec<&str> = TEST_PRIVATE
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .collect();
    #[allow(unused_mut)]
    let mut shown = vec![format!("{:?}", *PUBLIC), format!("{:#?}", *PUBLIC)];
    #[cfg(any(feature = "aws-lc-rs", feature = "ring"))]
    shown.extend([format!("{:?}", *KEY), format!("{:#?}", *KEY)]);
    #[cfg(feature = "aws-lc-rs")]
    shown.push(format!(
        "{:?}",
        pingpp_sign::generate_keypair().expect("generate")
    ));
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
    // A truncated or damaged key gives an error that does not echo its content.
    let broken = &TEST_PRIVATE[..TEST_PRIVATE.len() / 2];
    let damaged = TEST_PRIVATE.replacen(body_lines[3], &body_lines[3][..40], 1);
    for text in [broken, damaged.as_str()] {
        let err = PrivateKey::from_pem(text).unwrap_err();
        let mut message = format!("{err} {err:?}");
        let mut source = std::error::Error::source(&err);
        while let Some(s) = source {
            message.push_str(&format!(" {s} {s:?}"));
            source = s.source();
        }
        for line in &body_lines {
            assert!(!message.contains(&line[..16]), "{message}");
        }
    }
}

#[cfg(feature = "aws-lc-rs")]
#[test]
fn generated_keys_are_pkcs8_and_spki_and_round_trip() {
    let pair = pingpp_sign::generate_keypair().expect("generate");
    assert!(
        pair.private_pem()
            .starts_with("-----BEGIN PRIVATE KEY-----\n")
    );
    assert!(
        pair.public_pem()
            .starts_with("-----BEGIN PUBLIC KEY-----\n")
    );
    let key = pair.private_key().expect("load private");
    let public = pair.public_key().expect("load public");
    assert_eq!(key.bits(), 2048);
    assert_eq!(key.public_key(), public);
    assert_eq!(
        PublicKey::from_pem(&public.to_pem()).expect("re-read"),
        public
    );
    let again = PrivateKey::from_pem(&key.to_pkcs8_pem().expect("export")).expect("re-read");
    assert_eq!(again.public_key(), public);
    let other = pingpp_sign::generate_keypair().expect("generate");
    assert_ne!(other.public_key().expect("load"), public);
    // openssl reads what we generate.
    let path = write(
        OPENSSL.dir.path(),
        "generated.pem",
        pair.private_pem().as_bytes(),
    );
    let out = OPENSSL.run(&["pkey", "-in", path.to_str().expect("utf8"), "-pubout"]);
    assert_eq!(String::from_utf8_lossy(&out.stdout), pair.public_pem());
}

#[cfg(not(feature = "aws-lc-rs"))]
#[test]
fn builds_without_aws_lc_rs_say_how_to_make_a_key() {
    let err = pingpp_sign::generate_keypair().unwrap_err();
    assert!(
        matches!(err, KeyError::GenerationUnavailable { backend } if backend == pingpp_sign::backend()),
        "{err:?}"
    );
    assert!(err.to_string().contains("openssl genpkey"), "{err}");
    assert!(err.to_string().contains("`aws-lc-rs`"), "{err}");
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
    // Another key's public half refuses it.
    assert!(matches!(
        PUBLIC.verify_raw(&message, &signature),
        Err(VerifyError::Mismatch)
    ));
}

#[cfg(any(feature = "aws-lc-rs", feature = "ring"))]
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
    let sig = sign_fixture(b"payload");
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
            Err(VerifyError::InvalidBase64)
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
        Err(VerifyError::InvalidBase64)
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

#[cfg(any(feature = "aws-lc-rs", feature = "ring"))]
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

/// The `base64` crate with the leniency documented for signatures: padding optional
/// (canonical, partial or none).
fn reference_decode(text: &str) -> Option<Vec<u8>> {
    use base64::Engine as _;
    base64::engine::GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        base64::engine::GeneralPurposeConfig::new()
            .with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent),
    )
    .decode(text)
    .ok()
}

proptest::proptest! {
    /// The no-copy path (no whitespace) and the stripping path decode alike, and
    /// agree with the `base64` crate's standard decoder (padding optional).
    #[test]
    fn signature_decoding_paths_agree(text in "[A-Za-z0-9+/=_\\-]{0,48}") {
        let direct = decode_signature(&text).map_err(|e| e.to_string());
        let stripped = decode_signature(&format!(" {text}\r\n")).map_err(|e| e.to_string());
        proptest::prop_assert_eq!(&direct, &stripped);
        if !text.is_empty() {
            proptest::prop_assert_eq!(direct.ok(), reference_decode(&text), "{}", text);
        }
    }

    /// Full, partial, missing and excess padding: accepted and refused exactly as the
    /// reference (a signature whose `=` became a line break still decodes).
    #[test]
    fn padding_leniency_matches_the_reference(
        bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 1..40),
        strip in 0usize..3,
        extra in 0usize..3,
    ) {
        let full = base64_std(&bytes);
        let unpadded = full.trim_end_matches('=');
        let padding = full.len() - unpadded.len();
        let text = format!("{unpadded}{}", "=".repeat(padding.saturating_sub(strip) + extra));
        proptest::prop_assert_eq!(decode_signature(&text).ok(), reference_decode(&text), "{}", text);
        if extra == 0 {
            proptest::prop_assert_eq!(decode_signature(&text).ok(), Some(bytes));
        }
    }
}
