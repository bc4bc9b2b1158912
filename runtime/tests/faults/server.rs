//! A loopback HTTP/1.1 server that misbehaves on purpose.
//!
//! It speaks raw bytes over a tokio `TcpListener` on 127.0.0.1, so that it can do what a
//! well-behaved server library never would: close before reading, reset mid-headers, lie
//! about `Content-Length`, trickle a byte at a time, go silent. Each accepted connection
//! runs a *script* ([`Step`]s) chosen by its index, so a test can make the first attempt
//! fail and the second succeed, and new faults (an event stream cut mid-event, a page
//! cycle) are new scripts rather than new servers.
//!
//! Everything is bounded: at most [`MAX_CONNECTIONS`] connections are accepted, every read
//! and hold gives up after a fixed time, a trickle writes the bytes it was given and no
//! more, and dropping the server aborts its tasks.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinSet;

/// The most connections one server accepts; later ones are refused by the closed listener.
pub const MAX_CONNECTIONS: usize = 64;

/// The longest a server waits for a request head and body.
const READ_LIMIT: Duration = Duration::from_secs(10);

/// The largest request head read.
const MAX_HEAD: usize = 64 * 1024;

/// One step of a connection's script. When the script ends, the connection is closed
/// (FIN); an empty script closes it before reading anything.
#[derive(Clone, Debug)]
pub enum Step {
    /// Read one request: its head up to the blank line and a `Content-Length` body.
    ReadRequest,
    /// Write these bytes at once.
    Write(Vec<u8>),
    /// Write these bytes one at a time, pausing between them.
    Trickle(Vec<u8>, Duration),
    /// Wait without reading or writing.
    Pause(Duration),
    /// Keep the connection open without writing (reading and discarding what arrives)
    /// until the client closes it or the time passes.
    Hold(Duration),
    /// Close with a reset (RST) instead of a FIN.
    Reset,
}

/// A request as the server read it.
#[derive(Clone, Debug)]
pub struct Seen {
    /// The method.
    pub method: String,
    /// The request target (path and query).
    pub target: String,
    /// The headers, names lowercased.
    pub headers: Vec<(String, Vec<u8>)>,
}

impl Seen {
    /// The value of a header, lossily.
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| String::from_utf8_lossy(v).into_owned())
    }
}

type Script = dyn Fn(usize) -> Vec<Step> + Send + Sync;

/// A running server; dropping it stops it.
pub struct FaultServer {
    addr: SocketAddr,
    connections: Arc<AtomicUsize>,
    requests: Arc<Mutex<Vec<Seen>>>,
    task: tokio::task::JoinHandle<()>,
}

impl FaultServer {
    /// Start a server whose connection number `n` (from 0) runs `script(n)`.
    pub async fn start(script: impl Fn(usize) -> Vec<Step> + Send + Sync + 'static) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let connections = Arc::new(AtomicUsize::new(0));
        let requests = Arc::new(Mutex::new(Vec::new()));
        let script: Arc<Script> = Arc::new(script);
        let task = tokio::spawn(accept(
            listener,
            script,
            Arc::clone(&connections),
            Arc::clone(&requests),
        ));
        FaultServer {
            addr,
            connections,
            requests,
            task,
        }
    }

    /// The server's base URL.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// How many connections it accepted.
    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }

    /// The requests it read, in order.
    pub fn requests(&self) -> Vec<Seen> {
        self.requests.lock().unwrap().clone()
    }
}

impl Drop for FaultServer {
    fn drop(&mut self) {
        // The accept task owns the connection tasks (a `JoinSet`), so they end with it.
        self.task.abort();
    }
}

async fn accept(
    listener: TcpListener,
    script: Arc<Script>,
    connections: Arc<AtomicUsize>,
    requests: Arc<Mutex<Vec<Seen>>>,
) {
    let mut tasks = JoinSet::new();
    for index in 0..MAX_CONNECTIONS {
        let Ok((stream, _)) = listener.accept().await else {
            break;
        };
        connections.fetch_add(1, Ordering::SeqCst);
        let steps = script(index);
        tasks.spawn(run(stream, steps, Arc::clone(&requests)));
    }
    // Keep running the connections (until the server is dropped); accept no more.
    drop(listener);
    while tasks.join_next().await.is_some() {}
}

async fn run(mut stream: TcpStream, steps: Vec<Step>, requests: Arc<Mutex<Vec<Seen>>>) {
    for step in steps {
        let ok = match step {
            Step::ReadRequest => {
                match tokio::time::timeout(READ_LIMIT, read_request(&mut stream)).await {
                    Ok(Some(seen)) => {
                        requests.lock().unwrap().push(seen);
                        true
                    }
                    _ => false,
                }
            }
            Step::Write(bytes) => stream.write_all(&bytes).await.is_ok(),
            Step::Trickle(bytes, every) => {
                let mut ok = true;
                for byte in bytes {
                    if stream.write_all(&[byte]).await.is_err() {
                        ok = false;
                        break;
                    }
                    tokio::time::sleep(every).await;
                }
                ok
            }
            Step::Pause(d) => {
                tokio::time::sleep(d).await;
                true
            }
            Step::Hold(limit) => {
                let mut sink = [0u8; 1024];
                let _ = tokio::time::timeout(limit, async {
                    // Bounded by the timeout around it; ends when the client closes.
                    while matches!(stream.read(&mut sink).await, Ok(n) if n > 0) {}
                })
                .await;
                true
            }
            Step::Reset => {
                let _ = stream.set_zero_linger();
                return;
            }
        };
        if !ok {
            return;
        }
    }
    let _ = stream.shutdown().await;
}

/// Read one request head (and a `Content-Length` body); `None` if the client closed first.
async fn read_request(stream: &mut TcpStream) -> Option<Seen> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i;
        }
        if buf.len() > MAX_HEAD {
            return None;
        }
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let mut request_line = lines.next()?.split(' ');
    let method = request_line.next()?.to_owned();
    let target = request_line.next()?.to_owned();
    let headers: Vec<(String, Vec<u8>)> = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().as_bytes().to_vec()))
        .collect();
    let length: usize = headers
        .iter()
        .find(|(n, _)| n == "content-length")
        .and_then(|(_, v)| std::str::from_utf8(v).ok()?.parse().ok())
        .unwrap_or(0);
    let mut body = buf.len() - (head_end + 4);
    while body < length {
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        body += n;
    }
    Some(Seen {
        method,
        target,
        headers,
    })
}

/// A complete response with `Connection: close`, a `Content-Length` and the request id
/// `req_fault`, plus `headers`.
pub fn response(status: &str, headers: &[(&str, &[u8])], body: &[u8]) -> Vec<u8> {
    let mut out = head(status, headers);
    out.truncate(out.len() - 2);
    out.extend_from_slice(format!("content-length: {}\r\n\r\n", body.len()).as_bytes());
    out.extend_from_slice(body);
    out
}

/// A response head (status line, `Connection: close`, the request id `req_fault`, then
/// `headers`) ending with the blank line; no `Content-Length` unless given.
pub fn head(status: &str, headers: &[(&str, &[u8])]) -> Vec<u8> {
    let mut out = format!("HTTP/1.1 {status}\r\nconnection: close\r\nx-request-id: req_fault\r\n")
        .into_bytes();
    for (name, value) in headers {
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(b": ");
        out.extend_from_slice(value);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b"\r\n");
    out
}
