//! Resource commands: `pingpp withdrawal ...`, `pingpp recharge ...` and
//! `pingpp settle-account ...`, configured by the client's environment variables,
//! printing JSON.

use std::process::ExitCode;

use clap::{Args, Subcommand};
use pingpp_recharge::RechargesExt;
use pingpp_transport::Client;
use pingpp_types::{
    Channel, ChannelExtra, CreateRecharge, CreateRechargeCharge, CreateRechargeRefund,
    CreateSettleAccount, CreateWithdrawal, ListParams, Metadata, WithdrawalListParams,
    WithdrawalStatus,
};
use pingpp_withdrawal::WithdrawalsExt;
use serde::Serialize;

use crate::{BoxError, outln};

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
    /// List withdrawals.
    List(WithdrawalListArgs),
    /// Confirm a created withdrawal (status `pending`).
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
    #[arg(long, requires = "channel")]
    extra: Option<String>,
    /// A settlement account id bound to the user (instead of channel + extra).
    #[arg(long, conflicts_with = "channel")]
    settle_account: Option<String>,
    /// Fee in fen borne by the user.
    #[arg(long)]
    user_fee: Option<i64>,
    /// Description (at most 60 characters).
    #[arg(long)]
    description: Option<String>,
    /// Metadata as a JSON object.
    #[arg(long)]
    metadata: Option<String>,
}

/// `pingpp withdrawal list`.
#[derive(Debug, Args)]
pub(crate) struct WithdrawalListArgs {
    /// Page, from 1.
    #[arg(long)]
    page: Option<u32>,
    /// Items per page, 1-100.
    #[arg(long)]
    per_page: Option<u32>,
    /// Only this status.
    #[arg(long)]
    status: Option<String>,
    /// Only this channel.
    #[arg(long)]
    channel: Option<String>,
    /// Only this user.
    #[arg(long)]
    user: Option<String>,
}

/// `pingpp settle-account ...`: a user's saved payout destinations.
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
    List {
        /// The user.
        #[arg(long)]
        user: String,
        /// Page, from 1.
        #[arg(long)]
        page: Option<u32>,
        /// Items per page, 1-100.
        #[arg(long)]
        per_page: Option<u32>,
    },
    /// Delete one of a user's settle accounts.
    Delete {
        /// The user it belongs to.
        #[arg(long)]
        user: String,
        /// Settle account id.
        id: String,
    },
}

/// `pingpp recharge ...`.
#[derive(Debug, Subcommand)]
pub(crate) enum RechargeCommand {
    /// Create a recharge.
    Create(CreateRechargeArgs),
    /// Refund a recharge (the whole of it).
    Refund {
        /// Recharge id.
        recharge_id: String,
        /// Why (required, at most 255 characters).
        #[arg(long)]
        description: String,
        /// Metadata as a JSON object.
        #[arg(long)]
        metadata: Option<String>,
    },
    /// List the refunds of a recharge.
    Refunds {
        /// Recharge id.
        recharge_id: String,
        /// Page, from 1.
        #[arg(long)]
        page: Option<u32>,
        /// Items per page, 1-100.
        #[arg(long)]
        per_page: Option<u32>,
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
    #[arg(long)]
    metadata: Option<String>,
}

fn client() -> Result<Client, BoxError> {
    Ok(Client::from_env()?)
}

fn print_json<T: Serialize>(value: &T) -> Result<ExitCode, BoxError> {
    outln!("{}", serde_json::to_string_pretty(value)?);
    Ok(ExitCode::SUCCESS)
}

fn parse_metadata(arg: Option<&String>) -> Result<Option<Metadata>, BoxError> {
    arg.map(|s| {
        serde_json::from_str::<Metadata>(s)
            .map_err(|e| format!("--metadata must be a JSON object: {e}").into())
    })
    .transpose()
}

pub(crate) async fn withdrawal(cmd: WithdrawalCommand) -> Result<ExitCode, BoxError> {
    let client = client()?;
    let w = client.withdrawals();
    match cmd {
        WithdrawalCommand::Create(a) => {
            let mut params = match (&a.channel, &a.settle_account) {
                (Some(ch), _) => {
                    let extra: serde_json::Value = match &a.extra {
                        Some(e) => serde_json::from_str(e)
                            .map_err(|e| format!("--extra must be a JSON object: {e}"))?,
                        None => serde_json::Value::Object(Default::default()),
                    };
                    let extra = ChannelExtra::from_parts(&Channel::from(ch.as_str()), extra)
                        .map_err(|e| format!("--extra does not fit channel {ch}: {e}"))?;
                    CreateWithdrawal::new(a.user, a.amount, a.order_no, extra)
                }
                (None, Some(sa)) => {
                    CreateWithdrawal::to_settle_account(a.user, a.amount, a.order_no, sa.clone())
                }
                (None, None) => {
                    return Err("give --channel and --extra, or --settle-account".into());
                }
            };
            if let Some(fee) = a.user_fee {
                params = params.user_fee(fee);
            }
            if let Some(d) = a.description {
                params = params.description(d);
            }
            if let Some(md) = parse_metadata(a.metadata.as_ref())? {
                params = params.metadata(md);
            }
            print_json(&w.create(&params).await?)
        }
        WithdrawalCommand::Get { id } => print_json(&w.retrieve(&id).await?),
        WithdrawalCommand::List(a) => {
            let mut p = WithdrawalListParams::new();
            if let Some(v) = a.page {
                p = p.page(v);
            }
            if let Some(v) = a.per_page {
                p = p.per_page(v);
            }
            if let Some(v) = a.status {
                p = p.status(WithdrawalStatus::from(v.as_str()));
            }
            if let Some(v) = a.channel {
                p = p.channel(Channel::from(v.as_str()));
            }
            if let Some(v) = a.user {
                p = p.user(v);
            }
            print_json(&w.list(&p).await?)
        }
        WithdrawalCommand::Confirm { id } => print_json(&w.confirm(&id).await?),
        WithdrawalCommand::Cancel { id } => print_json(&w.cancel(&id).await?),
    }
}

fn list_params(page: Option<u32>, per_page: Option<u32>) -> ListParams {
    let mut p = ListParams::new();
    if let Some(v) = page {
        p = p.page(v);
    }
    if let Some(v) = per_page {
        p = p.per_page(v);
    }
    p
}

pub(crate) async fn recharge(cmd: RechargeCommand) -> Result<ExitCode, BoxError> {
    let client = client()?;
    match cmd {
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
            if let Some(md) = parse_metadata(a.metadata.as_ref())? {
                params = params.metadata(md);
            }
            print_json(&client.recharges().create(&params).await?)
        }
        RechargeCommand::Refund {
            recharge_id,
            description,
            metadata,
        } => {
            let mut params = CreateRechargeRefund::new(description);
            if let Some(md) = parse_metadata(metadata.as_ref())? {
                params = params.metadata(md);
            }
            print_json(
                &client
                    .recharge_refunds()
                    .create(&recharge_id, &params)
                    .await?,
            )
        }
        RechargeCommand::Refunds {
            recharge_id,
            page,
            per_page,
        } => print_json(
            &client
                .recharge_refunds()
                .list(&recharge_id, &list_params(page, per_page))
                .await?,
        ),
        RechargeCommand::RefundGet {
            recharge_id,
            refund_id,
        } => print_json(
            &client
                .recharge_refunds()
                .retrieve(&recharge_id, &refund_id)
                .await?,
        ),
    }
}

pub(crate) async fn settle_account(cmd: SettleAccountCommand) -> Result<ExitCode, BoxError> {
    let client = client()?;
    match cmd {
        SettleAccountCommand::Create {
            user,
            channel,
            recipient,
        } => {
            let recipient: serde_json::Value = serde_json::from_str(&recipient)
                .map_err(|e| format!("--recipient must be a JSON object: {e}"))?;
            let params: CreateSettleAccount = serde_json::from_value(
                serde_json::json!({"channel": channel, "recipient": recipient}),
            )
            .map_err(|e| format!("--recipient does not fit channel {channel}: {e}"))?;
            print_json(&client.settle_accounts(&user).create(&params).await?)
        }
        SettleAccountCommand::Get { user, id } => {
            print_json(&client.settle_accounts(&user).retrieve(&id).await?)
        }
        SettleAccountCommand::List {
            user,
            page,
            per_page,
        } => print_json(
            &client
                .settle_accounts(&user)
                .list(&list_params(page, per_page))
                .await?,
        ),
        SettleAccountCommand::Delete { user, id } => {
            print_json(&client.settle_accounts(&user).delete(&id).await?)
        }
    }
}
