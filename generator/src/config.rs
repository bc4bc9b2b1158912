//! `sdkgen.toml`: what a provider's spec does not say.
//!
//! The spec describes the API's shape; this file describes the provider's behaviour (pagination,
//! error bodies, rate limits, headers) and the crate to write. Every key is optional so that a
//! bare spec generates with sensible defaults.

use serde::Deserialize;

use crate::diagnostics::{DiagnosticKind, Diagnostics};

/// The whole configuration file.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The generated crate.
    #[serde(default, rename = "crate")]
    pub crate_: CrateConfig,
    /// Where the spec comes from.
    #[serde(default)]
    pub source: SourceConfig,
    /// Runtime behaviour.
    #[serde(default)]
    pub runtime: RuntimeConfig,
    /// Pagination rules, first match wins, without the `style = "none"` rules (which only turn
    /// detection off, see [`crate::lower`]'s pagination detection).
    #[serde(default)]
    pub pagination: Vec<PaginationRule>,
    /// Every pagination rule as written, `none` included, in order.
    #[serde(skip)]
    pub pagination_rules: Vec<PaginationRule>,
    /// How the provider authenticates, when the spec does not say (or says it wrong).
    pub auth: Option<AuthConfig>,
    /// Optional headers the provider reads on every request, each with a builder method.
    #[serde(default)]
    pub headers: Vec<ClientHeader>,
    /// Named base URLs besides the spec's servers (regional hosts), by name.
    #[serde(default)]
    pub servers: indexmap::IndexMap<String, String>,
    /// Fixes for upstream bugs, applied to the spec as written before it is read.
    #[serde(default)]
    pub patches: Vec<SpecPatch>,
    /// Parameters removed from every operation (after the patches), such as a credential that
    /// the spec lists per call but the client sends through its auth.
    #[serde(default)]
    pub drop_parameters: Vec<DropParameter>,
    /// How the spec's response examples are used (see [`crate::examples`]).
    #[serde(default)]
    pub examples: ExamplesConfig,
    /// How calls are named (see `generator/src/lower/resources.rs` for the rule).
    #[serde(default)]
    pub naming: NamingConfig,
    /// How the provider's webhook deliveries are verified and told apart (see
    /// `generator/src/lower/webhooks.rs`).
    #[serde(default)]
    pub webhooks: WebhooksConfig,
    /// How request bodies are written where the spec leaves it to the default.
    #[serde(default)]
    pub encoding: EncodingConfig,
}

/// How request bodies are written where the spec declares no `encoding`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EncodingConfig {
    /// `"brackets"`: objects, arrays and lists of files in a multipart form go in bracket
    /// notation (`expires_after[anchor]=…`, `include[]=…`, `files[]`), as the provider's own
    /// SDKs send them, instead of OpenAPI's default (an object as one `application/json`
    /// part, an array as repeated parts). `"default"` (or absent) keeps OpenAPI's.
    pub multipart: Option<MultipartStyle>,
}

/// How a multipart form writes nested values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MultipartStyle {
    /// OpenAPI's default.
    Default,
    /// Bracket notation.
    Brackets,
}

/// How a provider signs its webhook deliveries and how a delivery names its event.
///
/// Typed events come from the spec's OpenAPI 3.1 `webhooks`, or, for a provider that
/// describes its deliveries as one envelope object (Stripe's `event`), from `envelope` and
/// `event_types`. Without any of it a crate has no `webhooks` module.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebhooksConfig {
    /// The signing scheme, one of `stripe`, `github`, `standard` (Standard Webhooks, as
    /// OpenAI uses), `slack` and `sendgrid`; its verifier checks every delivery before
    /// `construct_event` parses it. Without it the crate parses events but verifies none.
    pub verifier: Option<String>,
    /// The header that names the event, as GitHub's `X-GitHub-Event`: each webhook's event is
    /// its operationId up to `/`, in snake_case. Without it, the body names the event.
    pub event_header: Option<String>,
    /// The body property that names the action within an event (GitHub's `action`): each
    /// webhook's action is that property's one value, or its operationId after `/`.
    pub action_field: Option<String>,
    /// The body property whose one constant value names each event (OpenAI's `type`).
    /// Detected when left out: the required property that is a different constant in every
    /// payload.
    pub tag_field: Option<String>,
    /// A component schema that wraps every delivery, whose `type` names the event and whose
    /// `data.object` is the event's payload (Stripe's `event`).
    pub envelope: Option<String>,
    /// A JSON Pointer to the string enum that lists every event type, for `envelope`.
    pub event_types: Option<String>,
    /// The component schema of an event's `data.object`, by event type, where the rule gets
    /// it wrong (see `lower/webhooks.rs`); `""` leaves the payload untyped JSON.
    #[serde(default)]
    pub payloads: std::collections::BTreeMap<String, String>,
}

/// Knobs of the call-naming rule, for the few things a spec cannot say.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NamingConfig {
    /// Path prefixes that name no resource, such as Twilio's
    /// `/2010-04-01/Accounts/{AccountSid}`, under which every call of the account lives.
    #[serde(default)]
    pub strip_prefixes: Vec<String>,
    /// The provider's own words for the standard verbs (`retrieve = "fetch"` for Twilio).
    #[serde(default)]
    pub verbs: std::collections::BTreeMap<String, String>,
    /// Names that the rule gets wrong, by operationId: `"GetFoo" = "foos.list"`. Each one is
    /// counted by `sdkgen report`.
    #[serde(default)]
    pub operations: std::collections::BTreeMap<String, String>,
    /// Type names kept across spec updates: the name the rules give now → the name users
    /// already depend on. `sdkgen vendor --update` writes one for each type the update would
    /// rename (an enum named by its values that gained a value, an inline schema that became a
    /// component), so that an update never moves a name; delete a line to take the new name
    /// in a major release.
    #[serde(default)]
    pub types: std::collections::BTreeMap<String, String>,
}

/// How the spec's response examples are used.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExamplesConfig {
    /// Examples that are wrong, which neither loosen the types nor count as conflicts.
    #[serde(default)]
    pub ignore: Vec<IgnoredExample>,
}

impl ExamplesConfig {
    /// Whether the example at `pointer` is ignored.
    pub fn ignores(&self, pointer: &str) -> bool {
        self.ignore.iter().any(|i| i.pointer == pointer)
    }
}

/// A response example the generator does not trust, with the reason.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IgnoredExample {
    /// Its JSON Pointer, as `sdkgen report` prints it.
    pub pointer: String,
    /// What is wrong with it.
    pub why: String,
}

/// A parameter name removed from every operation, with the reason.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DropParameter {
    /// The parameter's name, in any location (header, query, form field).
    pub name: String,
    /// Why the spec's parameter is wrong for this client.
    pub why: String,
}

/// What to change in one spec file before it is read.
#[derive(Debug, Clone, Default)]
pub struct SpecFixes<'c> {
    /// JSON Patches, in order.
    pub patches: Vec<&'c SpecPatch>,
    /// Parameter names removed from every operation.
    pub dropped_parameters: Vec<&'c str>,
}

/// How the provider authenticates, and the environment variables `Client::from_env` reads.
#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "scheme", rename_all = "snake_case", deny_unknown_fields)]
pub enum AuthConfig {
    /// `Authorization: Bearer <token>`.
    Bearer {
        /// The variable holding the token.
        env: String,
    },
    /// HTTP basic auth (Twilio's account SID and auth token).
    Basic {
        /// The variable holding the user name.
        user_env: String,
        /// The variable holding the password.
        password_env: String,
    },
    /// An API key in a header.
    ApiKeyHeader {
        /// The header name.
        name: String,
        /// The variable holding the key.
        env: String,
    },
    /// An API key in a query parameter.
    ApiKeyQuery {
        /// The parameter name.
        name: String,
        /// The variable holding the key.
        env: String,
    },
}

/// A header the provider accepts on every request (OpenAI's `OpenAI-Organization`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClientHeader {
    /// The builder method that sets it (`organization`).
    pub method: String,
    /// The header name.
    pub name: String,
    /// The environment variable `Client::from_env` reads it from, when set.
    pub env: Option<String>,
    /// What the header does, for the method's documentation.
    pub doc: Option<String>,
}

/// A JSON Patch (RFC 6902) against one spec file, with the reason it exists.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SpecPatch {
    /// Why the upstream spec needs it; a patch without a reason is refused.
    pub why: String,
    /// The spec file it applies to (a `[[source.files]]` path); every spec when absent.
    pub file: Option<String>,
    /// The operations, applied in order; one that fails stops generation.
    pub ops: Vec<json_patch::PatchOperation>,
}

/// The generated crate's identity.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CrateConfig {
    /// The crate name.
    #[serde(default = "default_crate_name")]
    pub name: String,
    /// The crate version.
    #[serde(default = "default_crate_version")]
    pub version: String,
    /// One Cargo feature per operation group (plus `full`), so users compile only what they use.
    #[serde(default)]
    pub features: bool,
    /// Decode documented error bodies into per-operation enums (on by default). A provider whose
    /// error schema embeds much of the API (Stripe's embeds PaymentIntent, SetupIntent and
    /// Source) turns it off so that each feature stays small; the normalized error still carries
    /// the status, code, message, request id and raw body.
    #[serde(default = "yes")]
    pub typed_errors: bool,
}

fn yes() -> bool {
    true
}

impl Default for CrateConfig {
    fn default() -> Self {
        Self {
            name: default_crate_name(),
            version: default_crate_version(),
            features: false,
            typed_errors: true,
        }
    }
}

fn default_crate_name() -> String {
    "api-client".to_owned()
}

fn default_crate_version() -> String {
    "0.1.0".to_owned()
}

/// Upstream source of the spec files.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceConfig {
    /// The main spec file, relative to the config's folder.
    #[serde(default)]
    pub spec: Option<String>,
    /// Files to vendor, with their pinned URL and sha256.
    #[serde(default)]
    pub files: Vec<SourceFile>,
}

/// One vendored spec file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceFile {
    /// The file name inside `specs/<provider>/`.
    pub path: String,
    /// The path inside the mirror folder.
    #[serde(default)]
    pub mirror: Option<String>,
    /// The pinned download URL.
    #[serde(default)]
    pub url: Option<String>,
    /// The expected sha256.
    pub sha256: String,
    /// For crates built from several specs: the module this file's client goes into.
    #[serde(default)]
    pub module: Option<String>,
    /// A file that contributes only its OpenAPI 3.1 `webhooks` to the main spec, as GitHub's
    /// separate webhooks description does. Their `$ref`s name the main spec's component
    /// schemas; one the main spec lacks is taken from this file.
    #[serde(default)]
    pub webhooks: bool,
}

/// Provider behaviour handed to the runtime.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuntimeConfig {
    /// The header that carries the request id.
    pub request_id_header: Option<String>,
    /// JSON pointer to the provider's error code.
    pub error_code_pointer: Option<String>,
    /// JSON pointer to the provider's error message.
    pub error_message_pointer: Option<String>,
    /// The idempotency header the provider accepts on POSTs.
    pub idempotency_header: Option<String>,
    /// A header whose `true`/`false` overrides retry classification.
    pub retry_signal_header: Option<String>,
    /// A header sent on every request pinning the API version.
    pub version_header: Option<VersionHeader>,
    /// Proactive rate limit.
    pub rate_limit: Option<RateLimitConfig>,
    /// Rate-limit headers the provider sends.
    pub rate_limit_headers: Option<RateLimitHeadersConfig>,
    /// A header carrying the attempt count.
    pub attempt_header: Option<String>,
    /// Overrides the spec's first server.
    pub base_url: Option<String>,
    /// JSON pointer to a boolean that, when `false` in a 2xx body, makes the call an API error
    /// (Slack's `/ok`).
    pub ok_flag: Option<String>,
}

/// A pinned version header.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VersionHeader {
    /// Header name.
    pub name: String,
    /// Header value.
    pub value: String,
}

/// A token bucket's rate.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RateLimitConfig {
    /// Requests per second.
    pub per_second: Option<f64>,
    /// Requests per hour.
    pub per_hour: Option<f64>,
    /// Bucket size.
    pub burst: Option<u32>,
}

/// Names of the provider's rate-limit headers.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RateLimitHeadersConfig {
    /// The limit header.
    pub limit: Option<String>,
    /// The remaining header.
    pub remaining: String,
    /// The reset header.
    pub reset: String,
    /// `epoch_seconds`, `delay_seconds`, `delay_millis` or `duration` (OpenAI's `6m0s`).
    pub reset_kind: String,
}

/// Every pagination style, with the fields it needs (README, "Pagination", documents each).
/// `none` keeps the matched operations unpaginated, overriding detection.
pub const PAGINATION_STYLES: [(&str, &[&str]); 8] = [
    ("cursor", &["has_more", "cursor_param"]),
    (
        "cursor_from_body",
        &["has_more", "cursor_param", "cursor_pointer"],
    ),
    ("next_url", &["next"]),
    ("link_header", &[]),
    ("page_number", &["page_param"]),
    ("offset_limit", &["offset_param", "limit_param"]),
    ("token", &["token_pointer", "token_param"]),
    ("none", &[]),
];

/// Which operations page and how.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PaginationRule {
    /// Globs (`*` wildcard) over operationIds.
    pub operations: Vec<String>,
    /// The style name.
    pub style: String,
    /// Pointer to the items array ("" when the body is the array).
    #[serde(default)]
    pub items: String,
    /// Cursor styles: pointer to the has-more flag.
    pub has_more: Option<String>,
    /// Cursor styles: the query parameter.
    pub cursor_param: Option<String>,
    /// `cursor`: the item field the next cursor comes from.
    pub cursor_field: Option<String>,
    /// `cursor_from_body`: pointer to the cursor.
    pub cursor_pointer: Option<String>,
    /// `next_url`: pointer to the next URL.
    pub next: Option<String>,
    /// `page_number`: the page parameter.
    pub page_param: Option<String>,
    /// `page_number`: the first page.
    pub first_page: Option<u64>,
    /// `page_number`: the page-size parameter.
    pub per_page_param: Option<String>,
    /// `offset_limit`: the offset parameter.
    pub offset_param: Option<String>,
    /// `offset_limit`: the limit parameter.
    pub limit_param: Option<String>,
    /// `offset_limit`: pointer to the total.
    pub total: Option<String>,
    /// `token`: pointer to the token.
    pub token_pointer: Option<String>,
    /// `token`: the query parameter.
    pub token_param: Option<String>,
    /// Silently skip matched operations whose response has no items array.
    #[serde(default)]
    pub skip_mismatch: bool,
    /// For crates built from several specs: the modules this rule applies to (all when empty).
    #[serde(default)]
    pub modules: Vec<String>,
}

impl PaginationRule {
    /// The fields this rule's style needs and does not set (`None` for an unknown style).
    pub fn missing_fields(&self) -> Option<Vec<&'static str>> {
        let (_, needs) = PAGINATION_STYLES
            .iter()
            .find(|(style, _)| *style == self.style)?;
        let set = |field: &str| match field {
            "has_more" => self.has_more.is_some(),
            "cursor_param" => self.cursor_param.is_some(),
            "cursor_pointer" => self.cursor_pointer.is_some(),
            "next" => self.next.is_some(),
            "page_param" => self.page_param.is_some(),
            "offset_param" => self.offset_param.is_some(),
            "limit_param" => self.limit_param.is_some(),
            "token_pointer" => self.token_pointer.is_some(),
            "token_param" => self.token_param.is_some(),
            _ => false,
        };
        Some(needs.iter().copied().filter(|f| !set(f)).collect())
    }

    /// True when `operation_id` matches one of the globs.
    pub fn matches(&self, operation_id: &str) -> bool {
        self.operations
            .iter()
            .any(|glob| glob_match(glob, operation_id))
    }
}

/// True when a configured file name (`tsg_mail_v3.json`) names the spec at `spec`.
fn names_file(file: &str, spec: &std::path::Path) -> bool {
    spec.file_name().is_some_and(|n| n == file) || spec.ends_with(file)
}

/// Matches `*` wildcards; everything else is literal.
pub fn glob_match(glob: &str, text: &str) -> bool {
    let parts: Vec<&str> = glob.split('*').collect();
    if parts.len() == 1 {
        return glob == text;
    }
    let mut rest = text;
    for (i, part) in parts.iter().enumerate() {
        if i == 0 {
            let Some(r) = rest.strip_prefix(part) else {
                return false;
            };
            rest = r;
        } else if i == parts.len() - 1 {
            return rest.ends_with(part);
        } else {
            let Some(pos) = rest.find(part) else {
                return false;
            };
            rest = &rest[pos + part.len()..];
        }
    }
    true
}

impl Config {
    /// The patches and dropped parameters that apply to the spec file at `spec`.
    pub fn fixes_for(&self, spec: &std::path::Path) -> SpecFixes<'_> {
        SpecFixes {
            patches: self
                .patches
                .iter()
                .filter(|p| p.file.as_deref().is_none_or(|f| names_file(f, spec)))
                .collect(),
            dropped_parameters: self
                .drop_parameters
                .iter()
                .map(|d| d.name.as_str())
                .collect(),
        }
    }

    /// Reports each pagination rule with an unknown style (listing the valid ones) or without a
    /// field its style needs, as an error: such a rule would otherwise page nothing, quietly.
    fn check_pagination(&self, origin: &str, diags: &mut Diagnostics) -> bool {
        let mut ok = true;
        for (i, rule) in self.pagination.iter().enumerate() {
            let at = format!("{origin}: pagination[{i}]");
            match rule.missing_fields() {
                None => {
                    let valid: Vec<&str> = PAGINATION_STYLES.iter().map(|(s, _)| *s).collect();
                    diags.error_with_hint(
                        DiagnosticKind::Config,
                        &at,
                        format!(
                            "unknown pagination style `{}`; the styles are {}",
                            rule.style,
                            valid.join(", ")
                        ),
                        "README's \"Pagination\" section lists each style's fields",
                    );
                    ok = false;
                }
                Some(missing) if !missing.is_empty() => {
                    diags.error_with_hint(
                        DiagnosticKind::Config,
                        &at,
                        format!(
                            "pagination style `{}` needs {}",
                            rule.style,
                            missing
                                .iter()
                                .map(|f| format!("`{f}`"))
                                .collect::<Vec<_>>()
                                .join(" and ")
                        ),
                        "README's \"Pagination\" section lists each style's fields",
                    );
                    ok = false;
                }
                Some(_) => {}
            }
        }
        ok
    }

    /// Reports patches without a reason and patches naming a file that is not one of `specs`.
    pub fn check_patches(&self, specs: &[&std::path::Path], diags: &mut Diagnostics) {
        for (i, patch) in self.patches.iter().enumerate() {
            let at = format!("sdkgen.toml: patches[{i}]");
            if patch.why.trim().is_empty() {
                diags.error_with_hint(
                    DiagnosticKind::Config,
                    &at,
                    "a spec patch has no reason",
                    "say in `why` which upstream bug the patch works around",
                );
            }
            if let Some(file) = &patch.file {
                if !specs.iter().any(|s| names_file(file, s)) {
                    diags.error_with_hint(
                        DiagnosticKind::Config,
                        &at,
                        format!("the spec patch names `{file}`, which is not a spec of this crate"),
                        "set `file` to the `path` of one of the [[source.files]]",
                    );
                }
            }
        }
    }

    /// Parses a config file's text.
    pub fn parse(text: &str, origin: &str, diags: &mut Diagnostics) -> Option<Config> {
        match toml::from_str::<Config>(text) {
            Ok(mut config) => {
                if !config.check_pagination(origin, diags) {
                    return None;
                }
                config.pagination_rules = config.pagination.clone();
                config.pagination.retain(|rule| rule.style != "none");
                Some(config)
            }
            Err(err) => {
                diags.error(
                    DiagnosticKind::Config,
                    origin,
                    format!("invalid sdkgen.toml: {err}"),
                );
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_match_prefixes_suffixes_and_middles() {
        assert!(glob_match("list_*", "list_pets"));
        assert!(glob_match("*_list", "pets_list"));
        assert!(glob_match("a*b*c", "axxbyyc"));
        assert!(!glob_match("list_*", "get_pet"));
        assert!(glob_match("exact", "exact"));
    }
}
