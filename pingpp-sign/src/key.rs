//! The key types: a merchant's private key, a public key, a generated pair.

use std::fmt;
use std::path::Path;
use std::sync::Arc;

use zeroize::Zeroizing;

use crate::formats::{self, RsaPrivateParts, RsaPublicParts};
use crate::{
    GENERATED_KEY_BITS, KeyError, KeyKind, SignError, VerifyError, backend, decode_signature, pem,
    string_to_sign,
};

fn read_key_file(path: &Path) -> Result<Zeroizing<String>, KeyError> {
    std::fs::read_to_string(path)
        .map(Zeroizing::new)
        .map_err(|source| KeyError::Io {
            path: path.to_owned(),
            source,
        })
}

/// The kind of a decoded PEM block: from its label, or from the DER for bare base64.
fn kind_of(block: &pem::Block) -> Result<Option<KeyKind>, KeyError> {
    match block.label.as_deref() {
        None => Ok(formats::detect(&block.der)),
        Some(label) => match formats::kind_of_label(label) {
            Some(kind) => Ok(Some(kind)),
            None => Err(formats::unsupported_label(label)),
        },
    }
}

/// A merchant's RSA private key, ready to sign requests.
///
/// Loads PEM (PKCS#1 `BEGIN RSA PRIVATE KEY` or PKCS#8 `BEGIN PRIVATE KEY`, with any
/// line wrapping, CRLF, indentation, or as bare base64) or DER; RSA keys of 2048 to
/// 4096 bits with public exponent 65537. Cheap to clone (the key is shared).
///
/// Signing needs the `aws-lc-rs` or `ring` feature; in a `rust-crypto`-only build
/// loading fails with [`KeyError::SigningUnavailable`].
#[derive(Clone)]
pub struct PrivateKey {
    inner: Arc<PrivateInner>,
}

struct PrivateInner {
    signer: backend::Signer,
    pkcs8: Zeroizing<Vec<u8>>,
    public: PublicKey,
}

impl fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PrivateKey")
            .field("bits", &self.bits())
            .finish_non_exhaustive()
    }
}

impl PrivateKey {
    /// Reads a private key from PEM text (PKCS#1 or PKCS#8), or from bare base64 DER.
    ///
    /// ```
    /// let err = pingpp_sign::PrivateKey::from_pem("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----")
    ///     .unwrap_err();
    /// assert!(err.to_string().contains("expected a private key"));
    /// ```
    pub fn from_pem(pem_text: &str) -> Result<Self, KeyError> {
        let block = pem::decode(pem_text)?;
        match kind_of(&block)? {
            Some(kind) => Self::from_parts(formats::private_key(&block.der, kind)?),
            None => Self::from_der(&block.der),
        }
    }

    /// Reads a private key from a PEM file.
    pub fn from_pem_file(path: impl AsRef<Path>) -> Result<Self, KeyError> {
        let text = read_key_file(path.as_ref())?;
        Self::from_pem(&text)
    }

    /// Reads a private key from DER: PKCS#8 `PrivateKeyInfo` or PKCS#1 `RSAPrivateKey`.
    pub fn from_der(der: &[u8]) -> Result<Self, KeyError> {
        match formats::detect(der) {
            Some(kind) => Self::from_parts(formats::private_key(der, kind)?),
            None => Err(formats::unrecognised(der, true)),
        }
    }

    fn from_parts(parts: RsaPrivateParts) -> Result<Self, KeyError> {
        let bits = parts.public.bits();
        if !backend::ACTIVE.can_sign() {
            return Err(KeyError::SigningUnavailable {
                backend: backend::ACTIVE,
            });
        }
        let signer =
            backend::Signer::from_pkcs8(&parts.pkcs8).map_err(|reason| KeyError::Rejected {
                kind: parts.kind,
                bits,
                backend: backend::ACTIVE,
                reason,
            })?;
        let public = PublicKey::from_parts(parts.public, parts.kind)?;
        Ok(Self {
            inner: Arc::new(PrivateInner {
                signer,
                pkcs8: parts.pkcs8,
                public,
            }),
        })
    }

    /// The modulus size in bits.
    pub fn bits(&self) -> usize {
        self.inner.public.bits()
    }

    /// Signs `message` (RSA PKCS#1 v1.5, SHA-256) and returns standard base64 with
    /// padding and no line breaks.
    pub fn sign(&self, message: &[u8]) -> Result<String, SignError> {
        self.inner
            .signer
            .sign(message)
            .map(|signature| pem::encode_base64(&signature))
            .ok_or(SignError::Failed {
                backend: backend::ACTIVE,
            })
    }

    /// Signs a request: `body` (empty for GET/DELETE) + `request_uri` + `timestamp`,
    /// see [`string_to_sign`]. The result goes in `Pingplusplus-Signature`, the same
    /// timestamp in `Pingplusplus-Request-Timestamp`.
    pub fn sign_request(
        &self,
        body: &[u8],
        request_uri: &str,
        timestamp: i64,
    ) -> Result<String, SignError> {
        self.sign(&string_to_sign(body, request_uri, timestamp))
    }

    /// The matching public key (upload it to the Ping++ dashboard).
    pub fn public_key(&self) -> PublicKey {
        self.inner.public.clone()
    }

    /// The private key as PKCS#8 PEM (`BEGIN PRIVATE KEY`), zeroized on drop.
    pub fn to_pkcs8_pem(&self) -> Result<Zeroizing<String>, KeyError> {
        pem::encode_pem("PRIVATE KEY", &self.inner.pkcs8).map(Zeroizing::new)
    }
}

/// An RSA public key: Ping++'s (to verify webhooks) or a merchant's (to verify
/// request signatures, as the emulator does).
///
/// Loads PEM SubjectPublicKeyInfo (`BEGIN PUBLIC KEY`, what the Ping++ dashboard
/// shows) or PKCS#1 (`BEGIN RSA PUBLIC KEY`), or DER of either; RSA keys of 2048 to
/// 4096 bits with public exponent 65537. The key is parsed once into the backend's
/// form, so each verification only verifies. Cheap to clone (the key is shared).
#[derive(Clone)]
pub struct PublicKey {
    inner: Arc<PublicInner>,
}

struct PublicInner {
    parts: RsaPublicParts,
    spki_pem: String,
    verifier: backend::Verifier,
}

impl PartialEq for PublicKey {
    fn eq(&self, other: &Self) -> bool {
        self.inner.parts == other.inner.parts
    }
}

impl Eq for PublicKey {}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PublicKey")
            .field("bits", &self.bits())
            .finish_non_exhaustive()
    }
}

impl PublicKey {
    /// Reads a public key from PEM text (SubjectPublicKeyInfo or PKCS#1), or bare
    /// base64 DER.
    ///
    /// ```
    /// let err = pingpp_sign::PublicKey::from_pem("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----")
    ///     .unwrap_err();
    /// assert!(err.to_string().contains("openssl x509 -pubkey"));
    /// ```
    pub fn from_pem(pem_text: &str) -> Result<Self, KeyError> {
        let block = pem::decode(pem_text)?;
        match kind_of(&block)? {
            Some(kind) => Self::from_parts(formats::public_key(&block.der, kind)?, kind),
            None => Self::from_der(&block.der),
        }
    }

    /// Reads a public key from a PEM file.
    pub fn from_pem_file(path: impl AsRef<Path>) -> Result<Self, KeyError> {
        let text = read_key_file(path.as_ref())?;
        Self::from_pem(&text)
    }

    /// Reads a public key from DER: SubjectPublicKeyInfo or PKCS#1 `RSAPublicKey`.
    pub fn from_der(der: &[u8]) -> Result<Self, KeyError> {
        match formats::detect(der) {
            Some(kind) => Self::from_parts(formats::public_key(der, kind)?, kind),
            None => Err(formats::unrecognised(der, false)),
        }
    }

    fn from_parts(parts: RsaPublicParts, kind: KeyKind) -> Result<Self, KeyError> {
        let verifier =
            backend::Verifier::new(&parts.n, &parts.e).map_err(|reason| KeyError::Rejected {
                kind,
                bits: parts.bits(),
                backend: backend::ACTIVE,
                reason,
            })?;
        let spki_pem = pem::encode_pem("PUBLIC KEY", &parts.to_spki_der()?)?;
        Ok(Self {
            inner: Arc::new(PublicInner {
                parts,
                spki_pem,
                verifier,
            }),
        })
    }

    /// The modulus size in bits.
    pub fn bits(&self) -> usize {
        self.inner.parts.bits()
    }

    /// Checks a base64 signature (standard alphabet, padding optional, whitespace
    /// ignored) over `message`.
    pub fn verify(&self, message: &[u8], signature_b64: &str) -> Result<(), VerifyError> {
        let signature = decode_signature(signature_b64)?;
        self.verify_raw(message, &signature)
    }

    /// Checks raw signature bytes over `message`.
    pub fn verify_raw(&self, message: &[u8], signature: &[u8]) -> Result<(), VerifyError> {
        if signature.is_empty() {
            return Err(VerifyError::Empty);
        }
        if self.inner.verifier.verify(message, signature) {
            Ok(())
        } else {
            Err(VerifyError::Mismatch)
        }
    }

    /// Checks a request signature over `body + request_uri + timestamp`.
    pub fn verify_request(
        &self,
        body: &[u8],
        request_uri: &str,
        timestamp: i64,
        signature_b64: &str,
    ) -> Result<(), VerifyError> {
        self.verify(&string_to_sign(body, request_uri, timestamp), signature_b64)
    }

    /// The key as SubjectPublicKeyInfo PEM (`BEGIN PUBLIC KEY`).
    pub fn to_pem(&self) -> String {
        self.inner.spki_pem.clone()
    }
}

/// A freshly generated key pair, as PEM text.
pub struct KeyPair {
    private_pem: Zeroizing<String>,
    public_pem: String,
}

impl fmt::Debug for KeyPair {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyPair")
            .field("bits", &GENERATED_KEY_BITS)
            .finish_non_exhaustive()
    }
}

impl KeyPair {
    /// The private key, PKCS#8 PEM (`BEGIN PRIVATE KEY`). Keep it secret.
    pub fn private_pem(&self) -> &str {
        &self.private_pem
    }

    /// The public key, SubjectPublicKeyInfo PEM (`BEGIN PUBLIC KEY`): upload this
    /// one to the Ping++ dashboard.
    pub fn public_pem(&self) -> &str {
        &self.public_pem
    }

    /// The private key, loaded for signing.
    pub fn private_key(&self) -> Result<PrivateKey, KeyError> {
        PrivateKey::from_pem(&self.private_pem)
    }

    /// The public key, loaded for verifying.
    pub fn public_key(&self) -> Result<PublicKey, KeyError> {
        PublicKey::from_pem(&self.public_pem)
    }
}

/// Generates a new 2048-bit RSA key pair (exponent 65537) for a merchant, from the
/// operating system's random source.
///
/// Needs the `aws-lc-rs` feature (the default): `ring` cannot generate RSA keys
/// and `rust-crypto` here only verifies. Other builds get
/// [`KeyError::GenerationUnavailable`]; make a key with
/// `openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048` instead.
pub fn generate_keypair() -> Result<KeyPair, KeyError> {
    let (pkcs8, spki) = backend::generate(GENERATED_KEY_BITS)?;
    let private_pem = Zeroizing::new(pem::encode_pem("PRIVATE KEY", &pkcs8)?);
    let public_pem = pem::encode_pem("PUBLIC KEY", &spki)?;
    Ok(KeyPair {
        private_pem,
        public_pem,
    })
}
