//! Parameter serialization: OpenAPI styles and percent-encoding.
//!
//! Values arrive as anything `Serialize`. A scalar (a string, an integer, a boolean, an
//! enum's wire name, or `None`) is written straight into the query string or header by
//! the scalar serializer (`src/scalar.rs`), because that is what almost every parameter is and going
//! through `serde_json::Value` costs several allocations per parameter on every call.
//! Anything else (arrays, objects, floats) goes through `serde_json::Value`, so that enums
//! become their wire strings and optional fields that are `None` disappear.

use serde::Serialize;
use serde_json::Value;

use crate::scalar::with_scalar;

/// Characters kept as they are: RFC 3986 unreserved.
fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~')
}

/// Characters kept in a query or form key: unreserved, and `[` `]` literal as Stripe's own
/// clients send them.
fn is_key_char(b: u8) -> bool {
    is_unreserved(b) || b == b'[' || b == b']'
}

fn percent_encode_into(out: &mut String, s: &str, keep: impl Fn(u8) -> bool) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    // Runs of kept characters are copied whole (most values are a single run). Only ASCII
    // is ever kept, so a run starts and ends on character boundaries.
    let mut run_start = 0;
    for (i, b) in s.bytes().enumerate() {
        if keep(b) {
            continue;
        }
        if run_start < i {
            out.push_str(&s[run_start..i]);
        }
        out.push('%');
        out.push(HEX[(b >> 4) as usize] as char);
        out.push(HEX[(b & 0x0f) as usize] as char);
        run_start = i + 1;
    }
    if run_start < s.len() {
        out.push_str(&s[run_start..]);
    }
}

/// Percent-encode `s` for use as one path segment (everything but unreserved characters).
pub fn encode_path_segment(s: &str) -> String {
    encode_component(s)
}

/// Encode a query or form component (value).
pub(crate) fn encode_component(s: &str) -> String {
    let mut out = String::new();
    percent_encode_into(&mut out, s, is_unreserved);
    out
}

/// Simple style: scalars as text (strings unquoted), arrays comma-joined, objects as
/// `k,v,k2,v2`, `null` as the empty string.
pub fn to_param_string(value: &impl Serialize) -> String {
    with_scalar(value, |text| text.unwrap_or_default().to_owned()).unwrap_or_else(|| {
        serde_json::to_value(value)
            .map(|v| simple(&v))
            .unwrap_or_default()
    })
}

pub(crate) fn scalar_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

pub(crate) fn simple(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::Array(items) => items.iter().map(simple).collect::<Vec<_>>().join(","),
        Value::Object(map) => map
            .iter()
            .filter(|(_, v)| !v.is_null())
            .flat_map(|(k, v)| [k.clone(), simple(v)])
            .collect::<Vec<_>>()
            .join(","),
        other => scalar_text(other).unwrap_or_default(),
    }
}

/// A query string (or form body) under construction: `key=value` pairs, percent-encoded
/// as they are added and joined with `&`.
///
/// One string rather than a list of pairs, because the URL is built from it on every
/// attempt and a typical call has one or two parameters: a list would cost three
/// allocations per parameter, this costs one per request.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Query(String);

impl Query {
    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub(crate) fn as_str(&self) -> &str {
        &self.0
    }

    pub(crate) fn into_string(self) -> String {
        self.0
    }

    /// Start a pair: `&` when not first, then the encoded key and `=`.
    fn start_pair(&mut self, key: &str) {
        if !self.0.is_empty() {
            self.0.push('&');
        }
        percent_encode_into(&mut self.0, key, is_key_char);
        self.0.push('=');
    }

    /// Add `key=value`, both encoded here.
    pub(crate) fn push(&mut self, key: &str, value: &str) {
        self.0.reserve(key.len() + value.len() + 2);
        self.start_pair(key);
        percent_encode_into(&mut self.0, value, is_unreserved);
    }

    /// Add `key=` followed by `parts`, each encoded, joined by `separator` (kept literal).
    fn push_joined<'a>(
        &mut self,
        key: &str,
        parts: impl IntoIterator<Item = &'a str>,
        separator: &str,
    ) {
        self.start_pair(key);
        for (i, part) in parts.into_iter().enumerate() {
            if i > 0 {
                self.0.push_str(separator);
            }
            percent_encode_into(&mut self.0, part, is_unreserved);
        }
    }

    /// The pairs, still encoded.
    fn pairs(&self) -> impl Iterator<Item = (&str, &str)> {
        // Keys and values are encoded, so `&` and `=` only ever separate.
        self.0
            .split('&')
            .filter(|p| !p.is_empty())
            .map(|p| p.split_once('=').unwrap_or((p, "")))
    }

    /// Remove every pair named `key` (unencoded).
    pub(crate) fn remove(&mut self, key: &str) {
        let mut encoded = String::new();
        percent_encode_into(&mut encoded, key, is_key_char);
        let mut kept = Query::default();
        for (k, v) in self.pairs().filter(|(k, _)| *k != encoded) {
            kept.start_pair_encoded(k);
            kept.0.push_str(v);
        }
        *self = kept;
    }

    fn start_pair_encoded(&mut self, key: &str) {
        if !self.0.is_empty() {
            self.0.push('&');
        }
        self.0.push_str(key);
        self.0.push('=');
    }

    /// The decoded value of the first pair named `key` (unencoded).
    pub(crate) fn get(&self, key: &str) -> Option<String> {
        let mut encoded = String::new();
        percent_encode_into(&mut encoded, key, is_key_char);
        self.pairs().find(|(k, _)| *k == encoded).map(|(_, v)| {
            url::form_urlencoded::parse(format!("x={v}").as_bytes())
                .next()
                .map(|(_, v)| v.into_owned())
                .unwrap_or_default()
        })
    }
}

/// Append `query` (already encoded) to a URL's query text, with `&` when not first.
pub(crate) fn append_query(out: &mut String, query: &Query) {
    if !out.is_empty() && !out.ends_with(['?', '&']) {
        out.push('&');
    }
    out.push_str(query.as_str());
}

/// OpenAPI `form` style. Values are percent-encoded per item so that the comma separator
/// of a non-exploded array stays literal.
pub(crate) fn form_style(name: &str, value: &Value, explode: bool, out: &mut Query) {
    match value {
        Value::Null => {}
        Value::Array(items) => {
            let items: Vec<String> = items.iter().filter(|v| !v.is_null()).map(simple).collect();
            if explode {
                for item in &items {
                    out.push(name, item);
                }
            } else if !items.is_empty() {
                out.push_joined(name, items.iter().map(String::as_str), ",");
            }
        }
        Value::Object(map) => {
            let fields = map.iter().filter(|(_, v)| !v.is_null());
            if explode {
                for (k, v) in fields {
                    out.push(k, &simple(v));
                }
            } else {
                let flat: Vec<String> = fields.flat_map(|(k, v)| [k.clone(), simple(v)]).collect();
                if !flat.is_empty() {
                    out.push_joined(name, flat.iter().map(String::as_str), ",");
                }
            }
        }
        other => out.push(name, &simple(other)),
    }
}

/// `spaceDelimited` / `pipeDelimited` arrays (scalars fall back to form style).
pub(crate) fn delimited_style(name: &str, value: &Value, delimiter: char, out: &mut Query) {
    match value {
        Value::Array(items) => {
            let separator = encode_component(delimiter.encode_utf8(&mut [0; 4]));
            let parts: Vec<String> = items.iter().filter(|v| !v.is_null()).map(simple).collect();
            if !items.is_empty() {
                out.push_joined(name, parts.iter().map(String::as_str), &separator);
            }
        }
        other => form_style(name, other, true, out),
    }
}

/// Bracket ("deepObject") encoding as Stripe and Rails expect: `name[key]=v`,
/// `name[a][b]=v`, arrays of scalars `name[]=a`, arrays of objects `name[0][k]=v`,
/// `null` omitted.
pub(crate) fn deep_object(prefix: &str, value: &Value, out: &mut Query) {
    deep_object_each(prefix, value, &mut |key, text| out.push(key, text));
}

/// The leaves of a deepObject value as bracketed keys and their text, unencoded (multipart
/// forms send them as text parts).
pub(crate) fn deep_object_each(prefix: &str, value: &Value, f: &mut impl FnMut(&str, &str)) {
    match value {
        Value::Null => {}
        Value::Object(map) => {
            for (k, v) in map {
                deep_object_each(&format!("{prefix}[{k}]"), v, f);
            }
        }
        Value::Array(items) => {
            let nested = items.iter().any(|v| v.is_object() || v.is_array());
            for (i, item) in items.iter().enumerate() {
                if nested {
                    deep_object_each(&format!("{prefix}[{i}]"), item, f);
                } else if let Some(text) = scalar_text(item) {
                    f(&format!("{prefix}[]"), &text);
                }
            }
        }
        other => {
            if let Some(text) = scalar_text(other) {
                f(prefix, &text);
            }
        }
    }
}

/// How one top-level field of an `application/x-www-form-urlencoded` body is written, as the
/// spec's `encoding` entry for it says. A field with no entry is [`FormField::Form`] with
/// `explode: true`, the OpenAPI default.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormField {
    /// `style: form`: scalars as `name=v`; arrays as `name=a&name=b` when exploded, else
    /// `name=a,b`; objects as `k=v` pairs when exploded, else `name=k,v`.
    Form {
        /// Whether arrays and objects are exploded.
        explode: bool,
    },
    /// `style: spaceDelimited`: arrays as `name=a%20b`.
    SpaceDelimited,
    /// `style: pipeDelimited`: arrays as `name=a|b`.
    PipeDelimited,
    /// `style: deepObject`: bracketed keys, `name[k]=v`, `name[]=a`, `name[0][k]=v`, as Stripe
    /// and Rails read them.
    DeepObject,
    /// JSON text (`contentType: application/json`, and free-form values whose spec gives no
    /// type): objects and arrays as `name={"k":"v"}`, scalars as their text.
    Json,
}

/// A whole form body: each top-level field written as `fields` says (the OpenAPI default,
/// form style exploded, for a field it does not list).
pub(crate) fn form_body(value: &Value, fields: &[(&str, FormField)]) -> Result<String, String> {
    let map = match value {
        Value::Object(map) => map,
        Value::Null => return Ok(String::new()),
        _ => return Err("a form body must serialize to an object".to_owned()),
    };
    let mut body = Query::default();
    for (k, v) in map {
        let field = fields
            .iter()
            .find(|(name, _)| name == k)
            .map_or(FormField::Form { explode: true }, |(_, f)| *f);
        form_field(k, v, field, &mut body);
    }
    Ok(body.into_string())
}

fn form_field(name: &str, value: &Value, field: FormField, out: &mut Query) {
    match field {
        FormField::DeepObject => deep_object(name, value, out),
        FormField::Json => match value {
            Value::Null => {}
            Value::Object(_) | Value::Array(_) => out.push(name, &value.to_string()),
            other => out.push(name, &simple(other)),
        },
        FormField::SpaceDelimited => delimited_style(name, &form_leaves(value), ' ', out),
        FormField::PipeDelimited => delimited_style(name, &form_leaves(value), '|', out),
        FormField::Form { explode } => form_style(name, &form_leaves(value), explode, out),
    }
}

/// The value with every nested object or array (inside an array or an object) replaced by
/// its JSON text: OpenAPI's RFC 6570 styles define one level of nesting only, and JSON is
/// the one text a server can read back without guessing.
fn form_leaves(value: &Value) -> std::borrow::Cow<'_, Value> {
    let nested = |v: &Value| v.is_object() || v.is_array();
    let as_text = |v: &Value| {
        if nested(v) {
            Value::String(v.to_string())
        } else {
            v.clone()
        }
    };
    match value {
        Value::Array(items) if items.iter().any(nested) => {
            std::borrow::Cow::Owned(Value::Array(items.iter().map(as_text).collect()))
        }
        Value::Object(map) if map.values().any(nested) => std::borrow::Cow::Owned(Value::Object(
            map.iter().map(|(k, v)| (k.clone(), as_text(v))).collect(),
        )),
        other => std::borrow::Cow::Borrowed(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn stripe_form_body_uses_brackets() {
        let deep = FormField::DeepObject;
        let body = form_body(
            &json!({
                "amount": 2000,
                "metadata": {"order_id": "6735"},
                "items": [{"price": "x"}],
                "expand": ["a", "b"],
                "capture": false,
                "gone": null
            }),
            &[("metadata", deep), ("items", deep), ("expand", deep)],
        )
        .unwrap();
        assert_eq!(
            body,
            "amount=2000&metadata[order_id]=6735&items[0][price]=x&expand[]=a&expand[]=b&capture=false"
        );
    }

    #[test]
    fn form_fields_default_to_form_style_exploded() {
        // Twilio documents `EventTypes=a&EventTypes=b`; its spec declares no encoding, so the
        // OpenAPI default applies.
        let body = form_body(
            &json!({
                "FriendlyName": "hook",
                "EventTypes": ["factor.created", "challenge.approved"],
                "Config": {"Alg": "sha1", "Digits": 6},
            }),
            &[],
        )
        .unwrap();
        assert_eq!(
            body,
            "FriendlyName=hook&EventTypes=factor.created&EventTypes=challenge.approved\
             &Alg=sha1&Digits=6"
        );
    }

    #[test]
    fn form_fields_follow_their_declared_style() {
        let value = json!({"a": ["x", "y"], "b": ["x", "y"], "c": ["x", "y"], "d": {"k": 1}});
        let fields = [
            ("a", FormField::Form { explode: false }),
            ("b", FormField::PipeDelimited),
            ("c", FormField::SpaceDelimited),
            ("d", FormField::Json),
        ];
        assert_eq!(
            form_body(&value, &fields).unwrap(),
            "a=x,y&b=x%7Cy&c=x%20y&d=%7B%22k%22%3A1%7D"
        );
    }

    #[test]
    fn nested_values_in_form_style_are_json_text() {
        let value = json!({"rows": [{"k": "v"}, "plain"], "obj": {"inner": [1, 2]}});
        assert_eq!(
            form_body(&value, &[]).unwrap(),
            "rows=%7B%22k%22%3A%22v%22%7D&rows=plain&inner=%5B1%2C2%5D"
        );
    }

    #[test]
    fn path_segments_are_percent_encoded() {
        assert_eq!(encode_path_segment("a b/c?d"), "a%20b%2Fc%3Fd");
        assert_eq!(encode_path_segment("ü-é~"), "%C3%BC-%C3%A9~");
        assert_eq!(encode_path_segment(""), "");
    }

    #[test]
    fn a_query_pair_can_be_replaced_and_read_back_decoded() {
        let mut q = Query::default();
        q.push("limit", "10");
        q.push("cursor", "a b");
        q.push("tag[]", "x");
        assert_eq!(q.as_str(), "limit=10&cursor=a%20b&tag[]=x");
        assert_eq!(q.get("cursor").as_deref(), Some("a b"));
        q.remove("cursor");
        q.push("cursor", "c&d");
        assert_eq!(q.as_str(), "limit=10&tag[]=x&cursor=c%26d");
        assert_eq!(q.get("cursor").as_deref(), Some("c&d"));
        assert_eq!(q.get("missing"), None);
    }
}
