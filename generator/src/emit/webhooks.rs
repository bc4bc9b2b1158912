//! The `webhooks` module: one enum of every event the provider delivers, the parser that
//! tells a delivery's event from its headers and body, and `construct_event`, which verifies
//! a delivery with the provider's signing scheme before parsing it.

use std::collections::BTreeSet;

use proc_macro2::TokenStream;
use quote::quote;

use super::docs::{emit_doc_text, emit_docs};
use super::{Cx, Module, ident, type_tokens};
use crate::ir::{EventDispatch, WEBHOOKS_GROUP, WebhookEvent, WebhookVerifier, Webhooks};

/// The `webhooks` module, or `None` when the API describes no events.
pub(super) fn emit_webhooks_module(cx: &Cx) -> Option<Module> {
    let webhooks = cx.api.webhooks.as_ref()?;
    let mut items = emit_event_enum(cx, webhooks);
    items.extend(emit_unknown_event());
    if let EventDispatch::Envelope { .. } = &webhooks.dispatch {
        items.extend(emit_delivery(cx, webhooks));
    }
    items.extend(emit_parse(webhooks));
    if let Some(verifier) = webhooks.verifier {
        items.extend(emit_construct_event(verifier));
    }
    let groups: BTreeSet<String> = std::iter::once(WEBHOOKS_GROUP.to_owned()).collect();
    Some(Module {
        docs: module_docs(webhooks),
        items,
        cfg: cx.cfg_for(&groups),
        ..Module::default()
    })
}

fn module_docs(webhooks: &Webhooks) -> String {
    let how = match &webhooks.dispatch {
        EventDispatch::BodyTag { field } => {
            format!("A delivery names its event in the body's `{field}`.")
        }
        EventDispatch::HeaderAndAction { header, field } => format!(
            "A delivery names its event in the `{header}` header and, for events with actions, \
             its action in the body's `{field}`: `issues` with `\"{field}\": \"opened\"` is \
             `issues.opened`."
        ),
        EventDispatch::Single => {
            "The spec describes one event, so every delivery is parsed as it.".to_owned()
        }
        EventDispatch::Envelope { .. } => "Every delivery is an event envelope whose `type` \
             names the event and whose `data.object` is the object it concerns, read into the \
             event's type as [`Delivery::object`](webhooks::Delivery::object)."
            .to_owned(),
    };
    let receive = match webhooks.verifier {
        Some(verifier) => format!(
            "\n\n[`construct_event`](webhooks::construct_event) verifies a delivery with the provider's signing scheme \
             ([`{}`]) and only then parses it. Pass the body exactly as received: a body that \
             was parsed and serialized again no longer matches its signature.",
            verifier_path(verifier)
        ),
        None => String::new(),
    };
    format!(
        "Typed webhook events: the {count} events the spec describes, as one \
         [`Event`](webhooks::Event) enum.\n\n\
         {how}{receive}\n\n\
         An event this version of the crate does not know parses into \
         [`Event::Unknown`](webhooks::Event::Unknown) with \
         its name and JSON, so a provider adding events never breaks a receiver; match on the \
         variants you handle and acknowledge the rest.",
        count = webhooks.events.len()
    )
}

fn verifier_path(verifier: WebhookVerifier) -> &'static str {
    match verifier {
        WebhookVerifier::Stripe => "sdkgen_runtime::webhooks::StripeVerifier",
        WebhookVerifier::GitHub => "sdkgen_runtime::webhooks::GitHubVerifier",
        WebhookVerifier::Standard => "sdkgen_runtime::webhooks::StandardWebhooks",
        WebhookVerifier::Slack => "sdkgen_runtime::webhooks::SlackVerifier",
        WebhookVerifier::SendGrid => "sdkgen_runtime::webhooks::SendGridVerifier",
    }
}

/// The type a variant holds: the payload, or for an envelope the delivery of it.
fn variant_payload(cx: &Cx, webhooks: &Webhooks, event: &WebhookEvent) -> TokenStream {
    let payload = type_tokens(cx, &event.payload);
    match &webhooks.dispatch {
        EventDispatch::Envelope { .. } => quote! { Delivery<#payload> },
        _ => payload,
    }
}

fn emit_event_enum(cx: &Cx, webhooks: &Webhooks) -> TokenStream {
    let variants = webhooks.events.iter().map(|event| {
        let variant = ident(&event.variant);
        let name = event.name();
        let docs = emit_docs(&event.docs, Some(&format!("Event name: `{name}`.")));
        let payload = variant_payload(cx, webhooks, event);
        // Payloads are large and many: boxed, the enum stays the size of a pointer and a tag.
        quote! { #docs #variant(::std::boxed::Box<#payload>), }
    });
    let names = webhooks.events.iter().map(|event| {
        let variant = ident(&event.variant);
        let name = event.name();
        quote! { Self::#variant(_) => #name, }
    });
    quote! {
        /// Every event the provider delivers, by name, with its payload.
        #[derive(Debug, Clone)]
        #[non_exhaustive]
        pub enum Event {
            #(#variants)*
            /// An event this version of the crate does not know, kept whole.
            Unknown(UnknownEvent),
        }

        impl Event {
            /// The event's name as the provider writes it (`issues.opened`, `batch.completed`).
            pub fn name(&self) -> &str {
                match self {
                    #(#names)*
                    Self::Unknown(event) => &event.name,
                }
            }
        }
    }
}

fn emit_unknown_event() -> TokenStream {
    quote! {
        /// An event this version of the crate does not know: its name and its JSON body.
        #[derive(Debug, Clone, PartialEq)]
        #[non_exhaustive]
        pub struct UnknownEvent {
            /// The event's name, or empty when the delivery does not name one.
            pub name: ::std::string::String,
            /// The body, as JSON.
            pub payload: ::serde_json::Value,
        }
    }
}

fn emit_delivery(cx: &Cx, webhooks: &Webhooks) -> TokenStream {
    let EventDispatch::Envelope { envelope } = &webhooks.dispatch else {
        return TokenStream::new();
    };
    let envelope = type_tokens(cx, &crate::ir::TypeRef::Named(*envelope));
    quote! {
        /// One delivery of an event: its envelope, and the object it concerns read as the
        /// event's type.
        #[derive(Debug, Clone)]
        #[non_exhaustive]
        pub struct Delivery<T> {
            /// The envelope as sent: the event's id, type, creation time and API version,
            /// with `data.object` as raw JSON.
            pub event: #envelope,
            /// `data.object`, typed.
            pub object: T,
        }

        impl<T: ::serde::de::DeserializeOwned> Delivery<T> {
            /// Reads a delivery in this function's own frame and moves it to the heap, so
            /// that the parser, which matches every event type, keeps a small frame.
            fn boxed(
                name: &str,
                value: ::serde_json::Value,
            ) -> ::std::result::Result<
                ::std::boxed::Box<Self>,
                ::sdkgen_runtime::webhooks::WebhookError,
            > {
                let object = value
                    .pointer("/data/object")
                    .cloned()
                    .unwrap_or(::serde_json::Value::Null);
                ::std::result::Result::Ok(::std::boxed::Box::new(Self {
                    object: ::sdkgen_runtime::webhooks::from_value(name, object)?,
                    event: ::sdkgen_runtime::webhooks::from_value(name, value)?,
                }))
            }
        }
    }
}

/// The arm that parses one event's payload from `value`; `name` is a `&str` expression.
fn parse_arm(webhooks: &Webhooks, event: &WebhookEvent, name: &TokenStream) -> TokenStream {
    let variant = ident(&event.variant);
    // Each payload is read and boxed in a function of its own: read here, every payload
    // would get a slot in this one frame, and GitHub's 261 overflow a thread's stack.
    let read = match &webhooks.dispatch {
        EventDispatch::Envelope { .. } => quote! { Delivery::boxed(#name, value)? },
        _ => quote! { ::sdkgen_runtime::webhooks::from_value_boxed(#name, value)? },
    };
    quote! { Self::#variant(#read) }
}

fn emit_parse(webhooks: &Webhooks) -> TokenStream {
    let body = match &webhooks.dispatch {
        EventDispatch::BodyTag { field } => emit_parse_by_field(webhooks, field),
        EventDispatch::Envelope { .. } => emit_parse_by_field(webhooks, "type"),
        EventDispatch::HeaderAndAction { header, field } => {
            emit_parse_by_header(webhooks, header, field)
        }
        EventDispatch::Single => emit_parse_single(webhooks),
    };
    let missing_header = match &webhooks.dispatch {
        EventDispatch::HeaderAndAction { header, .. } => format!(
            "[`WebhookError::MissingHeader`](::sdkgen_runtime::webhooks::WebhookError::MissingHeader) \
             without `{header}`, which names the event, and "
        ),
        _ => String::new(),
    };
    let docs = emit_doc_text(&format!(
        "Parses a delivery that has already been verified: its headers, and its body as \
         received.\n\n# Errors\n\n{missing_header}\
         [`WebhookError::InvalidPayload`](::sdkgen_runtime::webhooks::WebhookError::InvalidPayload) \
         when the body is not JSON, or not the payload of the event it names."
    ));
    quote! {
        // `#[inline]`: the parser reads every event's payload type, so it is compiled where
        // deliveries are parsed, not in every build that enables the feature.
        impl Event {
            #docs
            #[inline]
            pub fn parse(
                headers: &::sdkgen_runtime::http::HeaderMap,
                body: &[u8],
            ) -> ::std::result::Result<Self, ::sdkgen_runtime::webhooks::WebhookError> {
                #body
            }
        }
    }
}

fn emit_parse_by_field(webhooks: &Webhooks, field: &str) -> TokenStream {
    let arms = webhooks.events.iter().map(|event| {
        let name = &event.event;
        let read = parse_arm(webhooks, event, &quote! { &name });
        quote! { #name => #read, }
    });
    quote! {
        let _ = headers;
        let value: ::serde_json::Value = ::sdkgen_runtime::webhooks::parse_json("", body)?;
        let name = value
            .get(#field)
            .and_then(::serde_json::Value::as_str)
            .unwrap_or_default()
            .to_owned();
        ::std::result::Result::Ok(match name.as_str() {
            #(#arms)*
            _ => Self::Unknown(UnknownEvent { name, payload: value }),
        })
    }
}

fn emit_parse_single(webhooks: &Webhooks) -> TokenStream {
    let Some(event) = webhooks.events.first() else {
        return quote! {
            let _ = headers;
            ::std::result::Result::Ok(Self::Unknown(UnknownEvent {
                name: ::std::string::String::new(),
                payload: ::sdkgen_runtime::webhooks::parse_json("", body)?,
            }))
        };
    };
    let name = &event.event;
    let read = parse_arm(webhooks, event, &quote! { name });
    quote! {
        let _ = headers;
        let name = #name;
        let value: ::serde_json::Value = ::sdkgen_runtime::webhooks::parse_json(name, body)?;
        ::std::result::Result::Ok(#read)
    }
}

fn emit_parse_by_header(webhooks: &Webhooks, header: &str, field: &str) -> TokenStream {
    // An event with actions matches each of them; one without (`push`) matches any, after them.
    let mut events: Vec<&WebhookEvent> = webhooks.events.iter().collect();
    events.sort_by_key(|e| e.action.is_none());
    let arms = events.iter().map(|event| {
        let name = &event.event;
        let read = parse_arm(webhooks, event, &quote! { &name });
        match &event.action {
            Some(action) => quote! { (#name, ::std::option::Option::Some(#action)) => #read, },
            None => quote! { (#name, _) => #read, },
        }
    });
    quote! {
        let header = ::sdkgen_runtime::http::HeaderName::from_static(#header);
        let event = headers
            .get(&header)
            .ok_or_else(|| ::sdkgen_runtime::webhooks::WebhookError::MissingHeader(header.clone()))?
            .to_str()
            .map_err(|_| ::sdkgen_runtime::webhooks::WebhookError::MalformedHeader {
                name: header.clone(),
                reason: "the event name is not ASCII",
            })?
            .to_owned();
        let value: ::serde_json::Value = ::sdkgen_runtime::webhooks::parse_json(&event, body)?;
        let action = value
            .get(#field)
            .and_then(::serde_json::Value::as_str)
            .map(::std::borrow::ToOwned::to_owned);
        let name = match &action {
            ::std::option::Option::Some(action) => ::std::format!("{event}.{action}"),
            ::std::option::Option::None => event.clone(),
        };
        ::std::result::Result::Ok(match (event.as_str(), action.as_deref()) {
            #(#arms)*
            _ => Self::Unknown(UnknownEvent { name, payload: value }),
        })
    }
}

fn emit_construct_event(verifier: WebhookVerifier) -> TokenStream {
    let path: TokenStream = format!("::{}", verifier_path(verifier))
        .parse()
        .unwrap_or_default();
    let (build, secret_doc) = match verifier {
        WebhookVerifier::Standard => (
            quote! { #path::new(::std::borrow::ToOwned::to_owned(secret))? },
            "the endpoint's signing secret (`whsec_…`)",
        ),
        WebhookVerifier::SendGrid => (
            quote! { #path::new(secret)? },
            "the verification key SendGrid shows for the endpoint (base64 DER)",
        ),
        _ => (
            quote! { #path::new(::std::borrow::ToOwned::to_owned(secret)) },
            "the endpoint's signing secret",
        ),
    };
    let docs = emit_doc_text(&format!(
        "Verifies a delivery with {secret_doc}, then parses it: the one call a receiving \
         server needs.\n\n\
         Timestamps are checked against the system clock with the provider's documented \
         tolerance. To accept several secrets during a rotation, change the tolerance or pass \
         the time, build the verifier once and call \
         [`sdkgen_runtime::webhooks::construct_event`] with it.\n\n\
         # Errors\n\n\
         Every [`WebhookError`](::sdkgen_runtime::webhooks::WebhookError) of the verifier, \
         then of [`Event::parse`]. Answer the provider `400` or `401` for them, and `2xx` \
         for an [`Event::Unknown`]."
    ));
    quote! {
        #docs
        #[inline]
        pub fn construct_event(
            headers: &::sdkgen_runtime::http::HeaderMap,
            body: &[u8],
            secret: &str,
        ) -> ::std::result::Result<Event, ::sdkgen_runtime::webhooks::WebhookError> {
            let verifier = #build;
            ::sdkgen_runtime::webhooks::construct_event(
                &verifier,
                headers,
                body,
                ::std::time::SystemTime::now(),
            )
        }

        impl ::sdkgen_runtime::webhooks::WebhookEvent for Event {
            type Verifier = #path;

            #[inline]
            fn parse(
                headers: &::sdkgen_runtime::http::HeaderMap,
                body: &[u8],
            ) -> ::std::result::Result<Self, ::sdkgen_runtime::webhooks::WebhookError> {
                Event::parse(headers, body)
            }
        }
    }
}
