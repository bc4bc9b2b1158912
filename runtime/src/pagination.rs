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
//! kept to one origin in the same way
//! ([`same_origin_redirects`](crate::client::same_origin_redirects)).
//!
//! A misbehaving API cannot make a listing loop forever or deliver a page twice. The
//! stream remembers a fingerprint of every page request it sent and of every non-empty
//! page body it received (up to 10,000 of each, 16 bytes or so apiece). A next request
//! that was already sent (a cursor or link going A → B → A, or one that repeats the current
//! page) ends the listing after the current page with [`PaginationError::Cycle`], which
//! names the repeated URL with any credential hidden; so does a page byte-for-byte equal to
//! an earlier one (a server that ignores the page parameter), which is not delivered again.
//! An error rather than a quiet end, because the caller would otherwise take an endless
//! listing's first pages for all of it. Past 10,000 pages, new requests are checked against
//! a checkpoint that moves ahead at doubling intervals (Brent's method), so a loop entered
//! later still ends, after at most about twice the requests it took to come round once
//! (and those pages may be delivered again).
//!
//! JSON pointers (`/data`, `/meta/next_page_url`) locate items and cursors; an empty
//! items pointer means the body itself is the array.

use std::collections::HashSet;
use std::hash::{DefaultHasher, Hash as _, Hasher as _};

use futures::{Stream, StreamExt as _};
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::client::Client;
use crate::encoding::scalar_text;
use crate::error::{Error, PaginationError, RawBody, excerpt};
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

    /// The query parameter that moves the listing on, when the style has one: its values
    /// are cursors or page numbers, never credentials, and they name a loop.
    fn paging_param(&self) -> Option<&'static str> {
        match self.0 {
            Style::Cursor { param, .. }
            | Style::CursorFromBody { param, .. }
            | Style::PageNumber { param, .. }
            | Style::Token { param, .. } => Some(param),
            Style::OffsetLimit { offset, .. } => Some(offset),
            Style::NextUrl { .. } | Style::LinkHeader { .. } => None,
        }
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

/// How many request and page fingerprints a listing remembers, of each.
const REMEMBERED: usize = 10_000;

/// What a listing has visited, to stop it when it loops.
struct Visited {
    /// Fingerprints of the page requests sent, up to `limit`.
    requests: HashSet<u64>,
    /// Fingerprints of the non-empty page bodies received, up to `limit`.
    pages: HashSet<u64>,
    limit: usize,
    /// Past `limit` requests, Brent's cycle detection: every new request is compared with
    /// the checkpoint, which moves to the newest request whenever `since` reaches `span`,
    /// and `span` then doubles. Once `span` is as long as the loop and the checkpoint is in
    /// it, the loop comes back to the checkpoint before it moves again.
    checkpoint: Option<u64>,
    since: u64,
    span: u64,
}

impl Visited {
    fn new(limit: usize) -> Self {
        Visited {
            requests: HashSet::new(),
            pages: HashSet::new(),
            limit,
            checkpoint: None,
            since: 0,
            span: 1,
        }
    }

    /// Record a request about to be sent; `false` if it was sent before.
    fn request(&mut self, fingerprint: u64) -> bool {
        if self.requests.contains(&fingerprint) {
            return false;
        }
        if self.requests.len() < self.limit {
            self.requests.insert(fingerprint);
            return true;
        }
        match self.checkpoint {
            Some(checkpoint) if checkpoint == fingerprint => return false,
            Some(_) if self.since < self.span => self.since += 1,
            _ => {
                self.checkpoint = Some(fingerprint);
                self.since = 0;
                self.span = self.span.saturating_mul(2);
            }
        }
        true
    }

    /// Record a page body received; `false` if the same body came before.
    fn page(&mut self, fingerprint: u64) -> bool {
        if self.pages.contains(&fingerprint) {
            return false;
        }
        if self.pages.len() < self.limit {
            self.pages.insert(fingerprint);
        }
        true
    }
}

fn fingerprint(bytes: &[u8]) -> u64 {
    // SipHash with fixed keys: the same input gives the same fingerprint in every run, and
    // 64 bits make a collision among 10,000 pages about one chance in 10^11.
    let mut hasher = DefaultHasher::new();
    bytes.hash(&mut hasher);
    hasher.finish()
}

/// A request's fingerprint: the URL it is sent to, which is all that differs between the
/// pages of one listing.
fn request_fingerprint(client: &Client, req: &Request) -> u64 {
    match client.request_url(req) {
        Ok(url) => fingerprint(url.as_str().as_bytes()),
        Err(_) => fingerprint(format!("{}?{}", req.path, req.query.as_str()).as_bytes()),
    }
}

struct State {
    client: Client,
    next: Option<Request>,
    pagination: Pagination,
    visited: Visited,
    /// Pages delivered so far.
    pages: u64,
    /// An error to yield after the page that led to it.
    error: Option<Error>,
}

impl State {
    fn cycle(&self, page: &Request) -> Error {
        Error::Pagination(PaginationError::Cycle {
            page: shown_url(&self.client, page, self.pagination.paging_param()),
            pages: self.pages,
        })
    }
}

/// A lazy stream of pages.
pub fn paginate<T: DeserializeOwned + Send + 'static>(
    client: Client,
    req: Request,
    pagination: Pagination,
) -> impl Stream<Item = Result<Page<T>, Error>> + Send + 'static {
    let mut visited = Visited::new(REMEMBERED);
    visited.request(request_fingerprint(&client, &req));
    let state = State {
        client,
        next: Some(req),
        pagination,
        visited,
        pages: 0,
        error: None,
    };
    futures::stream::unfold(state, |mut state| async move {
        if let Some(error) = state.error.take() {
            return Some((Err(error), state));
        }
        let req = state.next.take()?;
        match fetch_page::<T>(&state.client, &req, state.pagination).await {
            Ok((page, body, next)) => {
                if !page.items.is_empty() && !state.visited.page(body) {
                    // The same page came before (a server that ignores the page parameter,
                    // or a loop that came back to the first page under another URL).
                    return Some((Err(state.cycle(&req)), state));
                }
                state.pages += 1;
                // A next page that cannot or must not be requested is reported after this
                // page, which is not lost.
                match next {
                    Ok(Some(next)) => {
                        let fingerprint = request_fingerprint(&state.client, &next);
                        if state.visited.request(fingerprint) {
                            state.next = Some(next);
                        } else {
                            state.error = Some(state.cycle(&next));
                        }
                    }
                    Ok(None) => {}
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

/// A request's URL for an error message: without user name, password or fragment, and with
/// the value of every query parameter that may be a credential shown as `REDACTED`: the
/// client's API key parameter, and any named like a key, token, secret, password or
/// signature, except the listing's own paging parameter (`keep`), whose value names a loop.
fn shown_url(client: &Client, req: &Request, keep: Option<&str>) -> String {
    let Ok(mut url) = client.request_url(req) else {
        return req.path_template.to_owned();
    };
    // Both fail only for URLs that cannot hold credentials (no host).
    let _ = url.set_username("");
    let _ = url.set_password(None);
    url.set_fragment(None);
    if url.query().is_some() {
        let credential = client.credential_query_param();
        let pairs: Vec<(String, String)> = url
            .query_pairs()
            .map(|(name, value)| {
                // The client's own credential is hidden even if a style names it as its
                // paging parameter.
                let secret =
                    Some(&*name) == credential || (Some(&*name) != keep && looks_secret(&name));
                let value = if secret { "REDACTED".into() } else { value };
                (name.into_owned(), value.into_owned())
            })
            .collect();
        url.query_pairs_mut().clear().extend_pairs(pairs);
    }
    url.into()
}

/// Whether a query parameter's name suggests it carries a credential.
fn looks_secret(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    [
        "key", "token", "secret", "pass", "sig", "auth", "cred", "session", "jwt",
    ]
    .iter()
    .any(|word| name.contains(word))
}

/// One page, the fingerprint of its body, and the request for the next page or why there
/// cannot be one.
async fn fetch_page<T: DeserializeOwned>(
    client: &Client,
    req: &Request,
    pagination: Pagination,
) -> Result<(Page<T>, u64, Result<Option<Request>, Error>), Error> {
    let raw = client.send(req.clone()).await?;
    let body_fingerprint = fingerprint(&raw.body);
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
    Ok((page, body_fingerprint, next))
}

fn decode_error(raw: &RawResponse, message: String, path: Option<String>) -> Error {
    Error::Decode {
        status: raw.status,
        message,
        path,
        excerpt: excerpt(&raw.body, 256),
        body: RawBody::new(raw.body.clone()),
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
#[doc(hidden)]
pub fn next_link(header: &str) -> Option<String> {
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
#[doc(hidden)]
pub fn parse_links(header: &str) -> Vec<(String, Option<String>)> {
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
    use super::{Visited, next_link, shown_url};
    use crate::client::Client;
    use crate::config::ProviderConfig;
    use crate::request::Request;

    /// Walk a listing of `len` distinct pages whose last page points back to page `back_to`;
    /// the number of requests sent before the loop is found.
    fn requests_until_the_loop_is_found(limit: usize, len: u64, back_to: u64) -> u64 {
        let mut visited = Visited::new(limit);
        let mut page = 0;
        for sent in 1..=100 * len {
            if !visited.request(page) {
                return sent;
            }
            page = if page + 1 == len { back_to } else { page + 1 };
        }
        panic!("the loop was not found");
    }

    #[test]
    fn a_loop_is_found_at_its_first_repeat_within_the_limit_and_soon_after_it() {
        assert_eq!(requests_until_the_loop_is_found(10_000, 2, 0), 3);
        assert_eq!(requests_until_the_loop_is_found(10_000, 50, 10), 51);
        // Past the limit, after at most about twice the requests it took to come round once.
        for (len, back_to) in [(20, 19), (20, 5), (300, 0), (1_000, 900), (5_000, 4_999)] {
            let sent = requests_until_the_loop_is_found(10, len, back_to);
            assert!(sent <= 2 * len + 10, "{len} {back_to}: {sent}");
        }
    }

    #[test]
    fn a_url_in_an_error_hides_credentials_but_not_the_cursor() {
        let client = Client::builder(ProviderConfig::new("t"))
            .base_url("https://api.example.com")
            .auth(crate::Auth::api_key_query("appid", "k1"))
            .build()
            .unwrap();
        let mut req = Request::new(http::Method::GET, "op", "/", "/x".to_owned());
        req.set_absolute_url(
            url::Url::parse(
                "https://user:pw@api.example.com/x?appid=k1&page_token=t2&api_key=k3&X-Amz-Signature=s4&limit=5#f",
            )
            .unwrap(),
        );
        assert_eq!(
            shown_url(&client, &req, None),
            "https://api.example.com/x?appid=REDACTED&page_token=REDACTED&api_key=REDACTED&X-Amz-Signature=REDACTED&limit=5"
        );
        assert_eq!(
            shown_url(&client, &req, Some("page_token")),
            "https://api.example.com/x?appid=REDACTED&page_token=t2&api_key=REDACTED&X-Amz-Signature=REDACTED&limit=5"
        );
        assert!(shown_url(&client, &req, Some("appid")).contains("appid=REDACTED"));
    }

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
