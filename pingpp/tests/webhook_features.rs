//! The facade's `webhook-*` features reach `pingpp-webhook`: its server, tower, axum
//! and redis items are there under `pingpp::webhook`.
#![cfg(all(feature = "webhook-axum", feature = "webhook-redis"))]
#![allow(missing_docs)]

#[test]
fn webhook_features_forward_to_the_webhook_crate() {
    // webhook-server: the accept loop's limits.
    let config = pingpp::webhook::server::ServeConfig::default();
    assert_eq!(
        config.max_connections(),
        pingpp::webhook::server::ServeConfig::DEFAULT_MAX_CONNECTIONS
    );
    // webhook-axum (which turns on webhook-tower): the extractor.
    let extractor = std::any::type_name::<pingpp::webhook::axum::VerifiedEvent>();
    assert!(extractor.ends_with("VerifiedEvent"), "{extractor}");
    // webhook-redis: the shared dedup store.
    let store = std::any::type_name::<pingpp::webhook::RedisDedup>();
    assert!(store.ends_with("RedisDedup"), "{store}");
}
