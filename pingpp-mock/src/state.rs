//! The emulator's state and money rules. Everything here is synchronous and runs under
//! one mutex; delayed work is returned as [`Effect`]s for the server to schedule.
//!
//! Request bodies arrive already read and validated with the SDK's types (see
//! `validate.rs`); what is checked here is what a client cannot know: balances,
//! order-number uniqueness, states, and which settle accounts a user has.
//!
//! Test and live mode keep separate books: every store is keyed by app *and* mode, so a
//! `sk_test_` key never sees or spends what an `sk_live_` key created, and the reverse.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::time::{SystemTime, UNIX_EPOCH};

use pingpp_types::{
    ChannelExtra, CreateBatchWithdrawal, CreateRecharge, CreateRechargeCharge,
    CreateRechargeRefund, CreateSettleAccount, CreateWithdrawal, ListParams, MAX_PAGE,
    MAX_PER_PAGE, Metadata, UpdateWithdrawal, Validate, WithdrawalAction, WithdrawalDestination,
};
use rand::Rng;
use rand::distributions::Alphanumeric;
use serde_json::{Map, Value, json};

use crate::Mode;
use crate::validate::{ApiError, at_most_max};
use crate::webhook::DeliveryAttempt;

/// One user's money, in fen. The emulator keeps
/// `recharged - refunded == balance + in_flight + paid_out` at all times.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Ledger {
    /// What the user can spend now.
    pub balance: i64,
    /// Sum credited by recharges (`charge.amount - user_fee + balance_bonus.amount` each).
    pub recharged: i64,
    /// Sum debited by recharge refunds that were not refused or failed.
    pub refunded: i64,
    /// Withdrawals debited but not finished (`created` or `pending`).
    pub in_flight: i64,
    /// Withdrawals that `succeeded`.
    pub paid_out: i64,
}

impl Ledger {
    /// Whether the money invariant holds.
    pub fn is_balanced(&self) -> bool {
        self.recharged - self.refunded == self.balance + self.in_flight + self.paid_out
    }
}

/// Takes `amount` from the user's spendable balance, or refuses with Ping++'s 402
/// `balance_insufficient` when it is short; the caller books where the money went.
fn debit(ledger: &mut Ledger, user: &str, amount: i64, what: &str) -> Result<(), ApiError> {
    if ledger.balance < amount {
        return Err(ApiError::new(
            402,
            "invalid_request_error",
            format!(
                "user {user}'s balance ({}) is less than {what} ({amount})",
                ledger.balance
            ),
        )
        .code("balance_insufficient"));
    }
    ledger.balance -= amount;
    Ok(())
}

/// One book: an app in one mode.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct BookId {
    pub(crate) app: String,
    pub(crate) mode: Mode,
}

impl BookId {
    fn new(app: &str, mode: Mode) -> Self {
        Self {
            app: app.to_owned(),
            mode,
        }
    }
}

/// Work to do after the lock is released.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Effect {
    /// Deliver this event to the webhook URL.
    Webhook(String),
    /// Finish a pending refund after the processing delay.
    FinishRefund {
        book: BookId,
        recharge: String,
        refund: String,
    },
    /// Decide a pending withdrawal after the processing delay.
    FinishWithdrawal { book: BookId, id: String },
}

/// A successful answer: status and body, plus follow-up work.
pub(crate) type Answer = Result<(u16, Value, Vec<Effect>), ApiError>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Succeed,
    Fail,
    FundsInsufficient,
}

struct RechargeRec {
    obj: Value,
    user: String,
    credited: i64,
    refunds: Vec<Value>,
    /// A refund that was not refused or failed exists.
    refunded: bool,
}

struct WithdrawalRec {
    obj: Value,
    user: String,
    amount: i64,
    outcome: Outcome,
}

struct BatchRec {
    obj: Value,
    ids: Vec<String>,
    cancel: bool,
}

struct SettleAccountRec {
    obj: Value,
    user: String,
    deleted: bool,
}

#[derive(Default)]
struct Book {
    recharges: Vec<RechargeRec>,
    recharge_idx: HashMap<String, usize>,
    recharge_order_nos: HashSet<String>,
    withdrawals: Vec<WithdrawalRec>,
    withdrawal_idx: HashMap<String, usize>,
    withdrawal_order_nos: HashSet<String>,
    batches: Vec<BatchRec>,
    batch_idx: HashMap<String, usize>,
    settle_accounts: Vec<SettleAccountRec>,
    settle_idx: HashMap<String, usize>,
    ledgers: BTreeMap<String, Ledger>,
}

struct EventRec {
    obj: Value,
    mode: Mode,
    pending_webhooks: u32,
}

/// Paging from the query string, checked with the SDK's own [`ListParams`] rules.
pub(crate) struct Page {
    pub(crate) page: usize,
    pub(crate) per_page: usize,
}

impl Page {
    pub(crate) fn from_query(q: &HashMap<String, String>) -> Result<Self, ApiError> {
        let number = |key: &str, max: u32| -> Result<Option<u32>, ApiError> {
            q.get(key)
                .map(|v| {
                    v.parse::<u32>().map_err(|_| {
                        ApiError::param(key, format!("{key} must be an integer from 1 to {max}"))
                    })
                })
                .transpose()
        };
        let params = ListParams {
            page: number("page", MAX_PAGE)?,
            per_page: number("per_page", MAX_PER_PAGE)?,
        };
        params.validate()?;
        Ok(Self {
            page: params.page.unwrap_or(1) as usize,
            per_page: params.per_page.unwrap_or(20) as usize,
        })
    }

    fn list(&self, url: &str, items: Vec<Value>) -> Map<String, Value> {
        let start = (self.page - 1).saturating_mul(self.per_page);
        let has_more = items.len() > start.saturating_add(self.per_page);
        let data: Vec<Value> = items.into_iter().skip(start).take(self.per_page).collect();
        let mut m = Map::new();
        m.insert("object".into(), json!("list"));
        m.insert("url".into(), json!(url));
        m.insert("has_more".into(), json!(has_more));
        m.insert("data".into(), Value::Array(data));
        m
    }
}

pub(crate) fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// A paid charge as a recharge embeds it (`object: "charge"`, protocol §5.4), made from
/// the recharge's `charge` parameters: the one JSON shape of a charge in the workspace,
/// used by the emulator's recharges and by `pingpp webhook trigger`'s samples.
pub fn paid_charge(
    charge: &CreateRechargeCharge,
    app: &str,
    livemode: bool,
    paid_at: i64,
    transaction_no: &str,
) -> Value {
    let id = random_id("ch_");
    json!({
        "refunds": {"object": "list", "url": format!("/v1/charges/{id}/refunds"), "has_more": false, "data": []},
        "id": id,
        "object": "charge",
        "created": paid_at,
        "livemode": livemode,
        "paid": true,
        "refunded": false,
        "reversed": false,
        "app": app,
        "channel": charge.channel,
        "order_no": charge.order_no,
        "client_ip": charge.client_ip.as_deref().unwrap_or("127.0.0.1"),
        "amount": charge.amount,
        "amount_settle": charge.amount,
        "currency": "cny",
        "subject": charge.subject,
        "body": charge.body,
        "extra": charge.extra.clone().unwrap_or_default(),
        "time_paid": paid_at,
        "time_expire": charge.time_expire,
        "time_settle": null,
        "transaction_no": transaction_no,
        "amount_refunded": 0,
        "failure_code": null,
        "failure_msg": null,
        "metadata": {},
        "credential": {},
        "description": null,
    })
}

fn random_id(prefix: &str) -> String {
    let tail: String = rand::thread_rng()
        .sample_iter(&Alphanumeric)
        .take(24)
        .map(char::from)
        .collect();
    format!("{prefix}{tail}")
}

fn set(obj: &mut Value, key: &str, v: Value) {
    if let Some(m) = obj.as_object_mut() {
        m.insert(key.to_owned(), v);
    }
}

fn str_field<'a>(obj: &'a Value, key: &str) -> Option<&'a str> {
    obj.get(key).and_then(Value::as_str)
}

fn mock_outcome(md: Option<&Metadata>) -> Result<Outcome, ApiError> {
    match md.and_then(|m| m.get("mock_outcome")) {
        None | Some(Value::Null) => Ok(Outcome::Succeed),
        Some(Value::String(s)) if s == "succeeded" => Ok(Outcome::Succeed),
        Some(Value::String(s)) if s == "failed" => Ok(Outcome::Fail),
        Some(Value::String(s)) if s == "funds_insufficient" => Ok(Outcome::FundsInsufficient),
        Some(_) => Err(ApiError::param(
            "metadata[mock_outcome]",
            "metadata[mock_outcome] must be \"succeeded\", \"failed\" or \"funds_insufficient\"",
        )),
    }
}

/// The `extra` a withdrawal answer carries for a channel destination. It does not
/// simply echo the request (withdrawal guide, create and confirm responses): unionpay
/// answers `card_number` / `user_name`, alipay `user_name`, where the request said
/// `account` / `name`; WeChat answers `open_id` (also when sent as `openid`); allinpay's
/// `business_code` defaults to `09900` ("不填使用通联提供默认值 09900").
fn response_extra(extra: &ChannelExtra) -> Value {
    let wire = serde_json::to_value(extra).unwrap_or(Value::Null);
    let mut m = wire
        .get("extra")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let rename = |m: &mut Map<String, Value>, from: &str, to: &str| {
        if let Some(v) = m.remove(from) {
            m.insert(to.to_owned(), v);
        }
    };
    match extra {
        ChannelExtra::Unionpay(_) => {
            rename(&mut m, "account", "card_number");
            rename(&mut m, "name", "user_name");
        }
        ChannelExtra::Alipay(_) => rename(&mut m, "name", "user_name"),
        ChannelExtra::Allinpay(_) => {
            m.entry("business_code").or_insert_with(|| json!("09900"));
        }
        _ => {}
    }
    Value::Object(m)
}

/// The `extra` of a withdrawal paid to a settle account: the account's recipient, in
/// the answer form of its channel where that is a withdrawal channel (a `wx_pub`
/// recipient's `account` is an open id, answered as `open_id`; alipay answers
/// `user_name`); a bank account's recipient as stored.
fn settle_account_extra(channel: &Value, recipient: &Value) -> Value {
    let mut m = recipient.as_object().cloned().unwrap_or_default();
    let rename = |m: &mut Map<String, Value>, from: &str, to: &str| {
        if let Some(v) = m.remove(from) {
            m.insert(to.to_owned(), v);
        }
    };
    match channel.as_str() {
        Some("wx_pub") => rename(&mut m, "account", "open_id"),
        Some("alipay") => rename(&mut m, "name", "user_name"),
        _ => {}
    }
    Value::Object(m)
}

/// The whole emulator state.
#[derive(Default)]
pub(crate) struct State {
    books: BTreeMap<BookId, Book>,
    events: HashMap<String, EventRec>,
    event_order: Vec<String>,
    seq: u64,
    pub(crate) deliveries: Vec<DeliveryAttempt>,
}

/// Context of one request.
pub(crate) struct Ctx<'a> {
    pub(crate) app: &'a str,
    pub(crate) mode: Mode,
    pub(crate) webhooks: bool,
}

impl Ctx<'_> {
    fn book_id(&self) -> BookId {
        BookId::new(self.app, self.mode)
    }

    fn livemode(&self) -> bool {
        self.mode == Mode::Live
    }
}

impl State {
    fn next_seq(&mut self) -> u64 {
        self.seq += 1;
        self.seq
    }

    fn numeric_id(&mut self, prefix: &str) -> String {
        let seq = self.next_seq();
        format!(
            "{prefix}{:010}{:08}",
            now().rem_euclid(10_000_000_000),
            seq % 100_000_000
        )
    }

    fn book(&self, ctx: &Ctx<'_>) -> Option<&Book> {
        self.books.get(&ctx.book_id())
    }

    fn book_mut(&mut self, id: &BookId) -> &mut Book {
        self.books.entry(id.clone()).or_default()
    }

    pub(crate) fn ledger(&self, mode: Mode, app: &str, user: &str) -> Option<Ledger> {
        self.books
            .get(&BookId::new(app, mode))
            .and_then(|b| b.ledgers.get(user))
            .copied()
    }

    pub(crate) fn ledgers(&self, mode: Mode) -> Vec<(String, String, Ledger)> {
        self.books
            .iter()
            .filter(|(id, _)| id.mode == mode)
            .flat_map(|(id, b)| {
                b.ledgers
                    .iter()
                    .map(|(u, l)| (id.app.clone(), u.clone(), *l))
            })
            .collect()
    }

    fn ledger_mut(&mut self, book: &BookId, user: &str) -> Option<&mut Ledger> {
        self.books
            .get_mut(book)
            .and_then(|b| b.ledgers.get_mut(user))
    }

    pub(crate) fn events(&self) -> Vec<Value> {
        self.event_order
            .iter()
            .filter_map(|id| self.event(id))
            .collect()
    }

    pub(crate) fn event(&self, id: &str) -> Option<Value> {
        self.events.get(id).map(|e| {
            let mut obj = e.obj.clone();
            set(&mut obj, "pending_webhooks", json!(e.pending_webhooks));
            obj
        })
    }

    /// `GET /v1/events/{id}`: a key sees only its own mode's events.
    pub(crate) fn get_event(&self, mode: Mode, id: &str) -> Answer {
        match self.events.get(id) {
            Some(e) if e.mode == mode => {
                Ok((200, self.event(id).unwrap_or(Value::Null), Vec::new()))
            }
            _ => Err(ApiError::not_found("event", id)),
        }
    }

    /// Marks an event's delivery finished (delivered, or given up).
    pub(crate) fn webhook_done(&mut self, id: &str) {
        if let Some(e) = self.events.get_mut(id) {
            e.pending_webhooks = 0;
        }
    }

    fn new_event(&mut self, mode: Mode, webhooks: bool, kind: &str, object: &Value) -> Effect {
        let id = random_id("evt_");
        let obj = json!({
            "id": id,
            "object": "event",
            "created": now(),
            "livemode": mode == Mode::Live,
            "type": kind,
            "data": { "object": object },
            "pending_webhooks": u32::from(webhooks),
            "request": random_id("iar_"),
        });
        self.events.insert(
            id.clone(),
            EventRec {
                obj,
                mode,
                pending_webhooks: u32::from(webhooks),
            },
        );
        self.event_order.push(id.clone());
        Effect::Webhook(id)
    }

    // ----- recharges -------------------------------------------------------------

    pub(crate) fn create_recharge(&mut self, ctx: &Ctx<'_>, p: CreateRecharge) -> Answer {
        let charge = &p.charge;
        let amount = charge.amount;
        at_most_max("charge[amount]", amount)?;
        let user_fee = p.user_fee.unwrap_or(0);
        let bonus = p.balance_bonus.map_or(0, |b| b.amount);
        at_most_max("balance_bonus[amount]", bonus)?;
        let book_id = ctx.book_id();
        if self
            .book(ctx)
            .is_some_and(|b| b.recharge_order_nos.contains(&charge.order_no))
        {
            return Err(ApiError::param(
                "charge[order_no]",
                format!(
                    "order_no {} has already been used in this app",
                    charge.order_no
                ),
            )
            .code("order_no_used"));
        }
        let credited = amount - user_fee + bonus;
        let ledger = self
            .book_mut(&book_id)
            .ledgers
            .entry(p.user.clone())
            .or_default();
        let (Some(balance), Some(recharged)) = (
            ledger.balance.checked_add(credited),
            ledger.recharged.checked_add(credited),
        ) else {
            return Err(
                ApiError::new(402, "invalid_request_error", "balance would overflow")
                    .code("balance_overflow"),
            );
        };
        ledger.balance = balance;
        ledger.recharged = recharged;

        let id = self.numeric_id("221");
        let t = now();
        let charge_obj = paid_charge(
            charge,
            ctx.app,
            ctx.livemode(),
            t,
            &format!("mock{}", self.seq),
        );
        let obj = json!({
            "id": id,
            "object": "recharge",
            "app": ctx.app,
            "created": t,
            "livemode": ctx.livemode(),
            "amount": amount,
            "succeeded": true,
            "time_succeeded": t,
            "refunded": false,
            "user": p.user,
            "from_user": p.from_user.clone().unwrap_or_else(|| p.user.clone()),
            "user_fee": user_fee,
            "charge": charge_obj,
            "balance_bonus": p.balance_bonus.map(|b| json!({"amount": b.amount})),
            "balance_transaction": random_id("txn_"),
            "description": p.description,
            "metadata": p.metadata.clone().unwrap_or_default(),
        });
        let book = self.book_mut(&book_id);
        book.recharge_order_nos.insert(charge.order_no.clone());
        book.recharge_idx.insert(id.clone(), book.recharges.len());
        book.recharges.push(RechargeRec {
            obj: obj.clone(),
            user: p.user.clone(),
            credited,
            refunds: Vec::new(),
            refunded: false,
        });
        let effect = self.new_event(ctx.mode, ctx.webhooks, "recharge.succeeded", &obj);
        Ok((200, obj, vec![effect]))
    }

    fn recharge(&self, book: &BookId, id: &str) -> Result<&RechargeRec, ApiError> {
        self.books
            .get(book)
            .and_then(|b| b.recharge_idx.get(id).and_then(|i| b.recharges.get(*i)))
            .ok_or_else(|| ApiError::not_found("recharge", id))
    }

    fn recharge_mut(&mut self, book: &BookId, id: &str) -> Result<&mut RechargeRec, ApiError> {
        self.books
            .get_mut(book)
            .and_then(|b| {
                let i = *b.recharge_idx.get(id)?;
                b.recharges.get_mut(i)
            })
            .ok_or_else(|| ApiError::not_found("recharge", id))
    }

    pub(crate) fn get_recharge(&self, ctx: &Ctx<'_>, id: &str) -> Answer {
        Ok((
            200,
            self.recharge(&ctx.book_id(), id)?.obj.clone(),
            Vec::new(),
        ))
    }

    pub(crate) fn list_recharges(&self, ctx: &Ctx<'_>, url: &str, page: &Page) -> Answer {
        let items: Vec<Value> = self
            .book(ctx)
            .map(|b| b.recharges.iter().rev().map(|r| r.obj.clone()).collect())
            .unwrap_or_default();
        Ok((200, Value::Object(page.list(url, items)), Vec::new()))
    }

    pub(crate) fn create_refund(
        &mut self,
        ctx: &Ctx<'_>,
        recharge_id: &str,
        p: CreateRechargeRefund,
    ) -> Answer {
        let fail = match p.metadata.as_ref().and_then(|m| m.get("mock_outcome")) {
            None | Some(Value::Null) => false,
            Some(Value::String(s)) if s == "succeeded" => false,
            Some(Value::String(s)) if s == "failed" => true,
            Some(_) => {
                return Err(ApiError::param(
                    "metadata[mock_outcome]",
                    "metadata[mock_outcome] of a refund must be \"succeeded\" or \"failed\"",
                ));
            }
        };
        let book = ctx.book_id();
        let seq = self.next_seq();
        let rec = self.recharge(&book, recharge_id)?;
        if rec.refunded {
            return Err(ApiError::new(
                400,
                "invalid_request_error",
                format!("recharge {recharge_id} has already been refunded"),
            )
            .code("already_refunded"));
        }
        let user = rec.user.clone();
        let credited = rec.credited;
        let charge = rec.obj.get("charge").cloned().unwrap_or(Value::Null);
        let charge_id = str_field(&charge, "id").unwrap_or_default().to_owned();
        let charge_order_no = str_field(&charge, "order_no")
            .unwrap_or_default()
            .to_owned();
        let amount = charge.get("amount").and_then(Value::as_i64).unwrap_or(0);
        if !fail {
            let ledger = self
                .ledger_mut(&book, &user)
                .ok_or_else(|| ApiError::not_found("user", &user))?;
            debit(ledger, &user, credited, "the recharge to refund")?;
            ledger.refunded += credited;
        }
        let t = now();
        let refund_id = random_id("re_");
        let obj = json!({
            "id": refund_id,
            "object": "refund",
            "order_no": format!("{t}{seq:08}"),
            "amount": amount,
            "created": t,
            "succeed": false,
            "status": if fail { "failed" } else { "pending" },
            "time_succeed": null,
            "description": p.description,
            "failure_code": if fail { json!("mock_failed") } else { Value::Null },
            "failure_msg": if fail { json!("退款失败 (mock_outcome=failed)") } else { Value::Null },
            "metadata": p.metadata.clone().unwrap_or_default(),
            "charge": charge_id,
            "charge_order_no": charge_order_no,
            "transaction_no": null,
            "extra": {},
            "currency": "cny",
            "funding_source": p.funding_source,
        });
        let rec = self.recharge_mut(&book, recharge_id)?;
        rec.refunds.push(obj.clone());
        let mut effects = Vec::new();
        if !fail {
            rec.refunded = true;
            set(&mut rec.obj, "refunded", json!(true));
            effects.push(Effect::FinishRefund {
                book,
                recharge: recharge_id.to_owned(),
                refund: refund_id,
            });
        }
        Ok((200, obj, effects))
    }

    /// A pending refund succeeds.
    pub(crate) fn finish_refund(
        &mut self,
        book: &BookId,
        recharge_id: &str,
        refund_id: &str,
        webhooks: bool,
    ) -> Vec<Effect> {
        let Ok(rec) = self.recharge_mut(book, recharge_id) else {
            return Vec::new();
        };
        let Some(refund) = rec
            .refunds
            .iter_mut()
            .find(|r| str_field(r, "id") == Some(refund_id))
        else {
            return Vec::new();
        };
        if str_field(refund, "status") != Some("pending") {
            return Vec::new();
        }
        let t = now();
        set(refund, "status", json!("succeeded"));
        set(refund, "succeed", json!(true));
        set(refund, "time_succeed", json!(t));
        set(refund, "transaction_no", json!(format!("mockre{t}")));
        let refund = refund.clone();
        vec![self.new_event(book.mode, webhooks, "refund.succeeded", &refund)]
    }

    pub(crate) fn get_refund(&self, ctx: &Ctx<'_>, recharge_id: &str, refund_id: &str) -> Answer {
        self.recharge(&ctx.book_id(), recharge_id)?
            .refunds
            .iter()
            .find(|r| str_field(r, "id") == Some(refund_id))
            .map(|r| (200, r.clone(), Vec::new()))
            .ok_or_else(|| ApiError::not_found("refund", refund_id))
    }

    pub(crate) fn list_refunds(
        &self,
        ctx: &Ctx<'_>,
        recharge_id: &str,
        url: &str,
        page: &Page,
    ) -> Answer {
        let items = self
            .recharge(&ctx.book_id(), recharge_id)?
            .refunds
            .iter()
            .rev()
            .cloned()
            .collect();
        Ok((200, Value::Object(page.list(url, items)), Vec::new()))
    }

    // ----- settle accounts -------------------------------------------------------

    /// The live settle account `id` of `user` in this book, or why there is none.
    fn settle_account(&self, ctx: &Ctx<'_>, user: &str, id: &str) -> Option<&SettleAccountRec> {
        self.book(ctx)
            .and_then(|b| b.settle_idx.get(id).and_then(|i| b.settle_accounts.get(*i)))
            .filter(|s| s.user == user && !s.deleted)
    }

    pub(crate) fn create_settle_account(
        &mut self,
        ctx: &Ctx<'_>,
        user: &str,
        p: CreateSettleAccount,
    ) -> Answer {
        let id = self.numeric_id("3202");
        let obj = json!({
            "id": id,
            "object": "settle_account",
            "created": now(),
            "channel": p.channel(),
            "recipient": p.recipient_json(),
        });
        let book = self.book_mut(&ctx.book_id());
        book.settle_idx.insert(id, book.settle_accounts.len());
        book.settle_accounts.push(SettleAccountRec {
            obj: obj.clone(),
            user: user.to_owned(),
            deleted: false,
        });
        Ok((200, obj, Vec::new()))
    }

    pub(crate) fn get_settle_account(&self, ctx: &Ctx<'_>, user: &str, id: &str) -> Answer {
        self.settle_account(ctx, user, id)
            .map(|s| (200, s.obj.clone(), Vec::new()))
            .ok_or_else(|| ApiError::not_found("settle_account", id))
    }

    pub(crate) fn list_settle_accounts(
        &self,
        ctx: &Ctx<'_>,
        user: &str,
        url: &str,
        page: &Page,
    ) -> Answer {
        let items: Vec<Value> = self
            .book(ctx)
            .map(|b| {
                b.settle_accounts
                    .iter()
                    .rev()
                    .filter(|s| s.user == user && !s.deleted)
                    .map(|s| s.obj.clone())
                    .collect()
            })
            .unwrap_or_default();
        Ok((200, Value::Object(page.list(url, items)), Vec::new()))
    }

    pub(crate) fn delete_settle_account(&mut self, ctx: &Ctx<'_>, user: &str, id: &str) -> Answer {
        if self.settle_account(ctx, user, id).is_none() {
            return Err(ApiError::not_found("settle_account", id));
        }
        let book = self.book_mut(&ctx.book_id());
        if let Some(s) = book
            .settle_idx
            .get(id)
            .copied()
            .and_then(|i| book.settle_accounts.get_mut(i))
        {
            s.deleted = true;
        }
        Ok((200, json!({"id": id, "deleted": true}), Vec::new()))
    }

    // ----- withdrawals -----------------------------------------------------------

    pub(crate) fn create_withdrawal(&mut self, ctx: &Ctx<'_>, p: CreateWithdrawal) -> Answer {
        at_most_max("amount", p.amount)?;
        let outcome = mock_outcome(p.metadata.as_ref())?;
        // The destination: a channel with its extra, or one of the user's settle
        // accounts, whose channel and recipient the withdrawal then carries.
        let (channel, extra, settle_account) = match &p.destination {
            WithdrawalDestination::Channel(e) => (json!(e.channel()), response_extra(e), None),
            WithdrawalDestination::SettleAccount(id) => {
                let Some(sa) = self.settle_account(ctx, &p.user, id) else {
                    let why = match self
                        .book(ctx)
                        .and_then(|b| b.settle_idx.get(id).and_then(|i| b.settle_accounts.get(*i)))
                    {
                        Some(s) if s.deleted => "has been deleted",
                        Some(_) => "belongs to another user",
                        None => "does not exist",
                    };
                    return Err(ApiError::param(
                        "settle_account",
                        format!("settle_account {id} {why}; a withdrawal needs one of the user's settle accounts"),
                    )
                    .code("settle_account_invalid"));
                };
                let channel = sa.obj.get("channel").cloned().unwrap_or(Value::Null);
                let extra =
                    settle_account_extra(&channel, sa.obj.get("recipient").unwrap_or(&Value::Null));
                (channel, extra, Some(id.clone()))
            }
            _ => {
                return Err(ApiError::param(
                    "channel",
                    "channel (with extra) or settle_account is required",
                ));
            }
        };
        if self
            .book(ctx)
            .is_some_and(|b| b.withdrawal_order_nos.contains(&p.order_no))
        {
            return Err(ApiError::param(
                "order_no",
                format!("order_no {} has already been used in this app", p.order_no),
            )
            .code("order_no_used"));
        }
        let book_id = ctx.book_id();
        let ledger = self
            .ledger_mut(&book_id, &p.user)
            .ok_or_else(|| ApiError::not_found("user", &p.user).with_param("user"))?;
        debit(ledger, &p.user, p.amount, "the withdrawal amount")?;
        ledger.in_flight += p.amount;
        let id = self.numeric_id("1701");
        // On create both transaction ids are "" (withdrawal guide); they fill when money
        // moves.
        let obj = json!({
            "id": id,
            "object": "withdrawal",
            "app": ctx.app,
            "amount": p.amount,
            "asset_transaction": "",
            "balance_transaction": "",
            "channel": channel,
            "created": now(),
            "description": p.description,
            "extra": extra,
            "failure_msg": null,
            "fee": 0,
            "livemode": ctx.livemode(),
            "metadata": p.metadata.clone().unwrap_or_default(),
            "operation_url": null,
            "order_no": p.order_no,
            "source": null,
            "status": "created",
            "time_canceled": null,
            "time_succeeded": null,
            "user": p.user,
            "user_fee": p.user_fee,
            "settle_account": settle_account,
        });
        let book = self.book_mut(&book_id);
        book.withdrawal_order_nos.insert(p.order_no.clone());
        book.withdrawal_idx.insert(id, book.withdrawals.len());
        book.withdrawals.push(WithdrawalRec {
            obj: obj.clone(),
            user: p.user,
            amount: p.amount,
            outcome,
        });
        Ok((200, obj, Vec::new()))
    }

    fn withdrawal_index(&self, book: &BookId, id: &str) -> Result<usize, ApiError> {
        self.books
            .get(book)
            .and_then(|b| b.withdrawal_idx.get(id).copied())
            .ok_or_else(|| ApiError::not_found("withdrawal", id))
    }

    fn withdrawal_obj(&self, book: &BookId, id: &str) -> Result<Value, ApiError> {
        let i = self.withdrawal_index(book, id)?;
        self.books
            .get(book)
            .and_then(|b| b.withdrawals.get(i))
            .map(|w| w.obj.clone())
            .ok_or_else(|| ApiError::not_found("withdrawal", id))
    }

    pub(crate) fn get_withdrawal(&self, ctx: &Ctx<'_>, id: &str) -> Answer {
        Ok((200, self.withdrawal_obj(&ctx.book_id(), id)?, Vec::new()))
    }

    pub(crate) fn list_withdrawals(
        &self,
        ctx: &Ctx<'_>,
        url: &str,
        page: &Page,
        q: &HashMap<String, String>,
    ) -> Answer {
        let matches = |w: &&WithdrawalRec| {
            ["status", "channel", "user"]
                .iter()
                .all(|k| match q.get(*k) {
                    None => true,
                    Some(want) if want.is_empty() => true,
                    Some(want) => str_field(&w.obj, k) == Some(want.as_str()),
                })
        };
        let selected: Vec<&WithdrawalRec> = self
            .book(ctx)
            .map(|b| b.withdrawals.iter().rev().filter(matches).collect())
            .unwrap_or_default();
        let total: i64 = selected.iter().map(|w| w.amount).sum();
        let items = selected.iter().map(|w| w.obj.clone()).collect();
        let mut list = page.list(url, items);
        list.insert("total_withdrawals_amount".into(), json!(total));
        Ok((200, Value::Object(list), Vec::new()))
    }

    /// Status of a withdrawal by index (caller checked the index).
    fn w_status(&self, book: &BookId, i: usize) -> String {
        self.books
            .get(book)
            .and_then(|b| b.withdrawals.get(i))
            .and_then(|w| str_field(&w.obj, "status"))
            .unwrap_or_default()
            .to_owned()
    }

    /// Confirms (`cancel == false`) or cancels a `created` withdrawal.
    fn act_on_withdrawal(&mut self, book: &BookId, i: usize, cancel: bool) -> Vec<Effect> {
        let Some(w) = self
            .books
            .get_mut(book)
            .and_then(|b| b.withdrawals.get_mut(i))
        else {
            return Vec::new();
        };
        let id = str_field(&w.obj, "id").unwrap_or_default().to_owned();
        if cancel {
            set(&mut w.obj, "status", json!("canceled"));
            set(&mut w.obj, "time_canceled", json!(now()));
            let (user, amount) = (w.user.clone(), w.amount);
            if let Some(l) = self.ledger_mut(book, &user) {
                l.in_flight -= amount;
                l.balance += amount;
            }
            Vec::new()
        } else {
            set(&mut w.obj, "status", json!("pending"));
            set(&mut w.obj, "failure_msg", Value::Null);
            // After confirm `source` names the transfer that pays it out (guide: "tr_...").
            set(&mut w.obj, "source", json!(random_id("tr_")));
            vec![Effect::FinishWithdrawal {
                book: book.clone(),
                id,
            }]
        }
    }

    pub(crate) fn update_withdrawal(
        &mut self,
        ctx: &Ctx<'_>,
        id: &str,
        p: UpdateWithdrawal,
    ) -> Answer {
        let cancel = p.status == WithdrawalAction::Cancel;
        let book = ctx.book_id();
        let i = self.withdrawal_index(&book, id)?;
        let status = self.w_status(&book, i);
        if status != "created" {
            let verb = if cancel { "canceled" } else { "confirmed" };
            return Err(ApiError::new(
                400,
                "invalid_request_error",
                format!("withdrawal {id} is {status}; only a created withdrawal can be {verb}"),
            )
            .code("invalid_status")
            .with_param("status"));
        }
        let effects = self.act_on_withdrawal(&book, i, cancel);
        Ok((200, self.withdrawal_obj(&book, id)?, effects))
    }

    /// A pending withdrawal reaches its outcome.
    pub(crate) fn finish_withdrawal(
        &mut self,
        book: &BookId,
        id: &str,
        webhooks: bool,
    ) -> Vec<Effect> {
        let Ok(i) = self.withdrawal_index(book, id) else {
            return Vec::new();
        };
        let txn = self.numeric_id("6011");
        let Some(w) = self
            .books
            .get_mut(book)
            .and_then(|b| b.withdrawals.get_mut(i))
        else {
            return Vec::new();
        };
        if str_field(&w.obj, "status") != Some("pending") {
            return Vec::new();
        }
        let (user, amount) = (w.user.clone(), w.amount);
        let t = now();
        match w.outcome {
            Outcome::Succeed => {
                set(&mut w.obj, "status", json!("succeeded"));
                set(&mut w.obj, "time_succeeded", json!(t));
                set(&mut w.obj, "balance_transaction", json!(txn));
                let obj = w.obj.clone();
                if let Some(l) = self.ledger_mut(book, &user) {
                    l.in_flight -= amount;
                    l.paid_out += amount;
                }
                vec![self.new_event(book.mode, webhooks, "balance.withdrawal.succeeded", &obj)]
            }
            Outcome::Fail => {
                set(&mut w.obj, "status", json!("failed"));
                set(
                    &mut w.obj,
                    "failure_msg",
                    json!("收款账户信息有误 (mock_outcome=failed)"),
                );
                let obj = w.obj.clone();
                if let Some(l) = self.ledger_mut(book, &user) {
                    l.in_flight -= amount;
                    l.balance += amount;
                }
                vec![self.new_event(book.mode, webhooks, "balance.withdrawal.failed", &obj)]
            }
            Outcome::FundsInsufficient => {
                set(&mut w.obj, "status", json!("created"));
                set(
                    &mut w.obj,
                    "failure_msg",
                    json!("商户余额不足 (mock_outcome=funds_insufficient)"),
                );
                Vec::new()
            }
        }
    }

    // ----- batch withdrawals -----------------------------------------------------

    pub(crate) fn create_batch(&mut self, ctx: &Ctx<'_>, p: CreateBatchWithdrawal) -> Answer {
        let unique: HashSet<&String> = p.withdrawals.iter().collect();
        if unique.len() != p.withdrawals.len() {
            return Err(ApiError::param(
                "withdrawals",
                "withdrawals holds duplicate ids",
            ));
        }
        let cancel = p.status == WithdrawalAction::Cancel;
        let book = ctx.book_id();
        let mut idx = Vec::with_capacity(p.withdrawals.len());
        for id in &p.withdrawals {
            let i = self.withdrawal_index(&book, id)?;
            let status = self.w_status(&book, i);
            if status != "created" {
                return Err(ApiError::param(
                    "withdrawals",
                    format!("withdrawal {id} is {status}; only created withdrawals can be batched"),
                )
                .code("invalid_status"));
            }
            idx.push(i);
        }
        let mut effects = Vec::new();
        for i in idx {
            effects.extend(self.act_on_withdrawal(&book, i, cancel));
        }
        let id = self.numeric_id("1901");
        let obj = json!({
            "id": id,
            "object": "batch_withdrawal",
            "app": ctx.app,
            "created": now(),
            "livemode": ctx.livemode(),
            "metadata": p.metadata.clone().unwrap_or_default(),
            "operation_url": null,
            "source": null,
        });
        let b = self.book_mut(&book);
        b.batch_idx.insert(id.clone(), b.batches.len());
        b.batches.push(BatchRec {
            obj,
            ids: p.withdrawals,
            cancel,
        });
        let (code, obj, _) = self.get_batch(ctx, &id)?;
        Ok((code, obj, effects))
    }

    fn render_batch(&self, book: &BookId, b: &BatchRec) -> Value {
        let mut obj = b.obj.clone();
        let mut members = Vec::new();
        let (mut amount, mut amount_s, mut amount_f, mut amount_c) = (0i64, 0i64, 0i64, 0i64);
        let (mut n_s, mut n_f, mut n_c, mut n_pending) = (0u32, 0u32, 0u32, 0u32);
        for id in &b.ids {
            if let Ok(w) = self.withdrawal_obj(book, id) {
                let a = w.get("amount").and_then(Value::as_i64).unwrap_or(0);
                amount += a;
                match str_field(&w, "status") {
                    Some("succeeded") => {
                        amount_s += a;
                        n_s += 1;
                    }
                    Some("failed") => {
                        amount_f += a;
                        n_f += 1;
                    }
                    Some("canceled") => {
                        amount_c += a;
                        n_c += 1;
                    }
                    _ => n_pending += 1,
                }
                members.push(w);
            }
        }
        let status = if b.cancel {
            "canceled"
        } else if n_pending > 0 {
            "pending"
        } else if n_s == 0 && n_f > 0 {
            "failed"
        } else {
            "succeeded"
        };
        let url = format!(
            "/v1/apps/{}/batch_withdrawals/{}",
            book.app,
            str_field(&obj, "id").unwrap_or_default()
        );
        for (k, v) in [
            ("status", json!(status)),
            ("amount", json!(amount)),
            ("amount_succeeded", json!(amount_s)),
            ("amount_failed", json!(amount_f)),
            ("amount_canceled", json!(amount_c)),
            ("count", json!(b.ids.len())),
            ("count_succeeded", json!(n_s)),
            ("count_failed", json!(n_f)),
            ("count_canceled", json!(n_c)),
            (
                "withdrawals",
                json!({"object": "list", "url": url, "has_more": false, "data": members}),
            ),
        ] {
            set(&mut obj, k, v);
        }
        obj
    }

    pub(crate) fn get_batch(&self, ctx: &Ctx<'_>, id: &str) -> Answer {
        let book = ctx.book_id();
        self.books
            .get(&book)
            .and_then(|b| b.batch_idx.get(id).and_then(|i| b.batches.get(*i)))
            .map(|b| (200, self.render_batch(&book, b), Vec::new()))
            .ok_or_else(|| ApiError::not_found("batch_withdrawal", id))
    }

    pub(crate) fn list_batches(
        &self,
        ctx: &Ctx<'_>,
        url: &str,
        page: &Page,
        status: Option<&str>,
    ) -> Answer {
        let book = ctx.book_id();
        let items: Vec<Value> = self
            .books
            .get(&book)
            .map(|b| {
                b.batches
                    .iter()
                    .rev()
                    .map(|r| self.render_batch(&book, r))
                    .filter(|r| {
                        status.is_none_or(|s| s.is_empty() || str_field(r, "status") == Some(s))
                    })
                    .collect()
            })
            .unwrap_or_default();
        Ok((200, Value::Object(page.list(url, items)), Vec::new()))
    }
}
