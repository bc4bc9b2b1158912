//! The cost of one call through the runtime (URL building, headers, rate limiter, retry
//! bookkeeping, tracing span, error classification) compared with the same request sent
//! with raw reqwest, both against a local wiremock server.

use criterion::{Criterion, criterion_group, criterion_main};
use sdkgen_runtime as rt;
use wiremock::matchers::path;
use wiremock::{Mock, MockServer, ResponseTemplate};

fn overhead(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("tokio runtime");
    let server = runtime.block_on(async {
        let server = MockServer::start().await;
        Mock::given(path("/v1/things/42"))
            .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({"id": 42})))
            .mount(&server)
            .await;
        server
    });
    let http = rt::reqwest::Client::new();
    let client = rt::Client::builder(rt::ProviderConfig::new("bench").user_agent("bench", "0"))
        .base_url(format!("{}/v1", server.uri()))
        .auth(rt::Auth::bearer("token"))
        .reqwest_client(http.clone())
        .build()
        .expect("client");
    let url = format!("{}/v1/things/42?expand=a", server.uri());

    let mut group = c.benchmark_group("one_call");
    group.bench_function("raw_reqwest", |b| {
        b.iter(|| {
            runtime.block_on(async {
                let resp = http
                    .get(&url)
                    .bearer_auth("token")
                    .send()
                    .await
                    .expect("send");
                let bytes = resp.bytes().await.expect("body");
                serde_json::from_slice::<serde_json::Value>(&bytes).expect("json")
            })
        })
    });
    group.bench_function("sdkgen_runtime", |b| {
        b.iter(|| {
            runtime.block_on(async {
                let req = rt::__private::Request::new(
                    rt::http::Method::GET,
                    "getThing",
                    "/things/{id}",
                    "/things/42".to_owned(),
                )
                .query_form("expand", &"a", true);
                let raw = client.send(req).await.expect("send");
                rt::__private::decode_json::<serde_json::Value>(&raw).expect("json")
            })
        })
    });
    group.finish();
}

criterion_group!(benches, overhead);
criterion_main!(benches);
