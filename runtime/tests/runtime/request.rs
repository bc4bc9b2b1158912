use std::collections::{BTreeMap, HashMap};

use sdkgen_runtime as rt;
use sdkgen_runtime::__private::{
    FormField, Multipart, Request, encode_path_segment, to_param_string,
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use wiremock::matchers::path;
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::common::{client, get, hits, post};

/// Send `req` and return the raw query string and body the server saw.
async fn seen(req: Request) -> (String, String, rt::http::HeaderMap) {
    let server = MockServer::start().await;
    Mock::given(wiremock::matchers::any())
        .respond_with(ResponseTemplate::new(200))
        .mount(&server)
        .await;
    client(&server).send(req).await.unwrap();
    let r = server.received_requests().await.unwrap().remove(0);
    (
        r.url.query().unwrap_or_default().to_owned(),
        String::from_utf8(r.body).unwrap(),
        r.headers,
    )
}

#[tokio::test]
async fn form_style_arrays_repeat_the_name_when_exploded() {
    let (q, _, _) = seen(get("/x").query_form("id", &["a", "b c"], true)).await;
    assert_eq!(q, "id=a&id=b%20c");
}

#[tokio::test]
async fn form_style_arrays_are_comma_joined_when_not_exploded() {
    let (q, _, _) = seen(get("/x").query_form("id", &["a", "b,c"], false)).await;
    assert_eq!(q, "id=a,b%2Cc");
}

#[tokio::test]
async fn form_style_objects_become_pairs_or_a_list() {
    let filter = BTreeMap::from([("role", "admin"), ("state", "open")]);
    let (q, _, _) = seen(get("/x").query_form("filter", &filter, true)).await;
    assert_eq!(q, "role=admin&state=open");
    let (q, _, _) = seen(get("/x").query_form("filter", &filter, false)).await;
    assert_eq!(q, "filter=role,admin,state,open");
}

#[tokio::test]
async fn none_and_null_query_values_send_nothing() {
    let (q, _, _) = seen(
        get("/x")
            .query_form("a", &Option::<u32>::None, true)
            .query_form("b", &true, true),
    )
    .await;
    assert_eq!(q, "b=true");
}

#[tokio::test]
async fn delimited_arrays_use_their_delimiter() {
    let (q, _, _) = seen(
        get("/x")
            .query_delimited("s", &[1, 2], ' ')
            .query_delimited("p", &["x", "y"], '|'),
    )
    .await;
    assert_eq!(q, "s=1%202&p=x%7Cy");
}

#[tokio::test]
async fn deep_object_queries_use_brackets() {
    let (q, _, _) = seen(get("/x").query_deep_object(
        "created",
        &json!({"gte": 1, "nested": {"a": "b"}, "tags": ["x", "y"], "items": [{"k": "v"}]}),
    ))
    .await;
    assert_eq!(
        q,
        "created[gte]=1&created[nested][a]=b&created[tags][]=x&created[tags][]=y&created[items][0][k]=v"
    );
}

#[derive(Serialize)]
#[serde(rename_all = "snake_case")]
enum Capture {
    Manual,
}

#[derive(Serialize)]
struct Item {
    price: String,
    quantity: u32,
}

#[derive(Serialize)]
struct CreatePaymentIntent {
    amount: u64,
    currency: &'static str,
    capture_method: Capture,
    confirm: bool,
    metadata: BTreeMap<&'static str, &'static str>,
    items: Vec<Item>,
    expand: Vec<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    customer: Option<String>,
}

#[tokio::test]
async fn a_form_body_is_encoded_as_stripe_expects() {
    let body = CreatePaymentIntent {
        amount: 2000,
        currency: "usd",
        capture_method: Capture::Manual,
        confirm: false,
        metadata: BTreeMap::from([("order_id", "6735")]),
        items: vec![Item {
            price: "price_1".into(),
            quantity: 2,
        }],
        expand: vec!["customer", "latest_charge"],
        description: None,
        customer: None,
    };
    // Stripe's spec declares `style: deepObject` for every object and array field.
    let deep = FormField::DeepObject;
    let fields = [("metadata", deep), ("items", deep), ("expand", deep)];
    let (_, body, headers) = seen(post("/v1/payment_intents").body_form(&body, &fields)).await;
    assert_eq!(
        body,
        "amount=2000&currency=usd&capture_method=manual&confirm=false&metadata[order_id]=6735\
         &items[0][price]=price_1&items[0][quantity]=2&expand[]=customer&expand[]=latest_charge"
    );
    assert_eq!(
        headers.get("content-type").unwrap(),
        "application/x-www-form-urlencoded"
    );
}

#[tokio::test]
async fn a_form_body_without_declared_encodings_repeats_array_names() {
    #[derive(Serialize)]
    struct CreateWebhook {
        #[serde(rename = "FriendlyName")]
        friendly_name: &'static str,
        #[serde(rename = "EventTypes")]
        event_types: Vec<&'static str>,
    }
    let body = CreateWebhook {
        friendly_name: "hook",
        event_types: vec!["factor.created", "challenge.approved"],
    };
    let (_, body, _) = seen(post("/v2/Services/VA1/Webhooks").body_form(&body, &[])).await;
    assert_eq!(
        body,
        "FriendlyName=hook&EventTypes=factor.created&EventTypes=challenge.approved"
    );
}

#[tokio::test]
async fn accept_is_the_operations_media_types_unless_the_caller_chose_one() {
    let (_, _, headers) = seen(post("/audio/speech").accept("audio/mpeg")).await;
    assert_eq!(headers.get("accept").unwrap(), "audio/mpeg");
    let (_, _, headers) = seen(post("/x")).await;
    assert_eq!(headers.get("accept").unwrap(), "application/json");
    let chosen = post("/audio/speech")
        .accept("audio/mpeg")
        .options(rt::RequestOptions::new().header("accept", "audio/wav"));
    let (_, _, headers) = seen(chosen).await;
    assert_eq!(headers.get("accept").unwrap(), "audio/wav");
}

#[tokio::test]
async fn a_json_body_is_sent_with_its_content_type() {
    let (_, body, headers) = seen(post("/x").body_json(&json!({"a": [1, 2]}))).await;
    assert_eq!(body, r#"{"a":[1,2]}"#);
    assert_eq!(headers.get("content-type").unwrap(), "application/json");
}

#[tokio::test]
async fn bytes_and_text_bodies_keep_their_content_type() {
    let (_, body, headers) =
        seen(post("/x").body_bytes("application/octet-stream", vec![1u8, 2, 3])).await;
    assert_eq!(body.as_bytes(), [1, 2, 3]);
    assert_eq!(
        headers.get("content-type").unwrap(),
        "application/octet-stream"
    );
    let (_, body, headers) = seen(post("/x").body_text("text/csv", "a,b\n".into())).await;
    assert_eq!(body, "a,b\n");
    assert_eq!(headers.get("content-type").unwrap(), "text/csv");
}

#[tokio::test]
async fn a_multipart_body_has_text_file_and_json_parts() {
    let form = Multipart::new()
        .text("purpose", "fine-tune")
        .file(
            "file",
            rt::FilePart::new(&b"{\"prompt\":1}\n"[..])
                .file_name("train.jsonl")
                .content_type("application/jsonl"),
        )
        .json("meta", &json!({"k": "v"}));
    let (_, body, headers) = seen(post("/files").body_multipart(form)).await;
    let ct = headers.get("content-type").unwrap().to_str().unwrap();
    assert!(ct.starts_with("multipart/form-data; boundary="), "{ct}");
    assert!(body.contains("name=\"purpose\"\r\n\r\nfine-tune"), "{body}");
    assert!(body.contains("name=\"file\"; filename=\"train.jsonl\"\r\nContent-Type: application/jsonl\r\n\r\n{\"prompt\":1}"), "{body}");
    assert!(
        body.contains("name=\"meta\"\r\nContent-Type: application/json\r\n\r\n{\"k\":\"v\"}"),
        "{body}"
    );
}

#[tokio::test]
async fn header_and_cookie_parameters_use_simple_style() {
    let (_, _, headers) = seen(
        get("/x")
            .header_param("x-tags", &["a", "b"])
            .header_param("x-absent", &Option::<String>::None)
            .cookie_param("session", &"s 1")
            .cookie_param("n", &5),
    )
    .await;
    assert_eq!(headers.get("x-tags").unwrap(), "a,b");
    assert!(headers.get("x-absent").is_none());
    assert_eq!(headers.get("cookie").unwrap(), "session=s%201; n=5");
}

#[tokio::test]
async fn request_options_add_headers() {
    let (_, _, headers) =
        seen(get("/x").options(rt::RequestOptions::new().header("x-trace", "t1"))).await;
    assert_eq!(headers.get("x-trace").unwrap(), "t1");
}

#[tokio::test]
async fn rendered_path_segments_reach_the_server_encoded() {
    let server = MockServer::start().await;
    Mock::given(path("/users/a%20b%2Fc"))
        .respond_with(ResponseTemplate::new(200))
        .expect(1)
        .mount(&server)
        .await;
    let rendered = format!("/users/{}", encode_path_segment("a b/c"));
    client(&server).send(get(&rendered)).await.unwrap();
}

#[tokio::test]
async fn input_that_cannot_be_serialized_is_reported_before_sending() {
    let server = MockServer::start().await;
    let bad: HashMap<(u8, u8), u8> = HashMap::from([((1, 2), 3)]);
    let err = client(&server)
        .send(post("/x").body_json(&bad))
        .await
        .unwrap_err();
    match &err {
        rt::Error::InvalidInput { operation, .. } => assert_eq!(*operation, "createThing"),
        other => panic!("expected InvalidInput, got {other:?}"),
    }
    let err = client(&server)
        .send(get("/x").header_param("bad\nname", &"v"))
        .await
        .unwrap_err();
    assert!(matches!(err, rt::Error::InvalidInput { .. }), "{err:?}");
    assert_eq!(hits(&server).await, 0);
}

#[test]
fn simple_style_renders_scalars_arrays_and_objects() {
    assert_eq!(to_param_string(&"plain"), "plain");
    assert_eq!(to_param_string(&42), "42");
    assert_eq!(to_param_string(&[1, 2, 3]), "1,2,3");
    assert_eq!(to_param_string(&json!({"a": 1, "b": "x"})), "a,1,b,x");
    assert_eq!(encode_path_segment("ü/é"), "%C3%BC%2F%C3%A9");
}

#[test]
fn base64_round_trips_and_decodes_url_safe_without_padding() {
    let v = rt::Base64(vec![0xfb, 0xff, 0x01]);
    assert_eq!(serde_json::to_string(&v).unwrap(), "\"+/8B\"");
    assert_eq!(serde_json::from_str::<rt::Base64>("\"+/8B\"").unwrap(), v);
    assert_eq!(serde_json::from_str::<rt::Base64>("\"-_8B\"").unwrap(), v);
    assert_eq!(
        serde_json::from_str::<rt::Base64>("\"aGk\"").unwrap(),
        rt::Base64(b"hi".to_vec())
    );
    assert!(serde_json::from_str::<rt::Base64>("\"!!\"").is_err());
}

#[derive(Serialize, Deserialize, Debug, PartialEq, Clone)]
struct Upload {
    file: rt::FilePart,
}

#[test]
fn a_struct_holding_a_file_part_derives_serde() {
    let upload = Upload {
        file: rt::FilePart::new(vec![1u8, 2]).file_name("a.bin"),
    };
    let json = serde_json::to_string(&upload).unwrap();
    assert_eq!(json, r#"{"file":[1,2]}"#);
    let back: Upload = serde_json::from_str(&json).unwrap();
    assert_eq!(back.file.data().map(|d| d.as_ref()), Some(&[1u8, 2][..]));
    assert!(
        !format!("{upload:?}").contains("[1, 2]"),
        "Debug shows the length, not the bytes"
    );
}

#[derive(Serialize, Deserialize, Debug, PartialEq)]
struct Customer {
    id: String,
    name: String,
}

#[test]
fn an_expandable_field_is_an_id_or_the_object() {
    let id: rt::Expandable<Customer> = serde_json::from_str("\"cus_1\"").unwrap();
    assert!(id.is_id());
    let object: rt::Expandable<Customer> =
        serde_json::from_str(r#"{"id":"cus_1","name":"Ada"}"#).unwrap();
    assert_eq!(object.as_object().map(|c| c.name.as_str()), Some("Ada"));
    assert_eq!(
        serde_json::to_string(&object).unwrap(),
        r#"{"id":"cus_1","name":"Ada"}"#
    );
    assert_eq!(serde_json::to_string(&id).unwrap(), "\"cus_1\"");
}
