//! Reading one HTTP/1.1 response off a kept-alive connection (the tests' clients and
//! the load example's).

use tokio::io::AsyncReadExt;
use tokio::net::TcpStream;

/// Reads one response (headers and a `Content-Length` body) into `buffer`, which must
/// start empty, and returns its status and the length of the whole response.
pub async fn read_response(stream: &mut TcpStream, buffer: &mut Vec<u8>) -> (u16, usize) {
    let mut chunk = [0u8; 4096];
    loop {
        if let Some(end) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buffer[..end]).to_ascii_lowercase();
            let length: usize = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse().ok())
                .unwrap_or(0);
            if buffer.len() >= end + 4 + length {
                let status = head
                    .split(' ')
                    .nth(1)
                    .and_then(|s| s.parse().ok())
                    .unwrap_or(0);
                return (status, end + 4 + length);
            }
        }
        let n = stream.read(&mut chunk).await.expect("read response");
        assert!(n > 0, "the connection closed before a whole response");
        buffer.extend_from_slice(&chunk[..n]);
    }
}
