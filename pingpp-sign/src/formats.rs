//! Key formats: which structure a DER blob holds, and the RSA numbers inside.
//!
//! The DER structures are read by the RustCrypto format crates (`pkcs1`, `pkcs8`,
//! `spki`, `der`), which carry no bignum code and no random source. The size and
//! exponent rules are checked here, once, for every backend; a backend only sees
//! keys that passed them.

use der::asn1::{AnyRef, UintRef};
use der::{Decode as _, Encode as _, Reader as _, SliceReader, Tag, TagNumber, Tagged as _};
use pkcs8::PrivateKeyInfo;
use spki::{ObjectIdentifier, SubjectPublicKeyInfoRef};
use zeroize::Zeroizing;

use crate::error::BoxError;
use crate::{KeyError, KeyKind, MAX_KEY_BITS, MIN_KEY_BITS};

/// Smallest public exponent accepted (`ring` refuses smaller ones).
const MIN_EXPONENT: u64 = 65_537;
/// Exponents above this are refused by `ring` and `aws-lc-rs` alike.
const MAX_EXPONENT: u64 = (1 << 33) - 1;

/// The public half of an RSA key: big-endian modulus and exponent, no leading zeros.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct RsaPublicParts {
    pub(crate) n: Vec<u8>,
    pub(crate) e: Vec<u8>,
}

/// A private key that passed the checks, as PKCS#8 v1 DER (what every backend
/// loads), with its public half.
pub(crate) struct RsaPrivateParts {
    pub(crate) kind: KeyKind,
    pub(crate) pkcs8: Zeroizing<Vec<u8>>,
    pub(crate) public: RsaPublicParts,
}

impl RsaPublicParts {
    fn from_pkcs1(key: &pkcs1::RsaPublicKey<'_>) -> Self {
        RsaPublicParts {
            n: key.modulus.as_bytes().to_vec(),
            e: key.public_exponent.as_bytes().to_vec(),
        }
    }

    /// The modulus size in bits.
    pub(crate) fn bits(&self) -> usize {
        uint_bits(&self.n)
    }

    /// Size and exponent rules, the same for every backend.
    pub(crate) fn check(&self, kind: KeyKind) -> Result<(), KeyError> {
        let bits = self.bits();
        if !(MIN_KEY_BITS..=MAX_KEY_BITS).contains(&bits) {
            return Err(KeyError::UnsupportedSize { kind, bits });
        }
        let exponent = uint_value(&self.e);
        match exponent {
            Some(e) if (MIN_EXPONENT..=MAX_EXPONENT).contains(&e) && e % 2 == 1 => Ok(()),
            _ => Err(KeyError::UnsupportedExponent {
                kind,
                bits,
                exponent: match exponent {
                    Some(e) => e.to_string(),
                    None => format!("of {} bits", uint_bits(&self.e)),
                },
            }),
        }
    }

    /// The key as X.509 SubjectPublicKeyInfo DER.
    pub(crate) fn to_spki_der(&self) -> Result<Vec<u8>, KeyError> {
        let encode = || -> der::Result<Vec<u8>> {
            let pkcs1 = pkcs1::RsaPublicKey {
                modulus: UintRef::new(&self.n)?,
                public_exponent: UintRef::new(&self.e)?,
            }
            .to_der()?;
            SubjectPublicKeyInfoRef {
                algorithm: pkcs1::ALGORITHM_ID,
                subject_public_key: der::asn1::BitStringRef::from_bytes(&pkcs1)?,
            }
            .to_der()
        };
        encode().map_err(malformed("RSA public key"))
    }
}

fn malformed<E>(format: &'static str) -> impl FnOnce(E) -> KeyError
where
    E: Into<BoxError>,
{
    move |source| KeyError::Malformed {
        format,
        source: source.into(),
    }
}

/// Bit length of a big-endian unsigned integer.
fn uint_bits(bytes: &[u8]) -> usize {
    let bytes = strip_zeros(bytes);
    match bytes.first() {
        Some(first) => bytes.len() * 8 - first.leading_zeros() as usize,
        None => 0,
    }
}

/// The value of a big-endian unsigned integer, if it fits in 64 bits.
fn uint_value(bytes: &[u8]) -> Option<u64> {
    let bytes = strip_zeros(bytes);
    if bytes.len() > 8 {
        return None;
    }
    Some(bytes.iter().fold(0u64, |acc, b| (acc << 8) | u64::from(*b)))
}

fn strip_zeros(bytes: &[u8]) -> &[u8] {
    let start = bytes.iter().position(|b| *b != 0).unwrap_or(bytes.len());
    &bytes[start..]
}

/// Names the algorithm of a non-RSA key from its OID.
fn algorithm_name(oid: &ObjectIdentifier) -> String {
    match oid.to_string().as_str() {
        "1.2.840.10045.2.1" => "an EC key".to_owned(),
        "1.3.101.112" => "an Ed25519 key".to_owned(),
        "1.3.101.113" => "an Ed448 key".to_owned(),
        "1.3.101.110" => "an X25519 key".to_owned(),
        "1.2.840.10040.4.1" => "a DSA key".to_owned(),
        "1.2.840.113549.1.1.10" => "an RSA-PSS key (use a plain rsaEncryption key)".to_owned(),
        other => format!("a key with algorithm {other}"),
    }
}

/// A private key of a known kind.
pub(crate) fn private_key(der: &[u8], kind: KeyKind) -> Result<RsaPrivateParts, KeyError> {
    let pkcs1 = match kind {
        KeyKind::Pkcs8Private => {
            let info = PrivateKeyInfo::try_from(der).map_err(malformed("PKCS#8 private key"))?;
            if info.algorithm.oid != pkcs1::ALGORITHM_OID {
                return Err(KeyError::NotRsa {
                    found: format!("{} (PKCS#8)", algorithm_name(&info.algorithm.oid)),
                });
            }
            info.private_key
        }
        KeyKind::Pkcs1Private => der,
        _ => {
            return Err(KeyError::PublicKeyGiven {
                kind,
                bits: public_parts(der, kind).ok().map(|k| k.bits()),
            });
        }
    };
    let key = pkcs1::RsaPrivateKey::try_from(pkcs1).map_err(malformed(match kind {
        KeyKind::Pkcs8Private => "PKCS#8 private key (its inner RSAPrivateKey)",
        _ => "PKCS#1 RSA private key",
    }))?;
    let public = RsaPublicParts::from_pkcs1(&key.public_key());
    public.check(kind)?;
    if key.other_prime_infos.is_some() {
        return Err(KeyError::Malformed {
            format: "RSA private key",
            source: "multi-prime RSA keys are not supported".into(),
        });
    }
    // Every backend loads PKCS#8 v1 (ring refuses v2); build it from the inner key.
    let pkcs8 = PrivateKeyInfo::new(pkcs1::ALGORITHM_ID, pkcs1)
        .to_der()
        .map(Zeroizing::new)
        .map_err(malformed("PKCS#8 private key"))?;
    Ok(RsaPrivateParts {
        kind,
        pkcs8,
        public,
    })
}

/// A public key of a known kind (a certificate is refused, naming its key size).
pub(crate) fn public_key(der: &[u8], kind: KeyKind) -> Result<RsaPublicParts, KeyError> {
    match kind {
        KeyKind::SpkiPublic | KeyKind::Pkcs1Public => {
            let public = public_parts(der, kind)?;
            public.check(kind)?;
            Ok(public)
        }
        KeyKind::Certificate => Err(KeyError::CertificateGiven {
            bits: public_parts(der, kind).ok().map(|k| k.bits()),
        }),
        KeyKind::Pkcs1Private | KeyKind::Pkcs8Private => Err(KeyError::PrivateKeyGiven {
            kind,
            bits: public_parts(der, kind).ok().map(|k| k.bits()),
        }),
    }
}

/// The public half of any kind, without the size and exponent checks.
fn public_parts(der: &[u8], kind: KeyKind) -> Result<RsaPublicParts, KeyError> {
    match kind {
        KeyKind::SpkiPublic => spki_public(der),
        KeyKind::Pkcs1Public => pkcs1::RsaPublicKey::try_from(der)
            .map(|k| RsaPublicParts::from_pkcs1(&k))
            .map_err(malformed("PKCS#1 RSA public key")),
        KeyKind::Certificate => certificate_public(der),
        KeyKind::Pkcs1Private => pkcs1::RsaPrivateKey::try_from(der)
            .map(|k| RsaPublicParts::from_pkcs1(&k.public_key()))
            .map_err(malformed("PKCS#1 RSA private key")),
        KeyKind::Pkcs8Private => {
            let info = PrivateKeyInfo::try_from(der).map_err(malformed("PKCS#8 private key"))?;
            public_parts(info.private_key, KeyKind::Pkcs1Private)
        }
    }
}

fn spki_public(der: &[u8]) -> Result<RsaPublicParts, KeyError> {
    let info = SubjectPublicKeyInfoRef::try_from(der)
        .map_err(malformed("SubjectPublicKeyInfo public key"))?;
    spki_rsa(&info)
}

fn spki_rsa(info: &SubjectPublicKeyInfoRef<'_>) -> Result<RsaPublicParts, KeyError> {
    if info.algorithm.oid != pkcs1::ALGORITHM_OID {
        return Err(KeyError::NotRsa {
            found: algorithm_name(&info.algorithm.oid),
        });
    }
    let inner = info.subject_public_key.as_bytes().ok_or_else(|| {
        malformed::<BoxError>("SubjectPublicKeyInfo public key")(
            "the key's BIT STRING has unused bits".into(),
        )
    })?;
    pkcs1::RsaPublicKey::try_from(inner)
        .map(|k| RsaPublicParts::from_pkcs1(&k))
        .map_err(malformed(
            "SubjectPublicKeyInfo public key (its inner RSAPublicKey)",
        ))
}

/// The RSA key inside an X.509 certificate: `Certificate ::= SEQUENCE { tbsCertificate
/// SEQUENCE { [0] version OPTIONAL, serialNumber, signature, issuer, validity, subject,
/// subjectPublicKeyInfo, ... }, ... }` (RFC 5280 §4.1).
fn certificate_public(der: &[u8]) -> Result<RsaPublicParts, KeyError> {
    let parse = || -> der::Result<SubjectPublicKeyInfoRef<'_>> {
        let certificate = AnyRef::from_der(der)?;
        certificate.tag().assert_eq(Tag::Sequence)?;
        let mut fields = SliceReader::new(certificate.value())?;
        let tbs = AnyRef::decode(&mut fields)?;
        tbs.tag().assert_eq(Tag::Sequence)?;
        let mut tbs = SliceReader::new(tbs.value())?;
        let version = Tag::ContextSpecific {
            constructed: true,
            number: TagNumber::N0,
        };
        if tbs.peek_tag()? == version {
            AnyRef::decode(&mut tbs)?;
        }
        for _serial_signature_issuer_validity_subject in 0..5 {
            AnyRef::decode(&mut tbs)?;
        }
        SubjectPublicKeyInfoRef::decode(&mut tbs)
    };
    let info = parse().map_err(malformed("X.509 certificate"))?;
    spki_rsa(&info)
}

/// Which kind of key (or certificate) a DER blob without a PEM label holds.
pub(crate) fn detect(der: &[u8]) -> Option<KeyKind> {
    if PrivateKeyInfo::try_from(der).is_ok() {
        Some(KeyKind::Pkcs8Private)
    } else if pkcs1::RsaPrivateKey::try_from(der).is_ok() {
        Some(KeyKind::Pkcs1Private)
    } else if SubjectPublicKeyInfoRef::try_from(der).is_ok() {
        Some(KeyKind::SpkiPublic)
    } else if pkcs1::RsaPublicKey::try_from(der).is_ok() {
        Some(KeyKind::Pkcs1Public)
    } else if certificate_public(der).is_ok() {
        Some(KeyKind::Certificate)
    } else {
        None
    }
}

/// The error for DER that is no key we know: the objection of the parser for the
/// format most likely meant (PKCS#1 for a private key, where hand-made keys come
/// from; SubjectPublicKeyInfo for a public key, what dashboards show).
pub(crate) fn unrecognised(der: &[u8], private: bool) -> KeyError {
    let result: Result<(), BoxError> = if private {
        pkcs1::RsaPrivateKey::try_from(der)
            .map(|_| ())
            .map_err(Into::into)
    } else {
        SubjectPublicKeyInfoRef::try_from(der)
            .map(|_| ())
            .map_err(Into::into)
    };
    let format = if private {
        "private key (neither PKCS#8 nor PKCS#1)"
    } else {
        "public key (neither SubjectPublicKeyInfo nor PKCS#1)"
    };
    match result {
        Err(e) => malformed(format)(e),
        Ok(()) => malformed::<BoxError>(format)("unrecognised structure".into()),
    }
}

/// The kind a PEM label names, if it is one of ours.
pub(crate) fn kind_of_label(label: &str) -> Option<KeyKind> {
    match label {
        "RSA PRIVATE KEY" => Some(KeyKind::Pkcs1Private),
        "PRIVATE KEY" => Some(KeyKind::Pkcs8Private),
        "PUBLIC KEY" => Some(KeyKind::SpkiPublic),
        "RSA PUBLIC KEY" => Some(KeyKind::Pkcs1Public),
        "CERTIFICATE" | "X509 CERTIFICATE" | "TRUSTED CERTIFICATE" => Some(KeyKind::Certificate),
        _ => None,
    }
}

/// The error for a PEM label that is none of ours.
pub(crate) fn unsupported_label(label: &str) -> KeyError {
    match label {
        "ENCRYPTED PRIVATE KEY" => KeyError::Encrypted,
        "EC PRIVATE KEY" => KeyError::NotRsa {
            found: "an EC private key (BEGIN EC PRIVATE KEY)".to_owned(),
        },
        "DSA PRIVATE KEY" => KeyError::NotRsa {
            found: "a DSA private key (BEGIN DSA PRIVATE KEY)".to_owned(),
        },
        "OPENSSH PRIVATE KEY" => KeyError::UnsupportedLabel {
            label: "OPENSSH PRIVATE KEY (convert it: ssh-keygen -p -m PKCS8 -f key)".to_owned(),
        },
        label => KeyError::UnsupportedLabel {
            label: label.to_owned(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integer_sizes_and_values() {
        assert_eq!(uint_bits(&[]), 0);
        assert_eq!(uint_bits(&[0, 0x01]), 1);
        assert_eq!(uint_bits(&[0x80, 0]), 16);
        assert_eq!(uint_bits(&[0x01, 0x00, 0x01]), 17);
        assert_eq!(uint_value(&[0x01, 0x00, 0x01]), Some(65_537));
        assert_eq!(uint_value(&[0; 12]), Some(0));
        assert_eq!(uint_value(&[1; 9]), None);
    }

    fn parts(bits: usize, e: u64) -> RsaPublicParts {
        let mut n = vec![0xffu8; bits.div_ceil(8)];
        if !bits.is_multiple_of(8) {
            n[0] = 0xff >> (8 - bits % 8);
        }
        let e = e.to_be_bytes();
        RsaPublicParts {
            n,
            e: strip_zeros(&e).to_vec(),
        }
    }

    #[test]
    fn one_range_of_sizes_and_exponents_for_every_backend() {
        for bits in [2048, 3072, 4096] {
            parts(bits, 65_537)
                .check(KeyKind::SpkiPublic)
                .expect("accepted");
        }
        parts(2048, (1 << 33) - 1)
            .check(KeyKind::SpkiPublic)
            .expect("largest exponent");
        for bits in [1024, 2047, 4097, 8192] {
            assert!(matches!(
                parts(bits, 65_537).check(KeyKind::SpkiPublic),
                Err(KeyError::UnsupportedSize { bits: b, .. }) if b == bits
            ));
        }
        for e in [3, 65_535, 65_536, 1 << 33, 65_538] {
            let err = parts(2048, e).check(KeyKind::Pkcs1Private).unwrap_err();
            assert!(
                matches!(&err, KeyError::UnsupportedExponent { exponent, bits: 2048, .. } if *exponent == e.to_string()),
                "{err}"
            );
        }
    }

    #[test]
    fn spki_round_trips_through_our_encoder() {
        let key = parts(2048, 65_537);
        let der = key.to_spki_der().expect("encodes");
        assert_eq!(detect(&der), Some(KeyKind::SpkiPublic));
        assert!(spki_public(&der).expect("parses") == key);
    }
}
