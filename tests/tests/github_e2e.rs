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

/// GitHub's own example of a label list, from the spec.
fn label_example() -> serde_json::Value {
    common::spec::response_example(spec(), "get", "/repos/{owner}/{repo}/labels", "200", None)
}

fn spec() -> &'static serde_json::Value {
    common::spec::load("github", "api.github.com.json")
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
    let example = label_example();
    // Each page holds other labels (the runtime stops a listing that serves the same page
    // twice), here the same names under other ids.
    let mut second_page = example.clone();
    if let Some(labels) = second_page.as_array_mut() {
        for label in labels.iter_mut() {
            let id = label["id"].as_i64().unwrap_or_default();
            label["id"] = json!(id + 1_000);
        }
    }
    let mut last_page = example.clone();
    if let Some(labels) = last_page.as_array_mut() {
        labels.truncate(1);
    }
    Mock::given(method("GET"))
        .and(path("/repos/octo/hello/labels"))
        .and(query_param("page", "3"))
        .respond_with(ResponseTemplate::new(200).set_body_json(last_page))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/repos/octo/hello/labels"))
        .and(query_param("page", "2"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("link", link(3).as_str())
                .set_body_json(&second_page),
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
                .set_body_json(&example),
        )
        .expect(1)
        .mount(&server)
        .await;

    let labels: Vec<_> = client(&server)
        .issues()
        .list_labels_for_repo("octo", "hello")
        .per_page(2)
        .items()
        .map(|l| l.unwrap_or_else(|e| panic!("item: {e}")))
        .collect()
        .await;
    let names: Vec<&str> = labels.iter().map(|l| l.name.as_str()).collect();
    assert_eq!(names, ["bug", "enhancement", "bug", "enhancement", "bug"]);
    let bug = &labels[0];
    assert_eq!(bug.id, 208_045_946);
    assert_eq!(bug.color, "f29513");
    assert_eq!(bug.description.as_deref(), Some("Something isn't working"));
    assert!(bug.default);
}

#[tokio::test]
async fn the_spec_examples_of_an_issue_decode_into_the_typed_issue() {
    let spec = spec();
    let server = MockServer::start().await;
    for (number, name) in [
        (1347, "default"),
        (1348, "pinned_comment"),
        (1349, "default"),
    ] {
        let mut example = common::spec::response_example(
            spec,
            "get",
            "/repos/{owner}/{repo}/issues/{issue_number}",
            "200",
            Some(name),
        );
        if number == 1349 {
            // The schema declares these nullable, and an unassigned issue with no milestone
            // (most issues) carries nulls there.
            for key in ["assignee", "milestone", "closed_by", "user"] {
                example[key] = serde_json::Value::Null;
            }
        }
        Mock::given(method("GET"))
            .and(path(format!("/repos/octocat/Hello-World/issues/{number}")))
            .respond_with(ResponseTemplate::new(200).set_body_json(example))
            .expect(1)
            .mount(&server)
            .await;
    }
    let client = client(&server);
    let issue = client
        .issues()
        .get("octocat", "Hello-World", 1347)
        .send()
        .await
        .unwrap_or_else(|e| panic!("issue: {e}"));
    assert_eq!(issue.number, 1347);
    assert_eq!(issue.title, "Found a bug");
    assert_eq!(issue.user.map(|u| u.login).as_deref(), Some("octocat"));
    assert_eq!(issue.labels.len(), 1);
    assert!(issue.pinned_comment.is_none());
    let pinned = client
        .issues()
        .get("octocat", "Hello-World", 1348)
        .send()
        .await
        .unwrap_or_else(|e| panic!("issue with a pinned comment: {e}"));
    let comment = pinned
        .pinned_comment
        .unwrap_or_else(|| panic!("the example pins a comment"));
    assert_eq!(comment.body.as_deref(), Some("Me too"));
    let bare = client
        .issues()
        .get("octocat", "Hello-World", 1349)
        .send()
        .await
        .unwrap_or_else(|e| panic!("issue with nulls: {e}"));
    assert_eq!(bare.number, 1347);
    assert!(bare.user.is_none() && bare.assignee.is_none() && bare.milestone.is_none());
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
            .issues()
            .get("octo", "hello", 404)
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
