//! PEM envelopes as merchants paste them, and base64.
//!
//! Keys arrive with CRLF line ends, without line wrapping, indented, after a BOM, or
//! as bare base64 copied out of a dashboard. RFC 7468 readers reject most of those,
//! so the text is first normalised here (label and base64 body found, body re-wrapped
//! at 64 columns, padding restored) and the canonical envelope is then decoded by
//! `pem-rfc7468`. Bare base64 is decoded by `base64ct` (the same decoder). What is
//! inside (the DER) is parsed in `formats`.

use base64ct::{Base64, Base64Unpadded, Encoding as _};
use zeroize::Zeroizing;

use crate::KeyError;

/// One decoded PEM block: its label (`None` for bare base64) and DER bytes.
pub(crate) struct Block {
    pub(crate) label: Option<String>,
    pub(crate) der: Zeroizing<Vec<u8>>,
}

/// Reads the first PEM block of `text`, or treats the whole text as bare base64.
pub(crate) fn decode(text: &str) -> Result<Block, KeyError> {
    let text = text.trim_start_matches('\u{feff}').trim();
    if text.is_empty() {
        return Err(KeyError::MalformedPem {
            reason: "the key text is empty",
        });
    }
    let Some(begin) = text.find("-----BEGIN ") else {
        let compact = compact(text)?;
        return decode_base64(&compact)
            .map(|der| Block {
                label: None,
                der: Zeroizing::new(der),
            })
            .map_err(|_| KeyError::MalformedPem {
                reason: "the key body is not valid base64",
            });
    };
    let after_begin = &text[begin + "-----BEGIN ".len()..];
    let Some(label_end) = after_begin.find("-----") else {
        return Err(KeyError::MalformedPem {
            reason: "the BEGIN line is not closed with -----",
        });
    };
    let label = after_begin[..label_end].trim();
    let rest = &after_begin[label_end + "-----".len()..];
    let Some(end) = rest.find(&format!("-----END {label}-----")) else {
        return Err(KeyError::MalformedPem {
            reason: "no matching END line",
        });
    };
    let body = &rest[..end];
    // RFC 1421 headers ("Proc-Type: 4,ENCRYPTED", "DEK-Info: ...") come first.
    if body.contains("ENCRYPTED") && body.contains("Proc-Type") {
        return Err(KeyError::Encrypted);
    }
    let base64_body: Zeroizing<String> = Zeroizing::new(
        body.lines()
            .filter(|line| !line.contains(':'))
            .collect::<Vec<_>>()
            .concat(),
    );
    let compact = compact(&base64_body)?;
    let canonical = canonical_pem(label, &compact)?;
    let (decoded_label, der) =
        pem_rfc7468::decode_vec(canonical.as_bytes()).map_err(|e| KeyError::MalformedPem {
            reason: match e {
                pem_rfc7468::Error::Label => "the BEGIN line's label is not a valid PEM label",
                _ => "the key body is not valid base64",
            },
        })?;
    Ok(Block {
        label: Some(decoded_label.to_owned()),
        der: Zeroizing::new(der),
    })
}

/// The base64 characters of `body`, whitespace removed.
fn compact(body: &str) -> Result<Zeroizing<String>, KeyError> {
    let compact: Zeroizing<String> =
        Zeroizing::new(body.chars().filter(|c| !c.is_ascii_whitespace()).collect());
    if compact.is_empty() {
        return Err(KeyError::MalformedPem {
            reason: "the PEM block has no content",
        });
    }
    Ok(compact)
}

/// The RFC 7468 form of a block: LF line ends, 64 columns, canonical padding (the
/// same padding leniency as [`decode_base64`]).
fn canonical_pem(label: &str, compact: &str) -> Result<Zeroizing<String>, KeyError> {
    let unpadded = compact.trim_end_matches('=');
    let padding = (4 - unpadded.len() % 4) % 4;
    if compact.len() - unpadded.len() > padding {
        return Err(KeyError::MalformedPem {
            reason: "the key body is not valid base64",
        });
    }
    let mut out = Zeroizing::new(String::with_capacity(compact.len() * 65 / 64 + 80));
    out.push_str("-----BEGIN ");
    out.push_str(label);
    out.push_str("-----\n");
    let mut column = 0;
    for c in unpadded.chars().chain(std::iter::repeat_n('=', padding)) {
        out.push(c);
        column += 1;
        if column == 64 {
            out.push('\n');
            column = 0;
        }
    }
    if column != 0 {
        out.push('\n');
    }
    out.push_str("-----END ");
    out.push_str(label);
    out.push_str("-----\n");
    Ok(out)
}

/// Standard-alphabet base64, padding optional: the canonical `=` padding, part of
/// it, or none (as `base64`'s `DecodePaddingMode::Indifferent`). Nothing else: no
/// whitespace, no URL-safe alphabet, no excess padding, no non-zero trailing bits.
pub(crate) fn decode_base64(compact: &str) -> Result<Vec<u8>, base64ct::Error> {
    let unpadded = compact.trim_end_matches('=');
    let padding = compact.len() - unpadded.len();
    let canonical_padding = (4 - unpadded.len() % 4) % 4;
    if padding > canonical_padding {
        return Err(base64ct::Error::InvalidEncoding);
    }
    Base64Unpadded::decode_vec(unpadded)
}

/// Standard-alphabet base64 with padding.
pub(crate) fn encode_base64(bytes: &[u8]) -> String {
    Base64::encode_string(bytes)
}

/// PEM with LF line ends and 64 columns.
pub(crate) fn encode_pem(label: &str, der: &[u8]) -> Result<String, KeyError> {
    pem_rfc7468::encode_string(label, pem_rfc7468::LineEnding::LF, der).map_err(|e| {
        KeyError::Malformed {
            format: "key for PEM output",
            source: Box::new(e),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_wrapped_unwrapped_crlf_indented_and_bare_bodies() {
        // 199 bytes: the base64 ends in "==", so one "=" is partial padding.
        let der: Vec<u8> = (0u8..199).collect();
        let b64 = encode_base64(&der);
        let wrapped: String = b64
            .as_bytes()
            .chunks(64)
            .map(|c| format!("    {}\r\n", std::str::from_utf8(c).expect("ascii")))
            .collect();
        for text in [
            format!("-----BEGIN PRIVATE KEY-----\n{b64}\n-----END PRIVATE KEY-----\n"),
            format!("  -----BEGIN PRIVATE KEY-----\r\n{b64}\r\n-----END PRIVATE KEY-----\r\n"),
            format!("-----BEGIN PRIVATE KEY-----{b64}-----END PRIVATE KEY-----"),
            format!("\u{feff}-----BEGIN PRIVATE KEY-----\r\n{wrapped}-----END PRIVATE KEY-----"),
            format!(
                "-----BEGIN PRIVATE KEY-----\n{}\n-----END PRIVATE KEY-----",
                b64.trim_end_matches('=')
            ),
            format!(
                "-----BEGIN PRIVATE KEY-----\n{}=\n-----END PRIVATE KEY-----",
                b64.trim_end_matches('=')
            ),
        ] {
            let block = decode(&text).expect("decodes");
            assert_eq!(block.label.as_deref(), Some("PRIVATE KEY"));
            assert_eq!(&block.der[..], &der[..]);
        }
        for bare in [b64.clone(), wrapped, b64.trim_end_matches('=').to_owned()] {
            let block = decode(&bare).expect("bare base64 decodes");
            assert!(block.label.is_none());
            assert_eq!(&block.der[..], &der[..]);
        }
    }

    #[test]
    fn rejects_broken_envelopes() {
        for (text, reason) in [
            ("", "empty"),
            ("-----BEGIN PRIVATE KEY-----\nAAAA\n", "END"),
            (
                "-----BEGIN PRIVATE KEY-----\n!!!\n-----END PRIVATE KEY-----",
                "base64",
            ),
            (
                "-----BEGIN PRIVATE KEY-----\nAAAAB\n-----END PRIVATE KEY-----",
                "base64",
            ),
            (
                "-----BEGIN PRIVATE KEY-----\n\n-----END PRIVATE KEY-----",
                "content",
            ),
            ("-----BEGIN PRIVATE KEY\nAAAA", "closed"),
        ] {
            match decode(text) {
                Err(KeyError::MalformedPem { reason: r }) => {
                    assert!(r.contains(reason), "{text:?}: {r}")
                }
                Err(other) => panic!("{text:?}: {other}"),
                Ok(_) => panic!("{text:?} decoded"),
            }
        }
        let encrypted = "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00\n\nAAAA\n-----END RSA PRIVATE KEY-----";
        assert!(matches!(decode(encrypted), Err(KeyError::Encrypted)));
    }

    #[test]
    fn base64_accepts_padding_or_none_and_nothing_else() {
        assert_eq!(decode_base64("aGk=").expect("padded"), b"hi");
        assert_eq!(decode_base64("aGk").expect("unpadded"), b"hi");
        assert_eq!(
            decode_base64("aGVsbG8h").expect("no padding needed"),
            b"hello!"
        );
        for bad in ["aGk==", "a", "aG-k", "aG_k", "aGk=a", "aGl"] {
            assert!(decode_base64(bad).is_err(), "{bad}");
        }
    }
}
