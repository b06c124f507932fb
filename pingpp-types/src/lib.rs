//! Ping++ account-system data model: refunds, withdrawals, recharges, events, parameters and validation.
#![forbid(unsafe_code)]
