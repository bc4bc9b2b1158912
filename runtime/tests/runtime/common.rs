use sdkgen_runtime as rt;
use sdkgen_runtime::__private::Request;
use wiremock::MockServer;

/// A provider configuration like a generated crate's.
pub fn config() -> rt::ProviderConfig {
    rt::ProviderConfig::new("test")
        .user_agent("test-sdk", "1.2.3")
        .request_id_header("x-request-id")
}

/// An HTTP client without background timers, so that paused time only moves for the
/// runtime's own sleeps.
pub fn http() -> rt::reqwest::Client {
    rt::reqwest::Client::builder()
        .pool_idle_timeout(None)
        .build()
        .unwrap()
}

/// A client builder pointed at `server`, with no timeouts (paused-time friendly).
pub fn builder(config: rt::ProviderConfig, server: &MockServer) -> rt::ClientBuilder {
    rt::Client::builder(config)
        .base_url(server.uri())
        .reqwest_client(http())
        .no_timeouts()
}

pub fn client(server: &MockServer) -> rt::Client {
    builder(config(), server).build().unwrap()
}

pub fn get(path: &str) -> Request {
    Request::new(
        rt::http::Method::GET,
        "getThing",
        "/things/{id}",
        path.to_owned(),
    )
}

pub fn post(path: &str) -> Request {
    Request::new(
        rt::http::Method::POST,
        "createThing",
        "/things",
        path.to_owned(),
    )
}

pub async fn hits(server: &MockServer) -> usize {
    server.received_requests().await.unwrap_or_default().len()
}

/// A server of its own, not taken from wiremock's pool: for tests that abandon requests
/// in flight (timeouts, cancelled calls), which could otherwise reach the pooled server
/// after it has been handed to another test.
pub async fn private_server() -> MockServer {
    MockServer::builder().start().await
}

/// A small deterministic generator (xorshift64*) for tests that run the parsers over many
/// generated inputs: no extra dependency, and every run sees the same inputs.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.max(1))
    }

    pub fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// A number in `0..n`.
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    /// `bytes` cut into pieces of random lengths.
    pub fn pieces<'a>(&mut self, bytes: &'a [u8]) -> Vec<&'a [u8]> {
        let longest = *self.pick(&[1, 2, 3, 7, 64, 1000]);
        let mut pieces = Vec::new();
        let mut rest = bytes;
        while !rest.is_empty() {
            let n = (1 + self.below(longest)).min(rest.len());
            let (piece, tail) = rest.split_at(n);
            pieces.push(piece);
            rest = tail;
        }
        pieces
    }
}
