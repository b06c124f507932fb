//! A local, stateful emulator of the Ping++ account-system API.
#![forbid(unsafe_code)]
