//! A lenient reader for the PEM envelopes merchants paste into config files.
//!
//! Keys arrive with CRLF line ends, without line wrapping, indented, or as bare
//! base64 copied out of a dashboard. The strict RFC 7468 readers reject most of
//! those, so the envelope is read here; what is inside (the DER) is parsed by the
//! `rsa`/`pkcs8` crates and by `ring`.

use base64::Engine as _;
use base64::alphabet;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use zeroize::Zeroizing;

use crate::KeyError;

/// Standard alphabet, padding optional.
pub(crate) const LENIENT_STANDARD: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

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
        return decode_body(text).map(|der| Block { label: None, der });
    };
    let after_begin = &text[begin + "-----BEGIN ".len()..];
    let Some(label_end) = after_begin.find("-----") else {
        return Err(KeyError::MalformedPem {
            reason: "the BEGIN line is not closed with -----",
        });
    };
    let label = after_begin[..label_end].trim().to_owned();
    let rest = &after_begin[label_end + "-----".len()..];
    let end_marker = format!("-----END {label}-----");
    let Some(end) = rest.find(&end_marker) else {
        return Err(KeyError::MalformedPem {
            reason: "no matching END line",
        });
    };
    let body = &rest[..end];
    // RFC 1421 headers ("Proc-Type: 4,ENCRYPTED", "DEK-Info: ...") come first.
    if body.contains("ENCRYPTED") && body.contains("Proc-Type") {
        return Err(KeyError::Encrypted);
    }
    let base64_body: String = body
        .lines()
        .filter(|line| !line.contains(':'))
        .collect::<Vec<_>>()
        .concat();
    let der = decode_body(&base64_body)?;
    Ok(Block {
        label: Some(label),
        der,
    })
}

fn decode_body(body: &str) -> Result<Zeroizing<Vec<u8>>, KeyError> {
    let compact: Zeroizing<String> =
        Zeroizing::new(body.chars().filter(|c| !c.is_ascii_whitespace()).collect());
    if compact.is_empty() {
        return Err(KeyError::MalformedPem {
            reason: "the PEM block has no content",
        });
    }
    LENIENT_STANDARD
        .decode(compact.as_bytes())
        .map(Zeroizing::new)
        .map_err(|_| KeyError::MalformedPem {
            reason: "the key body is not valid base64",
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_wrapped_unwrapped_crlf_and_bare_bodies() {
        let der = [0x30u8, 0x03, 0x02, 0x01, 0x05];
        let b64 = base64::engine::general_purpose::STANDARD.encode(der);
        for text in [
            format!("-----BEGIN PRIVATE KEY-----\n{b64}\n-----END PRIVATE KEY-----\n"),
            format!("  -----BEGIN PRIVATE KEY-----\r\n{b64}\r\n-----END PRIVATE KEY-----\r\n"),
            format!("-----BEGIN PRIVATE KEY-----{b64}-----END PRIVATE KEY-----"),
        ] {
            let block = decode(&text).expect("decodes");
            assert_eq!(block.label.as_deref(), Some("PRIVATE KEY"));
            assert_eq!(&block.der[..], &der[..]);
        }
        let bare = decode(&b64).expect("bare base64 decodes");
        assert!(bare.label.is_none());
        assert_eq!(&bare.der[..], &der[..]);
    }

    #[test]
    fn rejects_broken_envelopes() {
        assert!(matches!(decode(""), Err(KeyError::MalformedPem { .. })));
        assert!(matches!(
            decode("-----BEGIN PRIVATE KEY-----\nAAAA\n"),
            Err(KeyError::MalformedPem { .. })
        ));
        assert!(matches!(
            decode("-----BEGIN PRIVATE KEY-----\n!!!\n-----END PRIVATE KEY-----"),
            Err(KeyError::MalformedPem { .. })
        ));
        let encrypted = "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00\n\nAAAA\n-----END RSA PRIVATE KEY-----";
        assert!(matches!(decode(encrypted), Err(KeyError::Encrypted)));
    }
}
