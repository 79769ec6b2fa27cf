//! Measures how a running vendor service treats slow and greedy clients: how long it holds a
//! connection that stalls (mid-body on HTTP/1.1 and HTTP/2, mid-headers, idle after a
//! response, after the TLS handshake, before it), and how many connections one client can hold.
//!
//! ```text
//! hearth-vendor init --dir /tmp/v && hearth-vendor serve --config /tmp/v/config.toml &
//! cargo run -p hearth-vendor-service --example slow_clients -- 127.0.0.1:8443 /tmp/v/ca.pem [CAP_SECS] [CONNECTIONS]
//! ```
//!
//! Every probe runs at once and gives up after CAP_SECS (default 60): "held ≥ CAP" means the
//! service had not let go by then. Loopback only; the greedy client connects from 127.0.0.2.

#[path = "../tests/common/raw.rs"]
mod raw;

use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

use raw::{H2, HTTP1, RawClient, partial_post, wait_closed};

fn report(what: &str, outcome: Result<Duration, Duration>) {
    match outcome {
        Ok(after) => println!("{what:<44} closed after {:>7.2} s", after.as_secs_f64()),
        Err(cap) => println!("{what:<44} held ≥ {:.0} s (still open)", cap.as_secs_f64()),
    }
}

async fn stalled_after(
    client: &RawClient,
    sent: &[u8],
    cap: Duration,
) -> Result<Duration, Duration> {
    let mut tls = client.tls_sent(sent).await.map_err(|_| Duration::ZERO)?;
    let start = Instant::now();
    wait_closed(&mut tls, cap)
        .await
        .map(|_| start.elapsed())
        .map_err(|_| cap)
}

async fn silent_tls(client: &RawClient, cap: Duration) -> Result<Duration, Duration> {
    let mut tls = client.tls(HTTP1).await.map_err(|_| Duration::ZERO)?;
    wait_closed(&mut tls, cap)
        .await
        .map(|c| c.after)
        .map_err(|_| cap)
}

async fn silent_tcp(client: &RawClient, cap: Duration) -> Result<Duration, Duration> {
    let mut tcp = client.tcp().await.map_err(|_| Duration::ZERO)?;
    wait_closed(&mut tcp, cap)
        .await
        .map(|c| c.after)
        .map_err(|_| cap)
}

/// Time until the server answers a stream whose body stalls, or ends the connection.
async fn h2_stalled_body(client: &RawClient, cap: Duration) -> Result<Duration, Duration> {
    let tls = client.tls(H2).await.map_err(|_| Duration::ZERO)?;
    let (send, connection) = h2::client::handshake(tls)
        .await
        .map_err(|_| Duration::ZERO)?;
    let mut connection = tokio::spawn(connection);
    let mut send = send.ready().await.map_err(|_| Duration::ZERO)?;
    let request = http::Request::post("https://localhost/v1/telemetry")
        .header("content-type", "application/json")
        .header("content-length", "1000")
        .body(())
        .map_err(|_| Duration::ZERO)?;
    let (response, mut body) = send
        .send_request(request, false)
        .map_err(|_| Duration::ZERO)?;
    body.send_data(bytes::Bytes::from_static(b"{\"model\":\""), false)
        .map_err(|_| Duration::ZERO)?;
    let start = Instant::now();
    let outcome = tokio::select! {
        _ = response => Ok(start.elapsed()),
        _ = &mut connection => Ok(start.elapsed()),
        () = tokio::time::sleep(cap) => Err(cap),
    };
    connection.abort();
    outcome
}

/// Opens up to `wanted` connections from one client, each with a finished TLS handshake and no
/// request, and counts how many the server accepted and still holds once all were tried.
async fn greedy(client: &RawClient, wanted: usize) -> (usize, usize) {
    let mut open = Vec::new();
    for _ in 0..wanted {
        if let Ok(tls) = client.tls(HTTP1).await {
            open.push(tls);
        }
    }
    let accepted = open.len();
    let mut still_open = 0;
    for mut tls in open {
        if wait_closed(&mut tls, Duration::from_millis(1))
            .await
            .is_err()
        {
            still_open += 1;
        }
    }
    (accepted, still_open)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(addr), Some(ca)) = (args.first(), args.get(1)) else {
        eprintln!("usage: slow_clients ADDR CA_PEM [CAP_SECS] [CONNECTIONS]");
        std::process::exit(2);
    };
    let addr: SocketAddr = addr.parse().expect("ADDR is host:port");
    let ca = std::fs::read_to_string(ca).expect("CA PEM readable");
    let cap = Duration::from_secs(args.get(2).map_or(60, |s| s.parse().expect("CAP_SECS")));
    let wanted: usize = args.get(3).map_or(500, |s| s.parse().expect("CONNECTIONS"));
    let client = RawClient::new(&ca, addr);
    let greedy_client = client.connecting_from(IpAddr::from([127, 0, 0, 2]));

    let body = partial_post("/v1/telemetry", 1000);
    let (h1_body, h2_body, headers, idle, tls, tcp) = tokio::join!(
        stalled_after(&client, body.as_bytes(), cap),
        h2_stalled_body(&client, cap),
        stalled_after(
            &client,
            b"POST /v1/telemetry HTTP/1.1\r\nHost: localhost\r\nContent-",
            cap
        ),
        stalled_after(
            &client,
            b"GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n",
            cap
        ),
        silent_tls(&client, cap),
        silent_tcp(&client, cap),
    );
    report("HTTP/1.1 body: 1000 declared, 10 sent", h1_body);
    report("HTTP/2 body: 1000 declared, 10 sent", h2_body);
    report("HTTP/1.1 headers half sent", headers);
    report("HTTP/1.1 keep-alive, idle after a response", idle);
    report("TLS handshake done, no request", tls);
    report("TCP connected, no TLS ClientHello", tcp);
    let started = Instant::now();
    let (accepted, still_open) = greedy(&greedy_client, wanted).await;
    println!(
        "one client, {wanted} TLS connections without a request: {accepted} accepted, \
         {still_open} still open after {:.1} s",
        started.elapsed().as_secs_f64()
    );
}
