//! The listener's limits, with real sockets: a client that never finishes its headers (or
//! leaves a kept-alive connection idle) is disconnected, and past the connection cap new
//! connections wait until one closes.

use std::time::Duration;

use fml_web::http::HttpLimits;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::helpers::{Backend, Options, TestApp, spawn_with};

async fn app_with(b: Backend, http: HttpLimits) -> TestApp {
    spawn_with(b, Options { http, ..Options::default() }).await
}

fn addr(app: &TestApp) -> String {
    app.base.trim_start_matches("http://").to_owned()
}

/// Waits (at most 30 s) until the server closes `sock`: a read returns end-of-file or an
/// error.
async fn wait_closed(sock: &mut TcpStream) {
    let mut buf = [0u8; 1024];
    let closed = async {
        loop {
            match sock.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
        }
    };
    tokio::time::timeout(Duration::from_secs(30), closed).await.expect("the server never closed the connection");
}

async fn read_response(sock: &mut TcpStream) -> String {
    let mut out = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        let n = sock.read(&mut buf).await.unwrap();
        out.extend_from_slice(&buf[..n]);
        let text = String::from_utf8_lossy(&out);
        // The health body is a small JSON object: the response is whole once it has arrived.
        if n == 0 || text.contains("\r\n\r\n{") && text.ends_with('}') {
            return text.into_owned();
        }
    }
}

async fn slow_and_idle_connections_are_dropped(b: Backend) {
    let app = app_with(b, HttpLimits { header_timeout: Duration::from_secs(1), max_connections: 4096 }).await;
    let mut slow = Vec::new();
    for _ in 0..200 {
        let mut s = TcpStream::connect(addr(&app)).await.unwrap();
        s.write_all(b"POST /v1/cases HTTP/1.1\r\nHost: fml\r\n").await.unwrap();
        slow.push(s);
    }
    // Meanwhile the server answers others.
    let res = app.http.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    for s in &mut slow {
        wait_closed(s).await;
    }
    // A kept-alive connection left idle after a request is closed too.
    let mut idle = TcpStream::connect(addr(&app)).await.unwrap();
    idle.write_all(b"GET /healthz HTTP/1.1\r\nHost: fml\r\n\r\n").await.unwrap();
    assert!(read_response(&mut idle).await.starts_with("HTTP/1.1 200"));
    wait_closed(&mut idle).await;
}

async fn past_the_cap_new_connections_wait(b: Backend) {
    let app = app_with(b, HttpLimits { header_timeout: Duration::from_secs(60), max_connections: 4 }).await;
    let mut held = Vec::new();
    for _ in 0..4 {
        held.push(TcpStream::connect(addr(&app)).await.unwrap());
    }
    // A fifth connection is made (the kernel's backlog) but not served while four are open.
    let mut fifth = TcpStream::connect(addr(&app)).await.unwrap();
    fifth.write_all(b"GET /healthz HTTP/1.1\r\nHost: fml\r\nConnection: close\r\n\r\n").await.unwrap();
    let mut buf = [0u8; 64];
    assert!(
        tokio::time::timeout(Duration::from_millis(500), fifth.read(&mut buf)).await.is_err(),
        "served past the connection cap"
    );
    drop(held.pop());
    let res = tokio::time::timeout(Duration::from_secs(30), read_response(&mut fifth)).await.unwrap();
    assert!(res.starts_with("HTTP/1.1 200"), "{res}");
}

crate::on_both_backends!(slow_and_idle_connections_are_dropped, past_the_cap_new_connections_wait);
