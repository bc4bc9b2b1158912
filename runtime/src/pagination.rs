//! Pagination: lazy streams of pages and items.
//!
//! A listing is a [`Request`] for the first page plus a [`Pagination`] that says where
//! the items are and how to find the next page. [`paginate`] returns a stream that sends
//! one request per page *when polled*: one page is held at a time, dropping the stream
//! stops requesting, and each page goes through the client's full send loop (auth, rate
//! limit, retries). An error is yielded as an item and ends the stream, because the next
//! page cannot be known.
//!
//! A next page given as a URL (a `Link` header, a next-page URL in the body) is requested
//! with the client's credentials, so it is followed only within the origins they were
//! configured for: the base URL's, an operation's own server, and those allowed with
//! [`ClientBuilder::allow_origin`](crate::ClientBuilder::allow_origin). A link anywhere
//! else ends the listing with [`PaginationError::CrossOrigin`], unrequested. Redirects are
//! kept to one origin in the same way ([`same_origin_redirects`](crate::client::same_origin_redirects)). A next-page pointer that repeats the current one also ends it,
//! so a misbehaving API cannot loop forever.
//!
//! JSON pointers (`/data`, `/meta/next_page_url`) locate items and cursors; an empty
//! items pointer means the body itself is the array.

use futures::{Stream, StreamExt as _};
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::client::Client;
use crate::encoding::scalar_text;
use crate::error::{Error, PaginationError, excerpt};
use crate::request::Request;
use crate::response::{Page, RawResponse, decode_json};

/// How a listing pages, as data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pagination(Style);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Style {
    Cursor {
        items: &'static str,
        has_more: &'static str,
        param: &'static str,
        from: &'static str,
    },
    CursorFromBody {
        items: &'static str,
        has_more: &'static str,
        param: &'static str,
        cursor: &'static str,
    },
    NextUrl {
        items: &'static str,
        next: &'static str,
    },
    LinkHeader {
        items: &'static str,
    },
    PageNumber {
        items: &'static str,
        param: &'static str,
        first: u64,
        per_page: Option<&'static str>,
    },
    OffsetLimit {
        items: &'static str,
        offset: &'static str,
        limit: &'static str,
        total: Option<&'static str>,
    },
    Token {
        items: &'static str,
        token: &'static str,
        param: &'static str,
    },
}

impl Pagination {
    /// Stripe style: while `has_more` is true, send `cursor_param=<last item's from field>`
    /// (`from` is a field name such as `id`, or a JSON pointer into the item).
    pub const fn cursor(
        items: &'static str,
        has_more: &'static str,
        cursor_param: &'static str,
        from: &'static str,
    ) -> Self {
        Pagination(Style::Cursor {
            items,
            has_more,
            param: cursor_param,
            from,
        })
    }

    /// OpenAI style: while `has_more` is true, send `cursor_param=<value at cursor pointer>`
    /// (e.g. `/last_id`).
    pub const fn cursor_from_body(
        items: &'static str,
        has_more: &'static str,
        cursor_param: &'static str,
        cursor: &'static str,
    ) -> Self {
        Pagination(Style::CursorFromBody {
            items,
            has_more,
            param: cursor_param,
            cursor,
        })
    }

    /// The body holds the next page's URL, absolute or relative to the host (Twilio
    /// `/next_page_uri`, `/meta/next_page_url`); null or empty ends the listing.
    pub const fn next_url(items: &'static str, next: &'static str) -> Self {
        Pagination(Style::NextUrl { items, next })
    }

    /// GitHub style: the RFC 8288 `Link` header's `rel="next"` URL.
    pub const fn link_header(items: &'static str) -> Self {
        Pagination(Style::LinkHeader { items })
    }

    /// `page_param` counts pages from `first_page`; an empty page ends the listing, and so
    /// does a page shorter than the request's `per_page_param` value.
    pub const fn page_number(
        items: &'static str,
        page_param: &'static str,
        first_page: u64,
        per_page_param: Option<&'static str>,
    ) -> Self {
        Pagination(Style::PageNumber {
            items,
            param: page_param,
            first: first_page,
            per_page: per_page_param,
        })
    }

    /// `offset_param` advances by the number of items received; an empty page, a page
    /// shorter than the request's `limit_param` value, or reaching the total at
    /// `total_ptr` ends the listing.
    pub const fn offset_limit(
        items: &'static str,
        offset_param: &'static str,
        limit_param: &'static str,
        total_ptr: Option<&'static str>,
    ) -> Self {
        Pagination(Style::OffsetLimit {
            items,
            offset: offset_param,
            limit: limit_param,
            total: total_ptr,
        })
    }

    /// A continuation token in the body (`/next_page_token`,
    /// `/response_metadata/next_cursor`) sent back as `token_param`; empty ends the listing.
    pub const fn token(
        items: &'static str,
        token_ptr: &'static str,
        token_param: &'static str,
    ) -> Self {
        Pagination(Style::Token {
            items,
            token: token_ptr,
            param: token_param,
        })
    }

    fn items_pointer(&self) -> &'static str {
        match self.0 {
            Style::Cursor { items, .. }
            | Style::CursorFromBody { items, .. }
            | Style::NextUrl { items, .. }
            | Style::LinkHeader { items }
            | Style::PageNumber { items, .. }
            | Style::OffsetLimit { items, .. }
            | Style::Token { items, .. } => items,
        }
    }
}

struct State {
    client: Client,
    next: Option<Request>,
    pagination: Pagination,
    /// An error to yield after the page that led to it.
    error: Option<Error>,
}

/// A lazy stream of pages.
pub fn paginate<T: DeserializeOwned + Send + 'static>(
    client: Client,
    req: Request,
    pagination: Pagination,
) -> impl Stream<Item = Result<Page<T>, Error>> + Send + 'static {
    let state = State {
        client,
        next: Some(req),
        pagination,
        error: None,
    };
    futures::stream::unfold(state, |mut state| async move {
        if let Some(error) = state.error.take() {
            return Some((Err(error), state));
        }
        let req = state.next.take()?;
        match fetch_page::<T>(&state.client, &req, state.pagination).await {
            Ok((page, next)) => {
                // A next page that cannot be requested is reported after this page, which
                // is not lost.
                match next {
                    Ok(next) => state.next = next.filter(|n| !same_target(n, &req)),
                    Err(error) => state.error = Some(error),
                }
                Some((Ok(page), state))
            }
            Err(error) => Some((Err(error), state)),
        }
    })
}

/// A lazy stream of items across pages.
pub fn paginate_items<T: DeserializeOwned + Send + 'static>(
    client: Client,
    req: Request,
    pagination: Pagination,
) -> impl Stream<Item = Result<T, Error>> + Send + 'static {
    paginate::<T>(client, req, pagination).flat_map(|page| match page {
        Ok(page) => futures::stream::iter(page.items.into_iter().map(Ok)).left_stream(),
        Err(error) => futures::stream::once(std::future::ready(Err(error))).right_stream(),
    })
}

fn same_target(a: &Request, b: &Request) -> bool {
    a.absolute_url == b.absolute_url && a.query == b.query && a.path == b.path
}

/// One page, and the request for the next page or why there cannot be one.
async fn fetch_page<T: DeserializeOwned>(
    client: &Client,
    req: &Request,
    pagination: Pagination,
) -> Result<(Page<T>, Result<Option<Request>, Error>), Error> {
    let raw = client.send(req.clone()).await?;
    let body: Value = decode_json(&raw)?;
    let items_ptr = pagination.items_pointer();
    let items_value = if items_ptr.is_empty() {
        &body
    } else {
        body.pointer(items_ptr).unwrap_or(&Value::Null)
    };
    let items: Vec<T> = match items_value {
        Value::Null => Vec::new(),
        value => serde_path_to_error::deserialize(value).map_err(|e| {
            let path = format!(
                "{}{}",
                items_ptr.trim_start_matches('/').replace('/', "."),
                e.path()
            );
            decode_error(&raw, e.into_inner().to_string(), Some(path))
        })?,
    };
    let raw_items = items_value
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default();
    let next = next_request(client, req, pagination, &raw, &body, raw_items);
    let page = Page {
        items,
        status: raw.status,
        headers: raw.headers,
        request_id: raw.request_id,
    };
    Ok((page, next))
}

fn decode_error(raw: &RawResponse, message: String, path: Option<String>) -> Error {
    Error::Decode {
        status: raw.status,
        message,
        path,
        excerpt: excerpt(&raw.body, 256),
        request_id: raw.request_id.clone(),
    }
}

fn truthy(value: Option<&Value>) -> bool {
    match value {
        Some(Value::Bool(b)) => *b,
        Some(Value::String(s)) => s == "true",
        _ => false,
    }
}

fn text_at(body: &Value, pointer: &str) -> Option<String> {
    body.pointer(pointer)
        .and_then(scalar_text)
        .filter(|s| !s.is_empty())
}

fn next_request(
    client: &Client,
    req: &Request,
    pagination: Pagination,
    raw: &RawResponse,
    body: &Value,
    items: &[Value],
) -> Result<Option<Request>, Error> {
    let with_query = |name: &str, value: &str| {
        let mut next = req.clone();
        next.set_query(name, value);
        next
    };
    let number = |name: &str| req.query_value(name).and_then(|v| v.parse::<u64>().ok());
    Ok(match pagination.0 {
        Style::Cursor {
            has_more,
            param,
            from,
            ..
        } => {
            if !truthy(body.pointer(has_more)) {
                return Ok(None);
            }
            let cursor = items.last().and_then(|item| {
                if from.starts_with('/') {
                    item.pointer(from).and_then(scalar_text)
                } else {
                    item.get(from).and_then(scalar_text)
                }
            });
            cursor.map(|c| with_query(param, &c))
        }
        Style::CursorFromBody {
            has_more,
            param,
            cursor,
            ..
        } => {
            if !truthy(body.pointer(has_more)) {
                return Ok(None);
            }
            text_at(body, cursor).map(|c| with_query(param, &c))
        }
        Style::NextUrl { next, .. } => match text_at(body, next) {
            Some(link) => Some(absolute(client, req, &link, raw)?),
            None => None,
        },
        Style::LinkHeader { .. } => {
            let link = raw
                .headers
                .get_all(http::header::LINK)
                .iter()
                .filter_map(|v| v.to_str().ok())
                .find_map(next_link);
            match link {
                Some(link) => Some(absolute(client, req, &link, raw)?),
                None => None,
            }
        }
        Style::PageNumber {
            param,
            first,
            per_page,
            ..
        } => {
            if items.is_empty() {
                return Ok(None);
            }
            if let Some(size) = per_page.and_then(number) {
                if (items.len() as u64) < size {
                    return Ok(None);
                }
            }
            let current = number(param).unwrap_or(first);
            Some(with_query(param, &(current + 1).to_string()))
        }
        Style::OffsetLimit {
            offset,
            limit,
            total,
            ..
        } => {
            if items.is_empty() {
                return Ok(None);
            }
            let next_offset = number(offset).unwrap_or(0) + items.len() as u64;
            if let Some(total) = total.and_then(|p| body.pointer(p)).and_then(Value::as_u64) {
                if next_offset >= total {
                    return Ok(None);
                }
            }
            if number(limit).is_some_and(|l| (items.len() as u64) < l) {
                return Ok(None);
            }
            Some(with_query(offset, &next_offset.to_string()))
        }
        Style::Token { token, param, .. } => text_at(body, token).map(|t| with_query(param, &t)),
    })
}

/// Resolve a next link against the URL of the request that returned it (RFC 3986 §5, as
/// RFC 8288 §3.1 asks): an absolute URL stands, `/2010-04-01/..` is relative to the host
/// (Twilio), `?page=2` keeps the path. A link to an origin the client may not send its
/// credentials to ([`Client::may_follow`]) is an error, and is not requested.
fn absolute(
    client: &Client,
    req: &Request,
    link: &str,
    raw: &RawResponse,
) -> Result<Request, Error> {
    let base = client
        .request_url(req)
        .map_err(|e| decode_error(raw, format!("invalid request URL: {e}"), None))?;
    let url = base.join(link).map_err(|e| {
        decode_error(
            raw,
            format!("the next-page link is not a valid URL: {e}"),
            None,
        )
    })?;
    if !client.may_follow(req, &url) {
        return Err(Error::Pagination(PaginationError::CrossOrigin {
            origin: shown_origin(&url),
        }));
    }
    let mut next = req.clone();
    next.set_absolute_url(url);
    Ok(next)
}

/// A URL's origin for an error message: `https://host:port`, or the scheme alone for a URL
/// without a host (`file:`, `data:`), never any user name or password.
fn shown_origin(url: &url::Url) -> String {
    match url.origin() {
        origin @ url::Origin::Tuple(..) => origin.ascii_serialization(),
        url::Origin::Opaque(_) => format!("{}:", url.scheme()),
    }
}

/// The `rel="next"` target of one `Link` field value (RFC 8288 §3).
///
/// `Link = #link-value`, `link-value = "<" URI-Reference ">" *( OWS ";" OWS link-param )`,
/// `link-param = token BWS [ "=" BWS ( token / quoted-string ) ]`. Commas and semicolons
/// inside the `<..>` target or inside a quoted string do not split anything, `rel` may hold
/// several space-separated relation types and is compared case-insensitively, and only the
/// first `rel` parameter of a link counts (§3.3).
fn next_link(header: &str) -> Option<String> {
    parse_links(header)
        .into_iter()
        .find(|(_, rel)| {
            rel.as_deref().is_some_and(|rel| {
                rel.split_ascii_whitespace()
                    .any(|r| r.eq_ignore_ascii_case("next"))
            })
        })
        .map(|(target, _)| target)
}

/// Every link in a `Link` field value, as (target, first `rel` parameter).
fn parse_links(header: &str) -> Vec<(String, Option<String>)> {
    let bytes = header.as_bytes();
    let mut i = 0;
    let mut links = Vec::new();
    let skip_ws = |i: &mut usize| {
        while *i < bytes.len() && matches!(bytes[*i], b' ' | b'\t') {
            *i += 1;
        }
    };
    while i < bytes.len() {
        // Between link-values: whitespace and commas; anything else up to `<` is garbage.
        while i < bytes.len() && bytes[i] != b'<' {
            i += 1;
        }
        if i >= bytes.len() {
            break;
        }
        let Some(close) = header[i..].find('>').map(|n| i + n) else {
            break;
        };
        let target = header[i + 1..close].trim().to_owned();
        i = close + 1;
        let mut rel = None;
        loop {
            skip_ws(&mut i);
            if i >= bytes.len() || bytes[i] == b',' {
                break;
            }
            if bytes[i] != b';' {
                // Malformed: skip to the end of this link-value.
                while i < bytes.len() && bytes[i] != b',' {
                    i += 1;
                }
                break;
            }
            i += 1;
            skip_ws(&mut i);
            let name_start = i;
            while i < bytes.len() && !matches!(bytes[i], b'=' | b';' | b',' | b' ' | b'\t') {
                i += 1;
            }
            let name = &header[name_start..i];
            skip_ws(&mut i);
            let mut value = String::new();
            if i < bytes.len() && bytes[i] == b'=' {
                i += 1;
                skip_ws(&mut i);
                if i < bytes.len() && bytes[i] == b'"' {
                    i += 1;
                    while i < bytes.len() && bytes[i] != b'"' {
                        if bytes[i] == b'\\' && i + 1 < bytes.len() {
                            i += 1;
                        }
                        let ch_len = header[i..].chars().next().map_or(1, char::len_utf8);
                        value.push_str(&header[i..i + ch_len]);
                        i += ch_len;
                    }
                    i += 1; // the closing quote
                } else {
                    let start = i;
                    while i < bytes.len() && !matches!(bytes[i], b';' | b',' | b' ' | b'\t') {
                        i += 1;
                    }
                    value.push_str(&header[start..i]);
                }
            }
            if rel.is_none() && name.eq_ignore_ascii_case("rel") {
                rel = Some(value);
            }
        }
        links.push((target, rel));
    }
    links
}

#[cfg(test)]
mod tests {
    use super::next_link;
    use crate::client::Client;
    use crate::config::ProviderConfig;
    use crate::request::Request;

    #[test]
    fn links_are_followed_only_to_the_origins_the_credentials_are_for() {
        let config = ProviderConfig::new("t").default_base_url("https://api.example.com/v1");
        let client = Client::builder(config.clone())
            .allow_origin("https://uploads.example.com:8443/ignored/path")
            .build()
            .unwrap();
        let list = Request::new(http::Method::GET, "op", "/", "/x".to_owned());
        let files = list.clone().default_server("https://files.example.com");
        let follows =
            |req: &Request, link: &str| client.may_follow(req, &url::Url::parse(link).unwrap());
        assert!(follows(&list, "https://api.example.com/v2/x?page=2"));
        assert!(follows(&list, "https://API.example.com:443/x"));
        assert!(follows(&list, "https://uploads.example.com:8443/x"));
        for other in [
            "http://api.example.com/x",
            "https://api.example.com:444/x",
            "https://evil.example.com/x",
            "https://uploads.example.com/x",
            "https://files.example.com/x",
            "data:text/plain,x",
        ] {
            assert!(!follows(&list, other), "{other}");
        }
        // An operation's own server receives the credentials, so its links may be followed.
        assert!(follows(&files, "https://files.example.com/x?page=2"));
        assert!(follows(&files, "https://api.example.com/x"));
        // Unless the caller chose the base URL, which then receives every call instead.
        let chosen = Client::builder(config)
            .base_url("http://127.0.0.1:9")
            .build()
            .unwrap();
        let url = url::Url::parse("https://files.example.com/x").unwrap();
        assert!(!chosen.may_follow(&files, &url));
    }

    #[test]
    fn quoted_params_with_separators_do_not_confuse_the_parser() {
        let header = concat!(
            r#"<https://a/x?page=1>; title="prev; <page>, really"; rel=prev, "#,
            r#"<https://a/x?a=1,2;b=3>;rel="last NEXT";rel="first""#,
        );
        assert_eq!(next_link(header).as_deref(), Some("https://a/x?a=1,2;b=3"));
        assert_eq!(
            next_link(r#"<https://a/p2>; title="a \"quoted\" title"; rel=next"#).as_deref(),
            Some("https://a/p2")
        );
        // Only the first `rel` of a link counts.
        assert_eq!(next_link(r#"<https://a/p2>; rel="prev"; rel="next""#), None);
    }

    #[test]
    fn next_link_is_found_among_others() {
        let header = r#"<https://api.github.com/x?page=1>; rel="prev", <https://api.github.com/x?page=3>; rel="next", <https://api.github.com/x?page=9>; rel="last""#;
        assert_eq!(
            next_link(header).as_deref(),
            Some("https://api.github.com/x?page=3")
        );
        assert_eq!(next_link(r#"<https://a/x?page=1>; rel="first""#), None);
    }
}
