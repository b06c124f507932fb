//! `pingpp batch-withdrawal ...`: confirm or cancel many created withdrawals at once.

use std::process::ExitCode;

use clap::{ArgGroup, Args, Subcommand};
use pingpp_types::{
    BatchWithdrawalListParams, BatchWithdrawalStatus, CreateBatchWithdrawal, Metadata,
};
use pingpp_withdrawal::WithdrawalsExt;

use crate::BoxError;
use crate::args::{Api, PageArgs, json_object};
use crate::output::{Format, print_all};

/// `pingpp batch-withdrawal ...`.
#[derive(Debug, Subcommand)]
pub(crate) enum BatchCommand {
    /// Confirm (--confirm) or cancel (--cancel) up to 200 created withdrawals at once.
    Create(CreateBatchArgs),
    /// Retrieve a batch.
    Get {
        /// Batch withdrawal id.
        id: String,
    },
    /// List batches (newest first).
    List(BatchListArgs),
}

/// `pingpp batch-withdrawal create`.
#[derive(Debug, Args)]
#[command(group(ArgGroup::new("action").required(true).args(["confirm", "cancel"])))]
pub(crate) struct CreateBatchArgs {
    /// Confirm the withdrawals (they become `pending`: the payouts start).
    #[arg(long)]
    confirm: bool,
    /// Cancel the withdrawals (the amounts go back to the users).
    #[arg(long)]
    cancel: bool,
    /// Metadata as a JSON object.
    #[arg(long, value_parser = json_object)]
    metadata: Option<Metadata>,
    /// The withdrawal ids (1 to 200).
    #[arg(value_name = "WITHDRAWAL_ID", required = true)]
    ids: Vec<String>,
}

/// `pingpp batch-withdrawal list`.
#[derive(Debug, Args)]
pub(crate) struct BatchListArgs {
    #[command(flatten)]
    paging: PageArgs,
    /// Only this status.
    #[arg(long)]
    status: Option<String>,
}

pub(crate) async fn run(api: Api<BatchCommand>, format: Format) -> Result<ExitCode, BoxError> {
    let client = api.client.client()?;
    let batches = client.batch_withdrawals();
    match api.command {
        BatchCommand::Create(a) => {
            let mut params = if a.cancel {
                CreateBatchWithdrawal::cancel(a.ids)
            } else {
                CreateBatchWithdrawal::confirm(a.ids)
            };
            if let Some(md) = a.metadata {
                params = params.metadata(md);
            }
            format.print(&batches.create(&params).await?)
        }
        BatchCommand::Get { id } => format.print(&batches.retrieve(&id).await?),
        BatchCommand::List(a) => {
            let mut p = a.paging.apply(
                BatchWithdrawalListParams::new(),
                BatchWithdrawalListParams::page,
                BatchWithdrawalListParams::per_page,
            );
            if let Some(v) = a.status {
                p = p.status(BatchWithdrawalStatus::from(v.as_str()));
            }
            if a.paging.all {
                print_all(batches.list_all(p)).await
            } else {
                format.print(&batches.list(&p).await?)
            }
        }
    }
}
