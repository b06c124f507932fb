//! RSA-SHA256 request signing and webhook signature verification for Ping++.
#![forbid(unsafe_code)]
