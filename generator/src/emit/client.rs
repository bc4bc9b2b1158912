//! The crate root: the `Client` type and the provider configuration.

use proc_macro2::{Literal, TokenStream};
use quote::quote;

use super::docs::emit_doc_text;
use crate::config::{AuthConfig, Config};
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
    if let Some(pointer) = &rt.ok_flag {
        chain.extend(quote! { .ok_flag(#pointer) });
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
    let client_docs = emit_doc_text(&client_doc_text(api, config));
    let from_env = emit_from_env(config);
    let builder_ext = emit_builder_ext(config);
    let servers = emit_servers(api, config);
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
            #[inline]
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

        #from_env
        #builder_ext
        #servers

        pub use ::sdkgen_runtime as runtime;
        pub use ::sdkgen_runtime::{Auth, Error, RequestOptions, Response};
    }
}

/// The environment variables `from_env` reads: the credentials, then the optional headers.
fn env_vars(config: &Config) -> Vec<String> {
    let mut vars: Vec<String> = match &config.auth {
        Some(AuthConfig::Bearer { env })
        | Some(AuthConfig::ApiKeyHeader { env, .. })
        | Some(AuthConfig::ApiKeyQuery { env, .. }) => vec![env.clone()],
        Some(AuthConfig::Basic {
            user_env,
            password_env,
        }) => vec![user_env.clone(), password_env.clone()],
        None => Vec::new(),
    };
    vars.extend(config.headers.iter().filter_map(|h| h.env.clone()));
    vars
}

/// The variables of [`env_vars`] as documentation text: `` `A`, `B` ``.
fn env_vars_text(config: &Config) -> String {
    env_vars(config)
        .iter()
        .map(|v| format!("`{v}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `Client::from_env` and `Client::builder_from_env`, when the config names the credentials.
fn emit_from_env(config: &Config) -> TokenStream {
    let Some(auth) = &config.auth else {
        return TokenStream::new();
    };
    let auth_expr = match auth {
        AuthConfig::Bearer { env } => {
            quote! { ::sdkgen_runtime::Auth::bearer(required_env(#env)?) }
        }
        AuthConfig::Basic {
            user_env,
            password_env,
        } => quote! {
            ::sdkgen_runtime::Auth::basic(required_env(#user_env)?, required_env(#password_env)?)
        },
        AuthConfig::ApiKeyHeader { name, env } => {
            quote! { ::sdkgen_runtime::Auth::api_key_header(#name, required_env(#env)?) }
        }
        AuthConfig::ApiKeyQuery { name, env } => {
            quote! { ::sdkgen_runtime::Auth::api_key_query(#name, required_env(#env)?) }
        }
    };
    let headers = config.headers.iter().filter_map(|h| {
        let env = h.env.as_ref()?;
        let name = &h.name;
        Some(quote! {
            if let Some(value) = optional_env(#env)? {
                builder = builder.header(#name, value);
            }
        })
    });
    let vars = env_vars_text(config);
    let builder_doc = emit_doc_text(&format!(
        "A builder configured from the environment ({vars}), to adjust further before `build()`.\n\nA missing credential variable is an `Error::Build` that names it; the others are optional."
    ));
    let client_doc = emit_doc_text(&format!(
        "A client configured from the environment ({vars}) with every other setting at its default."
    ));
    let reads_headers = config.headers.iter().any(|h| h.env.is_some());
    let mut_kw = if reads_headers {
        quote! { mut }
    } else {
        TokenStream::new()
    };
    let optional_env = if reads_headers {
        quote! {
            /// Reads an optional variable; set but not Unicode is an error rather than ignored.
            fn optional_env(name: &str) -> ::std::result::Result<::std::option::Option<::std::string::String>, ::sdkgen_runtime::Error> {
                match ::std::env::var(name) {
                    Ok(value) => Ok(Some(value)),
                    Err(::std::env::VarError::NotPresent) => Ok(None),
                    Err(::std::env::VarError::NotUnicode(_)) => Err(::sdkgen_runtime::Error::Build {
                        message: format!("the environment variable {name} is not valid Unicode"),
                    }),
                }
            }
        }
    } else {
        TokenStream::new()
    };
    quote! {
        impl Client {
            #builder_doc
            pub fn builder_from_env() -> ::std::result::Result<::sdkgen_runtime::ClientBuilder<Client>, ::sdkgen_runtime::Error> {
                let #mut_kw builder = Self::builder().auth(#auth_expr);
                #(#headers)*
                Ok(builder)
            }

            #client_doc
            pub fn from_env() -> ::std::result::Result<Client, ::sdkgen_runtime::Error> {
                Self::builder_from_env()?.build()
            }
        }

        /// Reads a variable that must be set; the error names it but never shows a value.
        fn required_env(name: &str) -> ::std::result::Result<::std::string::String, ::sdkgen_runtime::Error> {
            match ::std::env::var(name) {
                Ok(value) if !value.is_empty() => Ok(value),
                _ => Err(::sdkgen_runtime::Error::Build {
                    message: format!("set the environment variable {name}"),
                }),
            }
        }

        #optional_env
    }
}

/// `ClientBuilderExt`: one builder method per provider header from the config.
fn emit_builder_ext(config: &Config) -> TokenStream {
    if config.headers.is_empty() {
        return TokenStream::new();
    }
    let mut scope = crate::naming::Scope::new();
    let methods: Vec<(TokenStream, TokenStream)> = config
        .headers
        .iter()
        .map(|h| {
            let method = super::ident(&scope.claim(&crate::naming::field_name(&h.method)));
            let name = &h.name;
            let mut text = format!("Sends `{name}` on every request.");
            if let Some(doc) = &h.doc {
                text = format!("{doc}\n\n{text}");
            }
            if let Some(env) = &h.env {
                text.push_str(&format!(" `Client::from_env` reads it from `{env}`."));
            }
            let doc = emit_doc_text(&text);
            (
                quote! { #doc fn #method(self, value: impl ::std::convert::AsRef<str>) -> Self; },
                quote! {
                    fn #method(self, value: impl ::std::convert::AsRef<str>) -> Self {
                        self.header(#name, value)
                    }
                },
            )
        })
        .collect();
    let (decls, impls): (Vec<_>, Vec<_>) = methods.into_iter().unzip();
    quote! {
        /// Provider settings on [`Client::builder`]: bring it into scope with
        /// `use ClientBuilderExt as _;`.
        pub trait ClientBuilderExt: Sized {
            #(#decls)*
        }

        impl ClientBuilderExt for ::sdkgen_runtime::ClientBuilder<Client> {
            #(#impls)*
        }
    }
}

/// `servers`: the spec's default base URL and the config's named hosts, for `base_url`.
fn emit_servers(api: &Api, config: &Config) -> TokenStream {
    if config.servers.is_empty() {
        return TokenStream::new();
    }
    let mut scope = crate::naming::Scope::new();
    let mut items = Vec::new();
    if let Some(url) = default_base_url(api, config) {
        let name = super::ident(&scope.claim("DEFAULT"));
        let url = url.trim_end_matches('/');
        items.push(quote! {
            /// The default: what `Client::builder()` uses unless told otherwise.
            pub const #name: &str = #url;
        });
    }
    for (raw, url) in &config.servers {
        let name = super::ident(&scope.claim(&crate::naming::const_name(raw)));
        let url = url.trim_end_matches('/');
        let doc = emit_doc_text(&format!("The `{raw}` host: `{url}`."));
        items.push(quote! {
            #doc
            pub const #name: &str = #url;
        });
    }
    quote! {
        /// Base URLs to pass to `Client::builder().base_url(..)`.
        pub mod servers {
            #(#items)*
        }
    }
}

fn client_doc_text(api: &Api, config: &Config) -> String {
    let mut text = format!(
        "A client for {} {}.\n\nCreate one with [`Client::builder`].",
        api.title, api.version
    );
    if let Some(auth) = &config.auth {
        let how = match auth {
            AuthConfig::Bearer { .. } => "a bearer token: `Auth::bearer(token)`".to_owned(),
            AuthConfig::Basic { .. } => "HTTP basic: `Auth::basic(user, password)`".to_owned(),
            AuthConfig::ApiKeyHeader { name, .. } => {
                format!(
                    "an API key in the `{name}` header: `Auth::api_key_header(\"{name}\", key)`"
                )
            }
            AuthConfig::ApiKeyQuery { name, .. } => {
                format!(
                    "an API key in the `{name}` query parameter: `Auth::api_key_query(\"{name}\", key)`"
                )
            }
        };
        let vars = env_vars_text(config);
        text.push_str(&format!(
            "\n\nThis API authenticates with {how}. [`Client::from_env`] reads {vars}."
        ));
        return text;
    }
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
