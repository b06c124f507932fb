//! Load figures for the webhook receiver: verified deliveries per second through
//! `server::serve_with` over loopback, with `MemoryDedup` and with `RedisDedup`.
//!
//! `cargo xtask load [--deliveries N] [--clients N]` runs it in release (defaults: 30 000
//! deliveries, 64 clients). The clients keep one HTTP/1.1 connection each and POST
//! pre-signed 1 KiB events with unique ids (so deduplication does real work), one after
//! the other, from a one-thread runtime of their own; the server verifies, claims, calls an
//! empty handler and completes on its own runtime, whose threads' CPU time is read apart.
//! The crypto bound is cores ÷ the time of one RSA-2048 signature verification,
//! measured in the same run: no receiver can go faster. The clients share the cores, so
//! the table also gives the receiver's own CPU per delivery and what it would reach with
//! the cores to itself.
#![allow(clippy::print_stdout, clippy::print_stderr)]

#[path = "../tests/common/redis_server.rs"]
#[allow(dead_code)]
mod redis_server;
#[path = "../tests/common/wire.rs"]
mod wire;

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use pingpp_webhook::server::{ServeConfig, WebhookService, serve_with};
use pingpp_webhook::{DedupStore, Event, MemoryDedup, RedisDedup, Verifier};
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;

struct Options {
    deliveries: usize,
    clients: usize,
}

fn options() -> Result<Options, String> {
    let mut options = Options {
        deliveries: 30_000,
        clients: 64,
    };
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut rest = args.iter();
    while let Some(flag) = rest.next() {
        let value = rest
            .next()
            .and_then(|v| v.parse::<usize>().ok())
            .filter(|v| *v > 0)
            .ok_or_else(|| format!("{flag} takes a positive whole number"))?;
        match flag.as_str() {
            "--deliveries" => options.deliveries = value,
            "--clients" => options.clients = value,
            _ => return Err(format!("unknown option {flag}")),
        }
    }
    Ok(options)
}

/// A `balance.withdrawal.succeeded` event of exactly 1024 bytes with the id `evt_load_{n}`.
fn event_1k(n: usize) -> Vec<u8> {
    let head = format!(
        r#"{{"id":"evt_load_{n:010}","object":"event","created":1700000000,"livemode":true,"type":"balance.withdrawal.succeeded","data":{{"object":{{"id":"1701611150302360654","object":"withdrawal","app":"app_1Gqj58ynP0mHeX1q","amount":20000,"asset_transaction":"","balance_transaction":"","channel":"alipay","created":1700000000,"description":""#
    );
    let tail = r#"","extra":{"account":"account01@alipay.com","name":"张三"},"fee":0,"livemode":true,"metadata":{},"operation_url":"","order_no":"20160829133002","source":"tr_1","status":"succeeded","time_canceled":null,"time_succeeded":1700000100,"user":"user_001","user_fee":0}},"pending_webhooks":0,"request":"iar_1"}"#;
    let pad = 1024 - head.len() - tail.len();
    let body = format!("{head}{}{tail}", "x".repeat(pad)).into_bytes();
    assert_eq!(body.len(), 1024);
    body
}

/// The whole HTTP request for each event, signed, built before the clock starts.
fn signed_requests(key: &pingpp_sign::PrivateKey, count: usize) -> Vec<Vec<u8>> {
    let threads = std::thread::available_parallelism().map_or(1, usize::from);
    let chunk = count.div_ceil(threads);
    std::thread::scope(|scope| {
        let parts: Vec<_> = (0..threads)
            .map(|t| {
                scope.spawn(move || {
                    (t * chunk..((t + 1) * chunk).min(count))
                        .map(|n| {
                            let body = event_1k(n);
                            let signature = key.sign(&body).expect("sign");
                            let mut request = format!(
                                "POST /webhooks/pingpp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {}\r\nX-Pingplusplus-Signature: {signature}\r\n\r\n",
                                body.len()
                            )
                            .into_bytes();
                            request.extend_from_slice(&body);
                            request
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        parts
            .into_iter()
            .flat_map(|p| p.join().expect("signing thread"))
            .collect()
    })
}

/// Time of one signature verification of a 1 KiB event on one core: (wall clock, CPU
/// time of this thread when `/proc` tells it).
fn verify_time(verifier: &Verifier, request: &[u8]) -> (Duration, Option<Duration>) {
    let split = request
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("head");
    let head = String::from_utf8_lossy(&request[..split]);
    let signature = head
        .lines()
        .find_map(|l| l.strip_prefix("X-Pingplusplus-Signature: "))
        .expect("signature")
        .to_owned();
    let body = &request[split + 4..];
    for _ in 0..200 {
        verifier.verify(body, signature.as_str()).expect("valid");
    }
    let cpu_before = cpu_time("thread-self");
    let start = Instant::now();
    let mut rounds = 0u32;
    // About a second: long enough for the 10 ms resolution of the CPU time.
    while start.elapsed() < Duration::from_secs(1) {
        for _ in 0..100 {
            verifier
                .verify(std::hint::black_box(body), signature.as_str())
                .expect("valid");
        }
        rounds += 100;
    }
    let wall = start.elapsed() / rounds;
    let cpu = cpu_before
        .zip(cpu_time("thread-self"))
        .map(|(a, b)| b.saturating_sub(a) / rounds);
    (wall, cpu)
}

struct Figures {
    per_second: f64,
    p50: Duration,
    p99: Duration,
    failures: usize,
    /// CPU time (user + system) spent per delivery by this process (server and clients)
    /// and the redis-server if any.
    cpu_per_delivery: Option<Duration>,
    /// CPU time spent per delivery by the receiver's own threads (not the clients, not
    /// the redis-server).
    server_cpu_per_delivery: Option<Duration>,
}

/// CPU time (user + system) used so far by process `pid` (`self` for this one), from
/// `/proc` (Linux); `None` elsewhere.
fn cpu_time(pid: &str) -> Option<Duration> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the parenthesised command name; utime and stime are the 14th and
    // 15th fields of the line, in clock ticks (100 per second on Linux).
    let after = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    Some(Duration::from_millis(ticks * 10))
}

/// The server's runtime: its worker threads are recorded, so that the CPU time the
/// receiver itself spends can be told from the clients'.
struct ServerRuntime {
    runtime: tokio::runtime::Runtime,
    threads: Arc<std::sync::Mutex<Vec<String>>>,
}

impl ServerRuntime {
    fn new(cores: usize) -> Self {
        let threads = Arc::new(std::sync::Mutex::new(Vec::new()));
        let record = Arc::clone(&threads);
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(cores)
            .thread_name("receiver")
            .on_thread_start(move || {
                // "/proc/thread-self" links to "<pid>/task/<tid>".
                if let Ok(link) = std::fs::read_link("/proc/thread-self") {
                    record
                        .lock()
                        .expect("thread list")
                        .push(link.to_string_lossy().into_owned());
                }
            })
            .enable_all()
            .build()
            .expect("server runtime");
        // The workers record themselves as they start: wait for all of them.
        while threads.lock().expect("thread list").len() < cores {
            std::thread::sleep(Duration::from_millis(1));
        }
        ServerRuntime { runtime, threads }
    }

    /// CPU time used so far by the server's threads.
    fn cpu(&self) -> Option<Duration> {
        let threads = self.threads.lock().expect("thread list").clone();
        if threads.is_empty() {
            return None;
        }
        threads.iter().map(|t| cpu_time(t)).sum()
    }
}

/// Serves with `dedup` on `server`, drives `clients` keep-alive connections through
/// `requests` from `client_runtime`. The CPU time of `helper` (the redis-server's pid)
/// counts with this process's.
fn run<D: DedupStore>(
    server: &ServerRuntime,
    client_runtime: &tokio::runtime::Runtime,
    verifier: Verifier,
    dedup: D,
    requests: Arc<Vec<Vec<u8>>>,
    clients: usize,
    helper: Option<u32>,
) -> Figures {
    let cpu_now = || {
        let own = cpu_time("self")?;
        match helper {
            Some(pid) => Some(own + cpu_time(&pid.to_string())?),
            None => Some(own),
        }
    };
    let service = WebhookService::with_dedup(
        verifier,
        |_event: Event| async { Ok::<(), std::io::Error>(()) },
        dedup,
    );
    let listener = server
        .runtime
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .expect("bind");
    let addr = listener.local_addr().expect("address");
    let serving = server
        .runtime
        .spawn(serve_with(listener, service, ServeConfig::default()));

    let next = Arc::new(AtomicUsize::new(0));
    let cpu_before = cpu_now();
    let server_cpu_before = server.cpu();
    let start = Instant::now();
    let (latencies, failures) = client_runtime.block_on(async {
        let tasks: Vec<_> = (0..clients)
            .map(|_| {
                let (requests, next) = (Arc::clone(&requests), Arc::clone(&next));
                tokio::spawn(async move { client(addr, &requests, &next).await })
            })
            .collect();
        let mut latencies = Vec::with_capacity(requests.len());
        let mut failures = 0;
        for task in tasks {
            let (mine, failed) = task.await.expect("client task");
            latencies.extend(mine);
            failures += failed;
        }
        (latencies, failures)
    });
    let elapsed = start.elapsed();
    let cpu = cpu_before.zip(cpu_now()).map(|(a, b)| b.saturating_sub(a));
    let server_cpu = server_cpu_before
        .zip(server.cpu())
        .map(|(a, b)| b.saturating_sub(a));
    serving.abort();
    let mut latencies = latencies;
    latencies.sort_unstable();
    let at = |q: f64| latencies[((latencies.len() as f64 * q) as usize).min(latencies.len() - 1)];
    let per = |c: Duration| c / requests.len() as u32;
    Figures {
        per_second: requests.len() as f64 / elapsed.as_secs_f64(),
        p50: at(0.50),
        p99: at(0.99),
        failures,
        cpu_per_delivery: cpu.map(per),
        server_cpu_per_delivery: server_cpu.map(per),
    }
}

/// One keep-alive client: sends the next unsent request, reads the answer, repeats.
async fn client(
    addr: SocketAddr,
    requests: &[Vec<u8>],
    next: &AtomicUsize,
) -> (Vec<Duration>, usize) {
    let mut stream = TcpStream::connect(addr).await.expect("connect");
    stream.set_nodelay(true).expect("nodelay");
    let mut latencies = Vec::new();
    let mut failures = 0;
    let mut buffer = Vec::with_capacity(1024);
    loop {
        let n = next.fetch_add(1, Ordering::Relaxed);
        let Some(request) = requests.get(n) else {
            return (latencies, failures);
        };
        let sent = Instant::now();
        stream.write_all(request).await.expect("send");
        buffer.clear();
        let (status, _) = wire::read_response(&mut stream, &mut buffer).await;
        latencies.push(sent.elapsed());
        if status != 200 {
            failures += 1;
        }
    }
}

fn main() {
    let options = match options() {
        Ok(options) => options,
        Err(message) => {
            eprintln!("{message}\nusage: load [--deliveries N] [--clients N]");
            std::process::exit(2);
        }
    };
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    let pair = pingpp_sign::generate_keypair().expect("key pair");
    let key = pair.private_key().expect("private key");
    let verifier = Verifier::from_pem(pair.public_pem()).expect("verifier");

    eprintln!("signing {} events of 1 KiB...", options.deliveries);
    let requests = Arc::new(signed_requests(&key, options.deliveries));
    let (verify, verify_cpu) = verify_time(&verifier, &requests[0]);
    let bound = cores as f64 / verify.as_secs_f64();

    // The receiver and the clients share the machine's cores but run on separate
    // runtimes, so the receiver's own CPU time can be read from its threads.
    let server = ServerRuntime::new(cores);
    let clients = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .thread_name("client")
        .enable_all()
        .build()
        .expect("client runtime");

    let mut rows = Vec::new();
    eprintln!("MemoryDedup...");
    let memory = run(
        &server,
        &clients,
        verifier.clone(),
        MemoryDedup::default(),
        Arc::clone(&requests),
        options.clients,
        None,
    );
    rows.push(("MemoryDedup", memory));

    match redis_server::find_binary() {
        None => eprintln!(
            "RedisDedup skipped: redis-server not found (apt-get install -y redis-server)"
        ),
        Some(_) => {
            let redis = redis_server::RedisServer::start_or_skip("load").expect("redis-server");
            eprintln!("RedisDedup (redis-server on {})...", redis.addr());
            let dedup = server
                .runtime
                .block_on(RedisDedup::builder("app_load").connect(&redis.url()))
                .expect("connect to redis-server");
            let figures = run(
                &server,
                &clients,
                verifier.clone(),
                dedup,
                Arc::clone(&requests),
                options.clients,
                redis.pid(),
            );
            rows.push(("RedisDedup", figures));
        }
    }

    println!(
        "\n{} deliveries of 1 KiB events, {} keep-alive clients, {cores} cores, loopback",
        options.deliveries, options.clients
    );
    println!(
        "crypto bound: {cores} cores / {:.1} µs per RSA-2048 verify = {:.0} deliveries/s\n",
        verify.as_secs_f64() * 1e6,
        bound
    );
    println!(
        "| dedup store | deliveries/s | share of crypto bound | p50 | p99 | CPU per delivery (all) | receiver's CPU per delivery | cores ÷ receiver's CPU | failed |"
    );
    println!("|---|---|---|---|---|---|---|---|---|");
    for (name, f) in &rows {
        let micros = |c: Option<Duration>| match c {
            Some(c) if !c.is_zero() => format!("{:.1} µs", c.as_secs_f64() * 1e6),
            _ => "n/a".to_owned(),
        };
        let (cpu, server_cpu) = (
            micros(f.cpu_per_delivery),
            micros(f.server_cpu_per_delivery),
        );
        let estimate = match f.server_cpu_per_delivery {
            Some(c) if !c.is_zero() => format!(
                "{:.0} ({:.0} % of the bound)",
                cores as f64 / c.as_secs_f64(),
                100.0 * cores as f64 / c.as_secs_f64() / bound
            ),
            _ => "n/a".to_owned(),
        };
        println!(
            "| {name} | {:.0} | {:.0} % | {:.2} ms | {:.2} ms | {cpu} | {server_cpu} | {estimate} | {} |",
            f.per_second,
            100.0 * f.per_second / bound,
            f.p50.as_secs_f64() * 1e3,
            f.p99.as_secs_f64() * 1e3,
            f.failures
        );
    }
    if let Some(verify_cpu) = verify_cpu {
        println!(
            "\none verify takes {:.1} µs of CPU. CPU per delivery (all) counts the load clients \
             on the same cores, and the redis-server for RedisDedup; the receiver's CPU per \
             delivery counts only the receiver's threads (kernel time of its sockets \
             included): cores ÷ that is what a receiver reaches when the cores are its own.",
            verify_cpu.as_secs_f64() * 1e6
        );
    }
    if let Some((_, memory)) = rows.first() {
        let share = memory.per_second / bound;
        println!(
            "\nMemoryDedup reaches {:.0} % of the crypto bound (goal: at least 50 %): {}",
            100.0 * share,
            if share >= 0.5 { "met" } else { "missed" }
        );
    }
    if rows.iter().any(|(_, f)| f.failures > 0) {
        eprintln!("some deliveries were not answered 200");
        std::process::exit(1);
    }
}
