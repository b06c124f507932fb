//! `keygen`, `sign` and `webhook verify`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{ArgGroup, Args};
use pingpp_sign::PrivateKey;

use serde_json::json;

use crate::args::{HttpMethod, Secret, secret};
use crate::exit::{self, CliError};
use crate::files::{self, NewFile};
use crate::output::Format;
use crate::{BoxError, outln, read_pem};

/// `pingpp keygen`.
#[derive(Debug, Args)]
pub(crate) struct KeygenArgs {
    /// Directory to write rsa_private_key.pem and rsa_public_key.pem into (created
    /// owner-only if missing).
    #[arg(long)]
    out_dir: PathBuf,
    /// Replace existing key files (both are replaced, or neither).
    #[arg(long)]
    force: bool,
}

/// `pingpp sign`.
#[derive(Debug, Args)]
#[command(group(ArgGroup::new("body_source").args(["body", "body_file"])))]
pub(crate) struct SignArgs {
    /// The merchant private key: a PEM file (PKCS#1 or PKCS#8) or the PEM text.
    #[arg(long, allow_hyphen_values = true, value_parser = secret)]
    private_key: Secret,
    /// HTTP method (any case); only POST and PUT bodies are signed.
    #[arg(long, value_enum, ignore_case = true)]
    method: HttpMethod,
    /// Request URI exactly as sent: path (with /v1) plus ?query when there is one.
    #[arg(long)]
    uri: String,
    /// Unix seconds (above 0), the value of Pingplusplus-Request-Timestamp.
    #[arg(long, allow_hyphen_values = true, value_parser = clap::value_parser!(i64).range(1..))]
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

/// `pingpp webhook verify`.
#[derive(Debug, Args)]
#[command(group(ArgGroup::new("sig").required(true).args(["signature", "signature_file"])))]
#[command(after_help = "\
Exit status: 0 valid, 1 invalid, 2 usage, 4 a key or file that cannot be read.
With --json: {\"valid\": true} or {\"valid\": false, \"reason\": \"...\"}.")]
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

pub(crate) fn keygen(args: &KeygenArgs, format: Format) -> Result<ExitCode, BoxError> {
    let private = args.out_dir.join("rsa_private_key.pem");
    let public = args.out_dir.join("rsa_public_key.pem");
    // Before the (slow) key generation; written both or neither below.
    files::check_targets([private.as_path(), public.as_path()], args.force)?;
    let pair = pingpp_sign::generate_keypair()?;
    files::create_private_dir_all(&args.out_dir)?;
    files::write_all_or_none(
        &[
            NewFile {
                path: &private,
                contents: pair.private_pem().as_bytes(),
                private: true,
            },
            NewFile {
                path: &public,
                contents: pair.public_pem().as_bytes(),
                private: false,
            },
        ],
        args.force,
    )?;
    if format.is_json() {
        return format.print(&json!({
            "private_key": private,
            "public_key": public,
        }));
    }
    outln!("private key (PKCS#8): {}", private.display());
    outln!("public key (SPKI):    {}", public.display());
    outln!("Upload the public key to the Ping++ dashboard; keep the private key secret.");
    Ok(ExitCode::SUCCESS)
}

pub(crate) fn sign(args: &SignArgs, format: Format) -> Result<ExitCode, BoxError> {
    let key = PrivateKey::from_pem(&read_pem(args.private_key.expose())?)
        .map_err(|e| CliError::key("cannot load the private key", e))?;
    let body: Vec<u8> = match (&args.body, &args.body_file) {
        (Some(b), _) => b.as_bytes().to_vec(),
        (None, Some(path)) => std::fs::read(path)
            .map_err(|e| CliError::io(format!("cannot read body file {}", path.display()), e))?,
        (None, None) => Vec::new(),
    };
    let method = args.method;
    let signs_body = method.signs_body();
    if !signs_body && !body.is_empty() {
        eprintln!("note: {method} requests carry no signed body; the body is ignored");
    }
    let body: &[u8] = if signs_body { &body } else { &[] };
    if !args.uri.starts_with('/') {
        eprintln!("note: the URI should be the request path, starting with /v1");
    }
    let signature = key.sign_request(body, &args.uri, args.timestamp)?;
    let string_to_sign = args.verbose.then(|| {
        let sts = pingpp_sign::string_to_sign(body, &args.uri, args.timestamp);
        String::from_utf8_lossy(&sts).into_owned()
    });
    if format.is_json() {
        let mut result = json!({ "signature": signature });
        if let Some(sts) = string_to_sign {
            result["string_to_sign"] = json!(sts);
        }
        return format.print(&result);
    }
    if let Some(sts) = string_to_sign {
        outln!("string-to-sign: {sts}");
    }
    outln!("{signature}");
    Ok(ExitCode::SUCCESS)
}

pub(crate) fn verify(args: &VerifyArgs, format: Format) -> Result<ExitCode, BoxError> {
    let verifier = pingpp_webhook::Verifier::from_pem(&read_pem(&args.public_key)?)
        .map_err(|e| CliError::key("cannot load --public-key", e))?;
    let signature = match (&args.signature, &args.signature_file) {
        (Some(s), _) => s.clone(),
        (None, Some(path)) => std::fs::read_to_string(path).map_err(|e| {
            CliError::io(format!("cannot read signature file {}", path.display()), e)
        })?,
        (None, None) => return Err(CliError::usage("give --signature or --signature-file").into()),
    };
    let body = std::fs::read(&args.body_file).map_err(|e| {
        CliError::io(
            format!("cannot read body file {}", args.body_file.display()),
            e,
        )
    })?;
    let verdict = verifier.verify(&body, signature.trim());
    if format.is_json() {
        let result = match &verdict {
            Ok(()) => json!({ "valid": true }),
            Err(e) => json!({ "valid": false, "reason": e.to_string() }),
        };
        format.print(&result)?;
    } else {
        match &verdict {
            Ok(()) => outln!("valid"),
            Err(e) => outln!("invalid: {e}"),
        }
    }
    Ok(match verdict {
        Ok(()) => ExitCode::SUCCESS,
        Err(_) => exit::signature_invalid(),
    })
}
