//! The crate root: the `Client` type and the provider configuration.

use proc_macro2::{Literal, TokenStream};
use quote::quote;

use super::docs::emit_doc_text;
use crate::config::Config;
use crate::ir::{Api, ApiKeyLocation, SecurityKind};

/// The default base URL: the first absolute server, with variables at their defaults.
pub(crate) fn default_base_url(api: &Api, config: &Config) -> Option<String> {
    if let Some(url) = &config.runtime.base_url {
        return Some(url.clone());
    }
    api.servers.iter().find_map(|s| {
        let mut url = s.url.clone();
        for (name, default) in &s.variables {
            url = url.replace(&format!("{{{name}}}"), default);
        }
        (url.starts_with("http://") || url.starts_with("https://")).then_some(url)
    })
}

pub(super) fn emit_client(api: &Api, config: &Config) -> TokenStream {
    let provider = Literal::string(&config.crate_.name);
    let mut chain = TokenStream::new();
    if let Some(url) = default_base_url(api, config) {
        let url = Literal::string(url.trim_end_matches('/'));
        chain.extend(quote! { .default_base_url(#url) });
    }
    let rt = &config.runtime;
    if let Some(h) = &rt.request_id_header {
        chain.extend(quote! { .request_id_header(#h) });
    }
    if rt.error_code_pointer.is_some() || rt.error_message_pointer.is_some() {
        let code = rt.error_code_pointer.as_ref().map(|c| quote! { .code(#c) });
        let message = rt
            .error_message_pointer
            .as_ref()
            .map(|m| quote! { .message(#m) });
        chain.extend(quote! { .error_shape(::sdkgen_runtime::ErrorShape::new() #code #message) });
    }
    if let Some(h) = &rt.idempotency_header {
        chain.extend(quote! { .idempotency_header(#h) });
    }
    if let Some(h) = &rt.retry_signal_header {
        chain.extend(quote! { .retry_signal_header(#h) });
    }
    if let Some(v) = &rt.version_header {
        let (n, val) = (&v.name, &v.value);
        chain.extend(quote! { .version_header(#n, #val) });
    }
    if let Some(h) = &rt.attempt_header {
        chain.extend(quote! { .attempt_header(#h) });
    }
    if let Some(limit) = &rt.rate_limit {
        let base = match (limit.per_second, limit.per_hour) {
            (Some(ps), _) => Some(quote! { ::sdkgen_runtime::RateLimit::per_second(#ps) }),
            (None, Some(ph)) => Some(quote! { ::sdkgen_runtime::RateLimit::per_hour(#ph) }),
            (None, None) => None,
        };
        if let Some(base) = base {
            let burst = limit.burst.map(|b| quote! { .burst(#b) });
            chain.extend(quote! { .rate_limit(#base #burst) });
        }
    }
    if let Some(h) = &rt.rate_limit_headers {
        let limit = h.limit.clone().unwrap_or_default();
        let (remaining, reset) = (&h.remaining, &h.reset);
        let kind = match h.reset_kind.as_str() {
            "delay_seconds" => quote! { ::sdkgen_runtime::ResetKind::DelaySeconds },
            "delay_millis" => quote! { ::sdkgen_runtime::ResetKind::DelayMillis },
            "duration" => quote! { ::sdkgen_runtime::ResetKind::Duration },
            _ => quote! { ::sdkgen_runtime::ResetKind::EpochSeconds },
        };
        chain.extend(quote! {
            .rate_limit_headers(::sdkgen_runtime::RateLimitHeaders {
                limit: #limit,
                remaining: #remaining,
                reset: #reset,
                reset_kind: #kind,
            })
        });
    }
    let client_docs = emit_doc_text(&client_doc_text(api));
    quote! {
        #client_docs
        #[derive(Debug, Clone)]
        pub struct Client {
            inner: ::sdkgen_runtime::Client,
        }

        impl Client {
            /// Starts configuring a client: base URL, auth, retries, rate limits and timeouts.
            pub fn builder() -> ::sdkgen_runtime::ClientBuilder<Client> {
                ::sdkgen_runtime::ClientBuilder::new(provider_config())
            }

            /// The runtime client underneath, for raw requests.
            pub fn inner(&self) -> &::sdkgen_runtime::Client {
                &self.inner
            }
        }

        impl ::std::convert::From<::sdkgen_runtime::Client> for Client {
            fn from(inner: ::sdkgen_runtime::Client) -> Self {
                Self { inner }
            }
        }

        /// What this API does that its spec does not say: base URL, error shape, headers and limits.
        pub fn provider_config() -> ::sdkgen_runtime::ProviderConfig {
            ::sdkgen_runtime::ProviderConfig::new(#provider)
                .user_agent(env!("CARGO_PKG_NAME"), env!("CARGO_PKG_VERSION"))
                #chain
        }

        pub use ::sdkgen_runtime as runtime;
        pub use ::sdkgen_runtime::{Auth, Error, RequestOptions, Response};
    }
}

fn client_doc_text(api: &Api) -> String {
    let mut text = format!(
        "A client for {} {}.\n\nCreate one with [`Client::builder`].",
        api.title, api.version
    );
    if !api.security.is_empty() {
        text.push_str("\n\nThe spec declares these ways to authenticate:\n");
        for s in &api.security {
            let how = match &s.kind {
                SecurityKind::Bearer => "a bearer token: `Auth::bearer(token)`".to_owned(),
                SecurityKind::Basic => "HTTP basic: `Auth::basic(user, password)`".to_owned(),
                SecurityKind::ApiKey { location, name } => match location {
                    ApiKeyLocation::Header => format!(
                        "an API key in the `{name}` header: `Auth::api_key_header(\"{name}\", key)`"
                    ),
                    ApiKeyLocation::Query => format!(
                        "an API key in the `{name}` query parameter: `Auth::api_key_query(\"{name}\", key)`"
                    ),
                    ApiKeyLocation::Cookie => format!(
                        "an API key in the `{name}` cookie: `Auth::api_key_cookie(\"{name}\", key)`"
                    ),
                },
                SecurityKind::OAuth2ClientCredentials { token_url } => {
                    format!("OAuth2 client credentials against `{token_url}`")
                }
                SecurityKind::Other(kind) => {
                    format!("`{kind}`, configured with a custom `AuthProvider`")
                }
            };
            text.push_str(&format!("- `{}`: {how}\n", s.name.replace('`', "'")));
        }
    }
    text
}
