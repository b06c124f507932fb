//! Finding the signature header in whatever header collection a framework hands out.

/// The header Ping++ puts the webhook signature in. Header names are case-insensitive;
/// [`find_signature`] compares them that way.
pub const SIGNATURE_HEADER: &str = "X-Pingplusplus-Signature";

/// What [`find_signature`] returns for a header value that is not valid UTF-8: it cannot
/// be base64, so verification reports [`WebhookError::InvalidBase64`](crate::WebhookError::InvalidBase64)
/// rather than a missing signature.
const NOT_UTF8: &str = "\u{FFFD}";

/// Finds the `X-Pingplusplus-Signature` value among `(name, value)` pairs, comparing
/// names case-insensitively. Returns the first match, or `None` when the header is absent.
///
/// Works with anything that iterates as pairs of a name (`AsRef<str>`) and a borrowed
/// value (`AsRef<[u8]>`): `&http::HeaderMap`, a `HashMap<String, String>`, a slice of
/// `(&str, &str)` via `.iter().map(|(k, v)| (k, v))`, ...
///
/// A value that is not valid UTF-8 is returned as `"\u{FFFD}"`, which verification
/// rejects as not base64 (it is never mistaken for a missing header).
///
/// ```
/// use std::collections::HashMap;
/// let mut headers = HashMap::new();
/// headers.insert("content-type".to_string(), "application/json".to_string());
/// headers.insert("x-pingplusplus-signature".to_string(), "c2ln".to_string());
/// assert_eq!(pingpp_webhook::find_signature(&headers), Some("c2ln"));
///
/// let pairs = [("Host", "example.com")];
/// assert_eq!(pingpp_webhook::find_signature(pairs.iter().map(|(k, v)| (k, v))), None);
/// ```
pub fn find_signature<'a, I, K, V>(headers: I) -> Option<&'a str>
where
    I: IntoIterator<Item = (K, &'a V)>,
    K: AsRef<str>,
    V: AsRef<[u8]> + ?Sized + 'a,
{
    headers
        .into_iter()
        .find(|(name, _)| name.as_ref().eq_ignore_ascii_case(SIGNATURE_HEADER))
        .map(|(_, value)| std::str::from_utf8(value.as_ref()).unwrap_or(NOT_UTF8))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_header_in_any_case() {
        for name in [
            "X-Pingplusplus-Signature",
            "x-pingplusplus-signature",
            "X-PINGPLUSPLUS-SIGNATURE",
        ] {
            let headers = [
                ("Content-Type".to_string(), "application/json".to_string()),
                (name.to_string(), "abc=".to_string()),
            ];
            assert_eq!(
                find_signature(headers.iter().map(|(k, v)| (k, v))),
                Some("abc=")
            );
        }
    }

    #[test]
    fn absent_header_is_none_and_similar_names_do_not_match() {
        let headers = [
            ("X-Pingplusplus-Signature-Old", "abc"),
            ("Pingplusplus-Signature", "def"),
        ];
        assert_eq!(find_signature(headers.iter().map(|(k, v)| (k, v))), None);
    }

    #[test]
    fn non_utf8_value_is_not_reported_as_missing() {
        let headers: Vec<(&str, Vec<u8>)> = vec![("x-pingplusplus-signature", vec![0xff, 0xfe])];
        assert_eq!(
            find_signature(headers.iter().map(|(k, v)| (k, v))),
            Some(NOT_UTF8)
        );
    }

    #[cfg(feature = "http")]
    #[test]
    fn works_with_http_header_map() {
        let mut map = http::HeaderMap::new();
        map.insert("X-Pingplusplus-Signature", "c2ln".parse().unwrap());
        assert_eq!(find_signature(&map), Some("c2ln"));
    }
}
