//! End-to-end calls through the generated GitHub crate (feature `issues`) against wiremock:
//! `Link` header paging, the pinned API version header, bearer auth and GitHub's error body.

mod common;

use futures::StreamExt;
use sdkgen_github::Client;
use serde_json::json;
use wiremock::matchers::{header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn client(server: &MockServer) -> Client {
    Client::builder()
        .base_url(server.uri())
        .auth(sdkgen_runtime::Auth::bearer("ghp_test_token"))
        .retry(sdkgen_runtime::RetryPolicy::disabled())
        .no_rate_limit()
        .build()
        .unwrap_or_else(|e| panic!("client: {e}"))
}

fn labels(names: &[&str]) -> serde_json::Value {
    json!(names
        .iter()
        .enumerate()
        .map(|(i, n)| json!({
            "id": i, "node_id": format!("LA_{n}"), "url": format!("https://api.github.com/labels/{n}"),
            "name": n, "description": null, "color": "ededed", "default": false,
        }))
        .collect::<Vec<_>>())
}

#[tokio::test]
async fn labels_are_walked_over_three_pages_through_the_link_header() {
    let server = MockServer::start().await;
    let base = server.uri();
    let link = |page: u32| {
        format!(
            "<{base}/repos/octo/hello/labels?per_page=2&page={page}>; rel=\"next\", <{base}/repos/octo/hello/labels?per_page=2&page=3>; rel=\"last\""
        )
    };
    Mock::given(method("GET"))
        .and(path("/repos/octo/hello/labels"))
        .and(query_param("page", "3"))
        .respond_with(ResponseTemplate::new(200).set_body_json(labels(&["wontfix"])))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/repos/octo/hello/labels"))
        .and(query_param("page", "2"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("link", link(3).as_str())
                .set_body_json(labels(&["docs", "good first issue"])),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/repos/octo/hello/labels"))
        .and(header("authorization", "Bearer ghp_test_token"))
        .and(header("X-GitHub-Api-Version", "2022-11-28"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("link", link(2).as_str())
                .set_body_json(labels(&["bug", "enhancement"])),
        )
        .expect(1)
        .mount(&server)
        .await;

    let names: Vec<String> = client(&server)
        .issues_list_labels_for_repo("octo", "hello")
        .per_page(2)
        .stream()
        .map(|l| l.unwrap_or_else(|e| panic!("item: {e}")).name)
        .collect()
        .await;
    assert_eq!(
        names,
        ["bug", "enhancement", "docs", "good first issue", "wontfix"]
    );
}

#[tokio::test]
async fn a_github_error_body_becomes_the_normalized_error() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/repos/octo/hello/issues/404"))
        .respond_with(
            ResponseTemplate::new(404)
                .insert_header("x-github-request-id", "CAFE:1234")
                .set_body_json(json!({"message": "Not Found", "documentation_url": "https://docs.github.com/rest"})),
        )
        .mount(&server)
        .await;
    common::assert_api_error(
        client(&server)
            .issues_get("octo", "hello", 404)
            .send()
            .await,
        common::Expected {
            status: 404,
            code: None,
            message: "Not Found",
            request_id: "CAFE:1234",
        },
    );
}
