//! The built `pingpp` binary, run as a user would.
#![allow(missing_docs)]

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};

use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_pingpp");

fn run(args: &[&str]) -> Output {
    Command::new(BIN).args(args).output().expect("run pingpp")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

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

struct MockProcess {
    child: Child,
    base_url: String,
}

impl MockProcess {
    fn start(extra: &[&str]) -> Self {
        let mut child = Command::new(BIN)
            .args(["mock", "--addr", "127.0.0.1:0", "--time-scale", "1000"])
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn mock");
        let stdout = child.stdout.take().expect("stdout");
        let mut lines = BufReader::new(stdout).lines();
        let first = lines.next().expect("a first line").expect("utf-8");
        let base_url = first
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("first line: {first}"))
            .to_owned();
        // Keep draining stdout so the child never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines.by_ref() {});
        Self { child, base_url }
    }

    fn pingpp(&self, args: &[&str]) -> Value {
        let o = Command::new(BIN)
            .args(args)
            .env("PINGPP_API_KEY", "sk_test_cli0000000000")
            .env("PINGPP_APP_ID", "app_cli0000000000000")
            .env("PINGPP_API_BASE", &self.base_url)
            .env_remove("PINGPP_PRIVATE_KEY")
            .env_remove("PINGPP_PRIVATE_KEY_PATH")
            .output()
            .expect("run");
        assert!(
            o.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        serde_json::from_slice(&o.stdout).expect("JSON output")
    }

    /// SIGTERM (by this child's own pid), then the exit status.
    #[cfg(unix)]
    fn terminate(mut self) -> std::process::ExitStatus {
        let pid = self.child.id().to_string();
        let ok = Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .expect("kill");
        assert!(ok.success());
        self.child.wait().expect("wait")
    }
}

impl Drop for MockProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
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
    let mut m = MockProcess::start(&["--public-key-out", path.to_str().expect("utf-8")]);
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
    let _ = m.child.kill();
}

#[test]
fn mock_refuses_a_bad_configuration() {
    let o = run(&["mock", "--addr", "127.0.0.1:0", "--time-scale", "0"]);
    assert_eq!(o.status.code(), Some(1));
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
    assert_eq!(o.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("http://"),
        "{o:?}"
    );
}
