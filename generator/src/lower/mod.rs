//! Lower phase: a normalized document → the [`Api`] IR.
//!
//! Ids for every component schema are allocated before anything is converted, so forward and
//! cyclic `$ref`s resolve to a [`TypeId`] at once; targets of other refs are allocated on first
//! sight and converted from a work list. Schemas are read leniently from the JSON value (one
//! keyword at a time) rather than deserialized whole, so one odd keyword degrades one type, with
//! a located warning, and never the whole spec. After conversion, passes decide modules, break
//! cycles with `Box`, and shape request types (tri-state nulls, no `readOnly` fields).

mod operation;
pub(crate) use operation::is_json;
mod pagination;
mod passes;
mod resources;
mod schema;
mod webhooks;

use std::collections::BTreeMap;

use serde_json::Value;

use crate::config::Config;
use crate::diagnostics::{DiagnosticKind, Diagnostics, pointer};
use crate::ir::{
    Api, ApiKeyLocation, Docs, SecurityKind, SecurityScheme, Server, TypeDef, TypeId, TypeKind,
    TypeRef,
};
use crate::load::Document;
use crate::naming::{self, Scope};

/// Lowers a loaded document into the IR.
pub fn lower(doc: &Document, config: &Config, diags: &mut Diagnostics) -> Api {
    let mut lowerer = Lowerer::new(&doc.root, config, diags);
    lowerer.allocate_components();
    // Component schemas are converted before any operation, so that a schema nested in one
    // (`issue`'s label items) is named from its component, not from whichever operation
    // reached it first through an `allOf`.
    lowerer.drain_pending();
    let operations = lowerer.lower_operations();
    let webhooks = lowerer.lower_webhooks(doc.webhooks.as_ref());
    lowerer.drain_pending();
    let mut api = Api {
        title: str_at(&doc.root, "/info/title").unwrap_or("API").to_owned(),
        version: str_at(&doc.root, "/info/version")
            .unwrap_or("0.0.0")
            .to_owned(),
        docs: Docs {
            summary: str_at(&doc.root, "/info/title").map(str::to_owned),
            description: str_at(&doc.root, "/info/description").map(str::to_owned),
            deprecated: false,
        },
        servers: lower_servers(&doc.root),
        types: std::mem::take(&mut lowerer.types),
        resources: resource_type_names(&operations),
        operations,
        security: lower_security(&doc.root, lowerer.diags),
        spec_sha256: doc.sha256.clone(),
        detected_pagination: BTreeMap::new(),
        webhooks,
    };
    pagination::detect(&mut api, &doc.root, config);
    passes::run(&mut api, lowerer.diags);
    passes::keep_type_names(&mut api, &config.naming.types, lowerer.diags);
    crate::examples::reconcile(&doc.root, &mut api, &config.examples, lowerer.diags);
    api
}

/// Names the handle type of every resource that has operations, and of its ancestors.
fn resource_type_names(operations: &[crate::ir::Operation]) -> BTreeMap<Vec<String>, String> {
    let paths: std::collections::BTreeSet<&[String]> = operations
        .iter()
        .flat_map(|op| (1..=op.resource.len()).map(|n| &op.resource[..n]))
        .collect();
    let mut scope = Scope::with_reserved(&["Client"]);
    paths
        .into_iter()
        .map(|path| {
            (
                path.to_vec(),
                scope.claim(&naming::type_name(&path.join("_"))),
            )
        })
        .collect()
}

/// Reads a string at a JSON pointer.
pub(crate) fn str_at<'v>(value: &'v Value, ptr: &str) -> Option<&'v str> {
    value.pointer(ptr).and_then(Value::as_str)
}

pub(crate) struct Lowerer<'a> {
    root: &'a Value,
    config: &'a Config,
    diags: &'a mut Diagnostics,
    types: BTreeMap<TypeId, TypeDef>,
    names: BTreeMap<TypeId, String>,
    by_pointer: BTreeMap<String, TypeId>,
    pending: Vec<(TypeId, String)>,
    type_names: Scope,
    next_id: u32,
}

impl<'a> Lowerer<'a> {
    fn new(root: &'a Value, config: &'a Config, diags: &'a mut Diagnostics) -> Self {
        Self {
            root,
            config,
            diags,
            types: BTreeMap::new(),
            names: BTreeMap::new(),
            by_pointer: BTreeMap::new(),
            pending: Vec::new(),
            type_names: Scope::new(),
            next_id: 0,
        }
    }

    /// Claims names for every component schema in document order, before converting any.
    fn allocate_components(&mut self) {
        let root = self.root;
        let Some(schemas) = root
            .pointer("/components/schemas")
            .and_then(Value::as_object)
        else {
            return;
        };
        for name in schemas.keys() {
            let ptr = pointer("#/components/schemas", name);
            self.allocate(&ptr, &naming::type_name(name));
        }
    }

    /// Allocates an id for a ref target and queues its conversion.
    fn allocate(&mut self, ptr: &str, name: &str) -> TypeId {
        if let Some(id) = self.by_pointer.get(ptr) {
            return *id;
        }
        let id = self.new_id(name);
        self.by_pointer.insert(ptr.to_owned(), id);
        self.pending.push((id, ptr.to_owned()));
        id
    }

    /// Allocates an id and a unique name for a type converted right away.
    fn new_id(&mut self, name: &str) -> TypeId {
        let id = TypeId(self.next_id);
        self.next_id += 1;
        let claimed = self.type_names.claim(name);
        self.names.insert(id, claimed);
        id
    }

    fn name_of(&self, id: TypeId) -> String {
        self.names.get(&id).cloned().unwrap_or_default()
    }

    /// Converts every queued ref target; converting one may queue more.
    fn drain_pending(&mut self) {
        let mut next = 0;
        while next < self.pending.len() {
            let (id, ptr) = self.pending[next].clone();
            next += 1;
            if self.types.contains_key(&id) {
                continue;
            }
            let root = self.root;
            let node = resolve(root, &ptr);
            let name = self.name_of(id);
            let (kind, docs) = match node {
                Some(node) => (
                    self.lower_named_kind(node, &ptr, &name),
                    schema::docs_of(node),
                ),
                None => (TypeKind::Alias(TypeRef::Json), Docs::default()),
            };
            self.insert_type(id, name, kind, docs, ptr);
        }
    }

    fn insert_type(&mut self, id: TypeId, name: String, kind: TypeKind, docs: Docs, ptr: String) {
        self.types.insert(
            id,
            TypeDef {
                name,
                module: String::new(),
                users: Default::default(),
                usage: Default::default(),
                docs,
                kind,
                pointer: ptr,
            },
        );
    }
}

/// Resolves a local `$ref` (`#/a/b`) against the document, with percent-decoding.
pub(crate) fn resolve<'v>(root: &'v Value, reference: &str) -> Option<&'v Value> {
    let ptr = reference.strip_prefix('#')?;
    if ptr.is_empty() {
        return Some(root);
    }
    root.pointer(ptr)
        .or_else(|| root.pointer(&percent_decode(ptr)))
}

/// The schema (or parameter, response, …) a node stands for: the node itself, or what its
/// local `$ref` chain names (at most 16 links; a dangling or looping chain stops where it is).
pub(crate) fn deref<'v>(root: &'v Value, mut node: &'v Value) -> &'v Value {
    for _ in 0..16 {
        match node
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(|r| resolve(root, r))
        {
            Some(target) => node = target,
            None => break,
        }
    }
    node
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3])
                .ok()
                .and_then(|h| u8::from_str_radix(h, 16).ok());
            if let Some(b) = hex {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn lower_servers(root: &Value) -> Vec<Server> {
    let Some(servers) = root.get("servers").and_then(Value::as_array) else {
        return Vec::new();
    };
    servers
        .iter()
        .filter_map(|s| {
            let url = s.get("url")?.as_str()?.to_owned();
            let variables = s
                .get("variables")
                .and_then(Value::as_object)
                .map(|vars| {
                    vars.iter()
                        .map(|(name, v)| {
                            let default = match v.get("default") {
                                Some(Value::String(s)) => s.clone(),
                                Some(other) => other.to_string(),
                                None => String::new(),
                            };
                            (name.clone(), default)
                        })
                        .collect()
                })
                .unwrap_or_default();
            let description = s
                .get("description")
                .and_then(Value::as_str)
                .map(str::to_owned);
            Some(Server {
                url,
                variables,
                description,
            })
        })
        .collect()
}

fn lower_security(root: &Value, diags: &mut Diagnostics) -> Vec<SecurityScheme> {
    let Some(schemes) = root
        .pointer("/components/securitySchemes")
        .and_then(Value::as_object)
    else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (name, node) in schemes {
        let node = match node.get("$ref").and_then(Value::as_str) {
            Some(r) => match resolve(root, r) {
                Some(n) => n,
                None => continue,
            },
            None => node,
        };
        let ptr = pointer("#/components/securitySchemes", name);
        let kind = match serde_json::from_value::<openapiv3::SecurityScheme>(node.clone()) {
            Ok(openapiv3::SecurityScheme::HTTP { scheme, .. })
                if scheme.eq_ignore_ascii_case("bearer") =>
            {
                SecurityKind::Bearer
            }
            Ok(openapiv3::SecurityScheme::HTTP { scheme, .. })
                if scheme.eq_ignore_ascii_case("basic") =>
            {
                SecurityKind::Basic
            }
            Ok(openapiv3::SecurityScheme::HTTP { scheme, .. }) => {
                SecurityKind::Other(format!("http {scheme}"))
            }
            Ok(openapiv3::SecurityScheme::APIKey { location, name, .. }) => SecurityKind::ApiKey {
                location: match location {
                    openapiv3::APIKeyLocation::Header => ApiKeyLocation::Header,
                    openapiv3::APIKeyLocation::Query => ApiKeyLocation::Query,
                    openapiv3::APIKeyLocation::Cookie => ApiKeyLocation::Cookie,
                },
                name,
            },
            Ok(openapiv3::SecurityScheme::OAuth2 { flows, .. }) => match flows.client_credentials {
                Some(cc) => SecurityKind::OAuth2ClientCredentials {
                    token_url: cc.token_url,
                },
                None => SecurityKind::Other("oauth2".to_owned()),
            },
            Ok(openapiv3::SecurityScheme::OpenIDConnect { .. }) => {
                SecurityKind::Other("openIdConnect".to_owned())
            }
            Err(err) => {
                diags.warn(
                    DiagnosticKind::InvalidStructure,
                    &ptr,
                    format!("unreadable security scheme: {err}"),
                );
                SecurityKind::Other("unknown".to_owned())
            }
        };
        out.push(SecurityScheme {
            name: name.clone(),
            kind,
        });
    }
    out
}
