//! Removing secrets from text that comes back from the network before it is kept in an
//! error or logged.
//!
//! A proxy or a misbehaving server may echo the request, and the request carries
//! `Authorization: Bearer sk_...` (or `Basic` with the key base64-encoded). Everything
//! the SDK quotes from a response goes through [`redact_secrets`] first.

use std::borrow::Cow;

/// What replaces a secret.
pub const REDACTED: &str = "[redacted]";

/// The shortest token after `Bearer`/`Basic` taken for credentials.
const MIN_CREDENTIAL_LEN: usize = 8;

/// The base64 forms of `sk_live_` and `sk_test_` at the start of a base64 string (the
/// credentials of HTTP Basic are `base64(key + ":")`).
const B64_KEY_PREFIXES: [&str; 2] = ["c2tfbGl2ZV", "c2tfdGVzdF"];

/// Replaces every secret-looking part of `text` by `[redacted]`:
///
/// - secret keys: `sk_live_...` and `sk_test_...` (any case), and their base64 form;
/// - credentials after `Bearer ` or `Basic ` (any case, at least 8 characters);
/// - the value of anything named `...authorization` followed by `:` or `=` — a header
///   dump line (`Authorization: Bearer x`), a JSON member (`"authorization": "x"`,
///   `"Authorization": ["x"]`) or a query parameter (`authorization=x&`).
///
/// Returns `text` unchanged (borrowed) when there is nothing to remove.
///
/// ```
/// use pingpp_transport::redact_secrets;
///
/// let echoed = r#"{"headers":{"authorization":"Bearer sk_test_ibbTe5jLGCi5rzfH4OqPW9KC"}}"#;
/// let shown = redact_secrets(echoed);
/// assert!(!shown.contains("ibbTe5"));
/// assert_eq!(shown, r#"{"headers":{"authorization":"[redacted]"}}"#);
/// assert_eq!(redact_secrets("nothing secret"), "nothing secret");
/// ```
pub fn redact_secrets(text: &str) -> Cow<'_, str> {
    if !might_contain_secret(text) {
        return Cow::Borrowed(text);
    }
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    // Start of the text not yet copied to `out`.
    let mut copied = 0;
    while i < bytes.len() {
        if let Some((keep, end)) = match_secret(bytes, i) {
            out.push_str(&text[copied..keep]);
            out.push_str(REDACTED);
            i = end;
            copied = end;
        } else {
            i += 1;
        }
    }
    out.push_str(&text[copied..]);
    Cow::Owned(out)
}

/// A cheap pre-check: every rule needs one of these substrings.
fn might_contain_secret(text: &str) -> bool {
    let lower = |needle: &str| {
        text.as_bytes()
            .windows(needle.len())
            .any(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
    };
    lower("sk_") || lower("bearer") || lower("basic") || lower("authorization") || {
        B64_KEY_PREFIXES.iter().any(|p| text.contains(p))
    }
}

fn starts_with_ci(bytes: &[u8], at: usize, needle: &str) -> bool {
    bytes
        .get(at..at + needle.len())
        .is_some_and(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
}

/// Whether `at` starts a word (not preceded by a letter or digit).
fn word_start(bytes: &[u8], at: usize) -> bool {
    at == 0 || !bytes[at - 1].is_ascii_alphanumeric()
}

/// Characters of a key or token: letters, digits and the base64 / URL-safe extras.
fn token_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.' | b'~' | b'+' | b'/' | b'=')
}

fn skip_token(bytes: &[u8], mut at: usize) -> usize {
    while at < bytes.len() && token_char(bytes[at]) {
        at += 1;
    }
    at
}

/// If a secret starts at `at`, returns (where the redaction starts, where the secret
/// ends): the text before the first index is kept, the rest up to the second replaced.
fn match_secret(bytes: &[u8], at: usize) -> Option<(usize, usize)> {
    // sk_live_... / sk_test_...: keep the prefix, which tells the mode.
    for prefix in ["sk_live_", "sk_test_"] {
        if starts_with_ci(bytes, at, prefix) && word_start(bytes, at) {
            let keep = at + prefix.len();
            return Some((keep, skip_token(bytes, keep).max(keep)));
        }
    }
    // base64("sk_live_..." / "sk_test_...").
    for prefix in B64_KEY_PREFIXES {
        if bytes[at..].starts_with(prefix.as_bytes()) && word_start(bytes, at) {
            return Some((at, skip_token(bytes, at)));
        }
    }
    // Bearer <token> / Basic <token>: keep the scheme.
    for scheme in ["bearer", "basic"] {
        if starts_with_ci(bytes, at, scheme) && word_start(bytes, at) {
            let mut p = at + scheme.len();
            let spaces = p;
            while p < bytes.len() && (bytes[p] == b' ' || bytes[p] == b'\t') {
                p += 1;
            }
            let end = skip_token(bytes, p);
            // Credentials are long; "a basic mistake" is not redacted.
            if p > spaces && end - p >= MIN_CREDENTIAL_LEN {
                return Some((p, end));
            }
        }
    }
    // ...authorization <sep> value
    if starts_with_ci(bytes, at, "authorization") {
        return authorization_value(bytes, at + "authorization".len());
    }
    None
}

/// After a name ending in `authorization`: an optional closing quote, `:` or `=`, an
/// optional `[` and opening quote, then the value up to the closing quote, or the end
/// of the line or field.
fn authorization_value(bytes: &[u8], mut p: usize) -> Option<(usize, usize)> {
    let skip_blanks = |mut p: usize| {
        while p < bytes.len() && (bytes[p] == b' ' || bytes[p] == b'\t') {
            p += 1;
        }
        p
    };
    if p < bytes.len() && (bytes[p] == b'"' || bytes[p] == b'\'') {
        p += 1;
    }
    p = skip_blanks(p);
    if p >= bytes.len() || !(bytes[p] == b':' || bytes[p] == b'=') {
        return None;
    }
    p = skip_blanks(p + 1);
    if p < bytes.len() && bytes[p] == b'[' {
        p = skip_blanks(p + 1);
    }
    let quote = match bytes.get(p) {
        Some(&q @ (b'"' | b'\'')) => {
            p += 1;
            Some(q)
        }
        _ => None,
    };
    let start = p;
    let mut end = p;
    match quote {
        Some(q) => {
            while end < bytes.len() && bytes[end] != q {
                end += if bytes[end] == b'\\' { 2 } else { 1 };
            }
        }
        None => {
            while end < bytes.len()
                && !matches!(bytes[end], b'\r' | b'\n' | b',' | b';' | b'&' | b'}' | b']')
            {
                end += 1;
            }
        }
    }
    let end = end.min(bytes.len());
    (end > start).then_some((start, end))
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "sk_test_ibbTe5jLGCi5rzfH4OqPW9KC";
    const SECRET_PART: &str = "ibbTe5jLGCi5rzfH4OqPW9KC";

    fn clean(text: &str) -> String {
        let out = redact_secrets(text).into_owned();
        assert!(!out.contains(SECRET_PART), "{text:?} -> {out:?}");
        assert!(!out.contains("c2tfdGVzdF9"), "{text:?} -> {out:?}");
        out
    }

    #[test]
    fn bare_keys_in_any_case_are_redacted_keeping_the_mode() {
        assert_eq!(
            clean(&format!("key={KEY}&x=1")),
            "key=sk_test_[redacted]&x=1"
        );
        assert_eq!(clean("SK_LIVE_ABCdef123 rest"), "SK_LIVE_[redacted] rest");
        assert_eq!(clean(&format!("\"{KEY}\"")), "\"sk_test_[redacted]\"");
    }

    #[test]
    fn bearer_and_basic_credentials_are_redacted() {
        assert_eq!(clean(&format!("Bearer {KEY}")), "Bearer [redacted]");
        assert_eq!(clean("bearer abc.def-ghi"), "bearer [redacted]");
        // Basic base64("sk_test_ibbTe5jLGCi5rzfH4OqPW9KC:")
        let basic = "Basic c2tfdGVzdF9pYmJUZTVqTEdDaTVyemZINE9xUFc5S0M6";
        assert_eq!(clean(basic), "Basic [redacted]");
        // The base64 form alone, e.g. a decoded-then-reencoded echo.
        assert_eq!(
            clean("token c2tfdGVzdF9pYmJUZTVqTEdDaTVyemZINE9xUFc5S0M6 end"),
            "token [redacted] end"
        );
    }

    #[test]
    fn authorization_values_are_redacted_in_every_shape() {
        // A header dump, as an echoing proxy would send it.
        let dump = format!(
            "POST /v1/apps/app_1/withdrawals HTTP/1.1\r\nAuthorization: Bearer {KEY}\r\nHost: x\r\n"
        );
        assert_eq!(
            clean(&dump),
            "POST /v1/apps/app_1/withdrawals HTTP/1.1\r\nAuthorization: [redacted]\r\nHost: x\r\n"
        );
        // Mixed case, JSON member, JSON array, query parameter, proxy header.
        assert_eq!(
            clean(r#"{"AUTHORIZATION": "Token opaque-secret-123"}"#),
            r#"{"AUTHORIZATION": "[redacted]"}"#
        );
        assert_eq!(
            clean(r#"{"authorization":["opaque secret 456"]}"#),
            r#"{"authorization":["[redacted]"]}"#
        );
        assert_eq!(
            clean("a=1&authorization=opaque789&b=2"),
            "a=1&authorization=[redacted]&b=2"
        );
        assert_eq!(
            clean("proxy-authorization: Negotiate opaque000\n"),
            "proxy-authorization: [redacted]\n"
        );
        let out = clean(r#"{"authorization":"x\"y opaque","n":1}"#);
        assert_eq!(out, r#"{"authorization":"[redacted]","n":1}"#);
    }

    #[test]
    fn ordinary_text_is_left_alone() {
        for text in [
            "",
            r#"{"error":{"type":"invalid_request_error","message":"参数错误"}}"#,
            "authorization failed",
            "a basic mistake",
            "skills_test value",
            "ask_test_x is not a key",
        ] {
            assert_eq!(redact_secrets(text), text);
        }
        assert_eq!(redact_secrets("Basic auth"), "Basic auth");
    }

    #[test]
    fn multibyte_text_around_secrets_survives() {
        assert_eq!(
            clean(&format!("错误：Bearer {KEY}，请重试")),
            "错误：Bearer [redacted]，请重试"
        );
    }
}
