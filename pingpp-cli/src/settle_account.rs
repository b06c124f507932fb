//! `pingpp settle-account ...`: a user's saved payout destinations (protocol §5.6).

use std::process::ExitCode;

use clap::{Args, Subcommand};
use pingpp_types::CreateSettleAccount;
use pingpp_withdrawal::WithdrawalsExt;

use crate::BoxError;
use crate::args::{Api, PageArgs};
use crate::exit::CliError;
use crate::output::{Format, print_all};

/// `pingpp settle-account ...`.
#[derive(Debug, Subcommand)]
pub(crate) enum SettleAccountCommand {
    /// Save a settle account for a user.
    Create {
        /// The user it belongs to.
        #[arg(long)]
        user: String,
        /// Channel: bank_account, alipay or wx_pub.
        #[arg(long)]
        channel: String,
        /// The recipient as a JSON object, e.g.
        /// '{"account":"6214666666666666","name":"张三","type":"b2c","open_bank_code":"0308"}'
        /// (for wx_pub the account is the open id).
        #[arg(long)]
        recipient: String,
    },
    /// Retrieve one of a user's settle accounts.
    Get {
        /// The user it belongs to.
        #[arg(long)]
        user: String,
        /// Settle account id.
        id: String,
    },
    /// List a user's settle accounts.
    List(SettleAccountListArgs),
    /// Delete one of a user's settle accounts.
    Delete {
        /// The user it belongs to.
        #[arg(long)]
        user: String,
        /// Settle account id.
        id: String,
    },
}

/// `pingpp settle-account list`.
#[derive(Debug, Args)]
pub(crate) struct SettleAccountListArgs {
    /// The user.
    #[arg(long)]
    user: String,
    #[command(flatten)]
    paging: PageArgs,
}

pub(crate) async fn run(
    api: Api<SettleAccountCommand>,
    format: Format,
) -> Result<ExitCode, BoxError> {
    let client = api.client.client()?;
    match api.command {
        SettleAccountCommand::Create {
            user,
            channel,
            recipient,
        } => {
            let recipient: serde_json::Value = serde_json::from_str(&recipient)
                .map_err(|e| CliError::usage(format!("--recipient must be a JSON object: {e}")))?;
            let params: CreateSettleAccount = serde_json::from_value(
                serde_json::json!({"channel": channel, "recipient": recipient}),
            )
            .map_err(|e| {
                CliError::usage(format!("--recipient does not fit channel {channel}: {e}"))
            })?;
            format.print(&client.settle_accounts(&user).create(&params).await?)
        }
        SettleAccountCommand::Get { user, id } => {
            format.print(&client.settle_accounts(&user).retrieve(&id).await?)
        }
        SettleAccountCommand::List(a) => {
            let accounts = client.settle_accounts(&a.user);
            let params = a.paging.list_params();
            if a.paging.all {
                print_all(accounts.list_all(params)).await
            } else {
                format.print(&accounts.list(&params).await?)
            }
        }
        SettleAccountCommand::Delete { user, id } => {
            format.print(&client.settle_accounts(&user).delete(&id).await?)
        }
    }
}
