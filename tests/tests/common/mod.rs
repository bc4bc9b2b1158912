//! Helpers shared by the end-to-end tests of generated clients.

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
