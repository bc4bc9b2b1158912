//! Helpers shared by the end-to-end tests of generated clients.

// Every test binary compiles this module but uses only part of it.
#![allow(dead_code)]

use sdkgen_runtime::Error;

/// What a normalized API error must carry: the status, the provider's code (when it has one),
/// the message and the request id.
pub struct Expected<'a> {
    pub status: u16,
    pub code: Option<&'a str>,
    pub message: &'a str,
    pub request_id: &'a str,
}

/// Asserts that a call failed with the expected normalized API error and returns the error, so
/// a test can look further (at a typed body, say).
pub fn assert_api_error<T: std::fmt::Debug>(
    result: Result<T, Error>,
    expected: Expected<'_>,
) -> Error {
    let err = match result {
        Ok(value) => panic!("expected an API error, got {value:?}"),
        Err(e) => e,
    };
    let api = err
        .api()
        .unwrap_or_else(|| panic!("not an API error: {err}"));
    assert_eq!(api.status.as_u16(), expected.status);
    if expected.code.is_some() {
        assert_eq!(api.code.as_deref(), expected.code);
    }
    assert_eq!(api.message.as_deref(), Some(expected.message));
    assert_eq!(api.request_id.as_deref(), Some(expected.request_id));
    err
}

/// Examples from the upstream specs, so that end-to-end tests answer with the bodies the
/// provider documents rather than with bodies written to fit the generated types.
pub mod spec {
    use std::collections::BTreeMap;
    use std::path::PathBuf;
    use std::sync::{Mutex, PoisonError};

    use serde_json::Value;

    /// The spec file `file` of `provider`, read as its build script reads it: the vendored or
    /// mirrored copy checked against the pinned sha256, with the provider's patches applied and
    /// normalized by the loader (so Swagger 2.0 response `examples` are media-type `example`s).
    ///
    /// Each file is read once per test binary and shared by its tests.
    pub fn load(provider: &str, file: &str) -> &'static Value {
        static LOADED: Mutex<BTreeMap<String, &'static Value>> = Mutex::new(BTreeMap::new());
        // Holding the lock while reading makes concurrent tests wait for one read.
        let mut loaded = LOADED.lock().unwrap_or_else(PoisonError::into_inner);
        let key = format!("{provider}/{file}");
        if let Some(spec) = loaded.get(&key) {
            return spec;
        }
        let spec: &'static Value = Box::leak(Box::new(read(provider, file)));
        loaded.insert(key, spec);
        spec
    }

    /// The OpenAPI 3.1 `webhooks` of the spec file `file` of `provider`, read as [`load`]
    /// reads the file.
    pub fn webhooks(provider: &str, file: &str) -> Value {
        read_document(provider, file)
            .webhooks
            .unwrap_or_else(|| panic!("{provider}/{file} has no webhooks"))
    }

    fn read(provider: &str, file: &str) -> Value {
        read_document(provider, file).root
    }

    fn read_document(provider: &str, file: &str) -> sdkgen::load::Document {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../specs")
            .join(provider);
        let mut diags = sdkgen::diagnostics::Diagnostics::new();
        let config = sdkgen::build::read_config(&dir, &mut diags)
            .unwrap_or_else(|| panic!("{provider}/sdkgen.toml: {diags:?}"));
        let source = config
            .source
            .files
            .iter()
            .find(|f| f.path == file)
            .unwrap_or_else(|| panic!("{provider} pins no file {file}"));
        let path = sdkgen::vendor::resolve_source(&dir, source)
            .unwrap_or_else(|e| panic!("{provider}/{file}: {e}"));
        let fixes = config.fixes_for(&path);
        sdkgen::load::load_path_fixed(&path, &fixes, &mut diags)
            .unwrap_or_else(|| panic!("{provider}/{file} does not load: {diags:?}"))
    }

    /// The operation at `method path`.
    fn operation<'a>(spec: &'a Value, method: &str, path: &str) -> &'a Value {
        spec.get("paths")
            .and_then(|p| p.get(path))
            .and_then(|item| item.get(method))
            .unwrap_or_else(|| panic!("the spec has no {method} {path}"))
    }

    /// The JSON example the spec gives for the `status` response of `method path`: the one
    /// called `name`, or the first, as `sdkgen::examples` finds them (references followed,
    /// GitHub's references to whole Example Objects included).
    pub fn response_example(
        spec: &Value,
        method: &str,
        path: &str,
        status: &str,
        name: Option<&str>,
    ) -> Value {
        let op = format!(
            "/paths/{}/{method}",
            path.replace('~', "~0").replace('/', "~1")
        );
        sdkgen::examples::response_examples(spec, &op)
            .into_iter()
            .filter(|e| e.status == status && !e.pointer.contains("/x-oaiMeta/"))
            .find(|e| name.is_none_or(|n| e.pointer.ends_with(&format!("/examples/{n}"))))
            .map(|e| e.value)
            .unwrap_or_else(|| panic!("{method} {path} {status} has no example {name:?}"))
    }

    /// The response text of an OpenAI `x-oaiMeta` example of `method path`: the one titled
    /// `title`, or the only one.
    pub fn oai_meta_response(
        spec: &Value,
        method: &str,
        path: &str,
        title: Option<&str>,
    ) -> String {
        let examples = operation(spec, method, path)
            .pointer("/x-oaiMeta/examples")
            .unwrap_or_else(|| panic!("{method} {path} has no x-oaiMeta examples"));
        let example = match (examples, title) {
            (Value::Array(list), Some(title)) => list
                .iter()
                .find(|e| e.get("title").and_then(Value::as_str) == Some(title)),
            (Value::Array(list), None) => list.first(),
            (single, _) => Some(single),
        }
        .unwrap_or_else(|| panic!("{method} {path} has no example titled {title:?}"));
        example
            .get("response")
            .and_then(Value::as_str)
            .unwrap_or_else(|| panic!("{method} {path}: the example has no response text"))
            .to_owned()
    }

    /// Parses documentation JSON, which sometimes leaves a comma before a closing bracket.
    pub fn lenient_json(text: &str) -> Value {
        sdkgen::examples::lenient_json(text)
            .unwrap_or_else(|| panic!("not one JSON document:\n{text}"))
    }
}
