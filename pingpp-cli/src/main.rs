//! The `pingpp` command line: a guided demo against the local emulator, the emulator
//! itself, key generation, request signing, webhook verification and API calls.
#![forbid(unsafe_code)]
#![allow(clippy::print_stdout, clippy::print_stderr)]

mod demo;
mod keys;
mod mock_cmd;
mod resources;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// `println!` that ends the process quietly when stdout is closed (e.g. `pingpp demo | head`)
/// instead of panicking.
macro_rules! outln {
    () => { $crate::write_stdout(format_args!("\n")) };
    ($($arg:tt)*) => { $crate::write_stdout(format_args!("{}\n", format_args!($($arg)*))) };
}
pub(crate) use outln;

pub(crate) fn write_stdout(args: std::fmt::Arguments<'_>) {
    use std::io::Write as _;
    let mut out = std::io::stdout().lock();
    if out.write_fmt(args).and_then(|()| out.flush()).is_err() {
        // The reader went away: nothing more to say.
        std::process::exit(0);
    }
}

/// Errors of the command line: printed, then exit status 1.
pub(crate) type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The Ping++ command line.
#[derive(Debug, Parser)]
#[command(name = "pingpp", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Walk the whole recharge / refund / withdrawal / webhook story through the SDK.
    ///
    /// Without --base-url, starts the emulator and a webhook receiver in-process.
    Demo(demo::DemoArgs),
    /// Run the Ping++ emulator until Ctrl-C or SIGTERM.
    Mock(mock_cmd::MockArgs),
    /// Generate a 2048-bit RSA key pair (rsa_private_key.pem PKCS#8, rsa_public_key.pem).
    Keygen(keys::KeygenArgs),
    /// Sign a request like the SDK does (body + request URI + timestamp).
    Sign(keys::SignArgs),
    /// Webhook tools.
    #[command(subcommand)]
    Webhook(WebhookCommand),
    /// Withdrawals (configured by PINGPP_API_KEY, PINGPP_APP_ID, PINGPP_PRIVATE_KEY or PINGPP_PRIVATE_KEY_PATH, PINGPP_API_BASE).
    #[command(subcommand)]
    Withdrawal(resources::WithdrawalCommand),
    /// Recharges and recharge refunds (configured like `withdrawal`).
    #[command(subcommand)]
    Recharge(resources::RechargeCommand),
    /// A user's settle accounts, for withdrawals with --settle-account (configured like
    /// `withdrawal`).
    #[command(subcommand)]
    SettleAccount(resources::SettleAccountCommand),
}

#[derive(Debug, Subcommand)]
enum WebhookCommand {
    /// Verify a webhook body against its X-Pingplusplus-Signature.
    Verify(keys::VerifyArgs),
}

/// Reads a PEM given inline (`-----BEGIN ...`) or as a file path.
pub(crate) fn read_pem(arg: &str) -> Result<String, BoxError> {
    if arg.contains("-----BEGIN") {
        return Ok(arg.replace("\\n", "\n"));
    }
    let path = PathBuf::from(arg);
    std::fs::read_to_string(&path)
        .map_err(|e| format!("cannot read PEM file {}: {e}", path.display()).into())
}

fn init_tracing(default: &str) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .try_init();
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_tracing(match cli.command {
        Command::Mock(_) => "info,pingpp_mock=debug",
        _ => "warn",
    });
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result: Result<ExitCode, BoxError> = runtime.block_on(async move {
        match cli.command {
            Command::Demo(args) => demo::run(args).await,
            Command::Mock(args) => mock_cmd::run(args).await,
            Command::Keygen(args) => keys::keygen(&args),
            Command::Sign(args) => keys::sign(&args),
            Command::Webhook(WebhookCommand::Verify(args)) => keys::verify(&args),
            Command::Withdrawal(cmd) => resources::withdrawal(cmd).await,
            Command::Recharge(cmd) => resources::recharge(cmd).await,
            Command::SettleAccount(cmd) => resources::settle_account(cmd).await,
        }
    });
    match result {
        Ok(code) => code,
        Err(e) => {
            let mut shown = e.to_string();
            eprintln!("error: {shown}");
            let mut source = e.source();
            while let Some(s) = source {
                // Errors that already quote their cause need not repeat it.
                let text = s.to_string();
                if !shown.contains(&text) {
                    eprintln!("  caused by: {text}");
                }
                shown = text;
                source = s.source();
            }
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn debug_output_never_shows_keys() {
        let pem = "-----BEGIN PRIVATE KEY-----\\nSECRETPEM\\n-----END PRIVATE KEY-----";
        let cli = Cli::try_parse_from([
            "pingpp",
            "mock",
            "--addr",
            "127.0.0.1:0",
            "--api-key",
            "sk_live_SECRET1",
            "--signing-key",
            pem,
        ])
        .expect("parses");
        let s = format!("{cli:?}");
        assert!(!s.contains("SECRET"), "{s}");
        let cli = Cli::try_parse_from([
            "pingpp",
            "sign",
            "--private-key",
            pem,
            "--method",
            "GET",
            "--uri",
            "/v1",
            "--timestamp",
            "1",
        ])
        .expect("parses");
        let s = format!("{cli:?}");
        assert!(!s.contains("SECRET"), "{s}");
    }
}
