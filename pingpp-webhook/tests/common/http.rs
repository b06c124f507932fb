//! A bare HTTP/1.1 client over TCP, so that tests see exactly what the server sends.

use std::net::SocketAddr;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Sends one request on a new connection (`Connection: close`) and returns
/// (status, body).
pub async fn request(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> (u16, String) {
    let mut stream = TcpStream::connect(addr).await.expect("connect");
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).await.expect("write head");
    stream.write_all(body).await.expect("write body");
    let mut response = Vec::new();
    stream
        .read_to_end(&mut response)
        .await
        .expect("read response");
    parse_response(&response)
}

/// Splits a whole response into (status, body).
pub fn parse_response(response: &[u8]) -> (u16, String) {
    let response = String::from_utf8_lossy(response).into_owned();
    let status = response
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("bad response: {response:?}"));
    let body = response
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    (status, body)
}

/// `request` with the default webhook path.
pub async fn send(
    addr: SocketAddr,
    method: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> (u16, String) {
    request(addr, method, "/webhooks/pingpp", headers, body).await
}

/// POSTs `body` signed with the test "Ping++" key to `path`.
pub async fn post_signed_to(addr: SocketAddr, path: &str, body: &[u8]) -> (u16, String) {
    let signature = super::sign(body);
    request(
        addr,
        "POST",
        path,
        &[("x-pingplusplus-signature", &signature)],
        body,
    )
    .await
}

/// POSTs `body` signed with the test "Ping++" key.
pub async fn post_signed(addr: SocketAddr, body: &[u8]) -> (u16, String) {
    post_signed_to(addr, "/webhooks/pingpp", body).await
}

/// POSTs a signed `body` on an open keep-alive connection and reads one response.
pub async fn post_signed_keep_alive(stream: &mut TcpStream, body: &[u8]) -> (u16, String) {
    let head = format!(
        "POST /webhooks/pingpp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {}\r\nx-pingplusplus-signature: {}\r\n\r\n",
        body.len(),
        super::sign(body)
    );
    stream.write_all(head.as_bytes()).await.expect("write head");
    stream.write_all(body).await.expect("write body");
    let mut response = Vec::new();
    let (_, length) = super::wire::read_response(stream, &mut response).await;
    parse_response(&response[..length])
}

/// Whether the server closed `stream` (reads EOF or a reset) within `within`.
pub async fn closed_within(stream: &mut TcpStream, within: std::time::Duration) -> bool {
    let mut byte = [0u8; 1];
    match tokio::time::timeout(within, stream.read(&mut byte)).await {
        Ok(Ok(0)) | Ok(Err(_)) => true,
        Ok(Ok(_)) => panic!("unexpected data from the server"),
        Err(_) => false,
    }
}
