//! `pingpp recharge ...`: balance recharges and their refunds.

use std::process::ExitCode;

use clap::{Args, Subcommand};
use pingpp_recharge::RechargesExt;
use pingpp_types::{CreateRecharge, CreateRechargeCharge, CreateRechargeRefund, Metadata};

use crate::BoxError;
use crate::args::{Api, FindArgs, PageArgs, json_object};
use crate::output::{Format, print_all, print_found};

/// `pingpp recharge ...`.
#[derive(Debug, Subcommand)]
pub(crate) enum RechargeCommand {
    /// Create a recharge.
    Create(CreateRechargeArgs),
    /// Retrieve a recharge.
    Get {
        /// Recharge id.
        id: String,
    },
    /// List recharges (newest first).
    List(PageArgs),
    /// Look a recharge up by the user and its charge's order number, e.g. after a create
    /// whose outcome is unknown (exit status 3). Prints the recharge, or `null` when
    /// there is none. Reads every recharge of the app until found (the list has no
    /// filter).
    Find(FindArgs),
    /// Refund a recharge (the whole of it).
    Refund {
        /// Recharge id.
        recharge_id: String,
        /// Why (required, at most 255 characters).
        #[arg(long)]
        description: String,
        /// Metadata as a JSON object (see `pingpp mock --help` for the emulator's
        /// mock_outcome).
        #[arg(long, value_parser = json_object)]
        metadata: Option<Metadata>,
    },
    /// List the refunds of a recharge.
    Refunds {
        /// Recharge id.
        recharge_id: String,
        #[command(flatten)]
        paging: PageArgs,
    },
    /// Retrieve a refund of a recharge.
    RefundGet {
        /// Recharge id.
        recharge_id: String,
        /// Refund id.
        refund_id: String,
    },
}

/// `pingpp recharge create`.
#[derive(Debug, Args)]
pub(crate) struct CreateRechargeArgs {
    /// The user credited.
    #[arg(long)]
    user: String,
    /// Amount paid in fen.
    #[arg(long)]
    amount: i64,
    /// Payment channel of the charge, e.g. alipay.
    #[arg(long, default_value = "alipay")]
    channel: String,
    /// Charge order number (unique).
    #[arg(long)]
    order_no: String,
    /// Charge subject (at most 32 characters).
    #[arg(long, default_value = "Balance recharge")]
    subject: String,
    /// Charge body (at most 128 characters).
    #[arg(long, default_value = "Balance recharge")]
    body: String,
    /// Fee in fen borne by the user.
    #[arg(long)]
    user_fee: Option<i64>,
    /// Bonus in fen credited on top.
    #[arg(long)]
    balance_bonus: Option<i64>,
    /// Description.
    #[arg(long)]
    description: Option<String>,
    /// Metadata as a JSON object.
    #[arg(long, value_parser = json_object)]
    metadata: Option<Metadata>,
}

pub(crate) async fn run(api: Api<RechargeCommand>, format: Format) -> Result<ExitCode, BoxError> {
    let client = api.client.client()?;
    let recharges = client.recharges();
    let refunds = client.recharge_refunds();
    match api.command {
        RechargeCommand::Create(a) => {
            let charge =
                CreateRechargeCharge::new(a.amount, a.channel, a.order_no, a.subject, a.body);
            let mut params = CreateRecharge::new(a.user, charge);
            if let Some(v) = a.user_fee {
                params = params.user_fee(v);
            }
            if let Some(v) = a.balance_bonus {
                params = params.balance_bonus(v);
            }
            if let Some(v) = a.description {
                params = params.description(v);
            }
            if let Some(md) = a.metadata {
                params = params.metadata(md);
            }
            format.print(&recharges.create(&params).await?)
        }
        RechargeCommand::Get { id } => format.print(&recharges.retrieve(&id).await?),
        RechargeCommand::List(paging) => {
            let params = paging.list_params();
            if paging.all {
                print_all(recharges.list_all(params)).await
            } else {
                format.print(&recharges.list(&params).await?)
            }
        }
        RechargeCommand::Find(a) => {
            let found = recharges.find_by_order_no(&a.user, &a.order_no).await?;
            print_found(format, found, "recharge", &a)
        }
        RechargeCommand::Refund {
            recharge_id,
            description,
            metadata,
        } => {
            let mut params = CreateRechargeRefund::new(description);
            if let Some(md) = metadata {
                params = params.metadata(md);
            }
            format.print(&refunds.create(&recharge_id, &params).await?)
        }
        RechargeCommand::Refunds {
            recharge_id,
            paging,
        } => {
            let params = paging.list_params();
            if paging.all {
                print_all(refunds.list_all(&recharge_id, params)).await
            } else {
                format.print(&refunds.list(&recharge_id, &params).await?)
            }
        }
        RechargeCommand::RefundGet {
            recharge_id,
            refund_id,
        } => format.print(&refunds.retrieve(&recharge_id, &refund_id).await?),
    }
}
