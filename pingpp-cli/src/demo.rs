//! `pingpp demo`: the whole story through the SDK, against the in-process emulator (or
//! a running one), with a readable report and a non-zero exit when anything deviates.

use std::future::Future;
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use clap::Args;
use pingpp_recharge::RechargesExt;
use pingpp_transport::Client;
use pingpp_types::{
    AlipayAccountType, AlipayExtra, AlipayRecipient, AllinpayExtra, ChannelExtra,
    CreateBatchWithdrawal, CreateRecharge, CreateRechargeCharge, CreateRechargeRefund,
    CreateSettleAccount, CreateWithdrawal, Event, JdpayExtra, ListParams, RecipientType,
    RefundStatus, SettleAccountChannel, UnionpayBank, UnionpayExtra, Withdrawal,
    WithdrawalListParams, WithdrawalStatus, WxExtra,
};
use pingpp_withdrawal::WithdrawalsExt;

use crate::{BoxError, outln};

/// `pingpp demo`.
#[derive(Debug, Args)]
pub(crate) struct DemoArgs {
    /// Run against this emulator (e.g. one started with `pingpp mock`) instead of an
    /// in-process one; credentials then come from PINGPP_API_KEY / PINGPP_APP_ID /
    /// PINGPP_PRIVATE_KEY or PINGPP_PRIVATE_KEY_PATH. Webhook steps are skipped.
    #[arg(long)]
    base_url: Option<String>,
}

const DEMO_KEY: &str = "sk_test_demo0000000000000000000";
const DEMO_APP: &str = "app_demo000000000000";
const INITIAL: i64 = 100_000;
const TO_REFUND: i64 = 5_000;
const PER_WITHDRAWAL: i64 = 1_000;

/// The report: numbered steps, each ok or failed.
struct Report {
    step: u32,
    failures: Vec<String>,
}

impl Report {
    fn section(&self, title: &str) {
        outln!();
        outln!("== {title}");
    }

    fn ok(&mut self, what: &str, detail: impl std::fmt::Display) {
        self.step += 1;
        outln!("  [ok]   {:>2}. {what}: {detail}", self.step);
    }

    fn fail(&mut self, what: &str, detail: impl std::fmt::Display) {
        self.step += 1;
        outln!("  [FAIL] {:>2}. {what}: {detail}", self.step);
        self.failures.push(format!("{}. {what}", self.step));
    }

    fn check(&mut self, cond: bool, what: &str, detail: impl std::fmt::Display) -> bool {
        if cond {
            self.ok(what, detail);
        } else {
            self.fail(what, detail);
        }
        cond
    }

    /// Runs an SDK call; a failure is reported and yields `None`.
    async fn call<T, F>(&mut self, what: &str, fut: F) -> Option<T>
    where
        F: Future<Output = Result<T, pingpp_transport::Error>>,
    {
        match fut.await {
            Ok(v) => Some(v),
            Err(e) => {
                self.fail(what, format!("unexpected error: {e}"));
                None
            }
        }
    }
}

fn yuan(fen: i64) -> String {
    format!("¥{}.{:02}", fen / 100, (fen % 100).abs())
}

/// Polls `f` every 20 ms until it yields `Some`, at most `timeout`.
async fn poll<T, F, Fut>(timeout: Duration, mut f: F) -> Option<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let start = Instant::now();
    loop {
        if let Some(v) = f().await {
            return Some(v);
        }
        if start.elapsed() >= timeout {
            return None;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// The in-process environment: emulator plus verifying webhook receiver.
struct Local {
    mock: pingpp_mock::RunningMock,
    /// A client signing with a key the emulator does not know.
    wrong_key_client: Client,
    events: Arc<Mutex<Vec<Event>>>,
    receiver: tokio::task::JoinHandle<()>,
}

async fn start_local() -> Result<(Local, Client), BoxError> {
    outln!("Starting the Ping++ emulator and a webhook receiver on 127.0.0.1 ...");
    let merchant = pingpp_sign::generate_keypair()?;
    let pingpp_key = pingpp_sign::generate_keypair()?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let hook_addr = listener.local_addr()?;
    let verifier = pingpp_webhook::Verifier::from_pem(pingpp_key.public_pem())?;
    let events = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&events);
    let service = pingpp_webhook::server::WebhookService::new(verifier, move |event: Event| {
        let sink = Arc::clone(&sink);
        async move {
            sink.lock().unwrap_or_else(|e| e.into_inner()).push(event);
            Ok::<(), std::io::Error>(())
        }
    });
    let receiver = tokio::spawn(pingpp_webhook::server::serve(listener, service));
    let mock = pingpp_mock::MockServer::builder()
        .api_key(DEMO_KEY)
        .merchant_public_key(merchant.public_key()?)
        .signing_key(pingpp_key.private_key()?)
        .webhook_url(format!("http://{hook_addr}/pingpp/webhooks"))
        // Processing takes 2 s at Ping++; 20 ms here.
        .time_scale(100.0)
        .start()
        .await?;
    outln!("  emulator:         {}", mock.base_url());
    outln!(
        "  webhook receiver: http://{hook_addr}/pingpp/webhooks (verifies X-Pingplusplus-Signature)"
    );
    outln!("  requests are signed with a fresh merchant key; the emulator checks every signature");
    let client = Client::builder()
        .api_key(DEMO_KEY)
        .app_id(DEMO_APP)
        .base_url(mock.base_url())
        .private_key(merchant.private_key()?)
        .build()?;
    let wrong_key_client = Client::builder()
        .api_key(DEMO_KEY)
        .app_id(DEMO_APP)
        .base_url(mock.base_url())
        .private_key(pingpp_sign::generate_keypair()?.private_key()?)
        .build()?;
    Ok((
        Local {
            mock,
            wrong_key_client,
            events,
            receiver,
        },
        client,
    ))
}

fn channel_extra(channel: &str) -> ChannelExtra {
    match channel {
        "unionpay" => ChannelExtra::Unionpay(UnionpayExtra::new(
            "6214850266666666",
            "张三",
            UnionpayBank::Code("0308".into()),
        )),
        "alipay" => ChannelExtra::Alipay(
            AlipayExtra::new("zhangsan@example.com", "张三")
                .account_type(AlipayAccountType::LogonId),
        ),
        "wx" => ChannelExtra::Wx(WxExtra::new("o9zpMs9jIaLynQY9N6yxcZ")),
        "wx_pub" => {
            ChannelExtra::WxPub(WxExtra::new("o9zpMs9jIaLynQY9N6yxcZ").checked_name("张三"))
        }
        "wx_lite" => ChannelExtra::WxLite(WxExtra::new("o9zpMs9jIaLynQY9N6yxcZ")),
        "allinpay" => ChannelExtra::Allinpay(
            AllinpayExtra::new("6214850266666666", "张三", "0308").card_type(0),
        ),
        _ => ChannelExtra::Jdpay(JdpayExtra::new("6214850266666666", "张三", "0308")),
    }
}

fn order_no(channel: &str, run: u64, n: usize) -> String {
    match channel {
        "unionpay" => format!("{:016}", (run % 10_000_000_000) * 100 + n as u64),
        "allinpay" => format!("1234567890demo{run}{n}"),
        _ => format!("demo{run}{n}"),
    }
}

pub(crate) async fn run(args: DemoArgs) -> Result<ExitCode, BoxError> {
    let (local, client) = match &args.base_url {
        None => {
            let (l, c) = start_local().await?;
            (Some(l), c)
        }
        Some(url) => {
            let client = pingpp_transport::ClientBuilder::from_env_with(|name| match name {
                "PINGPP_API_KEY" => std::env::var(name).ok().or_else(|| Some(DEMO_KEY.into())),
                "PINGPP_APP_ID" => std::env::var(name).ok().or_else(|| Some(DEMO_APP.into())),
                _ => std::env::var(name).ok(),
            })?
            .base_url(url.clone())
            .build()?;
            outln!("Using the emulator at {url} (webhook steps are skipped)");
            (None, client)
        }
    };
    let run_id = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64 % 100_000_000_000)
        .unwrap_or(0);
    let user = format!("demo_user_{run_id}");
    let mut r = Report {
        step: 0,
        failures: Vec::new(),
    };
    story(&client, &user, run_id, &mut r, local.as_ref()).await;

    if let Some(local) = &local {
        webhooks(local, &user, &mut r).await;
    }
    outln!();
    if let Some(local) = local {
        local.receiver.abort();
        local.mock.shutdown().await;
    }
    if r.failures.is_empty() {
        outln!("All {} steps behaved as documented.", r.step);
        Ok(ExitCode::SUCCESS)
    } else {
        outln!(
            "{} of {} steps did NOT behave as documented: {}",
            r.failures.len(),
            r.step,
            r.failures.join(", ")
        );
        Ok(crate::exit::demo_deviated())
    }
}

async fn story(client: &Client, user: &str, run: u64, r: &mut Report, local: Option<&Local>) {
    if let Some(local) = local {
        r.section("Request signatures");
        let e = local
            .wrong_key_client
            .withdrawals()
            .list(&WithdrawalListParams::new())
            .await;
        match e {
            Err(e) if e.status().map(|s| s.as_u16()) == Some(401) => {
                r.ok("a request signed with an unknown key is refused", e)
            }
            Err(e) => r.fail(
                "a request signed with an unknown key is refused",
                format!("wrong error: {e}"),
            ),
            Ok(_) => r.fail(
                "a request signed with an unknown key is refused",
                "it was accepted",
            ),
        }
    }
    r.section(&format!("Recharge user {user}"));
    let mut recharge_ids = Vec::new();
    for (n, amount) in [INITIAL, TO_REFUND].into_iter().enumerate() {
        let params = CreateRecharge::new(
            user,
            CreateRechargeCharge::new(
                amount,
                "alipay",
                format!("rc{run}{n}"),
                "余额充值",
                "Demo balance recharge",
            ),
        )
        .description("pingpp demo");
        if let Some(rec) = r
            .call("create recharge", client.recharges().create(&params))
            .await
        {
            r.check(
                rec.succeeded && rec.amount == amount,
                "create recharge",
                format!(
                    "{} of {} -> succeeded={}",
                    rec.id,
                    yuan(rec.amount),
                    rec.succeeded
                ),
            );
            recharge_ids.push(rec.id);
        }
    }
    if let Some(id) = recharge_ids.first()
        && let Some(rec) = r
            .call("retrieve recharge", client.recharges().retrieve(id))
            .await
    {
        r.check(rec.id == *id, "retrieve recharge", &rec.id);
    }
    if let Some(list) = r
        .call(
            "list recharges",
            client.recharges().list(&ListParams::new().per_page(10)),
        )
        .await
    {
        let found = recharge_ids
            .iter()
            .all(|id| list.data.iter().any(|x| &x.id == id));
        r.check(
            found,
            "list recharges",
            format!("{} on the first page, ours included", list.data.len()),
        );
    }
    if let Some(m) = local.map(|l| &l.mock) {
        let bal = m.balance(DEMO_APP, user).unwrap_or(-1);
        r.check(bal == INITIAL + TO_REFUND, "user balance", yuan(bal));
    }

    r.section("Refund the second recharge");
    if let Some(rid) = recharge_ids.get(1) {
        let params = CreateRechargeRefund::new("demo: customer changed their mind");
        if let Some(refund) = r
            .call(
                "refund recharge",
                client.recharge_refunds().create(rid, &params),
            )
            .await
        {
            r.check(
                refund.status == RefundStatus::Pending,
                "refund recharge",
                format!(
                    "{} {} -> {:?}",
                    refund.id,
                    yuan(refund.amount),
                    refund.status
                ),
            );
            let done = poll(Duration::from_secs(10), || async {
                client
                    .recharge_refunds()
                    .retrieve(rid, &refund.id)
                    .await
                    .ok()
                    .filter(|x| x.status != RefundStatus::Pending)
            })
            .await;
            match done {
                Some(x) => {
                    r.check(
                        x.status == RefundStatus::Succeeded,
                        "retrieve refund",
                        format!("{} is {:?}", x.id, x.status),
                    );
                }
                None => r.fail("retrieve refund", "still pending after 10 s"),
            }
            if let Some(list) = r
                .call(
                    "list refunds",
                    client.recharge_refunds().list(rid, &ListParams::new()),
                )
                .await
            {
                r.check(
                    list.data.iter().any(|x| x.id == refund.id),
                    "list refunds",
                    format!("{} refund(s) of recharge {rid}", list.data.len()),
                );
            }
            let again = client.recharge_refunds().create(rid, &params).await;
            r.check(
                again.is_err(),
                "refund the same recharge again is refused",
                again
                    .err()
                    .map_or("accepted!".to_owned(), |e| e.to_string()),
            );
        }
    }

    r.section("Withdraw on each of the seven channels");
    let channels = [
        "unionpay", "alipay", "wx", "wx_pub", "wx_lite", "allinpay", "jdpay",
    ];
    let mut ws: Vec<(String, Withdrawal)> = Vec::new();
    for (n, ch) in channels.iter().enumerate() {
        let mut params = CreateWithdrawal::new(
            user,
            PER_WITHDRAWAL,
            order_no(ch, run, n),
            channel_extra(ch),
        )
        .description("demo withdrawal");
        if *ch == "wx_lite" {
            // Documented emulator outcome: the payee account is wrong.
            params = params.metadata_entry("mock_outcome", "failed");
        }
        if let Some(w) = r
            .call(
                &format!("create {ch} withdrawal"),
                client.withdrawals().create(&params),
            )
            .await
        {
            r.check(
                w.status == WithdrawalStatus::Created,
                &format!("create {ch} withdrawal"),
                format!("{} {} -> {:?}", w.id, yuan(w.amount), w.status),
            );
            ws.push((ch.to_string(), w));
        }
    }
    settle_account_withdrawal(client, user, run, r, &mut ws).await;
    let too_much = CreateWithdrawal::new(
        user,
        10 * INITIAL,
        format!("big{run}"),
        channel_extra("alipay"),
    );
    let refused = client.withdrawals().create(&too_much).await;
    r.check(
        refused.is_err(),
        "a withdrawal above the balance is refused",
        refused
            .err()
            .map_or("accepted!".to_owned(), |e| e.to_string()),
    );

    r.section("Cancel one, confirm the others (five one by one, two as a batch)");
    let mut expected: Vec<(String, WithdrawalStatus)> = Vec::new();
    let mut batch = Vec::new();
    for (ch, w) in &ws {
        match ch.as_str() {
            "jdpay" => {
                if let Some(x) = r
                    .call("cancel jdpay", client.withdrawals().cancel(&w.id))
                    .await
                {
                    r.check(
                        x.status == WithdrawalStatus::Canceled,
                        "cancel jdpay",
                        format!("{} -> {:?}", x.id, x.status),
                    );
                }
                expected.push((w.id.clone(), WithdrawalStatus::Canceled));
            }
            "allinpay" | "wx_pub" => {
                batch.push(w.id.clone());
                expected.push((w.id.clone(), WithdrawalStatus::Succeeded));
            }
            _ => {
                if let Some(x) = r
                    .call(
                        &format!("confirm {ch}"),
                        client.withdrawals().confirm(&w.id),
                    )
                    .await
                {
                    r.check(
                        x.status == WithdrawalStatus::Pending,
                        &format!("confirm {ch}"),
                        format!("{} -> {:?}", x.id, x.status),
                    );
                }
                let want = if ch == "wx_lite" {
                    WithdrawalStatus::Failed
                } else {
                    WithdrawalStatus::Succeeded
                };
                expected.push((w.id.clone(), want));
            }
        }
    }
    if !batch.is_empty()
        && let Some(b) = r
            .call(
                "batch confirm",
                client
                    .batch_withdrawals()
                    .create(&CreateBatchWithdrawal::confirm(batch.clone())),
            )
            .await
    {
        r.check(
            b.count == Some(batch.len() as i64),
            "batch confirm",
            format!("batch {} with {} withdrawals", b.id, batch.len()),
        );
        if let Some(b2) = r
            .call("retrieve batch", client.batch_withdrawals().retrieve(&b.id))
            .await
        {
            r.check(
                b2.id == b.id,
                "retrieve batch",
                format!("{} status {:?}", b2.id, b2.status),
            );
        }
    }
    if let Some((_, first)) = ws.first() {
        let again = client.withdrawals().cancel(&first.id).await;
        r.check(
            again.is_err(),
            "cancel a confirmed withdrawal is refused",
            again
                .err()
                .map_or("accepted!".to_owned(), |e| e.to_string()),
        );
    }

    r.section("Wait for the outcomes, retrieve and list");
    for (id, want) in &expected {
        let got = poll(Duration::from_secs(10), || async {
            client
                .withdrawals()
                .retrieve(id)
                .await
                .ok()
                .filter(|w| w.status != WithdrawalStatus::Pending)
        })
        .await;
        match got {
            Some(w) => {
                let detail = match &w.failure_msg {
                    Some(m) if !m.is_empty() => format!(
                        "{id} [{}] -> {:?} ({m})",
                        w.channel.as_ref().map_or("?", |c| c.as_str()),
                        w.status
                    ),
                    _ => format!(
                        "{id} [{}] -> {:?}",
                        w.channel.as_ref().map_or("?", |c| c.as_str()),
                        w.status
                    ),
                };
                r.check(&w.status == want, "retrieve withdrawal", detail);
            }
            None => r.fail(
                "retrieve withdrawal",
                format!("{id} still pending after 10 s"),
            ),
        }
    }
    let params = WithdrawalListParams::new().user(user).per_page(20);
    if let Some(list) = r
        .call("list withdrawals", client.withdrawals().list(&params))
        .await
    {
        r.check(
            list.data.len() == ws.len(),
            "list withdrawals",
            format!(
                "{} for {user}, total {}",
                list.data.len(),
                yuan(list.total_withdrawals_amount.unwrap_or(0))
            ),
        );
    }
    if let Some(m) = local.map(|l| &l.mock) {
        // Three channels and the settle account succeed one by one (wx_lite fails),
        // two in the batch; jdpay is canceled.
        let paid = 6 * PER_WITHDRAWAL;
        let want = INITIAL - paid;
        match m.ledger(DEMO_APP, user) {
            Some(l) => {
                r.check(
                    l.balance == want && l.paid_out == paid && l.in_flight == 0 && l.is_balanced(),
                    "money balances",
                    format!(
                        "recharged {} - refunded {} = balance {} + in flight {} + paid out {}",
                        yuan(l.recharged),
                        yuan(l.refunded),
                        yuan(l.balance),
                        yuan(l.in_flight),
                        yuan(l.paid_out)
                    ),
                );
            }
            None => r.fail("money balances", "the user has no ledger"),
        }
    }
}

/// Saves an Alipay settle account for the user, withdraws to it (the withdrawal then
/// carries the account's channel and recipient), deletes it, and shows that a deleted
/// account can no longer be paid to.
async fn settle_account_withdrawal(
    client: &Client,
    user: &str,
    run: u64,
    r: &mut Report,
    ws: &mut Vec<(String, Withdrawal)>,
) {
    r.section("Save a settle account and withdraw to it");
    let accounts = client.settle_accounts(user);
    let params = CreateSettleAccount::Alipay(
        AlipayRecipient::new("zhangsan@example.com", "张三").kind(RecipientType::B2c),
    );
    let Some(account) = r
        .call("create settle account", accounts.create(&params))
        .await
    else {
        return;
    };
    r.check(
        account.channel == SettleAccountChannel::Alipay,
        "create settle account",
        format!("{} ({} account of {user})", account.id, account.channel),
    );
    if let Some(list) = r
        .call("list settle accounts", accounts.list(&ListParams::new()))
        .await
    {
        r.check(
            list.data.iter().any(|a| a.id == account.id),
            "list settle accounts",
            format!("{} for {user}", list.data.len()),
        );
    }
    let params =
        CreateWithdrawal::to_settle_account(user, PER_WITHDRAWAL, format!("sa{run}"), &account.id)
            .description("demo: to a settle account");
    if let Some(w) = r
        .call(
            "create settle-account withdrawal",
            client.withdrawals().create(&params),
        )
        .await
    {
        r.check(
            w.status == WithdrawalStatus::Created
                && w.settle_account.as_deref() == Some(account.id.as_str()),
            "create settle-account withdrawal",
            format!(
                "{} {} -> {:?} via {} to {}",
                w.id,
                yuan(w.amount),
                w.status,
                w.channel.as_ref().map_or("?", |c| c.as_str()),
                account.id
            ),
        );
        ws.push(("settle_account".to_owned(), w));
    }
    if let Some(d) = r
        .call("delete settle account", accounts.delete(&account.id))
        .await
    {
        r.check(d.deleted, "delete settle account", &d.id);
    }
    let again =
        CreateWithdrawal::to_settle_account(user, PER_WITHDRAWAL, format!("sb{run}"), &account.id);
    let refused = client.withdrawals().create(&again).await;
    r.check(
        refused.is_err(),
        "a withdrawal to a deleted settle account is refused",
        refused
            .err()
            .map_or("accepted!".to_owned(), |e| e.to_string()),
    );
}

async fn webhooks(local: &Local, user: &str, r: &mut Report) {
    r.section("Webhooks received and verified");
    // 2 recharges, 1 refund, 6 withdrawals succeeded, 1 failed.
    let want = 10;
    let events = poll(Duration::from_secs(10), || async {
        let ev = local
            .events
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        (ev.len() >= want).then_some(ev)
    })
    .await
    .unwrap_or_else(|| {
        local
            .events
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    });
    for e in &events {
        let object_id = serde_json::to_value(e)
            .ok()
            .and_then(|v| v["data"]["object"]["id"].as_str().map(str::to_owned))
            .unwrap_or_default();
        outln!(
            "         {} {:<29} {object_id}",
            e.id.as_deref().unwrap_or("(no id)"),
            e.event_type()
        );
    }
    let count = |t: &str| events.iter().filter(|e| e.event_type() == t).count();
    r.check(
        events.len() == want
            && count("recharge.succeeded") == 2
            && count("refund.succeeded") == 1
            && count("balance.withdrawal.succeeded") == 6
            && count("balance.withdrawal.failed") == 1,
        "every webhook verified",
        format!(
            "{} events, signatures checked with the emulator's public key",
            events.len()
        ),
    );
    let attempts = local.mock.deliveries();
    r.check(
        attempts.iter().all(pingpp_mock::DeliveryAttempt::accepted),
        "deliveries",
        format!("{} attempt(s), all answered 2xx", attempts.len()),
    );
    let _ = user;
}
