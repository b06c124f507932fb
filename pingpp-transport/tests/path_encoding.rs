//! Any id becomes exactly one path segment that decodes back to itself.

use std::sync::Arc;

use pingpp_transport::test_util::TestTransport;
use pingpp_transport::{Client, encode_path_segment};
use proptest::prelude::*;

proptest! {
    #[test]
    fn any_id_is_one_segment_that_round_trips(id in "\\PC{1,40}") {
        prop_assume!(id != "." && id != "..");
        let enc = encode_path_segment(&id).unwrap();
        prop_assert!(!enc.contains(['/', '?', '#', ' ', '\\']));
        prop_assert!(enc.bytes().all(|b| b.is_ascii_graphic()));
        let dec = percent_encoding::percent_decode_str(&enc).decode_utf8().unwrap();
        prop_assert_eq!(dec.as_ref(), id.as_str());

        let client = Client::builder()
            .api_key("sk_test_x")
            .app_id("app_1")
            .transport(Arc::new(TestTransport::new()))
            .build()
            .unwrap();
        let path = client.app_path(&["withdrawals", &id]).unwrap();
        prop_assert_eq!(path.matches('/').count(), 5);
        // It is a valid URI path.
        let url = format!("https://api.pingxx.com{}", path);
        prop_assert!(url.parse::<http::Uri>().is_ok());
    }

    #[test]
    fn unreserved_ids_are_left_as_they_are(id in "[A-Za-z0-9_~-]{1,40}") {
        prop_assert_eq!(encode_path_segment(&id).unwrap(), id);
    }
}
