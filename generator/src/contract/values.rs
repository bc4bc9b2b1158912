//! Example values for contract tests, made from the spec's schemas: deterministic, and valid
//! for the constraints an independent validator checks (formats, enums, patterns, lengths and
//! bounds), which the IR does not keep.

use regex_syntax::hir::{Class, Hir, HirKind};
use serde_json::{Map, Value, json};

/// Which properties a value carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fill {
    /// Required properties only.
    Required,
    /// Every property, optional ones too.
    All,
}

/// Makes values for the schemas of one document.
pub(crate) struct ValueGen<'a> {
    root: &'a Value,
    fill: Fill,
}

/// Objects deeper than this get their required properties only, so that recursive schemas end.
const MAX_DEPTH: u8 = 6;

impl<'a> ValueGen<'a> {
    pub(crate) fn new(root: &'a Value, fill: Fill) -> Self {
        Self { root, fill }
    }

    /// A value for `schema`, preferring the spec's own example.
    pub(crate) fn value(&self, schema: &Value) -> Value {
        self.value_at(schema, 0)
    }

    /// Follows `$ref`s to the schema they name.
    fn deref<'s>(&'s self, schema: &'s Value) -> &'s Value {
        crate::lower::deref(self.root, schema)
    }

    fn value_at(&self, schema: &Value, depth: u8) -> Value {
        let schema = self.deref(schema);
        if depth > MAX_DEPTH + 4 {
            return Value::Null;
        }
        if let Some(value) = schema.get("const") {
            return value.clone();
        }
        if let Some(values) = schema.get("enum").and_then(Value::as_array) {
            if let Some(first) = values.iter().find(|v| !v.is_null()) {
                return first.clone();
            }
        }
        if let Some(all) = schema.get("allOf").and_then(Value::as_array) {
            return self.all_of(schema, all, depth);
        }
        // Branches that only add `required` to the object's own properties (OpenAI's
        // `anyOf: [{required: [file_ids]}, {required: [files]}]`) are constraints on this
        // object, not alternatives to it: the first one's requirements join the object's.
        if let Some(merged) = constraint_branches(schema) {
            return self.object(&merged, depth);
        }
        // A `oneOf` value must match exactly one branch, so the first branch whose value no
        // other branch accepts wins (a superset branch would otherwise make every value match
        // twice).
        if let Some(branches) = schema.get("oneOf").and_then(Value::as_array) {
            for branch in branches.iter().filter(|b| !is_null_schema(self.deref(b))) {
                let value = self.value_at(branch, depth + 1);
                let matching = branches
                    .iter()
                    .filter(|b| super::validate::first_violation(self.root, b, &value).is_none())
                    .count();
                if matching == 1 {
                    return value;
                }
            }
        }
        for key in ["oneOf", "anyOf"] {
            if let Some(branches) = schema.get(key).and_then(Value::as_array) {
                let branch = branches
                    .iter()
                    .find(|b| !is_null_schema(self.deref(b)))
                    .or_else(|| branches.first());
                if let Some(branch) = branch {
                    return self.value_at(branch, depth + 1);
                }
            }
        }
        match schema_type(schema) {
            Some("object") => self.object(schema, depth),
            Some("array") => self.array(schema, depth),
            Some("string") => string_value(schema),
            Some("integer") => integer_value(schema),
            Some("number") => number_value(schema),
            Some("boolean") => example_of(schema).unwrap_or(Value::Bool(true)),
            Some("null") => Value::Null,
            _ if schema.get("properties").is_some() => self.object(schema, depth),
            _ => example_of(schema).unwrap_or_else(|| json!("example")),
        }
    }

    fn object(&self, schema: &Value, depth: u8) -> Value {
        let required: Vec<&str> = schema
            .get("required")
            .and_then(Value::as_array)
            .map(|r| r.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let mut out = Map::new();
        if let Some(props) = schema.get("properties").and_then(Value::as_object) {
            for (name, prop) in props {
                let wanted = required.contains(&name.as_str())
                    || (self.fill == Fill::All && depth < MAX_DEPTH);
                let read_only = self
                    .deref(prop)
                    .get("readOnly")
                    .and_then(Value::as_bool)
                    .unwrap_or(false);
                if wanted && !read_only {
                    out.insert(name.clone(), self.value_at(prop, depth + 1));
                }
            }
            // An object with nothing required would be empty, and an empty object does not
            // exist in a form body (Stripe's `components` of an account session): it would go
            // out as no field at all, so a required one would be missing. Its first writable
            // property makes it there.
            if out.is_empty() {
                let first = props.iter().find(|(_, prop)| {
                    !self
                        .deref(prop)
                        .get("readOnly")
                        .and_then(Value::as_bool)
                        .unwrap_or(false)
                });
                if let Some((name, prop)) = first {
                    out.insert(name.clone(), self.value_at(prop, depth + 1));
                }
            }
        }
        // `not: {required: [a, b]}` forbids carrying them all at once (OpenAI's image
        // reference takes an `image_url` or a `file_id`): the optional ones among them leave,
        // last first, until one is missing.
        if let Some(forbidden) = schema
            .get("not")
            .and_then(|n| n.get("required"))
            .and_then(Value::as_array)
        {
            let names: Vec<&str> = forbidden.iter().filter_map(Value::as_str).collect();
            for name in names.iter().rev() {
                if !names.iter().all(|n| out.contains_key(*n)) {
                    break;
                }
                if !required.contains(name) {
                    out.remove(*name);
                }
            }
        }
        Value::Object(out)
    }

    fn all_of(&self, schema: &Value, parts: &[Value], depth: u8) -> Value {
        let mut merged = Map::new();
        let mut scalar = None;
        // The schema's own properties beside its `allOf` count as one more part.
        let own = schema.get("properties").map(|_| {
            let mut rest = schema.clone();
            if let Some(map) = rest.as_object_mut() {
                map.remove("allOf");
            }
            rest
        });
        for part in parts.iter().chain(own.as_ref()) {
            match self.value_at(part, depth + 1) {
                Value::Object(map) => merged.extend(map),
                other => scalar = Some(other),
            }
        }
        match scalar {
            Some(value) if merged.is_empty() => value,
            _ => Value::Object(merged),
        }
    }

    fn array(&self, schema: &Value, depth: u8) -> Value {
        // The spec's example, unless it breaks the schema's own bounds (GitHub's `emails`
        // example is `[]` under `minItems: 1`).
        let len_ok = |len: usize| {
            let at_least = schema.get("minItems").and_then(Value::as_u64).unwrap_or(0);
            let at_most = schema
                .get("maxItems")
                .and_then(Value::as_u64)
                .unwrap_or(u64::MAX);
            (at_least..=at_most).contains(&(len as u64))
        };
        if let Some(example) = schema
            .get("example")
            .and_then(Value::as_array)
            .filter(|e| len_ok(e.len()))
        {
            return Value::Array(example.clone());
        }
        // Two items where the schema allows them: a form body cannot tell a one-item array from
        // a scalar, so a validator reading one back may call it the wrong type.
        let max = schema.get("maxItems").and_then(Value::as_u64).unwrap_or(3);
        let count = schema
            .get("minItems")
            .and_then(Value::as_u64)
            .unwrap_or(2)
            .max(2)
            .min(max.max(1))
            .clamp(1, 3);
        let item = schema.get("items").cloned().unwrap_or(json!({}));
        let values: Vec<Value> = self
            .deref(&item)
            .get("enum")
            .and_then(Value::as_array)
            .map(|e| e.iter().filter(|v| !v.is_null()).cloned().collect())
            .unwrap_or_default();
        let mut out = Vec::new();
        for i in 0..count {
            // An enum's items differ, so that `uniqueItems` keeps them all.
            match values.get(i as usize % values.len().max(1)) {
                Some(value) => out.push(value.clone()),
                None => out.push(self.value_at(&item, depth + 1)),
            }
        }
        if schema.get("uniqueItems").and_then(Value::as_bool) == Some(true) {
            out.dedup();
        }
        Value::Array(out)
    }
}

/// The object with its first `oneOf`/`anyOf` branch's `required` merged in, when every branch
/// is only a `required` list beside the object's own `properties`.
fn constraint_branches(schema: &Value) -> Option<Value> {
    let own = schema.get("properties")?.as_object()?;
    let (key, branches) = ["oneOf", "anyOf"]
        .into_iter()
        .find_map(|k| Some((k, schema.get(k)?.as_array()?)))?;
    // A branch constrains this object when it only requires properties or narrows properties
    // the object already has (GitHub's check-run update: `status: completed` requires a
    // `conclusion`).
    let constrains = |b: &Value| {
        b.as_object().is_some_and(|o| {
            !o.is_empty()
                && o.iter().all(|(k, v)| match k.as_str() {
                    "required" | "additionalProperties" => true,
                    "properties" => v
                        .as_object()
                        .is_some_and(|p| p.keys().all(|name| own.contains_key(name))),
                    _ => false,
                })
        })
    };
    if branches.is_empty() || !branches.iter().all(constrains) {
        return None;
    }
    let first = branches.first()?;
    let mut merged = schema.clone();
    let map = merged.as_object_mut()?;
    map.remove(key);
    let mut required: Vec<Value> = map
        .get("required")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    if let Some(extra) = first.get("required").and_then(Value::as_array) {
        required.extend(extra.iter().cloned());
    }
    map.insert("required".to_owned(), Value::Array(required));
    // Under `oneOf` exactly one branch may match, so what only the other branches require
    // stays out, even when every optional property is wanted (GitHub's project items take an
    // `id`, or an `owner`, `repo` and `number`, never both).
    if key == "oneOf" {
        let chosen: Vec<&str> = first
            .get("required")
            .and_then(Value::as_array)
            .map(|r| r.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let excluded: Vec<String> = branches
            .iter()
            .skip(1)
            .filter_map(|b| b.get("required").and_then(Value::as_array))
            .flatten()
            .filter_map(Value::as_str)
            .filter(|name| !chosen.contains(name))
            .map(str::to_owned)
            .collect();
        if let Some(Value::Object(props)) = map.get_mut("properties") {
            for name in &excluded {
                props.remove(name);
            }
        }
    }
    if let (Some(narrowed), Some(Value::Object(props))) = (
        first.get("properties").and_then(Value::as_object),
        map.get_mut("properties"),
    ) {
        for (name, constraint) in narrowed {
            if let (Some(Value::Object(prop)), Some(constraint)) =
                (props.get_mut(name), constraint.as_object())
            {
                // The branch's keywords (an `enum`) narrow the property's own schema.
                for (k, v) in constraint {
                    prop.insert(k.clone(), v.clone());
                }
            }
        }
    }
    Some(merged)
}

fn is_null_schema(schema: &Value) -> bool {
    schema_type(schema) == Some("null")
}

/// The schema's type, the first non-null one of a 3.1 list, or what its keywords imply.
fn schema_type(schema: &Value) -> Option<&str> {
    match schema.get("type") {
        Some(Value::String(t)) => Some(t.as_str()),
        Some(Value::Array(types)) => types
            .iter()
            .filter_map(Value::as_str)
            .find(|t| *t != "null")
            .or(Some("null")),
        _ if schema.get("items").is_some() => Some("array"),
        _ => None,
    }
}

/// The schema's own example or default, or the first of its 3.1 examples.
fn example_of(schema: &Value) -> Option<Value> {
    schema
        .get("example")
        .or_else(|| schema.get("default"))
        .or_else(|| {
            schema
                .get("examples")
                .and_then(Value::as_array)
                .and_then(|e| e.first())
        })
        .filter(|v| !v.is_null())
        .cloned()
}

fn string_value(schema: &Value) -> Value {
    if let Some(pattern) = schema.get("pattern").and_then(Value::as_str) {
        if let Some(text) = sample_pattern(pattern) {
            return Value::String(fit_length(schema, text));
        }
    }
    let format = schema.get("format").and_then(Value::as_str);
    if let Some(example) = example_of(schema).filter(|e| fits_format(format, e)) {
        return example;
    }
    let text = match format {
        Some("date-time") => "2024-01-02T03:04:05Z",
        Some("date") => "2024-01-02",
        Some("time") => "03:04:05",
        Some("uuid") => "3fa85f64-5717-4562-b3fc-2c963f66afa6",
        Some("email") => "user@example.com",
        Some("uri" | "url" | "uri-reference") => "https://example.com/resource",
        Some("hostname") => "example.com",
        Some("ipv4") => "192.0.2.1",
        Some("ipv6") => "2001:db8::1",
        Some("byte") => "aGVsbG8=",
        Some("binary") => "hello",
        _ => "example",
    };
    Value::String(fit_length(schema, text.to_owned()))
}

/// Whether an example is a string of its format, as far as a validator would check it: specs
/// carry examples that are not (GitHub's artifact `path`, `format: uri`, is a bare path).
fn fits_format(format: Option<&str>, example: &Value) -> bool {
    let Some(text) = example.as_str() else {
        return false;
    };
    match format {
        Some("uri" | "url") => text.split_once(':').is_some_and(|(scheme, _)| {
            !scheme.is_empty()
                && scheme.starts_with(|c: char| c.is_ascii_alphabetic())
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "+.-".contains(c))
        }),
        Some("email") => text.contains('@'),
        Some("date-time") => chrono::DateTime::parse_from_rfc3339(text).is_ok(),
        Some("date") => chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").is_ok(),
        Some("uuid") => text.len() == 36 && text.chars().filter(|c| *c == '-').count() == 4,
        _ => true,
    }
}

fn fit_length(schema: &Value, mut text: String) -> String {
    let min = schema.get("minLength").and_then(Value::as_u64).unwrap_or(0) as usize;
    let max = schema
        .get("maxLength")
        .and_then(Value::as_u64)
        .map(|m| m as usize);
    while text.chars().count() < min {
        text.push('x');
    }
    if let Some(max) = max {
        text = text.chars().take(max.max(min)).collect();
    }
    text
}

fn integer_value(schema: &Value) -> Value {
    if let Some(example) = example_of(schema).filter(Value::is_i64) {
        return example;
    }
    let min = bound(schema, "minimum", "exclusiveMinimum", 1.0);
    let max = bound(schema, "maximum", "exclusiveMaximum", -1.0);
    let mut value: i64 = 1;
    if let Some(min) = min {
        value = value.max(min.ceil() as i64);
    }
    if let Some(max) = max {
        value = value.min(max.floor() as i64);
    }
    json!(value)
}

fn number_value(schema: &Value) -> Value {
    if let Some(example) = example_of(schema).filter(Value::is_number) {
        return example;
    }
    let min = bound(schema, "minimum", "exclusiveMinimum", 0.5);
    let max = bound(schema, "maximum", "exclusiveMaximum", -0.5);
    let mut value = 1.5_f64;
    if let Some(min) = min {
        value = value.max(min);
    }
    if let Some(max) = max {
        value = value.min(max);
    }
    json!(value)
}

/// A bound with its exclusive form (3.0's boolean or 3.1's number), nudged inward by `step`.
fn bound(schema: &Value, inclusive: &str, exclusive: &str, step: f64) -> Option<f64> {
    let value = schema.get(inclusive).and_then(Value::as_f64);
    match schema.get(exclusive) {
        Some(Value::Bool(true)) => value.map(|v| v + step),
        Some(Value::Number(n)) => n.as_f64().map(|v| v + step),
        _ => value,
    }
}

/// A string the regular expression matches: the first choice of every alternation, the
/// first character of every class, and the fewest repetitions allowed (at least one).
pub(crate) fn sample_pattern(pattern: &str) -> Option<String> {
    let hir = regex_syntax::Parser::new().parse(pattern).ok()?;
    let mut out = String::new();
    sample_hir(&hir, &mut out, 0)?;
    Some(out)
}

fn sample_hir(hir: &Hir, out: &mut String, depth: u8) -> Option<()> {
    if depth > 64 || out.len() > 4096 {
        return None;
    }
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => Some(()),
        HirKind::Literal(lit) => {
            out.push_str(std::str::from_utf8(&lit.0).ok()?);
            Some(())
        }
        HirKind::Class(Class::Unicode(class)) => {
            let range = class.ranges().first()?;
            // A letter or digit reads better than the range's first code point (often `!`).
            let pick = ['a', 'A', '0', 'x']
                .into_iter()
                .find(|c| {
                    class
                        .ranges()
                        .iter()
                        .any(|r| r.start() <= *c && *c <= r.end())
                })
                .unwrap_or(range.start());
            out.push(pick);
            Some(())
        }
        HirKind::Class(Class::Bytes(class)) => {
            let range = class.ranges().first()?;
            out.push(char::from(range.start()));
            Some(())
        }
        HirKind::Repetition(rep) => {
            let times = rep.min.max(1).min(rep.max.unwrap_or(u32::MAX)).min(64);
            for _ in 0..times {
                sample_hir(&rep.sub, out, depth + 1)?;
            }
            Some(())
        }
        HirKind::Capture(cap) => sample_hir(&cap.sub, out, depth + 1),
        HirKind::Concat(parts) => {
            for part in parts {
                sample_hir(part, out, depth + 1)?;
            }
            Some(())
        }
        HirKind::Alternation(branches) => sample_hir(branches.first()?, out, depth + 1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn required_only_branches_constrain_the_object() {
        let root = json!({});
        let schema = json!({
            "type": "object",
            "properties": {"file_ids": {"type": "array", "items": {"type": "string"}}, "files": {"type": "array"}},
            "anyOf": [{"required": ["file_ids"]}, {"required": ["files"]}],
        });
        assert_eq!(
            ValueGen::new(&root, Fill::Required).value(&schema),
            json!({"file_ids": ["example", "example"]})
        );
    }

    #[test]
    fn exclusive_branches_keep_what_only_the_others_require_out() {
        let root = json!({});
        let schema = json!({
            "type": "object",
            "required": ["type"],
            "properties": {
                "type": {"type": "string", "enum": ["Issue"]},
                "id": {"type": "integer"},
                "owner": {"type": "string"},
                "repo": {"type": "string"},
                "number": {"type": "integer"},
            },
            "oneOf": [{"required": ["id"]}, {"required": ["owner", "repo", "number"]}],
        });
        assert_eq!(
            ValueGen::new(&root, Fill::All).value(&schema),
            json!({"type": "Issue", "id": 1})
        );
        // `anyOf` allows both, so every optional property is still sent.
        let mut either = schema.clone();
        if let Some(map) = either.as_object_mut() {
            let branches = map.remove("oneOf").unwrap_or_default();
            map.insert("anyOf".to_owned(), branches);
        }
        let all = ValueGen::new(&root, Fill::All).value(&either);
        assert_eq!(all.as_object().map(Map::len), Some(5), "{all}");
    }

    #[test]
    fn a_forbidden_combination_is_not_sent() {
        let root = json!({});
        let schema = json!({
            "type": "object",
            "properties": {"image_url": {"type": "string"}, "file_id": {"type": "string"}},
            "anyOf": [{"required": ["image_url"]}, {"required": ["file_id"]}],
            "not": {"required": ["image_url", "file_id"]},
        });
        assert_eq!(
            ValueGen::new(&root, Fill::All).value(&schema),
            json!({"image_url": "example"})
        );
    }

    #[test]
    fn patterns_give_matching_strings() {
        assert_eq!(
            sample_pattern("^SM[0-9a-fA-F]{32}$").as_deref(),
            Some("SMaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")
        );
        assert_eq!(sample_pattern("^(draft|final)$").as_deref(), Some("draft"));
        assert_eq!(sample_pattern("^[a-z]+-\\d{2}$").as_deref(), Some("a-00"));
    }

    #[test]
    fn objects_follow_required_enums_formats_and_bounds() {
        let root =
            json!({"components": {"schemas": {"Kind": {"type": "string", "enum": ["a", "b"]}}}});
        let schema = json!({
            "type": "object",
            "required": ["kind", "when", "count"],
            "properties": {
                "kind": {"$ref": "#/components/schemas/Kind"},
                "when": {"type": "string", "format": "date-time"},
                "count": {"type": "integer", "minimum": 5},
                "note": {"type": "string", "maxLength": 3},
                "id": {"type": "string", "readOnly": true},
            },
        });
        assert_eq!(
            ValueGen::new(&root, Fill::Required).value(&schema),
            json!({"kind": "a", "when": "2024-01-02T03:04:05Z", "count": 5})
        );
        assert_eq!(
            ValueGen::new(&root, Fill::All).value(&schema),
            json!({"kind": "a", "when": "2024-01-02T03:04:05Z", "count": 5, "note": "exa"})
        );
    }
}
