//! `pingpp mock`: the emulator as a process.

use std::net::SocketAddr;
use std::process::ExitCode;

use clap::Args;
use pingpp_sign::{PrivateKey, PublicKey};

use crate::{BoxError, outln, read_pem};

/// `pingpp mock`. `Debug` leaves out the API keys and the signing key.
#[derive(Args)]
pub(crate) struct MockArgs {
    /// Address to listen on, e.g. 127.0.0.1:8080 (port 0 picks a free port).
    #[arg(long)]
    addr: SocketAddr,
    /// Require request signatures, checked with this merchant public key (PEM file or text).
    #[arg(long, allow_hyphen_values = true)]
    merchant_public_key: Option<String>,
    /// Sign webhooks with this private key (PEM file or text); generated when absent.
    #[arg(long, allow_hyphen_values = true)]
    signing_key: Option<String>,
    /// POST every event to this http:// URL.
    #[arg(long)]
    webhook_url: Option<String>,
    /// Divide every delay (processing, webhook retries) by this factor.
    #[arg(long, default_value_t = 1.0)]
    time_scale: f64,
    /// Accept only these secret keys (repeatable); without any, every sk_test_/sk_live_ key.
    #[arg(long = "api-key")]
    api_keys: Vec<String>,
    /// Where to write the generated webhook public key (default: a temporary directory).
    #[arg(long)]
    public_key_out: Option<std::path::PathBuf>,
    /// Fault injection: share of requests answered 502 without processing (0-1).
    #[arg(long, default_value_t = 0.0)]
    fault_502_rate: f64,
    /// Fault injection: share of requests processed, then cut without an answer (0-1).
    #[arg(long, default_value_t = 0.0)]
    fault_cut_rate: f64,
    /// Fault injection: share of requests delayed by --fault-delay-ms (0-1).
    #[arg(long, default_value_t = 0.0)]
    fault_delay_rate: f64,
    /// Fault injection: how long a delayed request waits, in milliseconds.
    #[arg(long, default_value_t = 3000)]
    fault_delay_ms: u64,
    /// Fault injection: seed of the random draws (same seed, same faults).
    #[arg(long, default_value_t = 0)]
    fault_seed: u64,
}

impl std::fmt::Debug for MockArgs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MockArgs")
            .field("addr", &self.addr)
            .field("merchant_public_key", &self.merchant_public_key)
            .field(
                "signing_key",
                &self.signing_key.as_ref().map(|_| "<redacted>"),
            )
            .field("webhook_url", &self.webhook_url)
            .field("time_scale", &self.time_scale)
            .field(
                "api_keys",
                &format_args!("[{} redacted]", self.api_keys.len()),
            )
            .finish_non_exhaustive()
    }
}

async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

pub(crate) async fn run(args: MockArgs) -> Result<ExitCode, BoxError> {
    let mut builder = pingpp_mock::MockServer::builder()
        .addr(args.addr)
        .time_scale(args.time_scale);
    for key in args.api_keys {
        builder = builder.api_key(key);
    }
    if let Some(pem) = &args.merchant_public_key {
        let key = PublicKey::from_pem(&read_pem(pem)?)
            .map_err(|e| format!("cannot load --merchant-public-key: {e}"))?;
        builder = builder.merchant_public_key(key);
    }
    if args.fault_502_rate > 0.0 || args.fault_cut_rate > 0.0 || args.fault_delay_rate > 0.0 {
        builder = builder.faults(
            pingpp_mock::FaultConfig::new(args.fault_seed)
                .with_error_rate(args.fault_502_rate)
                .with_cut_rate(args.fault_cut_rate)
                .with_delay(
                    args.fault_delay_rate,
                    std::time::Duration::from_millis(args.fault_delay_ms),
                ),
        );
    }
    if let Some(url) = args.webhook_url {
        builder = builder.webhook_url(url);
    }
    let generated = match &args.signing_key {
        Some(pem) => {
            let key = PrivateKey::from_pem(&read_pem(pem)?)
                .map_err(|e| format!("cannot load --signing-key: {e}"))?;
            builder = builder.signing_key(key);
            false
        }
        None => {
            let pair = pingpp_sign::generate_keypair()?;
            builder = builder.signing_key(pair.private_key()?);
            true
        }
    };
    let mock = builder.start().await?;
    outln!("listening on {}", mock.base_url());
    if generated {
        let path = match args.public_key_out {
            Some(p) => p,
            None => {
                let dir = std::env::temp_dir().join(format!("pingpp-mock-{}", std::process::id()));
                std::fs::create_dir_all(&dir)
                    .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
                dir.join("pingpp_rsa_public_key.pem")
            }
        };
        std::fs::write(&path, mock.webhook_public_key().to_pem())
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        outln!("webhook public key written to {}", path.display());
    }
    outln!(
        "try: PINGPP_API_BASE={} PINGPP_API_KEY=sk_test_anything PINGPP_APP_ID=app_anything pingpp withdrawal list",
        mock.base_url()
    );
    shutdown_signal().await;
    outln!("shutting down");
    mock.shutdown().await;
    Ok(ExitCode::SUCCESS)
}
