//! The intermediate representation between lowering and emitting.
//!
//! Everything here is decided: Rust names are final, `$ref`s are resolved to [`TypeId`]s, and
//! every choice the emitter needs is an enum rather than a string. Emitting cannot fail because of
//! the spec once an [`Api`] exists.

use std::collections::{BTreeMap, BTreeSet};

/// A whole API, ready to emit.
#[derive(Debug, Clone)]
pub struct Api {
    /// `info.title`.
    pub title: String,
    /// `info.version`.
    pub version: String,
    /// `info.description`.
    pub docs: Docs,
    /// Base URLs, first is the default.
    pub servers: Vec<Server>,
    /// Every named type, keyed by a stable id allocated before conversion.
    pub types: BTreeMap<TypeId, TypeDef>,
    /// Every operation, sorted by resource and method name.
    pub operations: Vec<Operation>,
    /// The type name of every resource handle, by its path of accessor names from the client
    /// (`["chat", "completions"]` → `ChatCompletions`), ancestors included.
    pub resources: BTreeMap<Vec<String>, String>,
    /// Security schemes the spec declares, by name.
    pub security: Vec<SecurityScheme>,
    /// The sha256 of the spec bytes.
    pub spec_sha256: String,
    /// Pagination that no `sdkgen.toml` rule configured and that lowering detected, by
    /// operationId, with the evidence (see `lower::pagination`).
    pub detected_pagination: BTreeMap<String, String>,
    /// The events the provider delivers to its users' servers, when it describes any.
    pub webhooks: Option<Webhooks>,
}

/// The operation group, and Cargo feature, that compiles typed webhook events.
pub const WEBHOOKS_GROUP: &str = "webhooks";

impl Api {
    /// Every operation group, and `webhooks` when the API has events: the crate's features.
    pub fn groups(&self) -> BTreeSet<String> {
        let mut groups: BTreeSet<String> =
            self.operations.iter().map(|op| op.module.clone()).collect();
        if self.webhooks.is_some() {
            groups.insert(WEBHOOKS_GROUP.to_owned());
        }
        groups
    }
}

/// The events a provider delivers, how they are verified and how a delivery names its event.
#[derive(Debug, Clone)]
pub struct Webhooks {
    /// The signing scheme whose verifier checks a delivery before it is parsed.
    pub verifier: Option<WebhookVerifier>,
    /// Where a delivery names its event.
    pub dispatch: EventDispatch,
    /// Every event, sorted by name.
    pub events: Vec<WebhookEvent>,
}

/// The signing schemes the runtime verifies, by its verifier type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WebhookVerifier {
    /// `StripeVerifier`.
    Stripe,
    /// `GitHubVerifier`.
    GitHub,
    /// `StandardWebhooks` (OpenAI).
    Standard,
    /// `SlackVerifier`.
    Slack,
    /// `SendGridVerifier`.
    SendGrid,
}

/// Where a delivery names its event.
#[derive(Debug, Clone)]
pub enum EventDispatch {
    /// The body's `field` holds a constant per event (OpenAI's `type`).
    BodyTag {
        /// The JSON property.
        field: String,
    },
    /// A header names the event and, for events with actions, the body's `field` names the
    /// action (GitHub's `X-GitHub-Event` and `action`).
    HeaderAndAction {
        /// The header, lowercase.
        header: String,
        /// The JSON property of the action.
        field: String,
    },
    /// The spec describes one event and nothing to tell events apart: every delivery is it.
    Single,
    /// Every delivery is one envelope type whose `type` names the event and whose
    /// `data.object` is the payload (Stripe's `event`).
    Envelope {
        /// The envelope type.
        envelope: TypeId,
    },
}

/// One event a provider delivers.
#[derive(Debug, Clone)]
pub struct WebhookEvent {
    /// What the delivery calls it: the tag or envelope `type` (`batch.cancelled`), or for a
    /// header dispatch the header's value (`issues`).
    pub event: String,
    /// For a header dispatch, the action (`opened`); `None` matches any action, or none.
    pub action: Option<String>,
    /// The enum variant (UpperCamelCase, unique).
    pub variant: String,
    /// The payload type; [`TypeRef::Json`] where the spec gives none.
    pub payload: TypeRef,
    /// Its documentation.
    pub docs: Docs,
    /// Where it comes from in the spec.
    pub pointer: String,
}

impl WebhookEvent {
    /// The event's full name: `issues.opened`, `push`, `batch.cancelled`.
    pub fn name(&self) -> String {
        match &self.action {
            Some(action) => format!("{}.{action}", self.event),
            None => self.event.clone(),
        }
    }
}

/// A server URL with its variables.
#[derive(Debug, Clone)]
pub struct Server {
    /// The URL template, e.g. `https://{region}.example.com/v1`.
    pub url: String,
    /// Variables with their defaults, in template order.
    pub variables: Vec<(String, String)>,
    /// The description.
    pub description: Option<String>,
}

/// A declared security scheme.
#[derive(Debug, Clone)]
pub struct SecurityScheme {
    /// The name in `components/securitySchemes`.
    pub name: String,
    /// What it is.
    pub kind: SecurityKind,
}

/// The kinds of security scheme.
#[derive(Debug, Clone)]
pub enum SecurityKind {
    /// `http` with `bearer`.
    Bearer,
    /// `http` with `basic`.
    Basic,
    /// `apiKey`.
    ApiKey {
        /// Where the key goes.
        location: ApiKeyLocation,
        /// The header, query or cookie name.
        name: String,
    },
    /// `oauth2` with a client-credentials flow.
    OAuth2ClientCredentials {
        /// The token URL.
        token_url: String,
    },
    /// Any other scheme: documented, but the user configures auth by hand.
    Other(String),
}

/// Where an API key is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApiKeyLocation {
    /// A request header.
    Header,
    /// A query parameter.
    Query,
    /// A cookie.
    Cookie,
}

/// A stable id for a named type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TypeId(pub u32);

/// Rustdoc text and deprecation.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Docs {
    /// The summary, a single line.
    pub summary: Option<String>,
    /// The longer description (markdown).
    pub description: Option<String>,
    /// Whether the item is deprecated.
    pub deprecated: bool,
}

/// A named Rust type.
#[derive(Debug, Clone)]
pub struct TypeDef {
    /// The Rust name (UpperCamelCase, unique in the crate).
    pub name: String,
    /// The `types` submodule it lives in.
    pub module: String,
    /// The operation groups whose operations use it, directly or through other types; these
    /// decide which Cargo features compile it.
    pub users: std::collections::BTreeSet<String>,
    /// Which way it crosses the wire, which decides the serde impls it always has.
    pub usage: Usage,
    /// Its documentation.
    pub docs: Docs,
    /// What it is.
    pub kind: TypeKind,
    /// Where it comes from in the spec.
    pub pointer: String,
}

/// Which way a type crosses the wire.
///
/// A type that only goes out in requests needs `Serialize`, and one that only comes back in
/// responses needs `Deserialize`. Crates with per-group features compile the other impl only
/// under the `serialize` or `deserialize` feature, since it is code nobody calls unless they
/// store or replay values themselves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Usage {
    /// Only in request parameters and bodies.
    Request,
    /// Only in responses.
    Response,
    /// Both ways, or by no operation (such as webhook payloads), so both impls always.
    #[default]
    Both,
}

/// The shapes a named type can take.
#[derive(Debug, Clone)]
pub enum TypeKind {
    /// An object with named fields.
    Struct(StructDef),
    /// A string enum with a fallback variant that carries unknown values.
    StringEnum(StringEnumDef),
    /// An integer enum, emitted as a newtype with associated constants so unknown values still parse.
    IntEnum(Vec<IntVariant>),
    /// A `oneOf`/`anyOf`.
    Union(UnionDef),
    /// A name for another type (`type Foo = Vec<Bar>;`).
    Alias(TypeRef),
    /// A transparent newtype, used where an alias would be a recursive type alias.
    Newtype(TypeRef),
}

/// A string enum.
#[derive(Debug, Clone)]
pub struct StringEnumDef {
    /// The known values.
    pub variants: Vec<EnumVariant>,
    /// The name of the variant that carries values the spec does not list.
    pub fallback: String,
}

/// An object type.
#[derive(Debug, Clone)]
pub struct StructDef {
    /// The named properties, in spec order.
    pub fields: Vec<Field>,
    /// `additionalProperties` beside named properties, flattened into a map.
    pub extra: Option<TypeRef>,
}

impl StructDef {
    /// Whether a property must always be sent (it may still be null): what makes a body
    /// required, a constructor take arguments, and `Default` wrong for a request type.
    pub fn has_required_field(&self) -> bool {
        self.fields
            .iter()
            .any(|f| matches!(f.presence, Presence::Required | Presence::RequiredNullable))
    }
}

/// One property of an object.
#[derive(Debug, Clone)]
pub struct Field {
    /// The Rust field name.
    pub rust_name: String,
    /// The JSON property name.
    pub wire_name: String,
    /// The value type, without the optionality that `presence` adds.
    pub ty: TypeRef,
    /// Required or not, nullable or not.
    pub presence: Presence,
    /// Its documentation.
    pub docs: Docs,
    /// `readOnly`: sent by the server only, so left out of request types.
    pub read_only: bool,
    /// The schema requires it, but a response example showed it absent or null, so `presence`
    /// was loosened (see [`crate::examples`]).
    pub loosened_by_example: bool,
}

/// How a field may be absent or null on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Presence {
    /// Always present, never null: `T`.
    Required,
    /// Always present, may be null: `Option<T>`.
    RequiredNullable,
    /// May be absent, never null: `Option<T>`, skipped when `None`.
    Optional,
    /// May be absent or null where the difference matters (request types): `Option<Option<T>>`.
    OptionalNullable,
}

/// A string enum value.
#[derive(Debug, Clone)]
pub struct EnumVariant {
    /// The Rust variant name.
    pub rust_name: String,
    /// The wire value.
    pub wire: String,
}

/// An integer enum value.
#[derive(Debug, Clone)]
pub struct IntVariant {
    /// The associated constant's name.
    pub rust_name: String,
    /// The value.
    pub value: i64,
}

/// A union of types.
#[derive(Debug, Clone)]
pub struct UnionDef {
    /// The variants, in the order serde should try them (untagged) or in spec order (tagged).
    pub variants: Vec<UnionVariant>,
    /// How the variant is chosen.
    pub tagging: Tagging,
}

/// One variant of a union.
#[derive(Debug, Clone)]
pub struct UnionVariant {
    /// The Rust variant name.
    pub rust_name: String,
    /// Its payload.
    pub ty: TypeRef,
    /// Discriminator values that select it (tagged unions); the first is written when serializing.
    pub tags: Vec<String>,
}

/// How a union picks its variant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Tagging {
    /// Try each variant in order.
    Untagged,
    /// Read the named property; unknown tags deserialize into an `Unknown` variant.
    Discriminator {
        /// The discriminator property.
        property: String,
    },
}

/// Integer widths.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IntKind {
    /// `i32`.
    I32,
    /// `i64`.
    I64,
    /// `u32`.
    U32,
    /// `u64`.
    U64,
}

/// Float widths.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FloatKind {
    /// `f32`.
    F32,
    /// `f64`.
    F64,
}

/// A reference to a Rust type.
#[derive(Debug, Clone, PartialEq)]
pub enum TypeRef {
    /// `bool`.
    Bool,
    /// An integer.
    Int(IntKind),
    /// A float.
    Float(FloatKind),
    /// `String`.
    String,
    /// A timestamp (`format: date-time`).
    DateTime,
    /// A calendar date (`format: date`).
    Date,
    /// A UUID.
    Uuid,
    /// Base64 text decoded to bytes (`format: byte`).
    Base64,
    /// Raw bytes (`format: binary`), a file part in multipart bodies.
    Binary,
    /// A really free-form value.
    Json,
    /// Nothing (an empty body).
    Unit,
    /// `Vec<T>`.
    Array(Box<TypeRef>),
    /// A string-keyed map.
    Map(Box<TypeRef>),
    /// `Option<T>` for a nullable value outside a field (array items, map values).
    Nullable(Box<TypeRef>),
    /// Either an id string or the expanded object (Stripe's expandable fields).
    Expandable(Box<TypeRef>),
    /// A named type.
    Named(TypeId),
    /// A named type behind a `Box` to break a cycle.
    Boxed(TypeId),
}

/// An operation: one method on the client.
#[derive(Debug, Clone)]
pub struct Operation {
    /// The operation's own base URL (its `servers`), used unless the caller set a base URL.
    pub server: Option<String>,
    /// The resource handle the method hangs off, as accessor names from the client
    /// (`["chat", "completions"]`); empty for a method of the client itself.
    pub resource: Vec<String>,
    /// The Rust method name (snake_case), unique within its resource.
    pub method_name: String,
    /// Which naming rule gave the resource and method (see `lower/resources.rs`).
    pub name_origin: NameOrigin,
    /// The builder struct's name (UpperCamelCase).
    pub builder_name: String,
    /// The spec's `operationId`, or the derived one.
    pub operation_id: String,
    /// The `operations` submodule it lives in.
    pub module: String,
    /// The HTTP method.
    pub http_method: HttpMethod,
    /// The path template as written, e.g. `/users/{id}`.
    pub path_template: String,
    /// The path split into literal and parameter segments.
    pub path: Vec<PathSegment>,
    /// Every parameter.
    pub params: Vec<Param>,
    /// The request body.
    pub body: Option<RequestBody>,
    /// The documented responses.
    pub responses: Responses,
    /// Documentation.
    pub docs: Docs,
    /// Pagination, when the provider config marks the operation as a list.
    pub pagination: Option<Pagination>,
    /// Where it comes from in the spec.
    pub pointer: String,
    /// Parts that fell back to `serde_json::Value`, with the reason (for coverage reports).
    pub degraded: Vec<String>,
    /// The boolean body property that asks for a server-sent event stream (OpenAI's
    /// `stream`), which the `events()` call sets to `true` itself.
    pub stream_flag: Option<String>,
}

/// Where an operation's call name came from, for `sdkgen report`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum NameOrigin {
    /// `[naming.operations]` in `sdkgen.toml`.
    Override,
    /// The operationId's group (`issues/list-for-repo`).
    OperationIdGroup,
    /// A dotted RPC path (`/chat.postMessage`).
    RpcPath,
    /// The path's shape and the HTTP method.
    PathShape,
    /// The operationId, because the other rules gave two operations one name.
    OperationId,
}

impl NameOrigin {
    /// The label used in reports.
    pub fn label(self) -> &'static str {
        match self {
            Self::Override => "override in sdkgen.toml",
            Self::OperationIdGroup => "operationId group",
            Self::RpcPath => "dotted RPC path",
            Self::PathShape => "path shape",
            Self::OperationId => "operationId (name collision)",
        }
    }
}

/// HTTP methods that OpenAPI can describe.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum HttpMethod {
    /// GET.
    Get,
    /// PUT.
    Put,
    /// POST.
    Post,
    /// DELETE.
    Delete,
    /// OPTIONS.
    Options,
    /// HEAD.
    Head,
    /// PATCH.
    Patch,
    /// TRACE.
    Trace,
}

impl HttpMethod {
    /// All methods in the order OpenAPI lists them in a path item.
    pub const ALL: [HttpMethod; 8] = [
        Self::Get,
        Self::Put,
        Self::Post,
        Self::Delete,
        Self::Options,
        Self::Head,
        Self::Patch,
        Self::Trace,
    ];

    /// The lowercase key used in a path item.
    pub fn key(self) -> &'static str {
        match self {
            Self::Get => "get",
            Self::Put => "put",
            Self::Post => "post",
            Self::Delete => "delete",
            Self::Options => "options",
            Self::Head => "head",
            Self::Patch => "patch",
            Self::Trace => "trace",
        }
    }

    /// The uppercase method name.
    pub fn as_upper(self) -> &'static str {
        match self {
            Self::Get => "GET",
            Self::Put => "PUT",
            Self::Post => "POST",
            Self::Delete => "DELETE",
            Self::Options => "OPTIONS",
            Self::Head => "HEAD",
            Self::Patch => "PATCH",
            Self::Trace => "TRACE",
        }
    }
}

/// A piece of a path template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathSegment {
    /// Literal text, emitted as is.
    Literal(String),
    /// The index of a path parameter in [`Operation::params`].
    Param(usize),
}

/// A parameter of an operation.
#[derive(Debug, Clone)]
pub struct Param {
    /// The Rust name (argument or setter).
    pub rust_name: String,
    /// The name on the wire.
    pub wire_name: String,
    /// Where it goes and how it is serialized.
    pub location: ParamLocation,
    /// Required parameters are method arguments; optional ones are builder setters.
    pub required: bool,
    /// Its type.
    pub ty: TypeRef,
    /// Documentation.
    pub docs: Docs,
}

/// Where a parameter goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamLocation {
    /// In the path (simple style).
    Path,
    /// In the query string.
    Query {
        /// The serialization style.
        style: QueryStyle,
        /// Whether arrays and objects are exploded.
        explode: bool,
    },
    /// A header (simple style).
    Header,
    /// A cookie.
    Cookie,
}

/// Query serialization styles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueryStyle {
    /// `form`.
    Form,
    /// `spaceDelimited`.
    SpaceDelimited,
    /// `pipeDelimited`.
    PipeDelimited,
    /// `deepObject`.
    DeepObject,
}

/// A request body.
#[derive(Debug, Clone)]
pub struct RequestBody {
    /// How it is encoded.
    pub kind: BodyKind,
    /// The media type sent in `Content-Type`.
    pub content_type: String,
    /// Its type; for multipart this is a struct whose fields are the parts.
    pub ty: TypeRef,
    /// Required bodies are method arguments.
    pub required: bool,
    /// Documentation.
    pub docs: Docs,
}

/// Request body encodings.
#[derive(Debug, Clone, PartialEq)]
pub enum BodyKind {
    /// `application/json` and `+json` types.
    Json,
    /// `application/x-www-form-urlencoded`.
    Form {
        /// How each field is written, for the fields whose encoding is not the default
        /// (form style, exploded): what the spec's `encoding` declares, and JSON text for
        /// free-form fields (filled once the body struct is lowered).
        fields: BTreeMap<String, FormField>,
    },
    /// `multipart/form-data`, one part per field of the body struct.
    Multipart {
        /// The parts, filled once the body struct is lowered.
        parts: Vec<MultipartField>,
        /// Fields whose `encoding` says `style: deepObject`: sent as bracketed text parts
        /// (`file_link_data[create]=true`, `expand[]=...`), as Stripe reads them.
        deep_object: BTreeSet<String>,
        /// Objects, arrays and file lists without an `encoding` of their own go in bracket
        /// notation (`expires_after[anchor]`, `include[]`, `files[]`), as the provider's
        /// own SDKs send them (`[encoding] multipart = "brackets"`).
        brackets: bool,
    },
    /// Raw bytes.
    Binary,
    /// Text.
    Text,
}

/// How one top-level field of a form body is written (OpenAPI's `encoding` for it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormField {
    /// `style: form`; `explode` says whether arrays repeat the name.
    Form {
        /// Whether arrays and objects are exploded.
        explode: bool,
    },
    /// `style: spaceDelimited`.
    SpaceDelimited,
    /// `style: pipeDelimited`.
    PipeDelimited,
    /// `style: deepObject`: bracketed keys, as Stripe declares for its fields.
    DeepObject,
    /// JSON text: `contentType: application/json`, or a free-form field with no encoding.
    Json,
}

/// How one field of a multipart body struct becomes a part.
#[derive(Debug, Clone, PartialEq)]
pub struct MultipartField {
    /// The Rust field name.
    pub rust_name: String,
    /// The part name.
    pub wire_name: String,
    /// The part name of each item of a list of files: the name, or `name[]` in bracket
    /// notation.
    pub item_name: String,
    /// How the value is written.
    pub encoding: PartEncoding,
    /// Whether the field is an `Option`.
    pub optional: bool,
}

/// How a multipart field is written.
#[derive(Debug, Clone, PartialEq)]
pub enum PartEncoding {
    /// A file part.
    File,
    /// One file part per item of a list, each under the field's name (`name[]` in bracket
    /// notation).
    FileList,
    /// A union of a file and a list of files (OpenAI's `files` of a skill: a zip, or a
    /// folder's files): the named variants that hold one file, and those that hold a list.
    FileUnion {
        /// The union.
        ty: TypeRef,
        /// Variants holding one file.
        single: Vec<String>,
        /// Variants holding a list of files.
        list: Vec<String>,
    },
    /// Plain text (scalars).
    Text,
    /// Several parts with the same name, one per array element (scalars).
    TextArray,
    /// JSON text.
    Json,
    /// Bracketed text parts, one per leaf (`name[key]`, `name[]`, `name[0][key]`).
    DeepObject,
}

/// The documented responses of an operation.
#[derive(Debug, Clone)]
pub struct Responses {
    /// Success responses; several distinct bodies become an enum.
    pub success: SuccessResponse,
    /// Documented error bodies.
    pub errors: Vec<ResponseCase>,
    /// The name of the error-body enum, when `errors` is not empty.
    pub error_type_name: String,
    /// The event type, when a JSON success response can also be a `text/event-stream`.
    pub event_stream: Option<TypeRef>,
    /// The media types the responses declare, joined for the `Accept` header (success
    /// types first); `None` when no response has a body.
    pub accept: Option<String>,
    /// The only documented successes are redirects (`301`, `302`, `303`, `307`, `308`),
    /// which are then the call's answer, not an error status: the `Location`
    /// ([`ResponseBody::Redirect`]) or the redirect's documented body.
    pub redirect_answers: bool,
}

/// What a successful call returns.
#[derive(Debug, Clone)]
pub enum SuccessResponse {
    /// One body shape for every 2xx status.
    Single(ResponseBody),
    /// Several bodies, one enum variant per status.
    Enum {
        /// The enum's name.
        name: String,
        /// The cases.
        cases: Vec<ResponseCase>,
    },
}

/// One documented status and its body.
#[derive(Debug, Clone)]
pub struct ResponseCase {
    /// Which statuses it matches.
    pub status: StatusMatch,
    /// The enum variant name.
    pub variant: String,
    /// The body.
    pub body: ResponseBody,
}

/// Which statuses a response matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum StatusMatch {
    /// One status code.
    Code(u16),
    /// `4XX` and friends: the hundreds digit.
    Range(u8),
    /// `default`.
    Default,
}

/// A response body shape.
#[derive(Debug, Clone, PartialEq)]
pub enum ResponseBody {
    /// No body.
    Empty,
    /// JSON of a type.
    Json(TypeRef),
    /// Text.
    Text,
    /// Bytes (downloads).
    Binary,
    /// A `text/event-stream` of JSON events of a type.
    EventStream(TypeRef),
    /// The `Location` of a redirect without a documented body, the operation's only
    /// documented success (GitHub's downloads answer `302` with a signed URL on a storage
    /// host).
    Redirect,
}

/// How a list operation pages, from the provider config.
#[derive(Debug, Clone, PartialEq)]
pub struct Pagination {
    /// The style and its pointers.
    pub style: PaginationStyle,
    /// The JSON pointer to the items array ("" when the body is the array).
    pub items: String,
    /// The item type.
    pub item_type: TypeRef,
    /// Skip operations the rule matched whose response has no items array, without a warning
    /// (for broad globs such as `Get*`).
    pub quiet: bool,
}

/// Pagination styles the runtime implements.
#[derive(Debug, Clone, PartialEq)]
pub enum PaginationStyle {
    /// `has_more` plus a cursor taken from the last item's field.
    Cursor {
        /// Pointer to the has-more flag.
        has_more: String,
        /// The query parameter carrying the cursor.
        cursor_param: String,
        /// The item field the cursor comes from.
        cursor_field: String,
    },
    /// `has_more` plus a cursor read from the body.
    CursorFromBody {
        /// Pointer to the has-more flag.
        has_more: String,
        /// The query parameter carrying the cursor.
        cursor_param: String,
        /// Pointer to the cursor in the body.
        cursor_pointer: String,
    },
    /// A next-page URL in the body.
    NextUrl {
        /// Pointer to the URL.
        next: String,
    },
    /// An RFC 8288 `Link: <…>; rel="next"` header.
    LinkHeader,
    /// A page number until an empty or short page.
    PageNumber {
        /// The page query parameter.
        page_param: String,
        /// The first page's number.
        first_page: u64,
        /// The page-size parameter, if any.
        per_page_param: Option<String>,
    },
    /// Offset and limit.
    OffsetLimit {
        /// The offset parameter.
        offset_param: String,
        /// The limit parameter.
        limit_param: String,
        /// Pointer to the total count, if any.
        total: Option<String>,
    },
    /// A continuation token in the body.
    Token {
        /// Pointer to the token.
        token_pointer: String,
        /// The query parameter carrying it.
        token_param: String,
    },
}
