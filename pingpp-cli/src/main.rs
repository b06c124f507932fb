//! The `pingpp` command line.
#![forbid(unsafe_code)]

fn main() {}
