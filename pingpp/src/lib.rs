//! The Ping++ server SDK for Rust: client, resources, types and webhooks in one dependency.
#![forbid(unsafe_code)]
