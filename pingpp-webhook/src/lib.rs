//! Verify and parse Ping++ webhook notifications.
#![forbid(unsafe_code)]
