//! `pingpp withdrawal ...`: balance withdrawals.

use std::process::ExitCode;

use clap::{Args, Subcommand};
use pingpp_types::{
    Channel, ChannelExtra, CreateWithdrawal, Metadata, WithdrawalListParams, WithdrawalStatus,
};
use pingpp_withdrawal::WithdrawalsExt;

use crate::BoxError;
use crate::args::{Api, FindArgs, PageArgs, json_object};
use crate::exit::CliError;
use crate::output::{Format, print_all, print_found};

/// `pingpp withdrawal ...`.
#[derive(Debug, Subcommand)]
pub(crate) enum WithdrawalCommand {
    /// Create a withdrawal (status `created`; the amount is debited from the user).
    Create(CreateWithdrawalArgs),
    /// Retrieve a withdrawal.
    Get {
        /// Withdrawal id.
        id: String,
    },
    /// List withdrawals (newest first).
    List(WithdrawalListArgs),
    /// Look a withdrawal up by the user and its order number, e.g. after a create whose
    /// outcome is unknown (exit status 3). Prints the withdrawal, or `null` when there
    /// is none (then it was never created: sending the create again is safe).
    Find(FindArgs),
    /// Confirm a created withdrawal (status `pending`): the payout starts.
    Confirm {
        /// Withdrawal id.
        id: String,
    },
    /// Cancel a created withdrawal (the amount goes back to the user).
    Cancel {
        /// Withdrawal id.
        id: String,
    },
}

/// `pingpp withdrawal create`.
#[derive(Debug, Args)]
pub(crate) struct CreateWithdrawalArgs {
    /// The user whose balance is debited.
    #[arg(long)]
    user: String,
    /// Amount in fen.
    #[arg(long)]
    amount: i64,
    /// Merchant order number (unique; format depends on the channel).
    #[arg(long)]
    order_no: String,
    /// Channel: unionpay, alipay, wx, wx_pub, wx_lite, allinpay or jdpay.
    #[arg(long, required_unless_present = "settle_account")]
    channel: Option<String>,
    /// The channel's extra as a JSON object, e.g. '{"open_id":"o..."}'.
    #[arg(long, requires = "channel", value_parser = json_object)]
    extra: Option<Metadata>,
    /// A settlement account id bound to the user (instead of channel + extra).
    #[arg(long, conflicts_with = "channel")]
    settle_account: Option<String>,
    /// Fee in fen borne by the user.
    #[arg(long)]
    user_fee: Option<i64>,
    /// Description (at most 60 characters).
    #[arg(long)]
    description: Option<String>,
    /// Metadata as a JSON object (see `pingpp mock --help` for the emulator's
    /// mock_outcome).
    #[arg(long, value_parser = json_object)]
    metadata: Option<Metadata>,
    /// Safe to run again: when this order_no is already used by the same request (same
    /// user, amount, user fee, channel or settle account), e.g. by a run whose outcome
    /// was unknown, print that withdrawal instead of failing; an unknown outcome (cut
    /// connection, timeout, 5xx) is sent again with the same order_no, which cannot pay
    /// twice. The order_no used by a different request: exit status 1.
    #[arg(long)]
    or_find: bool,
}

/// `pingpp withdrawal list`.
#[derive(Debug, Args)]
pub(crate) struct WithdrawalListArgs {
    #[command(flatten)]
    paging: PageArgs,
    /// Only this status (created, pending, succeeded, failed, canceled).
    #[arg(long)]
    status: Option<String>,
    /// Only this channel.
    #[arg(long)]
    channel: Option<String>,
    /// Only this user.
    #[arg(long)]
    user: Option<String>,
}

/// The parameters of `withdrawal create`.
fn create_params(a: CreateWithdrawalArgs) -> Result<CreateWithdrawal, BoxError> {
    let mut params = match (&a.channel, &a.settle_account) {
        (Some(ch), _) => {
            let extra = serde_json::Value::Object(a.extra.unwrap_or_default());
            let extra = ChannelExtra::from_parts(&Channel::from(ch.as_str()), extra)
                .map_err(|e| CliError::usage(format!("--extra does not fit channel {ch}: {e}")))?;
            CreateWithdrawal::new(a.user, a.amount, a.order_no, extra)
        }
        (None, Some(sa)) => {
            CreateWithdrawal::to_settle_account(a.user, a.amount, a.order_no, sa.clone())
        }
        (None, None) => {
            return Err(CliError::usage("give --channel and --extra, or --settle-account").into());
        }
    };
    if let Some(fee) = a.user_fee {
        params = params.user_fee(fee);
    }
    if let Some(d) = a.description {
        params = params.description(d);
    }
    if let Some(md) = a.metadata {
        params = params.metadata(md);
    }
    Ok(params)
}

pub(crate) async fn run(api: Api<WithdrawalCommand>, format: Format) -> Result<ExitCode, BoxError> {
    let client = api.client.client()?;
    let w = client.withdrawals();
    match api.command {
        WithdrawalCommand::Create(a) => {
            let or_find = a.or_find;
            let params = create_params(a)?;
            if or_find {
                format.print(&w.create_or_find(&params).await?)
            } else {
                format.print(&w.create(&params).await?)
            }
        }
        WithdrawalCommand::Get { id } => format.print(&w.retrieve(&id).await?),
        WithdrawalCommand::List(a) => {
            let mut p = a.paging.apply(
                WithdrawalListParams::new(),
                WithdrawalListParams::page,
                WithdrawalListParams::per_page,
            );
            if let Some(v) = a.status {
                p = p.status(WithdrawalStatus::from(v.as_str()));
            }
            if let Some(v) = a.channel {
                p = p.channel(Channel::from(v.as_str()));
            }
            if let Some(v) = a.user {
                p = p.user(v);
            }
            if a.paging.all {
                print_all(w.list_all(p)).await
            } else {
                format.print(&w.list(&p).await?)
            }
        }
        WithdrawalCommand::Find(a) => {
            let found = w.find_by_order_no(&a.user, &a.order_no).await?;
            print_found(format, found, "withdrawal", &a)
        }
        WithdrawalCommand::Confirm { id } => format.print(&w.confirm(&id).await?),
        WithdrawalCommand::Cancel { id } => format.print(&w.cancel(&id).await?),
    }
}
