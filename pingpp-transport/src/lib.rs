//! Pluggable HTTP transport and the signed request pipeline of the Ping++ SDK.
#![forbid(unsafe_code)]
