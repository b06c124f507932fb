//! Ping++ balance recharges and recharge refunds.
#![forbid(unsafe_code)]
