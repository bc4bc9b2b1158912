//! Lowering webhooks: the events a provider delivers to its users' servers.
//!
//! Every event becomes a variant of one enum per crate, with its payload type, and the enum
//! must be able to tell from a delivery which variant it is. Providers name the event in one
//! of three ways, chosen by `[webhooks]` in `sdkgen.toml`:
//!
//! - **A tag in the body** (the default; OpenAI): one property holds a different constant in
//!   every payload (`"type": "batch.cancelled"`). `tag_field` names it, or it is detected as
//!   the property that is a constant in every payload and a different one in each.
//! - **A header and an action** (`event_header`; GitHub): the header names the event
//!   (`X-GitHub-Event: issues`), which is the webhook's operationId up to `/` in snake_case,
//!   and `action_field` in the body names the action (`"action": "opened"`), which is that
//!   property's one value in the payload schema, or the operationId after `/`. A webhook
//!   without an action (`push`) matches every delivery of its event.
//! - **Nothing**, when the spec describes a single event: every delivery is that event, named
//!   by its operationId or its key under `webhooks`.
//! - **An envelope** (`envelope` and `event_types`; Stripe): every delivery is one object
//!   whose `type` names the event and whose `data.object` is the payload. The event types
//!   are the values of the enum at `event_types`, and the payload of `a.b.verb` is the
//!   component schema of the API object `a.b`: the object whose `object` property is that
//!   constant, else `a_b` read as `a.b` (`issuing_card` is `issuing.card`), else the last
//!   word (`customer.subscription` carries a `subscription`). `[webhooks.payloads]` maps
//!   the events the rule gets wrong, and an event it cannot map keeps an untyped payload,
//!   with a warning.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::{Lowerer, resolve};
use crate::diagnostics::{DiagnosticKind, pointer};
use crate::ir::{EventDispatch, TypeRef, WebhookEvent, WebhookVerifier, Webhooks};
use crate::naming::{self, Scope};

/// A webhook of the spec's `webhooks`, before its event is named.
struct RawWebhook<'a> {
    /// Its pointer (`#/webhooks/issues-opened/post`).
    ptr: String,
    /// Its key under `webhooks`.
    key: &'a str,
    operation_id: Option<&'a str>,
    docs: crate::ir::Docs,
    /// The JSON body schema as written, and its pointer.
    schema: Option<(&'a Value, String)>,
}

/// Each webhook's event and action, or `None` for one a delivery cannot name.
type EventKeys = Vec<Option<(String, Option<String>)>>;

impl<'a> Lowerer<'a> {
    /// Lowers the provider's events, from the spec's `webhooks` or the configured envelope.
    pub(super) fn lower_webhooks(&mut self, webhooks: Option<&'a Value>) -> Option<Webhooks> {
        let config = &self.config.webhooks;
        let verifier = self.lower_verifier();
        if let Some(envelope) = &config.envelope {
            return self.lower_envelope_events(envelope, verifier);
        }
        let items = webhooks?.as_object()?;
        let raw: Vec<RawWebhook<'a>> = items
            .iter()
            .filter_map(|(key, item)| self.raw_webhook(key, item))
            .collect();
        if raw.is_empty() {
            return None;
        }
        let (dispatch, keys) = match (&config.event_header, &config.tag_field, raw.as_slice()) {
            (Some(header), _, _) => self.header_keys(header, &raw),
            // One event needs no tag: every delivery is it.
            (None, None, [only]) if self.detect_tag(&raw).is_none() => (
                EventDispatch::Single,
                vec![Some((
                    only.operation_id.unwrap_or(only.key).to_owned(),
                    None,
                ))],
            ),
            _ => self.tag_keys(&raw)?,
        };
        let mut events = Vec::new();
        let mut seen = BTreeSet::new();
        for (webhook, key) in raw.iter().zip(keys) {
            let Some((event, action)) = key else {
                continue;
            };
            if !seen.insert((event.clone(), action.clone())) {
                self.diags.warn(
                    DiagnosticKind::Webhook,
                    &webhook.ptr,
                    format!("another webhook already delivers `{event}`; this one is left out"),
                );
                continue;
            }
            let payload = match &webhook.schema {
                Some((node, ptr)) => self.lower_schema(
                    node,
                    ptr,
                    &format!("{}Payload", naming::type_name(webhook.key)),
                ),
                None => TypeRef::Json,
            };
            events.push(WebhookEvent {
                event,
                action,
                variant: String::new(),
                payload,
                docs: webhook.docs.clone(),
                pointer: webhook.ptr.clone(),
            });
        }
        Some(finish(verifier, dispatch, events))
    }

    fn lower_verifier(&mut self) -> Option<WebhookVerifier> {
        let name = self.config.webhooks.verifier.as_deref()?;
        let verifier = match name {
            "stripe" => WebhookVerifier::Stripe,
            "github" => WebhookVerifier::GitHub,
            "standard" => WebhookVerifier::Standard,
            "slack" => WebhookVerifier::Slack,
            "sendgrid" => WebhookVerifier::SendGrid,
            other => {
                self.diags.warn_with_hint(
                    DiagnosticKind::Config,
                    "sdkgen.toml [webhooks] verifier",
                    format!("`{other}` is not a signing scheme the runtime verifies"),
                    "use one of stripe, github, standard, slack and sendgrid",
                );
                return None;
            }
        };
        Some(verifier)
    }

    /// Reads one entry of `webhooks`: its operation (`post`, or the only one) and JSON body.
    fn raw_webhook(&mut self, key: &'a str, item: &'a Value) -> Option<RawWebhook<'a>> {
        let item_ptr = pointer("#/webhooks", key);
        let (method, op) = item.as_object()?.iter().find(|(m, op)| {
            op.is_object() && ["post", "put", "get", "patch", "delete"].contains(&m.as_str())
        })?;
        let ptr = pointer(&item_ptr, method);
        let mut body = op.get("requestBody");
        let mut body_ptr = pointer(&ptr, "requestBody");
        if let Some(reference) = body.and_then(|b| b.get("$ref")).and_then(Value::as_str) {
            body_ptr = reference.to_owned();
            body = resolve(self.root, reference);
        }
        let content = body
            .and_then(|b| b.get("content"))
            .and_then(Value::as_object);
        let json = content.and_then(|c| c.iter().find(|(media, _)| super::is_json(media)));
        let schema = json.and_then(|(media, m)| {
            let media_ptr = pointer(&pointer(&body_ptr, "content"), media);
            m.get("schema").map(|s| (s, pointer(&media_ptr, "schema")))
        });
        if schema.is_none() {
            self.diags.warn(
                DiagnosticKind::Webhook,
                &ptr,
                "the webhook has no JSON body schema: its payload is untyped JSON, and no body tag can name it",
            );
        }
        Some(RawWebhook {
            ptr,
            key,
            operation_id: op.get("operationId").and_then(Value::as_str),
            docs: super::schema::docs_of(op),
            schema,
        })
    }

    /// The resolved object schema of a payload (through `$ref`s).
    fn payload_object(&self, schema: Option<&(&'a Value, String)>) -> Option<&'a Value> {
        let mut node = schema?.0;
        for _ in 0..8 {
            match node.get("$ref").and_then(Value::as_str) {
                Some(reference) => node = resolve(self.root, reference)?,
                None => return Some(node),
            }
        }
        None
    }

    /// The one string a payload's `field` always holds, if it is a constant.
    fn constant_of(&self, schema: Option<&(&'a Value, String)>, field: &str) -> Option<String> {
        let mut property = self.payload_object(schema)?.get("properties")?.get(field)?;
        if let Some(reference) = property.get("$ref").and_then(Value::as_str) {
            property = resolve(self.root, reference)?;
        }
        if let Some(constant) = property.get("const").and_then(Value::as_str) {
            return Some(constant.to_owned());
        }
        match property.get("enum")?.as_array()?.as_slice() {
            [Value::String(only)] => Some(only.clone()),
            _ => None,
        }
    }

    /// Events named by a body tag: the configured `tag_field`, or the detected one.
    fn tag_keys(&mut self, raw: &[RawWebhook<'a>]) -> Option<(EventDispatch, EventKeys)> {
        let field = match &self.config.webhooks.tag_field {
            Some(field) => field.clone(),
            None => match self.detect_tag(raw) {
                Some(field) => field,
                None => {
                    self.diags.warn(
                        DiagnosticKind::Webhook,
                        "#/webhooks",
                        "no body property names the event (a constant that differs in every payload), so the events are not typed",
                    );
                    return None;
                }
            },
        };
        let keys = raw
            .iter()
            .map(|w| match self.constant_of(w.schema.as_ref(), &field) {
                Some(tag) => Some((tag, None)),
                // Already reported: there is no body to read a tag from.
                None if w.schema.is_none() => None,
                None => {
                    self.diags.warn(
                        DiagnosticKind::Webhook,
                        &w.ptr,
                        format!("the payload has no constant `{field}`, so a delivery cannot name this event; it is left out"),
                    );
                    None
                }
            })
            .collect();
        Some((EventDispatch::BodyTag { field }, keys))
    }

    /// The property that is a constant in every payload and a different one in each;
    /// `type` and `event` first, then by name.
    fn detect_tag(&self, raw: &[RawWebhook<'a>]) -> Option<String> {
        let raw: Vec<&RawWebhook<'a>> = raw.iter().filter(|w| w.schema.is_some()).collect();
        let first = self.payload_object(raw.first()?.schema.as_ref())?;
        let mut candidates: Vec<&String> = first.get("properties")?.as_object()?.keys().collect();
        candidates.sort_by_key(|name| (!matches!(name.as_str(), "type" | "event"), name.as_str()));
        candidates.into_iter().find_map(|field| {
            let values: Option<BTreeSet<String>> = raw
                .iter()
                .map(|w| self.constant_of(w.schema.as_ref(), field))
                .collect();
            values
                .filter(|v| v.len() == raw.len())
                .map(|_| field.clone())
        })
    }

    /// Events named by a header and an action, as GitHub's are.
    fn header_keys(&mut self, header: &str, raw: &[RawWebhook<'a>]) -> (EventDispatch, EventKeys) {
        let field = self
            .config
            .webhooks
            .action_field
            .clone()
            .unwrap_or_else(|| "action".to_owned());
        let keys = raw
            .iter()
            .map(|w| {
                let id = w.operation_id.unwrap_or(w.key);
                let (event, after) = match id.split_once('/') {
                    Some((event, after)) => (event, Some(after)),
                    None => (id, None),
                };
                let action = self.constant_of(w.schema.as_ref(), &field).or_else(|| {
                    // An action that is not a plain word (`sample.collected`) is a
                    // placeholder for actions the sender chooses: it matches any.
                    after.map(|a| a.replace('-', "_")).filter(|a| {
                        a.bytes()
                            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
                    })
                });
                Some((event.replace('-', "_"), action))
            })
            .collect();
        let dispatch = EventDispatch::HeaderAndAction {
            header: header.to_ascii_lowercase(),
            field,
        };
        (dispatch, keys)
    }

    /// Events of an envelope type (Stripe's `event`), listed by the enum at `event_types`.
    fn lower_envelope_events(
        &mut self,
        envelope: &str,
        verifier: Option<WebhookVerifier>,
    ) -> Option<Webhooks> {
        let config = &self.config.webhooks;
        let envelope_ptr = pointer("#/components/schemas", envelope);
        let TypeRef::Named(envelope_id) =
            self.ref_type(&envelope_ptr, "sdkgen.toml [webhooks] envelope")
        else {
            return None;
        };
        let Some(types_ptr) = &config.event_types else {
            self.diags.warn(
                DiagnosticKind::Config,
                "sdkgen.toml [webhooks]",
                "`envelope` needs `event_types`, the pointer to the enum of event types",
            );
            return None;
        };
        let root = self.root;
        let listed = root
            .pointer(types_ptr)
            .or_else(|| resolve(root, &format!("#{types_ptr}")))
            .and_then(|node| node.get("enum"))
            .and_then(Value::as_array);
        let Some(listed) = listed else {
            self.diags.warn(
                DiagnosticKind::Config,
                format!("#{types_ptr}"),
                "`event_types` does not point at an enum of event types",
            );
            return None;
        };
        let objects = api_objects(root);
        let mut events = Vec::new();
        for (index, name) in listed.iter().filter_map(Value::as_str).enumerate() {
            if name == "*" {
                continue;
            }
            let at = format!("#{types_ptr}/enum/{index}");
            let schema = match config.payloads.get(name) {
                Some(schema) if schema.is_empty() => None,
                Some(schema) => Some(schema.clone()),
                None => envelope_payload(name, &objects),
            };
            let payload = match &schema {
                Some(schema) => self.ref_type(&pointer("#/components/schemas", schema), &at),
                None => {
                    if !config.payloads.contains_key(name) {
                        self.diags.warn(
                            DiagnosticKind::Webhook,
                            &at,
                            format!("no API object is named like `{name}`; its `data.object` is untyped JSON"),
                        );
                    }
                    TypeRef::Json
                }
            };
            let docs = crate::ir::Docs {
                summary: Some(match &schema {
                    Some(schema) => format!("`data.object` is the API's `{schema}` object."),
                    None => {
                        "`data.object` is JSON: the spec describes no object for it.".to_owned()
                    }
                }),
                ..Default::default()
            };
            events.push(WebhookEvent {
                event: name.to_owned(),
                action: None,
                variant: String::new(),
                payload,
                docs,
                pointer: at,
            });
        }
        let dispatch = EventDispatch::Envelope {
            envelope: envelope_id,
        };
        Some(finish(verifier, dispatch, events))
    }
}

/// Sorts the events by name and names their variants, so that neither depends on the order
/// the spec lists them in.
fn finish(
    verifier: Option<WebhookVerifier>,
    dispatch: EventDispatch,
    mut events: Vec<WebhookEvent>,
) -> Webhooks {
    events.sort_by_key(WebhookEvent::name);
    let mut variants = Scope::with_reserved(&["Unknown"]);
    for event in &mut events {
        event.variant = variants.claim(&naming::type_name(&event.name()));
    }
    Webhooks {
        verifier,
        dispatch,
        events,
    }
}

/// Every API object type (the constant of a component schema's `object` property), with the
/// component schema of the same name.
fn api_objects(root: &Value) -> BTreeMap<String, String> {
    let Some(schemas) = root
        .pointer("/components/schemas")
        .and_then(Value::as_object)
    else {
        return BTreeMap::new();
    };
    schemas
        .iter()
        .filter_map(|(name, schema)| {
            let values = schema.pointer("/properties/object/enum")?.as_array()?;
            match values.as_slice() {
                [Value::String(object)] if object == name => Some((object.clone(), name.clone())),
                _ => None,
            }
        })
        .collect()
}

/// The component schema of an envelope event's `data.object`, by the rule in the module docs.
fn envelope_payload(event: &str, objects: &BTreeMap<String, String>) -> Option<String> {
    let (object, _verb) = event.rsplit_once('.')?;
    let mut candidates = vec![object.to_owned()];
    if let Some((namespace, rest)) = object.split_once('_')
        && !object.contains('.')
    {
        candidates.push(format!("{namespace}.{rest}"));
    }
    if let Some((_, last)) = object.rsplit_once('.') {
        candidates.push(last.to_owned());
    }
    candidates
        .into_iter()
        .find_map(|candidate| objects.get(&candidate).cloned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn objects() -> BTreeMap<String, String> {
        [
            "customer",
            "subscription",
            "issuing.card",
            "checkout.session",
            "dispute",
        ]
        .into_iter()
        .map(|o| (o.to_owned(), o.to_owned()))
        .collect()
    }

    #[test]
    fn envelope_events_map_to_their_api_objects() {
        let objects = objects();
        let payload = |event| envelope_payload(event, &objects);
        assert_eq!(payload("customer.created").as_deref(), Some("customer"));
        assert_eq!(
            payload("customer.subscription.trial_will_end").as_deref(),
            Some("subscription")
        );
        assert_eq!(
            payload("issuing_card.created").as_deref(),
            Some("issuing.card")
        );
        assert_eq!(
            payload("checkout.session.completed").as_deref(),
            Some("checkout.session")
        );
        assert_eq!(payload("charge.dispute.closed").as_deref(), Some("dispute"));
        assert_eq!(payload("sku.created"), None);
        assert_eq!(payload("ping"), None);
    }
}
