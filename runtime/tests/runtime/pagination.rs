use std::time::Duration;

use futures::{StreamExt, TryStreamExt};
use sdkgen_runtime as rt;
use sdkgen_runtime::__private::{paginate, paginate_items};
use serde_json::{Value, json};
use wiremock::matchers::path;
use wiremock::{Mock, MockServer, Request as WireRequest, ResponseTemplate};

use crate::common::{Rng, builder, client, config, get, hits};

#[derive(Debug, serde::Deserialize, PartialEq)]
struct Item {
    id: String,
}

fn param(req: &WireRequest, name: &str) -> Option<String> {
    req.url
        .query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

fn ids(items: &[Item]) -> Vec<&str> {
    items.iter().map(|i| i.id.as_str()).collect()
}

fn items(range: std::ops::Range<u32>) -> Vec<Value> {
    range.map(|i| json!({"id": format!("i{i}")})).collect()
}

async fn collect(client: rt::Client, req: rt::__private::Request, p: rt::Pagination) -> Vec<Item> {
    paginate_items::<Item>(client, req, p)
        .try_collect()
        .await
        .unwrap()
}

fn expected(n: u32) -> Vec<String> {
    (0..n).map(|i| format!("i{i}")).collect()
}

#[tokio::test]
async fn a_stripe_cursor_walk_yields_every_item_once() {
    let server = MockServer::start().await;
    Mock::given(path("/v1/customers"))
        .respond_with(|req: &WireRequest| {
            let start = match param(req, "starting_after").as_deref() {
                None => 0,
                Some("i2") => 3,
                Some("i5") => 6,
                Some(other) => panic!("unexpected cursor {other}"),
            };
            assert_eq!(param(req, "limit").as_deref(), Some("3"));
            ResponseTemplate::new(200).set_body_json(json!({
                "object": "list", "data": items(start..(start + 3).min(8)), "has_more": start + 3 < 8
            }))
        })
        .mount(&server)
        .await;
    let req = get("/v1/customers").query_form("limit", &3, true);
    let all = collect(
        client(&server),
        req,
        rt::Pagination::cursor("/data", "/has_more", "starting_after", "id"),
    )
    .await;
    assert_eq!(ids(&all), expected(8));
    assert_eq!(hits(&server).await, 3);
}

#[tokio::test]
async fn an_openai_cursor_comes_from_the_body() {
    let server = MockServer::start().await;
    Mock::given(path("/v1/files"))
        .respond_with(|req: &WireRequest| {
            let (data, more) = match param(req, "after").as_deref() {
                None => (items(0..2), true),
                Some("i1") => (items(2..4), false),
                Some(other) => panic!("unexpected cursor {other}"),
            };
            ResponseTemplate::new(200).set_body_json(json!({
                "data": data, "has_more": more, "last_id": data.last().unwrap()["id"]
            }))
        })
        .mount(&server)
        .await;
    let p = rt::Pagination::cursor_from_body("/data", "/has_more", "after", "/last_id");
    assert_eq!(
        ids(&collect(client(&server), get("/v1/files"), p).await),
        expected(4)
    );
}

#[tokio::test]
async fn a_twilio_next_page_uri_is_relative_to_the_host() {
    let server = MockServer::start().await;
    Mock::given(path("/2010-04-01/Messages.json"))
        .respond_with(|req: &WireRequest| {
            let page = param(req, "Page").unwrap_or_else(|| "0".into());
            let (data, next) = match page.as_str() {
                "0" => (
                    items(0..2),
                    json!("/2010-04-01/Messages.json?Page=1&PageSize=2"),
                ),
                "1" => (items(2..3), Value::Null),
                other => panic!("unexpected page {other}"),
            };
            ResponseTemplate::new(200)
                .set_body_json(json!({"messages": data, "next_page_uri": next}))
        })
        .mount(&server)
        .await;
    // The base URL has a path; the next-page URI replaces it because it is host-relative.
    let c = builder(config(), &server)
        .base_url(format!("{}/2010-04-01", server.uri()))
        .build()
        .unwrap();
    let all = collect(
        c,
        get("/Messages.json"),
        rt::Pagination::next_url("/messages", "/next_page_uri"),
    )
    .await;
    assert_eq!(ids(&all), expected(3));
}

#[tokio::test]
async fn an_absolute_next_url_in_meta_is_followed() {
    let server = MockServer::start().await;
    let base = server.uri();
    Mock::given(path("/list"))
        .respond_with(move |req: &WireRequest| {
            let (data, next) = match param(req, "cursor").as_deref() {
                None => (items(0..2), json!(format!("{base}/list?cursor=abc"))),
                Some("abc") => (items(2..4), Value::Null),
                Some(other) => panic!("unexpected cursor {other}"),
            };
            ResponseTemplate::new(200)
                .set_body_json(json!({"items": data, "meta": {"next_page_url": next}}))
        })
        .mount(&server)
        .await;
    let all = collect(
        client(&server),
        get("/list"),
        rt::Pagination::next_url("/items", "/meta/next_page_url"),
    )
    .await;
    assert_eq!(ids(&all), expected(4));
}

#[tokio::test]
async fn link_header_walk_over_three_pages_yields_every_item_once() {
    let server = MockServer::start().await;
    let base = server.uri();
    Mock::given(path("/repos/o/r/issues"))
        .respond_with(move |req: &WireRequest| {
            let page: u32 = param(req, "page").map_or(1, |p| p.parse().unwrap());
            assert_eq!(param(req, "per_page").as_deref(), Some("2"));
            let mut t = ResponseTemplate::new(200).set_body_json(items((page - 1) * 2..page * 2));
            let last = format!("<{base}/repos/o/r/issues?per_page=2&page=3>; rel=\"last\"");
            if page < 3 {
                let next = format!(
                    "<{base}/repos/o/r/issues?per_page=2&page={}>; rel=\"next\", {last}",
                    page + 1
                );
                t = t.insert_header("link", next.as_str());
            } else {
                t = t.insert_header(
                    "link",
                    format!("<{base}/repos/o/r/issues?per_page=2&page=1>; rel=\"first\"").as_str(),
                );
            }
            t
        })
        .mount(&server)
        .await;
    let req = get("/repos/o/r/issues").query_form("per_page", &2, true);
    let all = collect(client(&server), req, rt::Pagination::link_header("")).await;
    assert_eq!(ids(&all), expected(6));
    assert_eq!(hits(&server).await, 3);
}

#[tokio::test]
async fn page_numbers_stop_at_a_short_page() {
    let server = MockServer::start().await;
    Mock::given(path("/list"))
        .respond_with(|req: &WireRequest| {
            let page: u32 = param(req, "page").unwrap().parse().unwrap();
            let data = match page {
                1 => items(0..3),
                2 => items(3..6),
                3 => items(6..7),
                other => panic!("page {other} should not be requested"),
            };
            ResponseTemplate::new(200).set_body_json(json!({"results": data}))
        })
        .mount(&server)
        .await;
    let req = get("/list")
        .query_form("page", &1, true)
        .query_form("per_page", &3, true);
    let p = rt::Pagination::page_number("/results", "page", 1, Some("per_page"));
    assert_eq!(ids(&collect(client(&server), req, p).await), expected(7));
}

#[tokio::test]
async fn page_numbers_stop_at_an_empty_page() {
    let server = MockServer::start().await;
    Mock::given(path("/list"))
        .respond_with(|req: &WireRequest| {
            let page: u32 = param(req, "p").map_or(0, |p| p.parse().unwrap());
            let data = if page < 2 {
                items(page * 2..page * 2 + 2)
            } else {
                vec![]
            };
            ResponseTemplate::new(200).set_body_json(json!({"results": data}))
        })
        .mount(&server)
        .await;
    let p = rt::Pagination::page_number("/results", "p", 0, None);
    assert_eq!(
        ids(&collect(client(&server), get("/list"), p).await),
        expected(4)
    );
    assert_eq!(hits(&server).await, 3);
}

#[tokio::test]
async fn offset_and_limit_stop_at_the_total() {
    let server = MockServer::start().await;
    Mock::given(path("/list"))
        .respond_with(|req: &WireRequest| {
            let offset: u32 = param(req, "offset").map_or(0, |p| p.parse().unwrap());
            let limit: u32 = param(req, "limit").unwrap().parse().unwrap();
            let end = (offset + limit).min(5);
            ResponseTemplate::new(200)
                .set_body_json(json!({"items": items(offset..end), "total": 5}))
        })
        .mount(&server)
        .await;
    let req = get("/list").query_form("limit", &2, true);
    let p = rt::Pagination::offset_limit("/items", "offset", "limit", Some("/total"));
    assert_eq!(ids(&collect(client(&server), req, p).await), expected(5));
    assert_eq!(hits(&server).await, 3);
}

#[tokio::test]
async fn a_slack_token_walk_ends_at_an_empty_cursor() {
    let server = MockServer::start().await;
    Mock::given(path("/api/conversations.list"))
        .respond_with(|req: &WireRequest| {
            let (data, next) = match param(req, "cursor").as_deref() {
                None => (items(0..2), "dXNlcjpVMDYxTkZUVDI="),
                Some("dXNlcjpVMDYxTkZUVDI=") => (items(2..3), ""),
                Some(other) => panic!("unexpected cursor {other}"),
            };
            ResponseTemplate::new(200).set_body_json(
                json!({"ok": true, "channels": data, "response_metadata": {"next_cursor": next}}),
            )
        })
        .mount(&server)
        .await;
    let p = rt::Pagination::token("/channels", "/response_metadata/next_cursor", "cursor");
    assert_eq!(
        ids(&collect(client(&server), get("/api/conversations.list"), p).await),
        expected(3)
    );
}

async fn endless(server: &MockServer) {
    Mock::given(path("/list"))
        .respond_with(|req: &WireRequest| {
            let page: u32 = param(req, "page").map_or(1, |p| p.parse().unwrap());
            ResponseTemplate::new(200)
                .set_body_json(json!({"data": items(page * 10..page * 10 + 2)}))
        })
        .mount(server)
        .await;
}

#[tokio::test]
async fn dropping_the_stream_stops_requests() {
    let server = MockServer::start().await;
    endless(&server).await;
    let p = rt::Pagination::page_number("/data", "page", 1, None);
    let stream = paginate_items::<Item>(client(&server), get("/list"), p);
    assert_eq!(hits(&server).await, 0, "nothing is sent before polling");
    let first: Vec<Item> = stream.take(3).try_collect().await.unwrap();
    assert_eq!(ids(&first), ["i10", "i11", "i20"]);
    assert_eq!(hits(&server).await, 2);
}

#[tokio::test]
async fn a_page_is_fetched_only_when_its_first_item_is_needed() {
    let server = MockServer::start().await;
    endless(&server).await;
    let p = rt::Pagination::page_number("/data", "page", 1, None);
    let mut stream = Box::pin(paginate_items::<Item>(client(&server), get("/list"), p));
    let mut seen = Vec::new();
    for _ in 0..5 {
        stream.next().await.unwrap().unwrap();
        seen.push(hits(&server).await);
    }
    // Two items per page; one page held at a time, none fetched ahead.
    assert_eq!(seen, [1, 1, 2, 2, 3]);
}

#[tokio::test]
async fn pages_carry_their_metadata() {
    let server = MockServer::start().await;
    endless(&server).await;
    let p = rt::Pagination::page_number("/data", "page", 1, None);
    let mut pages = Box::pin(paginate::<Item>(client(&server), get("/list"), p));
    let page = pages.next().await.unwrap().unwrap();
    assert_eq!(page.items.len(), 2);
    assert_eq!(page.status.as_u16(), 200);
}

#[tokio::test]
async fn a_failing_page_is_yielded_as_an_error_and_ends_the_stream() {
    let server = MockServer::start().await;
    Mock::given(path("/list"))
        .respond_with(|req: &WireRequest| match param(req, "page").as_deref() {
            None => ResponseTemplate::new(200).set_body_json(json!({"data": items(0..2)})),
            _ => ResponseTemplate::new(404).set_body_json(json!({"message": "gone"})),
        })
        .mount(&server)
        .await;
    let p = rt::Pagination::page_number("/data", "page", 1, None);
    let results: Vec<Result<Item, rt::Error>> = paginate_items(client(&server), get("/list"), p)
        .collect()
        .await;
    assert_eq!(results.len(), 3);
    assert!(results[0].is_ok() && results[1].is_ok());
    assert_eq!(
        results[2].as_ref().unwrap_err().status().unwrap().as_u16(),
        404
    );
}

#[tokio::test]
async fn an_item_that_does_not_match_the_type_is_a_decode_error_with_its_path() {
    let server = MockServer::start().await;
    Mock::given(path("/list"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"data": [{"id": "a"}, {"id": 5}]})),
        )
        .mount(&server)
        .await;
    let p = rt::Pagination::link_header("/data");
    let results: Vec<Result<Item, rt::Error>> = paginate_items(client(&server), get("/list"), p)
        .collect()
        .await;
    match &results[0] {
        Err(rt::Error::Decode { path, .. }) => assert_eq!(path.as_deref(), Some("data[1].id")),
        other => panic!("expected a decode error, got {other:?}"),
    }
}

#[tokio::test(start_paused = true)]
async fn retries_apply_to_each_page() {
    let server = MockServer::start().await;
    Mock::given(path("/list"))
        .and(wiremock::matchers::query_param("page", "2"))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(path("/list"))
        .respond_with(|req: &WireRequest| {
            let page: u32 = param(req, "page").map_or(1, |p| p.parse().unwrap());
            let data = if page <= 2 {
                items(page * 10..page * 10 + 2)
            } else {
                vec![]
            };
            ResponseTemplate::new(200).set_body_json(json!({"data": data}))
        })
        .with_priority(2)
        .mount(&server)
        .await;
    let p = rt::Pagination::page_number("/data", "page", 1, None);
    let all = collect(client(&server), get("/list"), p).await;
    assert_eq!(ids(&all), ["i10", "i11", "i20", "i21"]);
    assert_eq!(hits(&server).await, 4);
}

/// A listing's items, and the error that ended it, which must be a cycle.
async fn looping(
    client: rt::Client,
    req: rt::__private::Request,
    p: rt::Pagination,
) -> (Vec<String>, String, u64) {
    let results: Vec<Result<Item, rt::Error>> = tokio::time::timeout(
        Duration::from_secs(30),
        paginate_items(client, req, p).take(1_000).collect(),
    )
    .await
    .expect("the listing ended");
    let (last, items) = results.split_last().expect("at least one item");
    let ids = items
        .iter()
        .map(|r| r.as_ref().unwrap().id.clone())
        .collect();
    match last {
        Err(rt::Error::Pagination(rt::PaginationError::Cycle { page, pages })) => {
            (ids, page.clone(), *pages)
        }
        other => panic!("expected a cycle error, got {other:?}"),
    }
}

#[tokio::test]
async fn a_cursor_that_does_not_move_ends_the_listing_with_a_cycle_error() {
    let server = MockServer::start().await;
    Mock::given(path("/list"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"data": items(0..1), "next": "same"})),
        )
        .mount(&server)
        .await;
    let p = rt::Pagination::token("/data", "/next", "cursor");
    let (ids, page, pages) = looping(client(&server), get("/list"), p).await;
    assert_eq!(ids, ["i0"], "the repeated page is not delivered again");
    assert_eq!(page, format!("{}/list?cursor=same", server.uri()));
    assert_eq!(pages, 1);
    assert_eq!(hits(&server).await, 2);
}

#[tokio::test]
async fn a_cursor_alternating_between_two_pages_ends_with_a_cycle_error() {
    let server = MockServer::start().await;
    Mock::given(path("/v1/customers"))
        .respond_with(|req: &WireRequest| {
            // A → B → A: the page after B points back at A.
            let (data, more) = match param(req, "starting_after").as_deref() {
                None | Some("i3") => (items(0..2), true),
                Some("i1") => (items(2..4), true),
                Some(other) => panic!("unexpected cursor {other}"),
            };
            ResponseTemplate::new(200).set_body_json(json!({"data": data, "has_more": more}))
        })
        .mount(&server)
        .await;
    let p = rt::Pagination::cursor("/data", "/has_more", "starting_after", "id");
    let c = builder(config(), &server)
        .auth(rt::Auth::api_key_query("api_key", "s3cr3t"))
        .build()
        .unwrap();
    let (ids, page, _) = looping(c, get("/v1/customers"), p).await;
    assert_eq!(ids, expected(4), "each page once");
    assert!(page.ends_with("/v1/customers?starting_after=i3"), "{page}");
    assert_eq!(
        hits(&server).await,
        3,
        "the repeated page A is not delivered"
    );
}

#[tokio::test]
async fn link_headers_going_round_in_a_loop_end_with_a_cycle_error_that_hides_the_key() {
    let server = MockServer::start().await;
    let base = server.uri();
    Mock::given(path("/repos/o/r/issues"))
        .respond_with(move |req: &WireRequest| {
            let page: u32 = param(req, "page").map_or(1, |p| p.parse().unwrap());
            // Pages 1 → 2 → 3 → 2, and each link echoes the API key, as some servers do.
            let next = if page == 3 { 2 } else { page + 1 };
            let link = format!(
                "<{base}/repos/o/r/issues?appid=s3cr3t&page={next}&access_token=t0k>; rel=\"next\""
            );
            ResponseTemplate::new(200)
                .set_body_json(items((page - 1) * 2..page * 2))
                .insert_header("link", link.as_str())
        })
        .mount(&server)
        .await;
    let c = builder(config(), &server)
        .auth(rt::Auth::api_key_query("appid", "s3cr3t"))
        .build()
        .unwrap();
    let (ids, page, pages) =
        looping(c, get("/repos/o/r/issues"), rt::Pagination::link_header("")).await;
    assert_eq!(ids, expected(6));
    assert_eq!(pages, 3);
    assert_eq!(
        page,
        format!(
            "{}/repos/o/r/issues?appid=REDACTED&page=2&access_token=REDACTED",
            server.uri()
        )
    );
    assert_eq!(hits(&server).await, 3);
}

#[tokio::test]
async fn a_next_url_going_back_to_the_first_page_ends_with_a_cycle_error() {
    let server = MockServer::start().await;
    let base = server.uri();
    Mock::given(path("/list"))
        .respond_with(move |req: &WireRequest| {
            let (data, next) = match param(req, "cursor").as_deref() {
                None => (items(0..2), format!("{base}/list?cursor=b")),
                Some("b") => (items(2..4), format!("{base}/list")),
                Some(other) => panic!("unexpected cursor {other}"),
            };
            ResponseTemplate::new(200)
                .set_body_json(json!({"items": data, "meta": {"next_page_url": next}}))
        })
        .mount(&server)
        .await;
    let p = rt::Pagination::next_url("/items", "/meta/next_page_url");
    let (ids, page, _) = looping(client(&server), get("/list"), p).await;
    assert_eq!(ids, expected(4));
    assert_eq!(page, format!("{}/list", server.uri()));
    assert_eq!(
        hits(&server).await,
        2,
        "the first page is not requested again"
    );
}

#[tokio::test]
async fn a_server_that_ignores_the_page_parameter_is_stopped_at_the_first_repeat() {
    let server = MockServer::start().await;
    Mock::given(path("/list"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"data": items(0..2)})))
        .mount(&server)
        .await;
    let p = rt::Pagination::page_number("/data", "page", 1, None);
    let (ids, page, pages) = looping(client(&server), get("/list"), p).await;
    assert_eq!(ids, expected(2));
    assert_eq!(page, format!("{}/list?page=2", server.uri()));
    assert_eq!(pages, 1);
}

#[tokio::test]
async fn a_link_header_with_several_rels_quoted_params_and_relative_targets_is_followed() {
    let server = MockServer::start().await;
    Mock::given(path("/v3/items"))
        .respond_with(|req: &WireRequest| {
            let page: u32 = param(req, "page").map_or(1, |p| p.parse().unwrap());
            let t = ResponseTemplate::new(200).set_body_json(items((page - 1) * 2..page * 2));
            match page {
                // Quoted params holding `;`, `,` and `<`, a multi-valued rel in upper case,
                // and a target relative to the request URL.
                1 => t.insert_header(
                    "link",
                    r#"</v3/items?page=9>; rel="last", <?page=2>; title="next; <page>, 2"; rel="prefetch NEXT""#,
                ),
                // Two Link field lines; the second has the next link and an unquoted rel.
                2 => t
                    .append_header("link", r#"<items?page=1>; rel="prev first""#)
                    .append_header("link", "<items?page=3>;rel=next"),
                // Only the first `rel` of a link counts: this is not a next link.
                _ => t.insert_header("link", r#"<?page=4>; rel="prev"; rel="next""#),
            }
        })
        .mount(&server)
        .await;
    let c = builder(config(), &server)
        .base_url(format!("{}/v3", server.uri()))
        .build()
        .unwrap();
    let all = collect(c, get("/items"), rt::Pagination::link_header("")).await;
    assert_eq!(ids(&all), expected(6));
    assert_eq!(hits(&server).await, 3);
}

/// A server standing for another host: it would answer any request with a page, and
/// records what it received.
async fn other_host() -> MockServer {
    let other = MockServer::start().await;
    Mock::given(wiremock::matchers::any())
        .respond_with(ResponseTemplate::new(200).set_body_json(items(90..92)))
        .mount(&other)
        .await;
    other
}

/// What a listing that was refused a cross-origin link yields, and what the other host saw.
async fn refused_at(
    client: rt::Client,
    req: rt::__private::Request,
    p: rt::Pagination,
    other: &MockServer,
) -> Vec<Result<Item, rt::Error>> {
    let results: Vec<Result<Item, rt::Error>> = paginate_items(client, req, p).collect().await;
    let received = other.received_requests().await.unwrap_or_default();
    assert_eq!(received.len(), 0, "the other host was asked for a page");
    assert!(
        received
            .iter()
            .all(|r| !r.headers.contains_key("authorization")),
        "a credential reached the other host"
    );
    match &results.last() {
        Some(Err(err @ rt::Error::Pagination(rt::PaginationError::CrossOrigin { origin }))) => {
            assert_eq!(origin, &other.uri());
            let text = format!("{err} {err:?}");
            assert!(
                !text.contains("s3cr3t") && !text.contains("c2VjcmV0"),
                "{text}"
            );
        }
        other => panic!("expected a cross-origin error, got {other:?}"),
    }
    results
}

#[tokio::test]
async fn a_link_header_to_another_origin_is_not_followed_with_the_token() {
    let server = MockServer::start().await;
    let other = other_host().await;
    let next = format!("<{}/repos/o/r/issues?page=2>; rel=\"next\"", other.uri());
    Mock::given(path("/repos/o/r/issues"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(items(0..2))
                .insert_header("link", next.as_str()),
        )
        .mount(&server)
        .await;
    let c = builder(config(), &server)
        .auth(rt::Auth::bearer("s3cr3t"))
        .build()
        .unwrap();
    let results = refused_at(
        c,
        get("/repos/o/r/issues"),
        rt::Pagination::link_header(""),
        &other,
    )
    .await;
    assert_eq!(results.len(), 3, "the first page's items, then the error");
    assert_eq!(hits(&server).await, 1);
}

#[tokio::test]
async fn a_next_url_in_the_body_to_another_origin_is_not_followed() {
    let server = MockServer::start().await;
    let other = other_host().await;
    let next = format!("{}/list?cursor=abc", other.uri());
    Mock::given(path("/list"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"items": items(0..2), "meta": {"next_page_url": next}})),
        )
        .mount(&server)
        .await;
    let c = builder(config(), &server)
        .auth(rt::Auth::api_key_header("x-api-key", "s3cr3t"))
        .build()
        .unwrap();
    let p = rt::Pagination::next_url("/items", "/meta/next_page_url");
    let results = refused_at(c, get("/list"), p, &other).await;
    assert_eq!(results.len(), 3);
    let received = other.received_requests().await.unwrap_or_default();
    assert!(
        received
            .iter()
            .all(|r| !r.headers.contains_key("x-api-key"))
    );
}

#[tokio::test]
async fn a_twilio_next_page_uri_to_another_host_is_not_followed_with_basic_credentials() {
    let server = MockServer::start().await;
    let other = other_host().await;
    // Scheme-relative and absolute forms both lead to the other host.
    let other_authority = other.uri().trim_start_matches("http:").to_owned();
    for next in [
        format!("{other_authority}/2010-04-01/Messages.json?Page=1"),
        format!("{}/2010-04-01/Messages.json?Page=1", other.uri()),
    ] {
        server.reset().await;
        Mock::given(path("/2010-04-01/Messages.json"))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_json(json!({"messages": items(0..2), "next_page_uri": next})),
            )
            .mount(&server)
            .await;
        let c = builder(config(), &server)
            .base_url(format!("{}/2010-04-01", server.uri()))
            .auth(rt::Auth::basic("AC123", "secret"))
            .build()
            .unwrap();
        let p = rt::Pagination::next_url("/messages", "/next_page_uri");
        let results = refused_at(c, get("/Messages.json"), p, &other).await;
        assert_eq!(results.len(), 3, "{next}");
    }
}

#[tokio::test]
async fn an_origin_the_client_allows_is_followed() {
    let server = MockServer::start().await;
    let other = other_host().await;
    let next = format!("<{}/repos/o/r/issues?page=2>; rel=\"next\"", other.uri());
    Mock::given(path("/repos/o/r/issues"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(items(0..2))
                .insert_header("link", next.as_str()),
        )
        .mount(&server)
        .await;
    let c = builder(config(), &server)
        .auth(rt::Auth::bearer("s3cr3t"))
        .allow_origin(format!("{}/", other.uri()))
        .build()
        .unwrap();
    let all = collect(c, get("/repos/o/r/issues"), rt::Pagination::link_header("")).await;
    assert_eq!(ids(&all), ["i0", "i1", "i90", "i91"]);
    let received = other.received_requests().await.unwrap_or_default();
    assert_eq!(received.len(), 1, "the allowed origin was asked for page 2");
    assert_eq!(received[0].url.query(), Some("page=2"));
}

#[tokio::test]
async fn an_allowed_origin_that_is_not_an_http_url_is_a_build_error() {
    let server = MockServer::start().await;
    for bad in ["not a url", "ftp://files.example.com"] {
        match builder(config(), &server).allow_origin(bad).build() {
            Err(rt::Error::Build { message }) => assert!(message.contains("allow_origin")),
            other => panic!("expected a build error for {bad}, got {other:?}"),
        }
    }
}

#[test]
fn generated_link_headers_give_the_first_next_target_and_arbitrary_text_never_panics() {
    use rt::__private::{next_link, parse_links};
    let mut rng = Rng::new(8288);
    let ows = |rng: &mut Rng| *rng.pick(&["", " ", "\t", "  "]);
    for round in 0..1_000 {
        let mut links = Vec::new();
        let mut expected = None;
        for i in 0..1 + rng.below(4) {
            let target = format!("https://a.example/x?page={i}&q=a,b;c=<d");
            let mut link = format!("<{target}>");
            let rels = *rng.pick(&["next", "NEXT", "prev", "last", "prefetch next", "first"]);
            let is_next = rels.split(' ').any(|r| r.eq_ignore_ascii_case("next"));
            let mut params = vec![
                format!(
                    "rel={}",
                    if rels.contains(' ') {
                        format!("\"{rels}\"")
                    } else {
                        rels.to_owned()
                    }
                ),
                "title=\"a; <b>, \\\"c\\\"\"".to_owned(),
                "type=text/html".to_owned(),
            ];
            // Only the first `rel` counts, so a later one changes nothing.
            params.push("rel=next".to_owned());
            let keep_rel_first = rng.below(2) == 0;
            if !keep_rel_first {
                params.swap(0, 1);
            }
            for param in &params {
                link.push_str(&format!("{};{}{param}", ows(&mut rng), ows(&mut rng)));
            }
            if is_next && expected.is_none() {
                expected = Some(target);
            }
            links.push(link);
        }
        let header = links.join(&format!(",{}", ows(&mut rng)));
        assert_eq!(next_link(&header), expected, "round {round}: {header}");
        assert_eq!(parse_links(&header).len(), links.len(), "{header}");
    }

    const PIECES: &[&str] = &[
        "<", ">", ";", ",", "=", "\"", "\\", " ", "\t", "rel", "next", "x", "é", "€",
    ];
    for _ in 0..5_000 {
        let text: String = (0..rng.below(40)).map(|_| *rng.pick(PIECES)).collect();
        let links = parse_links(&text);
        assert!(
            links.iter().all(|(target, _)| !target.contains('>')),
            "{text:?}"
        );
        if let Some(next) = next_link(&text) {
            assert!(links.iter().any(|(target, _)| *target == next), "{text:?}");
        }
    }
}
