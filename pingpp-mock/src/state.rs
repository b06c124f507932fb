//! The emulator's state and money rules. Everything here is synchronous and runs under
//! one mutex; delayed work is returned as [`Effect`]s for the server to schedule.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::time::{SystemTime, UNIX_EPOCH};

use rand::Rng;
use rand::distributions::Alphanumeric;
use serde_json::{Map, Value, json};

use crate::validate::{
    self, ApiError, Obj, max_chars, metadata, opt_amount, opt_str, req_amount, req_str,
};
use crate::webhook::DeliveryAttempt;

/// One user's money, in fen. The emulator keeps
/// `recharged - refunded == balance + in_flight + paid_out` at all times.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Ledger {
    /// What the user can spend now.
    pub balance: i64,
    /// Sum credited by recharges (`charge.amount - user_fee + balance_bonus` each).
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

/// Work to do after the lock is released.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Effect {
    /// Deliver this event to the webhook URL.
    Webhook(String),
    /// Finish a pending refund after the processing delay.
    FinishRefund {
        app: String,
        recharge: String,
        refund: String,
    },
    /// Decide a pending withdrawal after the processing delay.
    FinishWithdrawal { app: String, id: String },
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

#[derive(Default)]
struct App {
    recharges: Vec<RechargeRec>,
    recharge_idx: HashMap<String, usize>,
    recharge_order_nos: HashSet<String>,
    withdrawals: Vec<WithdrawalRec>,
    withdrawal_idx: HashMap<String, usize>,
    withdrawal_order_nos: HashSet<String>,
    batches: Vec<BatchRec>,
    batch_idx: HashMap<String, usize>,
}

struct EventRec {
    obj: Value,
    pending_webhooks: u32,
}

/// Paging from the query string.
pub(crate) struct Page {
    pub(crate) page: usize,
    pub(crate) per_page: usize,
}

impl Page {
    pub(crate) fn from_query(q: &HashMap<String, String>) -> Result<Self, ApiError> {
        let page = match q.get("page") {
            None => 1,
            Some(p) => match p.parse::<usize>() {
                Ok(n) if (1..=1_000_000).contains(&n) => n,
                _ => return Err(ApiError::param("page", "page must be an integer from 1")),
            },
        };
        let per_page = match q.get("per_page") {
            None => 20,
            Some(p) => match p.parse::<usize>() {
                Ok(n) if (1..=100).contains(&n) => n,
                _ => {
                    return Err(ApiError::param(
                        "per_page",
                        "per_page must be an integer from 1 to 100",
                    ));
                }
            },
        };
        Ok(Self { page, per_page })
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

fn mock_outcome(md: &Obj) -> Result<Outcome, ApiError> {
    match md.get("mock_outcome") {
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

/// The whole emulator state.
#[derive(Default)]
pub(crate) struct State {
    apps: HashMap<String, App>,
    ledgers: BTreeMap<(String, String), Ledger>,
    events: HashMap<String, EventRec>,
    event_order: Vec<String>,
    seq: u64,
    pub(crate) deliveries: Vec<DeliveryAttempt>,
}

/// Context of one request.
pub(crate) struct Ctx<'a> {
    pub(crate) app: &'a str,
    pub(crate) livemode: bool,
    pub(crate) webhooks: bool,
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

    pub(crate) fn ledger(&self, app: &str, user: &str) -> Option<Ledger> {
        self.ledgers
            .get(&(app.to_owned(), user.to_owned()))
            .copied()
    }

    pub(crate) fn ledgers(&self) -> Vec<(String, String, Ledger)> {
        self.ledgers
            .iter()
            .map(|((a, u), l)| (a.clone(), u.clone(), *l))
            .collect()
    }

    fn ledger_mut(&mut self, app: &str, user: &str) -> Option<&mut Ledger> {
        self.ledgers.get_mut(&(app.to_owned(), user.to_owned()))
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

    pub(crate) fn get_event(&self, id: &str) -> Answer {
        match self.event(id) {
            Some(e) => Ok((200, e, Vec::new())),
            None => Err(ApiError::not_found("event", id)),
        }
    }

    /// Marks an event's delivery finished (delivered, or given up).
    pub(crate) fn webhook_done(&mut self, id: &str) {
        if let Some(e) = self.events.get_mut(id) {
            e.pending_webhooks = 0;
        }
    }

    fn new_event(
        &mut self,
        ctx_livemode: bool,
        webhooks: bool,
        kind: &str,
        object: &Value,
    ) -> Effect {
        let id = random_id("evt_");
        let obj = json!({
            "id": id,
            "object": "event",
            "created": now(),
            "livemode": ctx_livemode,
            "type": kind,
            "data": { "object": object },
            "pending_webhooks": u32::from(webhooks),
            "request": random_id("iar_"),
        });
        self.events.insert(
            id.clone(),
            EventRec {
                obj,
                pending_webhooks: u32::from(webhooks),
            },
        );
        self.event_order.push(id.clone());
        Effect::Webhook(id)
    }

    fn app(&mut self, app: &str) -> &mut App {
        self.apps.entry(app.to_owned()).or_default()
    }

    // ----- recharges -------------------------------------------------------------

    pub(crate) fn create_recharge(&mut self, ctx: &Ctx<'_>, p: &Obj) -> Answer {
        let user = req_str(p, "user", "user")?.to_owned();
        max_chars(&user, 64, "user")?;
        let charge = match p.get("charge") {
            Some(Value::Object(c)) => c,
            Some(_) => return Err(ApiError::param("charge", "charge must be an object")),
            None => return Err(ApiError::param("charge", "charge is required")),
        };
        let amount = req_amount(charge, "amount", "charge[amount]")?;
        let channel = req_str(charge, "channel", "charge[channel]")?;
        let order_no = req_str(charge, "order_no", "charge[order_no]")?;
        validate::recharge_order_no(order_no)?;
        let subject = req_str(charge, "subject", "charge[subject]")?;
        max_chars(subject, 32, "charge[subject]")?;
        let body = req_str(charge, "body", "charge[body]")?;
        max_chars(body, 128, "charge[body]")?;
        let client_ip = opt_str(charge, "client_ip", "charge[client_ip]")?.unwrap_or("127.0.0.1");
        let time_expire = match charge.get("time_expire") {
            None | Some(Value::Null) => Value::Null,
            Some(v) if v.is_i64() => v.clone(),
            Some(_) => {
                return Err(ApiError::param(
                    "charge[time_expire]",
                    "charge[time_expire] must be a Unix timestamp",
                ));
            }
        };
        let charge_extra = match charge.get("extra") {
            None | Some(Value::Null) => Value::Object(Map::new()),
            Some(v @ Value::Object(_)) => v.clone(),
            Some(_) => {
                return Err(ApiError::param(
                    "charge[extra]",
                    "charge[extra] must be an object",
                ));
            }
        };
        let user_fee = opt_amount(p, "user_fee", "user_fee")?;
        if user_fee > amount {
            return Err(ApiError::param(
                "user_fee",
                "user_fee must not exceed charge[amount]",
            ));
        }
        let balance_bonus = opt_amount(p, "balance_bonus", "balance_bonus")?;
        let from_user = opt_str(p, "from_user", "from_user")?.map(str::to_owned);
        let description = opt_str(p, "description", "description")?.map(str::to_owned);
        if let Some(d) = &description {
            max_chars(d, 255, "description")?;
        }
        let md = metadata(p)?;
        if self.app(ctx.app).recharge_order_nos.contains(order_no) {
            return Err(ApiError::param(
                "charge[order_no]",
                format!("order_no {order_no} has already been used in this app"),
            )
            .code("order_no_used"));
        }
        let credited = amount - user_fee + balance_bonus;
        let ledger = self
            .ledgers
            .entry((ctx.app.to_owned(), user.clone()))
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
        let charge_obj = json!({
            "id": random_id("ch_"),
            "object": "charge",
            "created": t,
            "livemode": ctx.livemode,
            "paid": true,
            "refunded": false,
            "reversed": false,
            "app": ctx.app,
            "channel": channel,
            "order_no": order_no,
            "client_ip": client_ip,
            "amount": amount,
            "amount_settle": amount,
            "currency": "cny",
            "subject": subject,
            "body": body,
            "extra": charge_extra,
            "time_paid": t,
            "time_expire": time_expire,
            "time_settle": null,
            "transaction_no": format!("mock{}", self.seq),
            "refunds": {"object": "list", "url": format!("/v1/charges/{id}/refunds"), "has_more": false, "data": []},
            "amount_refunded": 0,
            "failure_code": null,
            "failure_msg": null,
            "metadata": {},
            "credential": {},
            "description": null,
        });
        let obj = json!({
            "id": id,
            "object": "recharge",
            "app": ctx.app,
            "created": t,
            "livemode": ctx.livemode,
            "amount": amount,
            "succeeded": true,
            "time_succeeded": t,
            "refunded": false,
            "user": user,
            "from_user": from_user.unwrap_or_else(|| user.clone()),
            "user_fee": user_fee,
            "charge": charge_obj,
            "balance_bonus": {"amount": balance_bonus},
            "balance_transaction": random_id("txn_"),
            "description": description,
            "metadata": md,
        });
        let app = self.app(ctx.app);
        app.recharge_order_nos.insert(order_no.to_owned());
        app.recharge_idx.insert(id.clone(), app.recharges.len());
        app.recharges.push(RechargeRec {
            obj: obj.clone(),
            user,
            credited,
            refunds: Vec::new(),
            refunded: false,
        });
        let effect = self.new_event(ctx.livemode, ctx.webhooks, "recharge.succeeded", &obj);
        Ok((200, obj, vec![effect]))
    }

    fn recharge(&self, app: &str, id: &str) -> Result<&RechargeRec, ApiError> {
        self.apps
            .get(app)
            .and_then(|a| a.recharge_idx.get(id).and_then(|i| a.recharges.get(*i)))
            .ok_or_else(|| ApiError::not_found("recharge", id))
    }

    fn recharge_mut(&mut self, app: &str, id: &str) -> Result<&mut RechargeRec, ApiError> {
        self.apps
            .get_mut(app)
            .and_then(|a| {
                let i = *a.recharge_idx.get(id)?;
                a.recharges.get_mut(i)
            })
            .ok_or_else(|| ApiError::not_found("recharge", id))
    }

    pub(crate) fn get_recharge(&self, app: &str, id: &str) -> Answer {
        Ok((200, self.recharge(app, id)?.obj.clone(), Vec::new()))
    }

    pub(crate) fn list_recharges(&self, app: &str, url: &str, page: &Page) -> Answer {
        let items: Vec<Value> = self
            .apps
            .get(app)
            .map(|a| a.recharges.iter().rev().map(|r| r.obj.clone()).collect())
            .unwrap_or_default();
        Ok((200, Value::Object(page.list(url, items)), Vec::new()))
    }

    pub(crate) fn create_refund(&mut self, ctx: &Ctx<'_>, recharge_id: &str, p: &Obj) -> Answer {
        let description = req_str(p, "description", "description")?.to_owned();
        max_chars(&description, 255, "description")?;
        let md = metadata(p)?;
        let funding_source = opt_str(p, "funding_source", "funding_source")?.map(str::to_owned);
        if let Some(f) = &funding_source
            && f != "unsettled_funds"
            && f != "recharge_funds"
        {
            return Err(ApiError::param(
                "funding_source",
                "funding_source must be unsettled_funds or recharge_funds",
            ));
        }
        let fail = match md.get("mock_outcome") {
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
        let seq = self.next_seq();
        let rec = self.recharge(ctx.app, recharge_id)?;
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
                .ledger_mut(ctx.app, &user)
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
            "description": description,
            "failure_code": if fail { json!("mock_failed") } else { Value::Null },
            "failure_msg": if fail { json!("退款失败 (mock_outcome=failed)") } else { Value::Null },
            "metadata": md,
            "charge": charge_id,
            "charge_order_no": charge_order_no,
            "transaction_no": null,
            "extra": {},
            "currency": "cny",
            "funding_source": funding_source,
        });
        let rec = self.recharge_mut(ctx.app, recharge_id)?;
        rec.refunds.push(obj.clone());
        let mut effects = Vec::new();
        if !fail {
            rec.refunded = true;
            set(&mut rec.obj, "refunded", json!(true));
            effects.push(Effect::FinishRefund {
                app: ctx.app.to_owned(),
                recharge: recharge_id.to_owned(),
                refund: refund_id,
            });
        }
        Ok((200, obj, effects))
    }

    /// A pending refund succeeds.
    pub(crate) fn finish_refund(
        &mut self,
        app: &str,
        recharge_id: &str,
        refund_id: &str,
        webhooks: bool,
    ) -> Vec<Effect> {
        let Ok(rec) = self.recharge_mut(app, recharge_id) else {
            return Vec::new();
        };
        let livemode = rec
            .obj
            .get("livemode")
            .and_then(Value::as_bool)
            .unwrap_or(false);
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
        vec![self.new_event(livemode, webhooks, "refund.succeeded", &refund)]
    }

    pub(crate) fn get_refund(&self, app: &str, recharge_id: &str, refund_id: &str) -> Answer {
        self.recharge(app, recharge_id)?
            .refunds
            .iter()
            .find(|r| str_field(r, "id") == Some(refund_id))
            .map(|r| (200, r.clone(), Vec::new()))
            .ok_or_else(|| ApiError::not_found("refund", refund_id))
    }

    pub(crate) fn list_refunds(
        &self,
        app: &str,
        recharge_id: &str,
        url: &str,
        page: &Page,
    ) -> Answer {
        let items = self
            .recharge(app, recharge_id)?
            .refunds
            .iter()
            .rev()
            .cloned()
            .collect();
        Ok((200, Value::Object(page.list(url, items)), Vec::new()))
    }

    // ----- withdrawals -----------------------------------------------------------

    pub(crate) fn create_withdrawal(&mut self, ctx: &Ctx<'_>, p: &Obj) -> Answer {
        let user = req_str(p, "user", "user")?.to_owned();
        let amount = req_amount(p, "amount", "amount")?;
        let user_fee = opt_amount(p, "user_fee", "user_fee")?;
        if user_fee > amount {
            return Err(ApiError::param(
                "user_fee",
                "user_fee must not exceed amount",
            ));
        }
        let order_no = req_str(p, "order_no", "order_no")?.to_owned();
        let description = opt_str(p, "description", "description")?.map(str::to_owned);
        if let Some(d) = &description {
            max_chars(d, 60, "description")?;
        }
        let md = metadata(p)?;
        let outcome = mock_outcome(&md)?;
        let channel = opt_str(p, "channel", "channel")?.filter(|c| !c.is_empty());
        let settle_account =
            opt_str(p, "settle_account", "settle_account")?.filter(|s| !s.is_empty());
        let (channel, extra, settle_account) = match (channel, settle_account) {
            (Some(ch), _) => {
                let extra = validate::withdrawal_extra(ch, p.get("extra"))?;
                (Some(ch.to_owned()), extra, None)
            }
            (None, Some(sa)) => (None, Map::new(), Some(sa.to_owned())),
            (None, None) => {
                return Err(ApiError::param(
                    "channel",
                    "channel (with extra) or settle_account is required",
                ));
            }
        };
        validate::withdrawal_order_no(channel.as_deref(), &order_no)?;
        if self.app(ctx.app).withdrawal_order_nos.contains(&order_no) {
            return Err(ApiError::param(
                "order_no",
                format!("order_no {order_no} has already been used in this app"),
            )
            .code("order_no_used"));
        }
        let ledger = self
            .ledger_mut(ctx.app, &user)
            .ok_or_else(|| ApiError::not_found("user", &user).with_param("user"))?;
        debit(ledger, &user, amount, "the withdrawal amount")?;
        ledger.in_flight += amount;
        let id = self.numeric_id("1701");
        let obj = json!({
            "id": id,
            "object": "withdrawal",
            "app": ctx.app,
            "amount": amount,
            "asset_transaction": random_id("ast_"),
            "balance_transaction": random_id("txn_"),
            "channel": channel,
            "created": now(),
            "description": description,
            "extra": extra,
            "failure_msg": null,
            "fee": 0,
            "livemode": ctx.livemode,
            "metadata": md,
            "operation_url": null,
            "order_no": order_no,
            "source": null,
            "status": "created",
            "time_canceled": null,
            "time_succeeded": null,
            "user": user,
            "user_fee": user_fee,
            "settle_account": settle_account,
        });
        let app = self.app(ctx.app);
        app.withdrawal_order_nos.insert(order_no);
        app.withdrawal_idx.insert(id, app.withdrawals.len());
        app.withdrawals.push(WithdrawalRec {
            obj: obj.clone(),
            user,
            amount,
            outcome,
        });
        Ok((200, obj, Vec::new()))
    }

    fn withdrawal_index(&self, app: &str, id: &str) -> Result<usize, ApiError> {
        self.apps
            .get(app)
            .and_then(|a| a.withdrawal_idx.get(id).copied())
            .ok_or_else(|| ApiError::not_found("withdrawal", id))
    }

    pub(crate) fn get_withdrawal(&self, app: &str, id: &str) -> Answer {
        let i = self.withdrawal_index(app, id)?;
        self.apps
            .get(app)
            .and_then(|a| a.withdrawals.get(i))
            .map(|w| (200, w.obj.clone(), Vec::new()))
            .ok_or_else(|| ApiError::not_found("withdrawal", id))
    }

    pub(crate) fn list_withdrawals(
        &self,
        app: &str,
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
            .apps
            .get(app)
            .map(|a| a.withdrawals.iter().rev().filter(matches).collect())
            .unwrap_or_default();
        let total: i64 = selected.iter().map(|w| w.amount).sum();
        let items = selected.iter().map(|w| w.obj.clone()).collect();
        let mut list = page.list(url, items);
        list.insert("total_withdrawals_amount".into(), json!(total));
        Ok((200, Value::Object(list), Vec::new()))
    }

    /// Status of a withdrawal by index (caller checked the index).
    fn w_status(&self, app: &str, i: usize) -> String {
        self.apps
            .get(app)
            .and_then(|a| a.withdrawals.get(i))
            .and_then(|w| str_field(&w.obj, "status"))
            .unwrap_or_default()
            .to_owned()
    }

    /// Confirms (`cancel == false`) or cancels a `created` withdrawal.
    fn act_on_withdrawal(&mut self, app: &str, i: usize, cancel: bool) -> Vec<Effect> {
        let Some(w) = self
            .apps
            .get_mut(app)
            .and_then(|a| a.withdrawals.get_mut(i))
        else {
            return Vec::new();
        };
        let id = str_field(&w.obj, "id").unwrap_or_default().to_owned();
        if cancel {
            set(&mut w.obj, "status", json!("canceled"));
            set(&mut w.obj, "time_canceled", json!(now()));
            let (user, amount) = (w.user.clone(), w.amount);
            if let Some(l) = self.ledger_mut(app, &user) {
                l.in_flight -= amount;
                l.balance += amount;
            }
            Vec::new()
        } else {
            set(&mut w.obj, "status", json!("pending"));
            set(&mut w.obj, "failure_msg", Value::Null);
            vec![Effect::FinishWithdrawal {
                app: app.to_owned(),
                id,
            }]
        }
    }

    pub(crate) fn update_withdrawal(&mut self, app: &str, id: &str, p: &Obj) -> Answer {
        let cancel = match req_str(p, "status", "status")? {
            "pending" => false,
            "canceled" => true,
            other => {
                return Err(ApiError::param(
                    "status",
                    format!(
                        "status must be \"pending\" (confirm) or \"canceled\" (cancel), not {other:?}"
                    ),
                ));
            }
        };
        let i = self.withdrawal_index(app, id)?;
        let status = self.w_status(app, i);
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
        let effects = self.act_on_withdrawal(app, i, cancel);
        let (code, obj, _) = self.get_withdrawal(app, id)?;
        Ok((code, obj, effects))
    }

    /// A pending withdrawal reaches its outcome.
    pub(crate) fn finish_withdrawal(&mut self, app: &str, id: &str, webhooks: bool) -> Vec<Effect> {
        let Ok(i) = self.withdrawal_index(app, id) else {
            return Vec::new();
        };
        let Some(w) = self
            .apps
            .get_mut(app)
            .and_then(|a| a.withdrawals.get_mut(i))
        else {
            return Vec::new();
        };
        if str_field(&w.obj, "status") != Some("pending") {
            return Vec::new();
        }
        let (user, amount, livemode) = (
            w.user.clone(),
            w.amount,
            w.obj
                .get("livemode")
                .and_then(Value::as_bool)
                .unwrap_or(false),
        );
        let t = now();
        match w.outcome {
            Outcome::Succeed => {
                set(&mut w.obj, "status", json!("succeeded"));
                set(&mut w.obj, "time_succeeded", json!(t));
                let obj = w.obj.clone();
                if let Some(l) = self.ledger_mut(app, &user) {
                    l.in_flight -= amount;
                    l.paid_out += amount;
                }
                vec![self.new_event(livemode, webhooks, "balance.withdrawal.succeeded", &obj)]
            }
            Outcome::Fail => {
                set(&mut w.obj, "status", json!("failed"));
                set(
                    &mut w.obj,
                    "failure_msg",
                    json!("收款账户信息有误 (mock_outcome=failed)"),
                );
                let obj = w.obj.clone();
                if let Some(l) = self.ledger_mut(app, &user) {
                    l.in_flight -= amount;
                    l.balance += amount;
                }
                vec![self.new_event(livemode, webhooks, "balance.withdrawal.failed", &obj)]
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

    pub(crate) fn create_batch(&mut self, ctx: &Ctx<'_>, p: &Obj) -> Answer {
        let ids: Vec<String> = match p.get("withdrawals") {
            Some(Value::Array(a)) => a
                .iter()
                .map(|v| v.as_str().map(str::to_owned))
                .collect::<Option<Vec<_>>>()
                .ok_or_else(|| {
                    ApiError::param("withdrawals", "withdrawals must be an array of ids")
                })?,
            Some(_) => {
                return Err(ApiError::param(
                    "withdrawals",
                    "withdrawals must be an array of ids",
                ));
            }
            None => return Err(ApiError::param("withdrawals", "withdrawals is required")),
        };
        if ids.is_empty() || ids.len() > 200 {
            return Err(ApiError::param(
                "withdrawals",
                "withdrawals must hold 1 to 200 ids",
            ));
        }
        let unique: HashSet<&String> = ids.iter().collect();
        if unique.len() != ids.len() {
            return Err(ApiError::param(
                "withdrawals",
                "withdrawals holds duplicate ids",
            ));
        }
        let cancel = match opt_str(p, "status", "status")? {
            None | Some("pending") => false,
            Some("canceled") => true,
            Some(other) => {
                return Err(ApiError::param(
                    "status",
                    format!("status must be \"pending\" or \"canceled\", not {other:?}"),
                ));
            }
        };
        let md = metadata(p)?;
        let mut idx = Vec::with_capacity(ids.len());
        for id in &ids {
            let i = self.withdrawal_index(ctx.app, id)?;
            let status = self.w_status(ctx.app, i);
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
            effects.extend(self.act_on_withdrawal(ctx.app, i, cancel));
        }
        let id = self.numeric_id("1901");
        let obj = json!({
            "id": id,
            "object": "batch_withdrawal",
            "app": ctx.app,
            "created": now(),
            "livemode": ctx.livemode,
            "metadata": md,
            "operation_url": null,
            "source": null,
        });
        let app = self.app(ctx.app);
        app.batch_idx.insert(id.clone(), app.batches.len());
        app.batches.push(BatchRec { obj, ids, cancel });
        let (code, obj, _) = self.get_batch(ctx.app, &id)?;
        Ok((code, obj, effects))
    }

    fn render_batch(&self, app: &str, b: &BatchRec) -> Value {
        let mut obj = b.obj.clone();
        let mut members = Vec::new();
        let (mut amount, mut amount_s, mut amount_f, mut amount_c) = (0i64, 0i64, 0i64, 0i64);
        let (mut n_s, mut n_f, mut n_c, mut n_pending) = (0u32, 0u32, 0u32, 0u32);
        for id in &b.ids {
            if let Ok((_, w, _)) = self.get_withdrawal(app, id) {
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
            "/v1/apps/{app}/batch_withdrawals/{}",
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

    pub(crate) fn get_batch(&self, app: &str, id: &str) -> Answer {
        self.apps
            .get(app)
            .and_then(|a| a.batch_idx.get(id).and_then(|i| a.batches.get(*i)))
            .map(|b| (200, self.render_batch(app, b), Vec::new()))
            .ok_or_else(|| ApiError::not_found("batch_withdrawal", id))
    }

    pub(crate) fn list_batches(
        &self,
        app: &str,
        url: &str,
        page: &Page,
        status: Option<&str>,
    ) -> Answer {
        let items: Vec<Value> = self
            .apps
            .get(app)
            .map(|a| {
                a.batches
                    .iter()
                    .rev()
                    .map(|b| self.render_batch(app, b))
                    .filter(|b| {
                        status.is_none_or(|s| s.is_empty() || str_field(b, "status") == Some(s))
                    })
                    .collect()
            })
            .unwrap_or_default();
        Ok((200, Value::Object(page.list(url, items)), Vec::new()))
    }
}

impl ApiError {
    pub(crate) fn with_param(mut self, param: &str) -> Self {
        self.param = Some(param.to_owned());
        self
    }
}
