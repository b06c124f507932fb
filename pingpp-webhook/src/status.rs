//! The answer to Ping++ as an `http::StatusCode` (feature `http`).

use crate::WebhookError;

impl WebhookError {
    /// [`http_status`](Self::http_status) as an [`http::StatusCode`], for frameworks
    /// built on the `http` types (axum, hyper, tower): `413` for an oversized body,
    /// `400` for a bad signature or body, `500` for a misconfigured key.
    ///
    /// ```
    /// use pingpp_webhook::{Verifier, WebhookError};
    /// # let pair = pingpp_sign::generate_keypair().unwrap();
    /// let verifier = Verifier::from_pem(pair.public_pem())?;
    /// let error = verifier.verify_and_parse(b"{}", None).unwrap_err();
    /// assert_eq!(error.status_code(), http::StatusCode::BAD_REQUEST);
    /// # Ok::<(), WebhookError>(())
    /// ```
    pub fn status_code(&self) -> http::StatusCode {
        http::StatusCode::from_u16(self.http_status())
            .unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_code_matches_http_status() {
        let too_large = WebhookError::BodyTooLarge { size: 2, limit: 1 };
        assert_eq!(too_large.status_code(), http::StatusCode::PAYLOAD_TOO_LARGE);
        assert_eq!(
            WebhookError::MissingSignature.status_code(),
            http::StatusCode::BAD_REQUEST
        );
        let key = crate::Verifier::from_pem("not a key").unwrap_err();
        assert_eq!(key.status_code(), http::StatusCode::INTERNAL_SERVER_ERROR);
    }
}
