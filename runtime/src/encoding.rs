//! Parameter serialization: OpenAPI styles and percent-encoding.
//!
//! Values arrive as anything `Serialize`; they go through `serde_json::Value` so that
//! enums become their wire strings and optional fields that are `None` disappear.

use serde::Serialize;
use serde_json::Value;

/// Characters kept as they are: RFC 3986 unreserved.
fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~')
}

fn percent_encode(s: &str, keep: impl Fn(u8) -> bool) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(s.len());
    for &b in s.as_bytes() {
        if keep(b) {
            out.push(b as char);
        } else {
            out.push('%');
            out.push(HEX[(b >> 4) as usize] as char);
            out.push(HEX[(b & 0x0f) as usize] as char);
        }
    }
    out
}

/// Percent-encode `s` for use as one path segment (everything but unreserved characters).
pub fn encode_path_segment(s: &str) -> String {
    percent_encode(s, is_unreserved)
}

/// Encode a query or form component (value).
pub(crate) fn encode_component(s: &str) -> String {
    percent_encode(s, is_unreserved)
}

/// Encode a query or form key, keeping `[` and `]` literal as Stripe's own clients do.
pub(crate) fn encode_key(s: &str) -> String {
    percent_encode(s, |b| is_unreserved(b) || b == b'[' || b == b']')
}

/// Simple style: scalars as text (strings unquoted), arrays comma-joined, objects as
/// `k,v,k2,v2`, `null` as the empty string.
pub fn to_param_string(value: &impl Serialize) -> String {
    match serde_json::to_value(value) {
        Ok(v) => simple(&v),
        Err(_) => String::new(),
    }
}

pub(crate) fn scalar_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn simple(v: &Value) -> String {
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

/// A decoded query pair; encoding happens when the URL is built.
pub(crate) type Pair = (String, String);

/// OpenAPI `form` style. Values are percent-encoded per item so that the comma separator
/// of a non-exploded array stays literal.
pub(crate) fn form_style(name: &str, value: &Value, explode: bool, out: &mut Vec<EncodedPair>) {
    match value {
        Value::Null => {}
        Value::Array(items) => {
            let items: Vec<&Value> = items.iter().filter(|v| !v.is_null()).collect();
            if explode {
                for item in items {
                    out.push(EncodedPair::new(name, &simple(item)));
                }
            } else if !items.is_empty() {
                let joined = items
                    .iter()
                    .map(|v| encode_component(&simple(v)))
                    .collect::<Vec<_>>()
                    .join(",");
                out.push(EncodedPair::raw_value(name, joined));
            }
        }
        Value::Object(map) => {
            if explode {
                for (k, v) in map {
                    if !v.is_null() {
                        out.push(EncodedPair::new(k, &simple(v)));
                    }
                }
            } else {
                let joined = map
                    .iter()
                    .filter(|(_, v)| !v.is_null())
                    .flat_map(|(k, v)| [encode_component(k), encode_component(&simple(v))])
                    .collect::<Vec<_>>()
                    .join(",");
                if !joined.is_empty() {
                    out.push(EncodedPair::raw_value(name, joined));
                }
            }
        }
        other => out.push(EncodedPair::new(name, &simple(other))),
    }
}

/// `spaceDelimited` / `pipeDelimited` arrays (scalars fall back to form style).
pub(crate) fn delimited_style(
    name: &str,
    value: &Value,
    delimiter: char,
    out: &mut Vec<EncodedPair>,
) {
    match value {
        Value::Array(items) => {
            let sep = encode_component(&delimiter.to_string());
            let joined = items
                .iter()
                .filter(|v| !v.is_null())
                .map(|v| encode_component(&simple(v)))
                .collect::<Vec<_>>()
                .join(&sep);
            if !items.is_empty() {
                out.push(EncodedPair::raw_value(name, joined));
            }
        }
        other => form_style(name, other, true, out),
    }
}

/// Bracket ("deepObject") encoding as Stripe and Rails expect: `name[key]=v`,
/// `name[a][b]=v`, arrays of scalars `name[]=a`, arrays of objects `name[0][k]=v`,
/// `null` omitted.
pub(crate) fn deep_object(prefix: &str, value: &Value, out: &mut Vec<Pair>) {
    match value {
        Value::Null => {}
        Value::Object(map) => {
            for (k, v) in map {
                deep_object(&format!("{prefix}[{k}]"), v, out);
            }
        }
        Value::Array(items) => {
            let nested = items.iter().any(|v| v.is_object() || v.is_array());
            for (i, item) in items.iter().enumerate() {
                if nested {
                    deep_object(&format!("{prefix}[{i}]"), item, out);
                } else if let Some(text) = scalar_text(item) {
                    out.push((format!("{prefix}[]"), text));
                }
            }
        }
        other => {
            if let Some(text) = scalar_text(other) {
                out.push((prefix.to_owned(), text));
            }
        }
    }
}

/// A whole form body: top-level fields as names, nested values bracket-encoded.
pub(crate) fn form_body(value: &Value) -> Result<String, String> {
    let map = match value {
        Value::Object(map) => map,
        Value::Null => return Ok(String::new()),
        _ => return Err("a form body must serialize to an object".to_owned()),
    };
    let mut pairs = Vec::new();
    for (k, v) in map {
        deep_object(k, v, &mut pairs);
    }
    Ok(join_pairs(
        pairs.iter().map(|(k, v)| EncodedPair::new(k, v)),
    ))
}

/// A query pair whose parts are already percent-encoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct EncodedPair {
    pub(crate) key: String,
    pub(crate) value: String,
}

impl EncodedPair {
    pub(crate) fn new(key: &str, value: &str) -> Self {
        EncodedPair {
            key: encode_key(key),
            value: encode_component(value),
        }
    }

    pub(crate) fn raw_value(key: &str, value: String) -> Self {
        EncodedPair {
            key: encode_key(key),
            value,
        }
    }
}

pub(crate) fn join_pairs(pairs: impl IntoIterator<Item = EncodedPair>) -> String {
    let mut out = String::new();
    for p in pairs {
        push_pair(&mut out, &p);
    }
    out
}

/// Append `key=value` to a query string under construction, with `&` when not first.
pub(crate) fn push_pair(out: &mut String, pair: &EncodedPair) {
    if !out.is_empty() && !out.ends_with(['?', '&']) {
        out.push('&');
    }
    out.push_str(&pair.key);
    out.push('=');
    out.push_str(&pair.value);
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn stripe_form_body_uses_brackets() {
        let body = form_body(&json!({
            "amount": 2000,
            "metadata": {"order_id": "6735"},
            "items": [{"price": "x"}],
            "expand": ["a", "b"],
            "capture": false,
            "gone": null
        }))
        .unwrap();
        assert_eq!(
            body,
            "amount=2000&metadata[order_id]=6735&items[0][price]=x&expand[]=a&expand[]=b&capture=false"
        );
    }

    #[test]
    fn path_segments_are_percent_encoded() {
        assert_eq!(encode_path_segment("a b/c?d"), "a%20b%2Fc%3Fd");
    }
}
