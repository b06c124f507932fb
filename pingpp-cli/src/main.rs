//! The `pingpp` command line: a guided demo against the local emulator, the emulator
//! itself, key generation, request signing, webhook verification and test deliveries,
//! API calls and shell completions.
#![forbid(unsafe_code)]
#![allow(clippy::print_stdout, clippy::print_stderr)]

mod args;
mod batch;
mod demo;
mod events;
mod exit;
mod files;
mod keys;
mod mock_cmd;
mod output;
mod recharge;
mod settle_account;
mod trigger;
mod withdrawal;

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
    if try_write_stdout(args).is_err() {
        // The reader went away: nothing more to say.
        std::process::exit(0);
    }
}

/// Writes to stdout and flushes; for commands that must keep running (and clean up)
/// when nobody reads their output any more.
pub(crate) fn try_write_stdout(args: std::fmt::Arguments<'_>) -> std::io::Result<()> {
    use std::io::Write as _;
    let mut out = std::io::stdout().lock();
    out.write_fmt(args).and_then(|()| out.flush())
}

/// Errors of the command line: printed by [`output::Format::error`], with the exit
/// status [`exit::classify`] picks.
pub(crate) type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The Ping++ command line.
#[derive(Debug, Parser)]
#[command(name = "pingpp", version, about, long_about = None, after_help = exit::EXIT_STATUS_HELP)]
struct Cli {
    /// Results and errors as JSON on stdout (one line; list --all: one object per line).
    #[arg(long, global = true)]
    json: bool,
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
    /// Withdrawals (credentials: --api-key, --app-id, --private-key, --base-url, or PINGPP_API_KEY, PINGPP_APP_ID, PINGPP_PRIVATE_KEY or PINGPP_PRIVATE_KEY_PATH, PINGPP_API_BASE).
    Withdrawal(args::Api<withdrawal::WithdrawalCommand>),
    /// Confirm or cancel many withdrawals at once (credentials like `withdrawal`).
    BatchWithdrawal(args::Api<batch::BatchCommand>),
    /// Recharges and recharge refunds (credentials like `withdrawal`).
    Recharge(args::Api<recharge::RechargeCommand>),
    /// A user's settle accounts, for withdrawals with --settle-account (credentials like
    /// `withdrawal`).
    SettleAccount(args::Api<settle_account::SettleAccountCommand>),
    /// Events, as webhooks carry them (credentials like `withdrawal`).
    #[command(visible_alias = "event")]
    Events(args::Api<events::EventsCommand>),
    /// Print a completion script for your shell, e.g. `pingpp completions bash > /etc/bash_completion.d/pingpp`.
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

#[derive(Debug, Subcommand)]
enum WebhookCommand {
    /// Verify a webhook body against its X-Pingplusplus-Signature.
    Verify(keys::VerifyArgs),
    /// Send a signed test event to your webhook handler, as Ping++ would.
    Trigger(trigger::TriggerArgs),
}

/// Writes the completion script for `shell` to stdout.
fn completions(shell: clap_complete::Shell) -> Result<ExitCode, BoxError> {
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut command(), "pingpp", &mut script);
    write_stdout(format_args!("{}", String::from_utf8_lossy(&script)));
    Ok(ExitCode::SUCCESS)
}

/// Reads a PEM given inline (`-----BEGIN ...`) or as a file path. A file that cannot be
/// read is a key problem (exit status 4).
pub(crate) fn read_pem(arg: &str) -> Result<String, exit::CliError> {
    if arg.contains("-----BEGIN") {
        return Ok(arg.replace("\\n", "\n"));
    }
    let path = PathBuf::from(arg);
    std::fs::read_to_string(&path).map_err(|e| {
        // A value this long or spanning lines is most likely key text that lost its PEM
        // header, not a path: never echo it.
        let message = if arg.len() > 255 || arg.contains(['\n', '\r']) {
            "cannot read the key: the value (not shown) is neither PEM text nor a readable file"
                .to_owned()
        } else {
            format!("cannot read PEM file {}", path.display())
        };
        exit::CliError::key(message, e)
    })
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

/// Whether `--json` is among the arguments (before any `--`), for errors found while
/// parsing them.
fn json_requested() -> bool {
    std::env::args_os()
        .skip(1)
        .take_while(|a| a != "--")
        .any(|a| a == "--json")
}

/// A parse error: help and version as clap prints them; a usage error (status 2) as a
/// JSON error with `--json`, else clap's text (secrets removed if it quotes any).
fn parse_error(e: &clap::Error) -> ExitCode {
    let code = u8::try_from(e.exit_code()).unwrap_or(exit::USAGE);
    if !e.use_stderr() {
        let _ = e.print();
        return ExitCode::from(code);
    }
    let text = e.render().to_string();
    if json_requested() {
        let _ = try_write_stdout(format_args!("{}\n", output::usage_error_json(&text)));
    } else {
        let clean = pingpp_transport::redact_secrets(&text);
        if clean == text {
            let _ = e.print();
        } else {
            eprint!("{clean}");
        }
    }
    ExitCode::from(code)
}

/// The command line's definition, with `--version` naming the crypto backend
/// (`-V` prints the version alone).
fn command() -> clap::Command {
    use clap::CommandFactory as _;
    static LONG_VERSION: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let long_version = LONG_VERSION.get_or_init(|| {
        format!(
            "{}\ncrypto backend: {}",
            env!("CARGO_PKG_VERSION"),
            pingpp_sign::backend().name()
        )
    });
    Cli::command().long_version(long_version.as_str())
}

/// Parses the process's arguments.
fn parse() -> Result<Cli, clap::Error> {
    use clap::FromArgMatches as _;
    let mut command = command();
    let matches = command.try_get_matches_from_mut(std::env::args_os())?;
    Cli::from_arg_matches(&matches).map_err(|e| e.format(&mut command))
}

fn main() -> ExitCode {
    let cli = match parse() {
        Ok(cli) => cli,
        Err(e) => return parse_error(&e),
    };
    let format = output::Format::from_flag(cli.json);
    init_tracing(match &cli.command {
        Command::Mock(args) => args.default_log_filter(),
        _ => "warn",
    });
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            let e: BoxError =
                exit::CliError::new(exit::Kind::Internal, "cannot start the async runtime")
                    .with_source(e)
                    .into();
            return format.error(&e);
        }
    };
    let result: Result<ExitCode, BoxError> = runtime.block_on(async move {
        match cli.command {
            Command::Demo(_) | Command::Completions { .. } if format.is_json() => {
                Err(exit::CliError::usage("--json: demo and completions print text only").into())
            }
            Command::Demo(args) => demo::run(args).await,
            Command::Mock(args) => mock_cmd::run(args, format).await,
            Command::Keygen(args) => keys::keygen(&args, format),
            Command::Sign(args) => keys::sign(&args, format),
            Command::Webhook(WebhookCommand::Verify(args)) => keys::verify(&args, format),
            Command::Webhook(WebhookCommand::Trigger(args)) => trigger::run(args, format).await,
            Command::Withdrawal(cmd) => withdrawal::run(cmd, format).await,
            Command::BatchWithdrawal(cmd) => batch::run(cmd, format).await,
            Command::Recharge(cmd) => recharge::run(cmd, format).await,
            Command::SettleAccount(cmd) => settle_account::run(cmd, format).await,
            Command::Events(cmd) => events::run(cmd, format).await,
            Command::Completions { shell } => completions(shell),
        }
    });
    match result {
        Ok(code) => code,
        Err(e) => format.error(&e),
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
        // The credential flags of the API commands, before and after the subcommand.
        for args in [
            &[
                "pingpp",
                "withdrawal",
                "--api-key",
                "sk_live_SECRET1",
                "--private-key",
                pem,
                "get",
                "1",
            ][..],
            &[
                "pingpp",
                "recharge",
                "refunds",
                "221",
                "--api-key",
                "sk_test_SECRET1",
                "--private-key",
                "/keys/SECRET_private.pem",
            ],
        ] {
            let cli = Cli::try_parse_from(args).expect("parses");
            let s = format!("{cli:?}");
            assert!(!s.contains("SECRET"), "{s}");
            assert!(s.contains("<redacted>"), "{s}");
        }
        let cli = Cli::try_parse_from([
            "pingpp",
            "webhook",
            "trigger",
            "refund.succeeded",
            "--to",
            "http://127.0.0.1:1/",
            "--signing-key",
            pem,
        ])
        .expect("parses");
        let s = format!("{cli:?}");
        assert!(!s.contains("SECRET"), "{s}");
    }
}
