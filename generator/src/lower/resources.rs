//! Call names: which resource handle an operation hangs off and what its method is called, so
//! that `POST /v1/customers` reads `client.customers().create(..)` as it does in the provider's
//! own SDK.
//!
//! The rule, in the order it is tried for each operation:
//! 1. An override in the provider's `sdkgen.toml` (`[naming.operations]`), keyed by operationId.
//! 2. An operationId with a group (`issues/list-for-repo`, as GitHub writes them): the group is
//!    the resource and the rest the method.
//! 3. An RPC path whose only segment is dotted (`/chat.postMessage`, as Slack's are): every part
//!    but the last is a resource and the last is the method.
//! 4. The path's shape. Versions (`v1`, `2010-04-01`) and configured prefixes are dropped, as
//!    are file extensions (`Messages.json`). Literal segments are resources; the method comes
//!    from the HTTP method and what the path ends with:
//!    - a parameter (`/customers/{id}`): `retrieve`, `update`, `replace` or `delete`;
//!    - a collection (`/customers`, plural or followed by a parameter elsewhere): `list`,
//!      `create`, `update` or `delete`;
//!    - a singleton (`/account`): `retrieve`, `update` (`create` when it cannot be read) or
//!      `delete`;
//!    - an action after an item or a collection (`/payment_intents/{id}/confirm`,
//!      `/charges/search`): the segment itself becomes a method of the parent, prefixed by
//!      `retrieve_`, `update_` or `delete_` when the path has several operations, as
//!      `retrieve_cash_balance` and `update_cash_balance` are.
//!
//! Operations that still share a name within one resource, or a method that shares its name with
//! a child resource, take their operationId as the method name instead, each of them, so that no
//! name depends on which operation came first.

use std::collections::{BTreeMap, BTreeSet};

use crate::config::NamingConfig;
use crate::diagnostics::{DiagnosticKind, Diagnostics, pointer};
use crate::ir::{HttpMethod, NameOrigin};
use crate::naming;

/// What the rule needs to know of one operation.
pub(super) struct NameInput<'a> {
    pub path: &'a str,
    pub method: HttpMethod,
    pub operation_id: &'a str,
    pub pointer: &'a str,
}

/// The call name of one operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct CallName {
    /// Resource handles from the client down, as snake_case accessor names; empty for a method on
    /// the client itself.
    pub resource: Vec<String>,
    /// The method's snake_case name.
    pub method: String,
    pub origin: NameOrigin,
}

/// Names every operation; the result is in input order.
pub(super) fn lower_call_names(
    ops: &[NameInput<'_>],
    config: &NamingConfig,
    diags: &mut Diagnostics,
) -> Vec<CallName> {
    let shapes = PathShapes::new(ops, config);
    let mut names: Vec<CallName> = ops
        .iter()
        .map(|op| {
            lower_override(op, config, diags)
                .or_else(|| lower_group_id(op.operation_id))
                .or_else(|| lower_rpc_path(op.path, config))
                .unwrap_or_else(|| shapes.lower_path_shape(op, config))
        })
        .collect();
    // A top-level resource is a method of the client, which has methods of its own.
    for name in &mut names {
        if let Some(first) = name.resource.first_mut() {
            if RESERVED_METHODS.contains(&first.as_str()) {
                first.push('_');
            }
        }
    }
    resolve_collisions(ops, &mut names);
    names
}

fn lower_override(
    op: &NameInput<'_>,
    config: &NamingConfig,
    diags: &mut Diagnostics,
) -> Option<CallName> {
    let spelled = config.operations.get(op.operation_id)?;
    let parts: Vec<&str> = spelled.split('.').map(str::trim).collect();
    let valid = parts.iter().all(|p| !p.is_empty());
    let (method, resource) = match parts.split_last() {
        Some((method, resource)) if valid => (method, resource),
        _ => {
            diags.warn(
                DiagnosticKind::Config,
                pointer(op.pointer, "operationId"),
                format!(
                    "the name override `{spelled}` for `{}` is not `resource.method`; the generic rule names it",
                    op.operation_id
                ),
            );
            return None;
        }
    };
    Some(CallName {
        resource: resource.iter().map(|r| naming::module_name(r)).collect(),
        method: naming::method_name(method),
        origin: NameOrigin::Override,
    })
}

/// `issues/list-for-repo` → `issues` and `list_for_repo`.
fn lower_group_id(operation_id: &str) -> Option<CallName> {
    let (group, method) = operation_id.rsplit_once('/')?;
    let resource: Vec<String> = group
        .split('/')
        .filter(|g| !g.trim().is_empty())
        .map(naming::module_name)
        .collect();
    if resource.is_empty() || method.trim().is_empty() {
        return None;
    }
    Some(CallName {
        resource,
        method: naming::method_name(method),
        origin: NameOrigin::OperationIdGroup,
    })
}

/// `/chat.postMessage` → `chat` and `post_message`.
fn lower_rpc_path(path: &str, config: &NamingConfig) -> Option<CallName> {
    let tokens = tokens_of(path, config);
    let [Token::Literal(_)] = tokens.as_slice() else {
        return None;
    };
    let segment = path
        .split('/')
        .rfind(|s| !s.is_empty())
        .map(strip_extension)?;
    let parts: Vec<&str> = segment.split('.').filter(|p| !p.is_empty()).collect();
    let (method, resource) = parts.split_last()?;
    if resource.is_empty() {
        return None;
    }
    Some(CallName {
        resource: resource.iter().map(|r| naming::module_name(r)).collect(),
        method: naming::method_name(method),
        origin: NameOrigin::RpcPath,
    })
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Literal(String),
    Param,
}

/// The path's segments that name things: no versions, no configured prefix, no extensions.
fn tokens_of(path: &str, config: &NamingConfig) -> Vec<Token> {
    // A query in the path key (OpenAI's `/responses?beta=true`) selects a variant, not a resource.
    let path = path.split_once('?').map_or(path, |(p, _)| p);
    let mut rest = path;
    for prefix in &config.strip_prefixes {
        if let Some(stripped) = path.strip_prefix(prefix.trim_end_matches('/')) {
            if stripped.starts_with('/') {
                rest = stripped;
                break;
            }
        }
    }
    rest.split('/')
        .filter(|s| !s.is_empty())
        .map(strip_extension)
        .filter(|s| !is_version(s))
        .map(|s| {
            if s.contains('{') {
                Token::Param
            } else {
                Token::Literal(naming::module_name(s))
            }
        })
        .filter(|t| !matches!(t, Token::Literal(s) if s.trim_matches('_').is_empty()))
        .collect()
}

fn strip_extension(segment: &str) -> &str {
    for ext in [".json", ".xml", ".csv", ".yaml", ".txt"] {
        if let Some(stem) = segment.strip_suffix(ext) {
            return stem;
        }
    }
    segment
}

/// `api`, `v1`, `v2.1`, `2010-04-01`: segments that say which version, not which resource
/// (`3d_secure` is a resource).
fn is_version(s: &str) -> bool {
    s.eq_ignore_ascii_case("api")
        || (s.starts_with(|c: char| c.is_ascii_digit())
            && s.chars()
                .all(|c| c.is_ascii_digit() || c == '.' || c == '-'))
        || (s.len() > 1
            && s.starts_with(['v', 'V'])
            && s[1..].chars().all(|c| c.is_ascii_digit() || c == '.'))
}

/// A key for a token path: literals by name, parameters as `{}`.
fn key_of(tokens: &[Token]) -> String {
    tokens
        .iter()
        .map(|t| match t {
            Token::Literal(s) => s.as_str(),
            Token::Param => "{}",
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// Facts about every path of the spec that the path rule needs.
struct PathShapes {
    /// The HTTP methods at each token path.
    methods: BTreeMap<String, BTreeSet<HttpMethod>>,
    /// Token paths followed by a parameter somewhere.
    followed_by_param: BTreeSet<String>,
    /// Token paths that some longer path extends.
    extended: BTreeSet<String>,
    /// Token paths read by an operation whose operationId starts with `list` (`ListMessage`,
    /// `listFiles`): collections, whatever their last word looks like.
    listed: BTreeSet<String>,
    /// Token paths ending in a literal, read by an operation whose operationId starts with
    /// `fetch` or `retrieve` (Twilio's `FetchDeactivation` at `/v1/Deactivations`): one
    /// thing, whatever its last word looks like.
    fetched: BTreeSet<String>,
}

impl PathShapes {
    fn new(ops: &[NameInput<'_>], config: &NamingConfig) -> Self {
        let mut shapes = Self {
            methods: BTreeMap::new(),
            followed_by_param: BTreeSet::new(),
            extended: BTreeSet::new(),
            listed: BTreeSet::new(),
            fetched: BTreeSet::new(),
        };
        for op in ops {
            let tokens = tokens_of(op.path, config);
            shapes
                .methods
                .entry(key_of(&tokens))
                .or_default()
                .insert(op.method);
            let first_word = naming::field_name(op.operation_id);
            if op.method == HttpMethod::Get {
                match first_word.split('_').next() {
                    Some("list") => {
                        shapes.listed.insert(key_of(&tokens));
                    }
                    Some("fetch" | "retrieve") if tokens.last() != Some(&Token::Param) => {
                        shapes.fetched.insert(key_of(&tokens));
                    }
                    _ => {}
                }
            }
            for i in 1..tokens.len() {
                let prefix = key_of(&tokens[..i]);
                if tokens[i] == Token::Param {
                    shapes.followed_by_param.insert(prefix.clone());
                }
                shapes.extended.insert(prefix);
            }
        }
        shapes
    }

    /// A literal that names a set of things rather than one thing or an action.
    fn is_collection(&self, key: &str, word: &str) -> bool {
        self.followed_by_param.contains(key)
            || self.listed.contains(key)
            || (is_plural(word) && !self.fetched.contains(key))
    }

    /// A literal with no operations of its own and no parameter after it, such as `checkout`
    /// in `/checkout/sessions`.
    fn is_namespace(&self, key: &str) -> bool {
        !self.methods.contains_key(key) && !self.followed_by_param.contains(key)
    }

    fn lower_path_shape(&self, op: &NameInput<'_>, config: &NamingConfig) -> CallName {
        let tokens = tokens_of(op.path, config);
        let literals = |ts: &[Token]| -> Vec<String> {
            ts.iter()
                .filter_map(|t| match t {
                    Token::Literal(s) => Some(s.clone()),
                    Token::Param => None,
                })
                .collect()
        };
        let key = key_of(&tokens);
        let several = self.methods.get(&key).is_some_and(|m| m.len() > 1);
        let (method, resource) = match tokens.split_last() {
            None => (item_verb(op.method, &self.methods, &key), Vec::new()),
            Some((Token::Param, _)) => {
                (item_verb(op.method, &self.methods, &key), literals(&tokens))
            }
            Some((Token::Literal(last), before)) => {
                let parent_key = key_of(before);
                let is_action = match before.last() {
                    None => false,
                    Some(Token::Literal(_)) if self.is_namespace(&parent_key) => {
                        is_verb(last) && !self.extended.contains(&key)
                    }
                    Some(_) => {
                        !self.extended.contains(&key)
                            && !self.followed_by_param.contains(&key)
                            && (is_verb(last) || (!self.listed.contains(&key) && !is_plural(last)))
                    }
                };
                if is_action {
                    (action_verb(op.method, last, several), literals(before))
                } else if self.is_collection(&key, last) {
                    (collection_verb(op.method), literals(&tokens))
                } else {
                    let readable = self
                        .methods
                        .get(&key)
                        .is_some_and(|m| m.contains(&HttpMethod::Get));
                    (singleton_verb(op.method, readable), literals(&tokens))
                }
            }
        };
        // The provider's word for a standard verb, also as the first word (`fetch_feedback`).
        let (verb, rest) = method.split_once('_').unwrap_or((method.as_str(), ""));
        let method = match config.verbs.get(verb) {
            Some(own) if rest.is_empty() => own.clone(),
            Some(own) => format!("{own}_{rest}"),
            None => method,
        };
        CallName {
            resource,
            method: naming::method_name(&method),
            origin: NameOrigin::PathShape,
        }
    }
}

fn item_verb(
    method: HttpMethod,
    methods: &BTreeMap<String, BTreeSet<HttpMethod>>,
    key: &str,
) -> String {
    let has_patch = methods
        .get(key)
        .is_some_and(|m| m.contains(&HttpMethod::Patch));
    match method {
        HttpMethod::Get => "retrieve",
        HttpMethod::Put if has_patch => "replace",
        HttpMethod::Post | HttpMethod::Put | HttpMethod::Patch => "update",
        HttpMethod::Delete => "delete",
        HttpMethod::Head => "exists",
        HttpMethod::Options => "options",
        HttpMethod::Trace => "trace",
    }
    .to_owned()
}

fn collection_verb(method: HttpMethod) -> String {
    match method {
        HttpMethod::Get => "list",
        HttpMethod::Post => "create",
        HttpMethod::Put | HttpMethod::Patch => "update",
        HttpMethod::Delete => "delete",
        HttpMethod::Head => "exists",
        HttpMethod::Options => "options",
        HttpMethod::Trace => "trace",
    }
    .to_owned()
}

fn singleton_verb(method: HttpMethod, readable: bool) -> String {
    match method {
        HttpMethod::Get => "retrieve",
        HttpMethod::Post if !readable => "create",
        HttpMethod::Post | HttpMethod::Put | HttpMethod::Patch => "update",
        HttpMethod::Delete => "delete",
        HttpMethod::Head => "exists",
        HttpMethod::Options => "options",
        HttpMethod::Trace => "trace",
    }
    .to_owned()
}

/// `confirm` on its own; `retrieve_cash_balance` beside `update_cash_balance`.
fn action_verb(method: HttpMethod, action: &str, several: bool) -> String {
    let prefix = match method {
        HttpMethod::Get if several && !is_verb(action) => "retrieve_",
        HttpMethod::Post if several && !is_verb(action) => "update_",
        HttpMethod::Get | HttpMethod::Post => "",
        HttpMethod::Put | HttpMethod::Patch => "update_",
        HttpMethod::Delete => "delete_",
        HttpMethod::Head => "exists_",
        HttpMethod::Options => "options_",
        HttpMethod::Trace => "trace_",
    };
    format!("{prefix}{action}")
}

/// The last word ends in a plural `s` (`customers`, `login_links`, but not `status` or `access`).
fn is_plural(word: &str) -> bool {
    let last = word.rsplit('_').next().unwrap_or(word);
    let regular = last.len() > 2
        && last.ends_with('s')
        && !["ss", "us", "is"].iter().any(|e| last.ends_with(e))
        && !SINGULAR_S.contains(&last);
    regular || ["people", "data", "media", "children", "metadata"].contains(&last)
}

/// Words that end in `s` but name one thing (`/tax/settings` is read and updated, not listed).
const SINGULAR_S: &[&str] = &[
    "analytics",
    "details",
    "news",
    "preferences",
    "settings",
    "statistics",
    "stats",
];

/// Words that, first in a segment, make it an action rather than a thing (`send`,
/// `mark_uncollectible`).
fn is_verb(word: &str) -> bool {
    const VERBS: &[&str] = &[
        "accept",
        "activate",
        "add",
        "apply",
        "approve",
        "archive",
        "attach",
        "cancel",
        "capture",
        "check",
        "close",
        "confirm",
        "count",
        "deactivate",
        "deliver",
        "decline",
        "detach",
        "disable",
        "dismiss",
        "enable",
        "estimate",
        "expire",
        "export",
        "fail",
        "finalize",
        "fund",
        "generate",
        "import",
        "increment",
        "invite",
        "join",
        "leave",
        "lock",
        "lookup",
        "mark",
        "merge",
        "pause",
        "pay",
        "preview",
        "process",
        "publish",
        "query",
        "reattempt",
        "refund",
        "reject",
        "remove",
        "rename",
        "reopen",
        "rerun",
        "resend",
        "reset",
        "restart",
        "resume",
        "retry",
        "return",
        "reverse",
        "revoke",
        "rotate",
        "run",
        "search",
        "send",
        "ship",
        "start",
        "stop",
        "submit",
        "subscribe",
        "sync",
        "test",
        "transfer",
        "trigger",
        "unarchive",
        "unlock",
        "unpublish",
        "unsubscribe",
        "upload",
        "validate",
        "verify",
        "void",
    ];
    let first = word.split('_').next().unwrap_or(word);
    VERBS.contains(&first)
}

/// Gives every operation of a same-name group, and every method named like a child resource,
/// its operationId instead; numbers only what even that leaves equal.
fn resolve_collisions(ops: &[NameInput<'_>], names: &mut [CallName]) {
    let mut children: BTreeSet<(Vec<String>, String)> = BTreeSet::new();
    for name in names.iter() {
        for i in 0..name.resource.len() {
            children.insert((name.resource[..i].to_vec(), name.resource[i].clone()));
        }
    }
    let mut groups: BTreeMap<(Vec<String>, String), Vec<usize>> = BTreeMap::new();
    for (i, name) in names.iter().enumerate() {
        groups
            .entry((name.resource.clone(), name.method.clone()))
            .or_default()
            .push(i);
    }
    for ((resource, method), members) in groups {
        let clashes_with_child = children.contains(&(resource, method));
        if members.len() < 2 && !clashes_with_child {
            continue;
        }
        // A path with a query (OpenAI's `/responses?beta=true`) is a variant of the same path
        // without one, which keeps the plain name when it is the only such member.
        let plain: Vec<usize> = members
            .iter()
            .copied()
            .filter(|&i| ops.get(i).is_some_and(|o| !o.path.contains('?')))
            .collect();
        let members: Vec<usize> = match plain.as_slice() {
            [only] if !clashes_with_child && members.len() > 1 => {
                members.iter().copied().filter(|i| i != only).collect()
            }
            _ => members,
        };
        for i in members {
            if let (Some(name), Some(op)) = (names.get_mut(i), ops.get(i)) {
                if name.origin == NameOrigin::Override {
                    continue;
                }
                name.method = naming::method_name(op.operation_id);
                name.origin = NameOrigin::OperationId;
            }
        }
    }
    // Whatever is still equal (an override against an operationId, say) is numbered in path
    // order, which is stable across runs.
    let mut order: Vec<usize> = (0..names.len()).collect();
    order.sort_by_key(|&i| ops.get(i).map(|o| (o.path, o.method)));
    let mut scopes: BTreeMap<Vec<String>, naming::Scope> = BTreeMap::new();
    for (resource, child) in &children {
        scopes
            .entry(resource.clone())
            .or_insert_with(|| naming::Scope::with_reserved(RESERVED_METHODS))
            .claim(child);
    }
    for i in order {
        if let Some(name) = names.get_mut(i) {
            let scope = scopes
                .entry(name.resource.clone())
                .or_insert_with(|| naming::Scope::with_reserved(RESERVED_METHODS));
            name.method = scope.claim(&name.method);
        }
    }
}

/// Methods the generated `Client` has of its own, which no call may take.
const RESERVED_METHODS: &[&str] = &[
    "builder",
    "builder_from_env",
    "clone",
    "from",
    "from_env",
    "inner",
    "into_inner",
];

#[cfg(test)]
mod tests {
    use super::*;

    fn names(paths: &[(&str, HttpMethod, &str)], config: &NamingConfig) -> Vec<String> {
        let ops: Vec<NameInput<'_>> = paths
            .iter()
            .map(|(path, method, id)| NameInput {
                path,
                method: *method,
                operation_id: id,
                pointer: "#/paths",
            })
            .collect();
        let mut diags = Diagnostics::default();
        lower_call_names(&ops, config, &mut diags)
            .into_iter()
            .map(|n| {
                let mut parts = n.resource;
                parts.push(n.method);
                parts.join(".")
            })
            .collect()
    }

    #[test]
    fn stripe_shapes_read_like_stripe() {
        use HttpMethod::{Delete, Get, Post};
        let got = names(
            &[
                ("/v1/customers", Get, "GetCustomers"),
                ("/v1/customers", Post, "PostCustomers"),
                ("/v1/customers/{customer}", Get, "GetCustomersCustomer"),
                ("/v1/customers/{customer}", Post, "PostCustomersCustomer"),
                (
                    "/v1/customers/{customer}",
                    Delete,
                    "DeleteCustomersCustomer",
                ),
                (
                    "/v1/customers/{customer}/discount",
                    Delete,
                    "DeleteDiscount",
                ),
                ("/v1/customers/{customer}/cash_balance", Get, "GetCash"),
                ("/v1/customers/{customer}/cash_balance", Post, "PostCash"),
                ("/v1/customers/{customer}/sources", Get, "GetSources"),
                ("/v1/payment_intents/{intent}/confirm", Post, "Confirm"),
                ("/v1/charges/search", Get, "GetChargesSearch"),
                ("/v1/charges", Get, "GetCharges"),
                ("/v1/checkout/sessions", Post, "PostCheckoutSessions"),
                ("/v1/account", Get, "GetAccount"),
                ("/v1/account", Post, "PostAccount"),
                ("/v1/3d_secure", Post, "Post3dSecure"),
                ("/v1/accounts/{account}/login_links", Post, "PostLoginLinks"),
            ],
            &NamingConfig::default(),
        );
        assert_eq!(
            got,
            [
                "customers.list",
                "customers.create",
                "customers.retrieve",
                "customers.update",
                "customers.delete",
                "customers.delete_discount",
                "customers.retrieve_cash_balance",
                "customers.update_cash_balance",
                "customers.sources.list",
                "payment_intents.confirm",
                "charges.search",
                "charges.list",
                "checkout.sessions.create",
                "account.retrieve",
                "account.update",
                "n3d_secure.create",
                "accounts.login_links.create",
            ]
        );
    }

    #[test]
    fn groups_rpc_paths_verbs_and_prefixes() {
        use HttpMethod::{Get, Post};
        let config = NamingConfig {
            strip_prefixes: vec!["/2010-04-01/Accounts/{AccountSid}".to_owned()],
            verbs: [("retrieve".to_owned(), "fetch".to_owned())].into(),
            ..NamingConfig::default()
        };
        let got = names(
            &[
                ("/repos/{owner}/{repo}/issues", Get, "issues/list-for-repo"),
                ("/chat.postMessage", Post, "chat_postMessage"),
                ("/v3/mail/send", Post, "SendMail"),
                ("/audio/speech", Post, "createSpeech"),
                ("/files/{file_id}/content", Get, "downloadFile"),
                (
                    "/2010-04-01/Accounts/{AccountSid}/Messages.json",
                    Post,
                    "CreateMessage",
                ),
                (
                    "/2010-04-01/Accounts/{AccountSid}/Messages/{Sid}.json",
                    Get,
                    "FetchMessage",
                ),
                ("/2010-04-01/Accounts/{Sid}.json", Get, "FetchAccount"),
                ("/builder/{id}", Get, "getBuilder"),
                (
                    "/2010-04-01/Accounts/{AccountSid}/IncomingPhoneNumbers/Local.json",
                    Get,
                    "ListIncomingPhoneNumberLocal",
                ),
                (
                    "/2010-04-01/Accounts/{AccountSid}/IncomingPhoneNumbers/Local.json",
                    Post,
                    "CreateIncomingPhoneNumberLocal",
                ),
                (
                    "/2010-04-01/Accounts/{AccountSid}/IncomingPhoneNumbers/{Sid}.json",
                    Get,
                    "FetchIncomingPhoneNumber",
                ),
                // A plural word that names one thing, as its operationId says.
                ("/v1/Deactivations", Get, "FetchDeactivation"),
            ],
            &config,
        );
        assert_eq!(
            got,
            [
                "issues.list_for_repo",
                "chat.post_message",
                "mail.send",
                "audio.speech.create",
                "files.content",
                "messages.create",
                "messages.fetch",
                "accounts.fetch",
                "builder_.fetch",
                "incoming_phone_numbers.local.list",
                "incoming_phone_numbers.local.create",
                "incoming_phone_numbers.fetch",
                "deactivations.fetch",
            ]
        );
    }

    #[test]
    fn equal_names_take_their_operation_ids_whatever_the_order() {
        use HttpMethod::Post;
        let ops = [
            ("/threads/runs", Post, "createThreadAndRun"),
            ("/threads/{thread_id}/runs", Post, "createRun"),
        ];
        let forward = names(&ops, &NamingConfig::default());
        let mut reversed_ops = ops;
        reversed_ops.reverse();
        let mut backward = names(&reversed_ops, &NamingConfig::default());
        backward.reverse();
        assert_eq!(
            forward,
            [
                "threads.runs.create_thread_and_run",
                "threads.runs.create_run"
            ]
        );
        assert_eq!(forward, backward);
    }

    #[test]
    fn a_query_variant_of_a_path_leaves_the_plain_name_to_the_plain_path() {
        use HttpMethod::{Get, Post};
        let got = names(
            &[
                ("/responses", Post, "createResponse"),
                ("/responses?beta=true", Post, "createResponseBeta"),
                ("/v3/marketing/contacts", Get, "ListContacts"),
                ("/v3/marketing/contacts/{id}", Get, "GetContact"),
                ("/v3/marketing/contacts/count", Get, "ListContactCount"),
            ],
            &NamingConfig::default(),
        );
        assert_eq!(
            got,
            [
                "responses.create",
                "responses.create_response_beta",
                "marketing.contacts.list",
                "marketing.contacts.retrieve",
                "marketing.contacts.count",
            ]
        );
    }
}
