//! Ping++ balance withdrawals and batch withdrawals.
#![forbid(unsafe_code)]
