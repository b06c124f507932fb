//! Properties of the pipeline over arbitrary input: every request's signature covers
//! exactly the bytes and request URI that were sent, and pagination yields every
//! item once, in order, whatever the page size.

use std::collections::BTreeMap;
use std::sync::{Arc, LazyLock};

use bytes::Bytes;
use futures_util::StreamExt;
use http::Method;
use pingpp_sign::{KeyPair, PublicKey};
use pingpp_transport::Client;
use pingpp_transport::test_util::{InstantSleep, TestTransport};
use pingpp_types::{List, ListParams};
use proptest::prelude::*;
use serde_json::json;

static KEYPAIR: LazyLock<KeyPair> =
    LazyLock::new(|| pingpp_sign::generate_keypair().expect("key generation"));
static PUBLIC: LazyLock<PublicKey> =
    LazyLock::new(|| PublicKey::from_pem(KEYPAIR.public_pem()).expect("public key"));

fn client(transport: &TestTransport, app: &str) -> Client {
    Client::builder()
        .api_key("sk_test_properties0000000000")
        .app_id(app)
        .private_key(KEYPAIR.private_key().expect("private key"))
        .transport(Arc::new(transport.clone()))
        .sleep(Arc::new(InstantSleep::new()))
        .build()
        .expect("client")
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
}

fn method() -> impl Strategy<Value = Method> {
    prop_oneof![
        Just(Method::GET),
        Just(Method::POST),
        Just(Method::PUT),
        Just(Method::DELETE),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// For any method, path segments (any characters), query and body, the signature
    /// verifies over body (POST/PUT only) + the request URI on the wire + the
    /// timestamp header, and the body on the wire is the body given.
    #[test]
    fn signature_covers_exactly_what_is_sent(
        method in method(),
        app in "[A-Za-z0-9_]{1,24}",
        segments in proptest::collection::vec("\\PC{1,12}", 1..4),
        query in proptest::collection::btree_map("[a-z_]{1,8}", "\\PC{0,12}", 0..4),
        body in "\\PC{0,200}",
    ) {
        prop_assume!(segments.iter().all(|s| s != "." && s != ".." && !s.trim().is_empty()));
        let transport = TestTransport::new();
        transport.push_json(200, "{}");
        let client = client(&transport, &app);
        let refs: Vec<&str> = segments.iter().map(String::as_str).collect();
        let path = client.app_path(&refs).expect("path");
        let query_string = serde_urlencoded::to_string(&query).expect("query");
        let target = if query_string.is_empty() { path.clone() } else { format!("{path}?{query_string}") };
        let has_body = matches!(method, Method::POST | Method::PUT);
        let payload = has_body.then(|| Bytes::from(json!({ "description": body }).to_string()));

        runtime()
            .block_on(client.execute(method.clone(), &target, payload.clone()))
            .expect("request succeeds");

        let sent = transport.last_request().expect("a request was sent");
        prop_assert_eq!(&sent.method, &method);
        prop_assert_eq!(sent.request_uri(), target.as_str());
        prop_assert_eq!(&sent.body[..], payload.as_deref().unwrap_or_default());
        let timestamp: i64 = sent
            .header("Pingplusplus-Request-Timestamp")
            .expect("timestamp header")
            .parse()
            .expect("decimal timestamp");
        let signature = sent.header("Pingplusplus-Signature").expect("signature header");
        prop_assert!(PUBLIC
            .verify_request(&sent.body, sent.request_uri(), timestamp, signature)
            .is_ok());
        // The usual mistake — signing the body alone — does not verify.
        prop_assert!(PUBLIC.verify(&sent.body, signature).is_err());
    }

    /// Pagination over any total and page size yields every item exactly once, in
    /// order, and asks for each page once.
    #[test]
    fn pagination_yields_every_item_once(total in 0usize..60, per_page in 1usize..=100) {
        let transport = TestTransport::new();
        let items: Vec<u32> = (0..total as u32).collect();
        let pages: Vec<&[u32]> = if items.is_empty() { vec![&[]] } else { items.chunks(per_page).collect() };
        for (i, page) in pages.iter().enumerate() {
            let list = List::new(
                "/v1/apps/app_1/withdrawals",
                page.iter().map(|n| json!({ "n": n })).collect::<Vec<_>>(),
                i + 1 < pages.len(),
            );
            transport.push_json(200, serde_json::to_string(&list).expect("list json"));
        }
        let client = client(&transport, "app_1");
        let per_page_u32 = per_page as u32;
        let stream = client.paginate(1, move |client: Client, page: u32| {
            Box::pin(async move {
                let params = ListParams { page: Some(page), per_page: Some(per_page_u32) };
                client.get::<List<BTreeMap<String, u32>>, _>("/v1/apps/app_1/withdrawals", &params).await
            })
        });
        let got: Vec<u32> = runtime().block_on(async {
            stream
                .map(|item| item.expect("page fetched")["n"])
                .collect()
                .await
        });
        prop_assert_eq!(&got, &items);
        let requested: Vec<String> = transport.requests().iter().map(|r| r.request_uri().to_owned()).collect();
        prop_assert_eq!(requested.len(), pages.len());
        for (i, uri) in requested.iter().enumerate() {
            let expected = format!("/v1/apps/app_1/withdrawals?page={}&per_page={per_page}", i + 1);
            prop_assert_eq!(uri, &expected);
        }
        prop_assert_eq!(transport.remaining(), 0);
    }
}
