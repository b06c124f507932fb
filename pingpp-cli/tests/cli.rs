//! The built `pingpp` binary, run as a user would.
#![allow(missing_docs)]

mod common;

use std::path::Path;
use std::process::Command;

use common::{BIN, MockProcess, keypair, pingpp, run, stderr, stdout};
use serde_json::Value;

fn keygen(dir: &Path) -> (String, String) {
    let o = run(&["keygen", "--out-dir", dir.to_str().expect("utf-8 path")]);
    assert!(o.status.success(), "{o:?}");
    let private = std::fs::read_to_string(dir.join("rsa_private_key.pem")).expect("private");
    let public = std::fs::read_to_string(dir.join("rsa_public_key.pem")).expect("public");
    (private, public)
}

#[test]
fn keygen_writes_a_pkcs8_pair_and_refuses_to_overwrite() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("keys");
    let (private, public) = keygen(&out);
    assert!(private.starts_with("-----BEGIN PRIVATE KEY-----"), "PKCS#8");
    assert!(public.starts_with("-----BEGIN PUBLIC KEY-----"), "SPKI");
    let key = pingpp_sign::PrivateKey::from_pem(&private).expect("loads");
    let sig = key.sign(b"x").expect("sign");
    pingpp_sign::PublicKey::from_pem(&public)
        .expect("public loads")
        .verify(b"x", &sig)
        .expect("the two halves match");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(out.join("rsa_private_key.pem"))
            .expect("meta")
            .permissions()
            .mode();
        assert_eq!(mode & 0o077, 0, "private key readable by owner only");
    }
    let again = run(&["keygen", "--out-dir", out.to_str().expect("utf-8")]);
    assert!(!again.status.success());
    assert_eq!(
        std::fs::read_to_string(out.join("rsa_private_key.pem")).expect("still there"),
        private
    );
}

#[test]
fn sign_matches_the_sdk_and_verbose_shows_the_string_to_sign() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (_, public) = keygen(dir.path());
    let key_path = dir.path().join("rsa_private_key.pem");
    let key_arg = key_path.to_str().expect("utf-8");
    let uri = "/v1/apps/app_1Gqj58ynP0mHeX1q/withdrawals/17016111503023606541";
    let o = run(&[
        "sign",
        "--private-key",
        key_arg,
        "--method",
        "PUT",
        "--uri",
        uri,
        "--timestamp",
        "1475029155",
        "--body",
        r#"{"status":"pending"}"#,
    ]);
    assert!(o.status.success(), "{o:?}");
    let sig = stdout(&o).trim().to_owned();
    let public = pingpp_sign::PublicKey::from_pem(&public).expect("public");
    public
        .verify_request(br#"{"status":"pending"}"#, uri, 1_475_029_155, &sig)
        .expect("verifies as body + URI + timestamp");

    let o = run(&[
        "sign",
        "--private-key",
        key_arg,
        "--method",
        "put",
        "--uri",
        uri,
        "--timestamp",
        "1475029155",
        "--body",
        r#"{"status":"pending"}"#,
        "--verbose",
    ]);
    let out = stdout(&o);
    assert!(
        out.contains(&format!(
            r#"string-to-sign: {{"status":"pending"}}{uri}1475029155"#
        )),
        "{out}"
    );
    assert_eq!(out.lines().last(), Some(sig.as_str()));

    // GET: the body is not part of the string to sign.
    let body_file = dir.path().join("body.json");
    std::fs::write(&body_file, "{}").expect("write");
    let o = run(&[
        "sign",
        "--private-key",
        key_arg,
        "--method",
        "GET",
        "--uri",
        "/v1/x?page=1",
        "--timestamp",
        "1",
        "--body-file",
        body_file.to_str().expect("utf-8"),
    ]);
    let sig = stdout(&o).trim().to_owned();
    public
        .verify_request(b"", "/v1/x?page=1", 1, &sig)
        .expect("no body for GET");

    // The PEM itself may be given instead of a path.
    let pem = std::fs::read_to_string(&key_path).expect("pem");
    let o = run(&[
        "sign",
        "--private-key",
        &pem,
        "--method",
        "GET",
        "--uri",
        "/v1/y",
        "--timestamp",
        "2",
    ]);
    assert!(o.status.success(), "{o:?}");
    public
        .verify_request(b"", "/v1/y", 2, stdout(&o).trim())
        .expect("inline PEM works");

    let bad = run(&[
        "sign",
        "--private-key",
        "/nonexistent.pem",
        "--method",
        "GET",
        "--uri",
        "/v1",
        "--timestamp",
        "1",
    ]);
    assert!(!bad.status.success());
}

#[test]
fn webhook_verify_says_valid_or_why_not() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (private, _) = keygen(dir.path());
    let public_path = dir.path().join("rsa_public_key.pem");
    let body = br#"{"id":"evt_1","object":"event","created":1,"livemode":false,"type":"refund.succeeded","data":{"object":{"id":"re_1","object":"refund"}},"pending_webhooks":0,"request":"iar_1"}"#;
    let body_path = dir.path().join("body.json");
    std::fs::write(&body_path, body).expect("write");
    let sig = pingpp_sign::PrivateKey::from_pem(&private)
        .expect("key")
        .sign(body)
        .expect("sign");
    let sig_path = dir.path().join("sig.txt");
    std::fs::write(&sig_path, format!("{sig}\n")).expect("write");
    let p = public_path.to_str().expect("utf-8");
    let b = body_path.to_str().expect("utf-8");

    let o = run(&[
        "webhook",
        "verify",
        "--public-key",
        p,
        "--signature",
        &sig,
        b,
    ]);
    assert!(o.status.success(), "{o:?}");
    assert_eq!(stdout(&o).trim(), "valid");
    let o = run(&[
        "webhook",
        "verify",
        "--public-key",
        p,
        "--signature-file",
        sig_path.to_str().expect("utf-8"),
        b,
    ]);
    assert!(o.status.success(), "{o:?}");

    // One added newline breaks it.
    let mut tampered = body.to_vec();
    tampered.push(b'\n');
    std::fs::write(&body_path, tampered).expect("write");
    let o = run(&[
        "webhook",
        "verify",
        "--public-key",
        p,
        "--signature",
        &sig,
        b,
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).starts_with("invalid"), "{o:?}");

    let o = run(&[
        "webhook",
        "verify",
        "--public-key",
        p,
        "--signature",
        "not base64!",
        b,
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).starts_with("invalid"), "{o:?}");
}

/// Against an emulator that refuses the demo's key, every step deviates: the report
/// says so and the exit status is 1 (the documented status for a deviating demo).
#[cfg(unix)]
#[test]
fn demo_exits_1_when_a_step_does_not_behave_as_documented() {
    let m = MockProcess::start(&["--api-key", "sk_test_notthedemokey", "--quiet"]);
    let o = pingpp()
        .args(["demo", "--base-url", &m.base_url])
        .output()
        .expect("run");
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(out.contains("[FAIL]"), "{out}");
    assert!(out.contains("did NOT behave as documented"), "{out}");
}

#[test]
fn version_names_the_crypto_backend() {
    let o = run(&["--version"]);
    assert!(o.status.success());
    let out = stdout(&o);
    assert!(
        out.starts_with(&format!("pingpp {}", env!("CARGO_PKG_VERSION"))),
        "{out}"
    );
    assert!(
        out.contains(&format!(
            "crypto backend: {}",
            pingpp_sign::backend().name()
        )),
        "{out}"
    );
}

#[test]
fn demo_walks_the_whole_story() {
    let o = run(&["demo"]);
    let out = stdout(&o);
    assert!(
        o.status.success(),
        "{out}\n{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(out.contains("behaved as documented"), "{out}");
    assert!(!out.contains("[FAIL]"), "{out}");
    for step in [
        "create settle-account withdrawal",
        "a withdrawal to a deleted settle account is refused",
    ] {
        assert!(out.contains(step), "{step} shown: {out}");
    }
    for t in [
        "recharge.succeeded",
        "refund.succeeded",
        "balance.withdrawal.succeeded",
        "balance.withdrawal.failed",
    ] {
        assert!(out.contains(t), "{t} shown: {out}");
    }
}

#[test]
fn mock_serves_the_resource_commands_and_stops_on_sigterm() {
    let m = MockProcess::start(&["--api-key", "sk_test_cli0000000000"]);
    assert!(
        m.base_url.starts_with("http://127.0.0.1:"),
        "{}",
        m.base_url
    );

    let rc = m.pingpp(&[
        "recharge",
        "create",
        "--user",
        "u1",
        "--amount",
        "10000",
        "--order-no",
        "clirc1",
    ]);
    assert_eq!(rc["object"], "recharge");
    let rid = rc["id"].as_str().expect("id").to_owned();
    let rc2 = m.pingpp(&[
        "recharge",
        "create",
        "--user",
        "u1",
        "--amount",
        "500",
        "--order-no",
        "clirc2",
    ]);
    let rid2 = rc2["id"].as_str().expect("id").to_owned();
    let refund = m.pingpp(&["recharge", "refund", &rid2, "--description", "cli"]);
    assert_eq!(refund["status"], "pending");
    let re_id = refund["id"].as_str().expect("id").to_owned();
    let list = m.pingpp(&["recharge", "refunds", &rid2]);
    assert_eq!(list["data"][0]["id"], re_id.as_str());
    let got = m.pingpp(&["recharge", "refund-get", &rid2, &re_id]);
    assert_eq!(got["id"], re_id.as_str());
    let _ = rid;

    let w = m.pingpp(&[
        "withdrawal",
        "create",
        "--user",
        "u1",
        "--amount",
        "1000",
        "--order-no",
        "cliw1",
        "--channel",
        "wx",
        "--extra",
        r#"{"open_id":"o1"}"#,
    ]);
    assert_eq!(w["status"], "created");
    let wid = w["id"].as_str().expect("id").to_owned();
    let w2 = m.pingpp(&[
        "withdrawal",
        "create",
        "--user",
        "u1",
        "--amount",
        "2000",
        "--order-no",
        "12345",
        "--channel",
        "unionpay",
        "--extra",
        r#"{"account":"6214","name":"张三","open_bank_code":"0308"}"#,
    ]);
    let wid2 = w2["id"].as_str().expect("id").to_owned();
    assert_eq!(
        m.pingpp(&["withdrawal", "confirm", &wid])["status"],
        "pending"
    );
    assert_eq!(
        m.pingpp(&["withdrawal", "cancel", &wid2])["status"],
        "canceled"
    );
    assert_eq!(m.pingpp(&["withdrawal", "get", &wid])["id"], wid.as_str());
    let list = m.pingpp(&[
        "withdrawal",
        "list",
        "--user",
        "u1",
        "--channel",
        "unionpay",
    ]);
    assert_eq!(list["data"].as_array().map(Vec::len), Some(1));
    assert_eq!(list["total_withdrawals_amount"], 2000);

    // Settle accounts, and a withdrawal to one.
    let sa = m.pingpp(&[
        "settle-account",
        "create",
        "--user",
        "u1",
        "--channel",
        "bank_account",
        "--recipient",
        r#"{"account":"6214666666666666","name":"张三","type":"b2c","open_bank_code":"0308"}"#,
    ]);
    assert_eq!(sa["object"], "settle_account");
    let sa_id = sa["id"].as_str().expect("id").to_owned();
    assert_eq!(
        m.pingpp(&["settle-account", "get", "--user", "u1", &sa_id])["id"],
        sa_id.as_str()
    );
    let list = m.pingpp(&["settle-account", "list", "--user", "u1"]);
    assert_eq!(list["data"].as_array().map(Vec::len), Some(1));
    let w3 = m.pingpp(&[
        "withdrawal",
        "create",
        "--user",
        "u1",
        "--amount",
        "300",
        "--order-no",
        "cliw3",
        "--settle-account",
        &sa_id,
    ]);
    assert_eq!(w3["settle_account"], sa_id.as_str());
    assert_eq!(w3["extra"]["account"], "6214666666666666");
    let deleted = m.pingpp(&["settle-account", "delete", "--user", "u1", &sa_id]);
    assert_eq!(deleted["deleted"], true);

    // An API error: exit 1 and the server's message.
    let o = Command::new(BIN)
        .args(["withdrawal", "get", "999"])
        .env("PINGPP_API_KEY", "sk_test_cli0000000000")
        .env("PINGPP_APP_ID", "app_cli0000000000000")
        .env("PINGPP_API_BASE", &m.base_url)
        .output()
        .expect("run");
    assert_eq!(o.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("No such withdrawal"),
        "{o:?}"
    );

    #[cfg(unix)]
    assert!(m.terminate().success(), "clean exit on SIGTERM");
}

#[test]
fn mock_writes_the_generated_webhook_public_key() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("pingpp_pub.pem");
    let _mock = MockProcess::start(&["--public-key-out", path.to_str().expect("utf-8")]);
    // Written right after the first line; wait for a complete key.
    let mut key = None;
    for _ in 0..500 {
        if let Ok(pem) = std::fs::read_to_string(&path)
            && let Ok(k) = pingpp_sign::PublicKey::from_pem(&pem)
        {
            key = Some(k);
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    assert!(
        key.is_some(),
        "a public key was written to {}",
        path.display()
    );
}

#[test]
fn mock_refuses_a_bad_configuration() {
    // A configuration problem: exit status 4, nothing started.
    let o = run(&["mock", "--addr", "127.0.0.1:0", "--time-scale", "0"]);
    assert_eq!(o.status.code(), Some(4));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("time scale"),
        "{o:?}"
    );
    let o = run(&[
        "mock",
        "--addr",
        "127.0.0.1:0",
        "--webhook-url",
        "https://example.com/hook",
    ]);
    assert_eq!(o.status.code(), Some(4));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("http://"),
        "{o:?}"
    );
}

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::symlink_metadata(path)
        .expect("meta")
        .permissions()
        .mode()
        & 0o777
}

fn pair_matches(dir: &Path) -> bool {
    let (Ok(private), Ok(public)) = (
        std::fs::read_to_string(dir.join("rsa_private_key.pem")),
        std::fs::read_to_string(dir.join("rsa_public_key.pem")),
    ) else {
        return false;
    };
    let sig = pingpp_sign::PrivateKey::from_pem(&private)
        .expect("private")
        .sign(b"pair")
        .expect("sign");
    pingpp_sign::PublicKey::from_pem(&public)
        .expect("public")
        .verify(b"pair", &sig)
        .is_ok()
}

#[test]
fn keygen_writes_both_files_or_neither() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("a/keys");
    let out_arg = out.to_str().expect("utf-8");
    keygen(&out);
    #[cfg(unix)]
    for d in [dir.path().join("a"), out.clone()] {
        assert_eq!(mode(&d), 0o700, "{} created owner-only", d.display());
    }
    let private = out.join("rsa_private_key.pem");
    let public = out.join("rsa_public_key.pem");
    let public_before = std::fs::read_to_string(&public).expect("public");

    // The private key is gone, the public one still there: nothing is written (before,
    // a new private key was written next to the old public key).
    std::fs::remove_file(&private).expect("rm");
    let o = run(&["keygen", "--out-dir", out_arg]);
    assert_eq!(o.status.code(), Some(1), "{o:?}");
    assert!(
        stderr(&o).contains("rsa_public_key.pem already exists"),
        "{}",
        stderr(&o)
    );
    assert!(!private.exists(), "no half pair");
    assert_eq!(
        std::fs::read_to_string(&public).expect("public"),
        public_before
    );

    // --force replaces both; a world-readable old private key does not make the new one
    // world-readable.
    std::fs::write(&private, "old").expect("write");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(&private, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    }
    let o = run(&["keygen", "--out-dir", out_arg, "--force"]);
    assert!(o.status.success(), "{o:?}");
    assert!(pair_matches(&out), "a matching pair");
    #[cfg(unix)]
    assert_eq!(mode(&private), 0o600);
    let leftovers: Vec<_> = std::fs::read_dir(&out)
        .expect("ls")
        .filter_map(Result::ok)
        .map(|e| e.file_name())
        .filter(|n| n.to_string_lossy().starts_with('.'))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[cfg(unix)]
#[test]
fn keygen_and_mock_never_write_through_a_symlink() {
    let dir = tempfile::tempdir().expect("tempdir");
    let victim = dir.path().join("victim");
    std::fs::write(&victim, "precious").expect("write");
    let out = dir.path().join("keys");
    std::fs::create_dir(&out).expect("mkdir");
    std::os::unix::fs::symlink(&victim, out.join("rsa_private_key.pem")).expect("symlink");
    for force in [false, true] {
        let mut args = vec!["keygen", "--out-dir", out.to_str().expect("utf-8")];
        if force {
            args.push("--force");
        }
        let o = run(&args);
        assert_eq!(o.status.code(), Some(1), "{o:?}");
        assert!(stderr(&o).contains("symbolic link"), "{}", stderr(&o));
        assert!(!out.join("rsa_public_key.pem").exists(), "neither file");
    }
    let link = dir.path().join("pub.pem");
    std::os::unix::fs::symlink(&victim, &link).expect("symlink");
    let o = run(&[
        "mock",
        "--addr",
        "127.0.0.1:0",
        "--public-key-out",
        link.to_str().expect("utf-8"),
        "--force",
    ]);
    assert_eq!(o.status.code(), Some(1), "{o:?}");
    assert!(stderr(&o).contains("symbolic link"), "{}", stderr(&o));
    assert_eq!(std::fs::read_to_string(&victim).expect("read"), "precious");
}

#[test]
fn mock_replaces_a_public_key_file_only_with_force() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("out.pem");
    // The hostile case of the issue: the path named holds a private key.
    std::fs::write(&path, keypair().private_pem()).expect("write");
    let arg = path.to_str().expect("utf-8");
    let o = run(&["mock", "--addr", "127.0.0.1:0", "--public-key-out", arg]);
    assert_eq!(o.status.code(), Some(1), "{o:?}");
    assert!(stderr(&o).contains("--force"), "{}", stderr(&o));
    assert!(
        stdout(&o).is_empty(),
        "refused before starting: {}",
        stdout(&o)
    );
    assert_eq!(
        std::fs::read_to_string(&path).expect("read"),
        keypair().private_pem()
    );

    let m = MockProcess::start(&["--public-key-out", arg, "--force"]);
    assert_eq!(m.key_path.as_deref(), Some(path.as_path()));
    let pem = std::fs::read_to_string(&path).expect("read");
    assert!(pingpp_sign::PublicKey::from_pem(&pem).is_ok(), "{pem}");
}

#[cfg(unix)]
#[test]
fn mock_default_key_folder_is_private_and_removed_on_exit() {
    for signal in ["TERM", "INT"] {
        let m = MockProcess::start(&[]);
        let key = m.key_path.clone().expect("a key was written");
        let folder = key.parent().expect("folder").to_owned();
        let name = folder.file_name().expect("name").to_string_lossy();
        assert!(name.starts_with("pingpp-mock-"), "{}", folder.display());
        assert_eq!(mode(&folder), 0o700, "{}", folder.display());
        let pem = std::fs::read_to_string(&key).expect("read");
        assert!(pingpp_sign::PublicKey::from_pem(&pem).is_ok());
        assert!(m.signal(signal).success(), "clean exit on SIG{signal}");
        assert!(
            !folder.exists(),
            "{} removed on SIG{signal}",
            folder.display()
        );
    }
}

#[test]
fn malformed_arguments_are_usage_errors() {
    let key = keypair().private_pem();
    let sign = |method: &str, timestamp: &str| {
        run(&[
            "sign",
            "--private-key",
            key,
            "--method",
            method,
            "--uri",
            "/v1/x",
            "--timestamp",
            timestamp,
        ])
    };
    for (method, timestamp) in [
        ("", "1"),
        ("PO ST", "1"),
        ("PATCH", "1"),
        ("GET", "-1"),
        ("GET", "0"),
    ] {
        let o = sign(method, timestamp);
        assert_eq!(o.status.code(), Some(2), "{method:?} {timestamp}: {o:?}");
    }
    let o = sign("delete", "1");
    assert!(o.status.success(), "any case: {o:?}");

    for bad in ["", "pk_test_SECRET1", "sk_live_"] {
        let o = run(&["mock", "--addr", "127.0.0.1:0", "--api-key", bad]);
        assert_eq!(o.status.code(), Some(2), "{bad:?}: {o:?}");
        assert!(!stderr(&o).contains("SECRET1"), "{}", stderr(&o));
    }
    let o = run(&[
        "withdrawal",
        "get",
        "1",
        "--api-key",
        "sk_live_SECRET1 oops",
    ]);
    assert_eq!(o.status.code(), Some(2), "{o:?}");
    assert!(stderr(&o).contains("--api-key"), "{}", stderr(&o));
    assert!(!stderr(&o).contains("SECRET1"), "{}", stderr(&o));
    // Key text that lost its PEM header is not echoed as a file name either.
    let body = "MIIEv".to_owned() + &"SECRET1".repeat(60);
    let o = run(&[
        "withdrawal",
        "get",
        "1",
        "--api-key",
        "sk_test_x",
        "--app-id",
        "app_x",
        "--private-key",
        &body,
    ]);
    assert_eq!(o.status.code(), Some(4), "a key problem: {o:?}");
    assert!(!stderr(&o).contains("SECRET1"), "{}", stderr(&o));
}

#[test]
fn credential_flags_win_over_the_environment() {
    let dir = tempfile::tempdir().expect("tempdir");
    let public = dir.path().join("merchant_public.pem");
    let private = dir.path().join("merchant_private.pem");
    std::fs::write(&public, keypair().public_pem()).expect("write");
    std::fs::write(&private, keypair().private_pem()).expect("write");
    let m = MockProcess::start(&[
        "--api-key",
        "sk_test_flag0000000000",
        "--merchant-public-key",
        public.to_str().expect("utf-8"),
    ]);
    let flags = [
        "--api-key",
        "sk_test_flag0000000000",
        "--app-id",
        "app_flag",
        "--base-url",
        &m.base_url,
        "--private-key",
        private.to_str().expect("utf-8"),
    ];
    // Flags alone, after the subcommand.
    let o = pingpp()
        .args(["withdrawal", "list"])
        .args(flags)
        .output()
        .expect("run");
    assert!(o.status.success(), "{}", stderr(&o));
    let list: Value = serde_json::from_slice(&o.stdout).expect("JSON");
    assert_eq!(list["object"], "list");

    // Before the subcommand, over an environment that is wrong in every variable.
    let o = pingpp()
        .arg("withdrawal")
        .args(flags)
        .arg("list")
        .env("PINGPP_API_KEY", "sk_test_wrong")
        .env("PINGPP_APP_ID", "app_env")
        .env("PINGPP_API_BASE", "http://127.0.0.1:9")
        .env("PINGPP_PRIVATE_KEY_PATH", "/nonexistent/key.pem")
        .output()
        .expect("run");
    assert!(o.status.success(), "{}", stderr(&o));

    // The environment still serves what no flag gives; a wrong flag is not rescued by a
    // right variable.
    let o = pingpp()
        .args(["withdrawal", "list", "--api-key", "sk_test_other"])
        .env("PINGPP_API_KEY", "sk_test_flag0000000000")
        .env("PINGPP_APP_ID", "app_env")
        .env("PINGPP_API_BASE", &m.base_url)
        .env("PINGPP_PRIVATE_KEY_PATH", &private)
        .output()
        .expect("run");
    assert_eq!(o.status.code(), Some(1), "{o:?}");
    assert!(stderr(&o).contains("invalid API key"), "{}", stderr(&o));

    // Without the private key an unsigned GET is served (the server checks signatures on
    // POST and PUT only), and an unsigned POST is refused.
    let o = pingpp()
        .args(["withdrawal", "list"])
        .args(&flags[..6])
        .output()
        .expect("run");
    assert!(o.status.success(), "{}", stderr(&o));
    let o = pingpp()
        .args([
            "withdrawal",
            "create",
            "--user",
            "u1",
            "--amount",
            "100",
            "--order-no",
            "2026120100001",
            "--channel",
            "wx",
            "--extra",
            r#"{"open_id":"o9zpMs9jIaLynQY9N6yxcZ"}"#,
        ])
        .args(&flags[..6])
        .output()
        .expect("run");
    assert_eq!(o.status.code(), Some(1), "{o:?}");
    assert!(stderr(&o).contains("no signature"), "{}", stderr(&o));

    // Nothing at all: the error names the flag and the variable; exit status 4.
    let o = run(&["recharge", "refunds", "221"]);
    assert_eq!(o.status.code(), Some(4), "{o:?}");
    let e = stderr(&o);
    assert!(
        e.contains("--api-key") && e.contains("PINGPP_API_KEY"),
        "{e}"
    );
}

#[test]
fn completions_are_printed_for_each_shell() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let o = run(&["completions", shell]);
        assert!(o.status.success(), "{shell}: {o:?}");
        let script = stdout(&o);
        for word in ["withdrawal", "trigger", "--api-key"] {
            assert!(script.contains(word), "{shell} script mentions {word}");
        }
    }
    assert_eq!(run(&["completions", "tcsh"]).status.code(), Some(2));
}

#[test]
fn webhook_verify_exit_statuses_and_json() {
    let dir = tempfile::tempdir().expect("tempdir");
    let body = br#"{"id":"evt_1","object":"event"}"#;
    let body_path = dir.path().join("body.json");
    std::fs::write(&body_path, body).expect("write");
    let b = body_path.to_str().expect("utf-8");
    let sig = pingpp_sign::PrivateKey::from_pem(keypair().private_pem())
        .expect("key")
        .sign(body)
        .expect("sign");
    let public = keypair().public_pem();
    let verify = |extra: &[&str]| {
        let mut args = vec!["webhook", "verify"];
        args.extend_from_slice(extra);
        run(&args)
    };
    let o = verify(&["--json", "--public-key", public, "--signature", &sig, b]);
    assert_eq!(o.status.code(), Some(0), "{o:?}");
    let v: Value = serde_json::from_slice(&o.stdout).expect("JSON");
    assert_eq!(v["valid"], true);
    let o = verify(&["--json", "--public-key", public, "--signature", "AAAA", b]);
    assert_eq!(o.status.code(), Some(1), "{o:?}");
    let v: Value = serde_json::from_slice(&o.stdout).expect("JSON");
    assert_eq!(v["valid"], false);
    assert!(v["reason"].is_string(), "{v}");
    // A key or a body that cannot be read: 4; usage: 2.
    let o = verify(&[
        "--public-key",
        "/nonexistent/pub.pem",
        "--signature",
        &sig,
        b,
    ]);
    assert_eq!(o.status.code(), Some(4), "{o:?}");
    let o = verify(&[
        "--json",
        "--public-key",
        "-----BEGIN PUBLIC KEY-----\\nAAAA\\n-----END PUBLIC KEY-----",
        "--signature",
        &sig,
        b,
    ]);
    assert_eq!(o.status.code(), Some(4), "{o:?}");
    assert_eq!(common::json_error_of(&o)["type"], "key");
    let o = verify(&[
        "--public-key",
        public,
        "--signature",
        &sig,
        "/nonexistent/body",
    ]);
    assert_eq!(o.status.code(), Some(4), "{o:?}");
    let o = verify(&["--public-key", public, b]);
    assert_eq!(o.status.code(), Some(2), "{o:?}");
}

#[test]
fn local_commands_print_json_results() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("keys");
    let o = run(&[
        "--json",
        "keygen",
        "--out-dir",
        out.to_str().expect("utf-8"),
    ]);
    assert!(o.status.success(), "{o:?}");
    let v: Value = serde_json::from_slice(&o.stdout).expect("JSON");
    let private = v["private_key"].as_str().expect("path");
    assert!(pair_matches(&out), "{v}");
    assert_eq!(Path::new(private), out.join("rsa_private_key.pem"));
    // Again: the files exist, refused with exit 1 and a JSON error.
    let o = run(&[
        "--json",
        "keygen",
        "--out-dir",
        out.to_str().expect("utf-8"),
    ]);
    assert_eq!(o.status.code(), Some(1), "{o:?}");
    assert_eq!(common::json_error_of(&o)["type"], "file");

    let o = run(&[
        "sign",
        "--json",
        "--private-key",
        private,
        "--method",
        "POST",
        "--uri",
        "/v1/x",
        "--timestamp",
        "7",
        "--body",
        "{}",
        "--verbose",
    ]);
    assert!(o.status.success(), "{o:?}");
    let v: Value = serde_json::from_slice(&o.stdout).expect("JSON");
    assert_eq!(v["string_to_sign"], "{}/v1/x7");
    let public = std::fs::read_to_string(out.join("rsa_public_key.pem")).expect("read");
    pingpp_sign::PublicKey::from_pem(&public)
        .expect("public")
        .verify_request(
            b"{}",
            "/v1/x",
            7,
            v["signature"].as_str().expect("signature"),
        )
        .expect("the JSON signature verifies");

    // Commands that print text only refuse --json as a usage error.
    for args in [&["--json", "demo"][..], &["completions", "bash", "--json"]] {
        let o = run(args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {o:?}");
        assert_eq!(common::json_error_of(&o)["type"], "usage");
    }
}

#[cfg(unix)]
#[test]
fn mock_json_prints_one_line_with_its_address_and_key_file() {
    let m = MockProcess::start_json();
    let key_file = m.key_path.clone().expect("the key file");
    let pem = std::fs::read_to_string(&key_file).expect("key written");
    assert!(pingpp_sign::PublicKey::from_pem(&pem).is_ok());
    let list = m.pingpp(&["--json", "withdrawal", "list"]);
    assert_eq!(list["object"], "list");
    assert!(m.terminate().success());
    assert!(!key_file.exists(), "the key folder is removed");
}
