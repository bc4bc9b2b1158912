//! Whether a response body is one the spec allows, so that a body the mock made up wrongly
//! (Prism's generator cuts recursive schemas short, leaving out required properties) is not
//! blamed on the generated types.
//!
//! It checks what decides decoding: types (with `nullable` and 3.1 type lists), `enum`,
//! `required`, `properties`, `items`, `allOf`, `oneOf` and `anyOf` (one branch suffices, as
//! the client reads them). Formats and bounds are not checked: the client does not read them.

use serde_json::Value;

use crate::lower::deref;

/// The first place `value` breaks `schema`, as `path: reason`, or `None` when it conforms.
pub(crate) fn first_violation(root: &Value, schema: &Value, value: &Value) -> Option<String> {
    check(root, schema, value, "", 0)
}

fn check(root: &Value, schema: &Value, value: &Value, path: &str, depth: u32) -> Option<String> {
    if depth > 200 {
        return None;
    }
    let schema = deref(root, schema);
    let nullable = schema.get("nullable").and_then(Value::as_bool) == Some(true)
        || matches!(schema.get("type"), Some(Value::Array(t)) if t.iter().any(|t| t == "null"));
    if value.is_null() && nullable {
        return None;
    }
    if let Some(parts) = schema.get("allOf").and_then(Value::as_array) {
        for part in parts {
            if let Some(v) = check(root, part, value, path, depth + 1) {
                return Some(v);
            }
        }
    }
    for key in ["oneOf", "anyOf"] {
        if let Some(branches) = schema.get(key).and_then(Value::as_array) {
            let mut first = None;
            for branch in branches {
                match check(root, branch, value, path, depth + 1) {
                    None => {
                        first = None;
                        break;
                    }
                    Some(v) => {
                        first.get_or_insert(v);
                    }
                }
            }
            if let Some(v) = first {
                return Some(format!("{path}: matches no branch of {key} ({v})"));
            }
        }
    }
    if let Some(allowed) = schema.get("enum").and_then(Value::as_array) {
        if !allowed.contains(value) {
            return Some(format!("{path}: {value} is not one of the enum's values"));
        }
    }
    let ty = match schema.get("type") {
        Some(Value::String(t)) => Some(t.as_str()),
        Some(Value::Array(types)) => types
            .iter()
            .filter_map(Value::as_str)
            .find(|t| *t != "null"),
        _ => None,
    };
    let fits = match (ty, value) {
        (None, _) => true,
        (Some("object"), Value::Object(_)) => true,
        (Some("array"), Value::Array(_)) => true,
        (Some("string"), Value::String(_)) => true,
        (Some("boolean"), Value::Bool(_)) => true,
        (Some("integer"), Value::Number(n)) => n.is_i64() || n.is_u64(),
        (Some("number"), Value::Number(_)) => true,
        _ => false,
    };
    if !fits {
        return Some(format!(
            "{path}: {} where the schema says {}",
            kind(value),
            ty.unwrap_or("?")
        ));
    }
    if let (Some("byte"), Value::String(text)) =
        (schema.get("format").and_then(Value::as_str), value)
    {
        if !is_base64(text) {
            return Some(format!(
                "{path}: {value} is not base64, which `format: byte` requires"
            ));
        }
    }
    if let Value::Object(map) = value {
        if let Some(required) = schema.get("required").and_then(Value::as_array) {
            for name in required.iter().filter_map(Value::as_str) {
                if !map.contains_key(name) {
                    return Some(format!("{path}: required property `{name}` is missing"));
                }
            }
        }
        if let Some(props) = schema.get("properties").and_then(Value::as_object) {
            for (name, prop) in props {
                if let Some(v) = map.get(name) {
                    if let Some(bad) = check(root, prop, v, &format!("{path}.{name}"), depth + 1) {
                        return Some(bad);
                    }
                }
            }
        }
    }
    if let (Value::Array(items), Some(item_schema)) = (value, schema.get("items")) {
        for (i, item) in items.iter().enumerate() {
            if let Some(bad) = check(root, item_schema, item, &format!("{path}[{i}]"), depth + 1) {
                return Some(bad);
            }
        }
    }
    None
}

/// Standard or URL-safe base64 (one alphabet throughout), padded or not, with the unused bits
/// of the last symbol zero (what the runtime's `Base64` reads).
fn is_base64(text: &str) -> bool {
    let digits = text.trim_end_matches('=');
    let standard = digits.bytes().any(|c| c == b'+' || c == b'/');
    let url_safe = digits.bytes().any(|c| c == b'-' || c == b'_');
    if standard && url_safe {
        return false;
    }
    if digits.len() != text.len() && text.len() % 4 != 0 {
        return false;
    }
    let value = |c: u8| match c {
        b'A'..=b'Z' => Some(c - b'A'),
        b'a'..=b'z' => Some(c - b'a' + 26),
        b'0'..=b'9' => Some(c - b'0' + 52),
        b'+' | b'-' => Some(62),
        b'/' | b'_' => Some(63),
        _ => None,
    };
    let Some(values) = digits.bytes().map(value).collect::<Option<Vec<u8>>>() else {
        return false;
    };
    let unused_mask = match values.len() % 4 {
        0 => return true,
        1 => return false,
        2 => 0b1111,
        _ => 0b11,
    };
    values.last().is_some_and(|last| last & unused_mask == 0)
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_recursive_body_cut_short_is_caught() {
        let root = json!({"components": {"schemas": {"Leg": {
            "type": "object",
            "required": ["from"],
            "properties": {"from": {"type": "string"}, "next": {"$ref": "#/components/schemas/Leg"}},
        }}}});
        let schema = json!({"$ref": "#/components/schemas/Leg"});
        assert_eq!(
            first_violation(&root, &schema, &json!({"from": "a", "next": {"from": "b"}})),
            None
        );
        assert_eq!(
            first_violation(&root, &schema, &json!({"from": "a", "next": {"next": {}}})).as_deref(),
            Some(".next: required property `from` is missing")
        );
        let either = json!({"oneOf": [{"type": "string"}, {"$ref": "#/components/schemas/Leg"}]});
        assert_eq!(first_violation(&root, &either, &json!("id_1")), None);
        assert!(first_violation(&root, &either, &json!({})).is_some());
    }

    #[test]
    fn base64_follows_the_runtimes_reading() {
        assert!(is_base64("aGVsbG8="));
        assert!(is_base64("aGVsbG8"));
        assert!(is_base64(""));
        assert!(!is_base64("abcdefd"));
        assert!(!is_base64("a b"));
        // One alphabet or the other, never both; padding only to a multiple of four.
        assert!(!is_base64("a/b_"));
        assert!(is_base64("a/b+"));
        assert!(!is_base64("aGVsbG8=="));
    }
}
