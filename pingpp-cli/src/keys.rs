//! `keygen`, `sign` and `webhook verify`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{ArgGroup, Args};
use pingpp_sign::PrivateKey;

use crate::{BoxError, outln, read_pem};

/// `pingpp keygen`.
#[derive(Debug, Args)]
pub(crate) struct KeygenArgs {
    /// Directory to write rsa_private_key.pem and rsa_public_key.pem into (created if missing).
    #[arg(long)]
    out_dir: PathBuf,
    /// Overwrite existing key files.
    #[arg(long)]
    force: bool,
}

/// `pingpp sign`. `Debug` leaves out the private key argument (it may be the PEM itself).
#[derive(Args)]
#[command(group(ArgGroup::new("body_source").args(["body", "body_file"])))]
pub(crate) struct SignArgs {
    /// The merchant private key: a PEM file (PKCS#1 or PKCS#8) or the PEM text.
    #[arg(long, allow_hyphen_values = true)]
    private_key: String,
    /// HTTP method; only POST and PUT bodies are signed.
    #[arg(long)]
    method: String,
    /// Request URI exactly as sent: path (with /v1) plus ?query when there is one.
    #[arg(long)]
    uri: String,
    /// Unix seconds, the value of Pingplusplus-Request-Timestamp.
    #[arg(long, allow_hyphen_values = true)]
    timestamp: i64,
    /// The request body.
    #[arg(long)]
    body: Option<String>,
    /// A file holding the request body (read byte for byte).
    #[arg(long)]
    body_file: Option<PathBuf>,
    /// Also print the string-to-sign.
    #[arg(long, short)]
    verbose: bool,
}

impl std::fmt::Debug for SignArgs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignArgs")
            .field("private_key", &"<redacted>")
            .field("method", &self.method)
            .field("uri", &self.uri)
            .field("timestamp", &self.timestamp)
            .field("body", &self.body)
            .field("body_file", &self.body_file)
            .field("verbose", &self.verbose)
            .finish()
    }
}

/// `pingpp webhook verify`.
#[derive(Debug, Args)]
#[command(group(ArgGroup::new("sig").required(true).args(["signature", "signature_file"])))]
pub(crate) struct VerifyArgs {
    /// The Ping++ public key: a PEM file or the PEM text.
    #[arg(long, allow_hyphen_values = true)]
    public_key: String,
    /// The X-Pingplusplus-Signature value (base64).
    #[arg(long)]
    signature: Option<String>,
    /// A file holding the signature.
    #[arg(long)]
    signature_file: Option<PathBuf>,
    /// The raw webhook body, exactly as received.
    body_file: PathBuf,
}

fn write_file(
    path: &std::path::Path,
    content: &str,
    private: bool,
    force: bool,
) -> Result<(), BoxError> {
    use std::io::Write as _;
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true);
    if force {
        opts.create(true).truncate(true);
    } else {
        opts.create_new(true);
    }
    #[cfg(unix)]
    if private {
        use std::os::unix::fs::OpenOptionsExt as _;
        opts.mode(0o600);
    }
    #[cfg(not(unix))]
    let _ = private;
    let mut f = opts.open(path).map_err(|e| {
        if e.kind() == std::io::ErrorKind::AlreadyExists {
            format!(
                "{} already exists (use --force to overwrite)",
                path.display()
            )
        } else {
            format!("cannot write {}: {e}", path.display())
        }
    })?;
    f.write_all(content.as_bytes())
        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    Ok(())
}

/// Writes a fresh key pair into `dir`; returns (private path, public path).
pub(crate) fn write_keypair(
    dir: &std::path::Path,
    force: bool,
) -> Result<(PathBuf, PathBuf), BoxError> {
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let pair = pingpp_sign::generate_keypair()?;
    let private = dir.join("rsa_private_key.pem");
    let public = dir.join("rsa_public_key.pem");
    write_file(&private, pair.private_pem(), true, force)?;
    write_file(&public, pair.public_pem(), false, force)?;
    Ok((private, public))
}

pub(crate) fn keygen(args: &KeygenArgs) -> Result<ExitCode, BoxError> {
    let (private, public) = write_keypair(&args.out_dir, args.force)?;
    outln!("private key (PKCS#8): {}", private.display());
    outln!("public key (SPKI):    {}", public.display());
    outln!("Upload the public key to the Ping++ dashboard; keep the private key secret.");
    Ok(ExitCode::SUCCESS)
}

pub(crate) fn sign(args: &SignArgs) -> Result<ExitCode, BoxError> {
    let key = PrivateKey::from_pem(&read_pem(&args.private_key)?)
        .map_err(|e| format!("cannot load the private key: {e}"))?;
    let body: Vec<u8> = match (&args.body, &args.body_file) {
        (Some(b), _) => b.as_bytes().to_vec(),
        (None, Some(path)) => std::fs::read(path)
            .map_err(|e| format!("cannot read body file {}: {e}", path.display()))?,
        (None, None) => Vec::new(),
    };
    let method = args.method.to_ascii_uppercase();
    let signs_body = method == "POST" || method == "PUT";
    if !signs_body && !body.is_empty() {
        eprintln!("note: {method} requests carry no signed body; the body is ignored");
    }
    let body: &[u8] = if signs_body { &body } else { &[] };
    if !args.uri.starts_with('/') {
        eprintln!("note: the URI should be the request path, starting with /v1");
    }
    let signature = key.sign_request(body, &args.uri, args.timestamp)?;
    if args.verbose {
        let sts = pingpp_sign::string_to_sign(body, &args.uri, args.timestamp);
        outln!("string-to-sign: {}", String::from_utf8_lossy(&sts));
    }
    outln!("{signature}");
    Ok(ExitCode::SUCCESS)
}

pub(crate) fn verify(args: &VerifyArgs) -> Result<ExitCode, BoxError> {
    let verifier = pingpp_webhook::Verifier::from_pem(&read_pem(&args.public_key)?)?;
    let signature = match (&args.signature, &args.signature_file) {
        (Some(s), _) => s.clone(),
        (None, Some(path)) => std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read signature file {}: {e}", path.display()))?,
        (None, None) => return Err("give --signature or --signature-file".into()),
    };
    let body = std::fs::read(&args.body_file)
        .map_err(|e| format!("cannot read body file {}: {e}", args.body_file.display()))?;
    match verifier.verify(&body, signature.trim()) {
        Ok(()) => {
            outln!("valid");
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            outln!("invalid: {e}");
            Ok(ExitCode::FAILURE)
        }
    }
}
