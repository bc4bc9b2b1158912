//! Contract tests against a referee nobody on this team wrote: Prism serving the spec.
//!
//! `sdkgen contract PROVIDER` generates the provider's client and a harness program that calls
//! every operation through it (required values only, then every optional one too), starts
//! Prism on a free loopback port, and records what Prism made of each request (its
//! `sl-violations` header names every reason it refused one) and whether each response
//! decoded. It then serves the spec again in dynamic mode with several seeds, so that each
//! operation's typed response meets several random schema-valid bodies, and walks three pages
//! of every listing. The result is a Markdown report.

mod harness;
mod validate;
mod values;

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Read as _;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use proc_macro2::TokenStream;
use quote::quote;
use serde_json::Value;

use crate::config::AuthConfig;
use crate::diagnostics::Diagnostics;
use crate::ir::{Api, BodyKind, PartEncoding, SecurityKind};

/// What to check and how.
#[derive(Debug, Clone)]
pub struct ContractOptions {
    /// The provider folder (`specs/<name>`).
    pub provider_dir: PathBuf,
    /// The command that runs Prism (`prism`, or `npx prism`), split into words.
    pub prism: Vec<String>,
    /// How many dynamic-mode runs, each with its own seed.
    pub seeds: u32,
    /// The scratch folder for the generated crates, specs and build.
    pub work_dir: PathBuf,
    /// The runtime crate the generated client depends on.
    pub runtime_dir: PathBuf,
    /// Cargo's target directory, which providers share so that the runtime and its
    /// dependencies build once.
    pub target_dir: PathBuf,
}

/// One call's result, as the harness printed it.
#[derive(Debug, Clone)]
struct Line {
    op: String,
    variant: String,
    result: String,
    detail: String,
}

/// What a run found: the Markdown report, and how many calls failed through the client's
/// fault (requests refused, responses the spec allows that did not decode, other errors).
#[derive(Debug, Clone)]
pub struct ContractReport {
    /// The report, one section per spec of the provider.
    pub markdown: String,
    /// Failures that are the client's, not the mock's.
    pub client_failures: usize,
}

/// Runs the contract tests of one provider.
pub fn run(options: &ContractOptions) -> Result<ContractReport, String> {
    let provider = crate::build::load_provider(&options.provider_dir).map_err(|d| render(&d))?;
    let name = options
        .provider_dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "provider".to_owned());
    std::fs::create_dir_all(&options.work_dir).map_err(|e| format!("{e}"))?;
    let mut members = Vec::new();
    let mut parts = Vec::new();
    for (i, part) in provider.parts.iter().enumerate() {
        let part_name = part
            .module
            .clone()
            .unwrap_or_else(|| name.replace('-', "_"));
        let crate_name = format!("contract_api_{i}");
        let dir = options.work_dir.join(&part_name);
        let (spec_file, root) = write_part(options, &provider.config, part, &dir, &crate_name)?;
        members.push(format!("{part_name}/api"));
        members.push(format!("{part_name}/harness"));
        parts.push((part_name, spec_file, root, &part.generated.api));
    }
    let workspace = format!(
        "# Written by `sdkgen contract`.\n[workspace]\nresolver = \"3\"\nmembers = [{}]\n",
        members
            .iter()
            .map(|m| format!("{m:?}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    write(&options.work_dir.join("Cargo.toml"), &workspace)?;
    build(&options.work_dir, &options.target_dir)?;
    let mut report = String::new();
    let mut client_failures = 0;
    let _ = writeln!(report, "## {name}\n");
    for (part_name, spec_file, root, api) in &parts {
        let binary = options
            .target_dir
            .join("debug")
            .join(format!("harness_{part_name}"));
        let mut runs: Vec<(String, Vec<Line>)> = Vec::new();
        runs.push((
            "static".to_owned(),
            run_mode(options, spec_file, &binary, None)?,
        ));
        for seed in 1..=options.seeds {
            runs.push((
                format!("dynamic seed {seed}"),
                run_mode(options, spec_file, &binary, Some(seed))?,
            ));
        }
        client_failures += write_part_report(&mut report, part_name, api, root, &runs);
    }
    Ok(ContractReport {
        markdown: report,
        client_failures,
    })
}

/// Writes the part's spec for Prism, its generated client and its harness.
fn write_part(
    options: &ContractOptions,
    config: &crate::config::Config,
    part: &crate::build::Part,
    dir: &Path,
    crate_name: &str,
) -> Result<(PathBuf, Value), String> {
    let mut diags = Diagnostics::new();
    let fixes = config.fixes_for(&part.spec);
    let raw = crate::load::load_raw_fixed(&part.spec, &fixes, &mut diags)
        .ok_or_else(|| render(&diags))?;
    let doc = crate::load::load_path_fixed(&part.spec, &fixes, &mut diags)
        .ok_or_else(|| render(&diags))?;
    let mut raw = raw;
    write_bracket_names(&mut raw, &part.generated.api);
    write_form_defaults(&mut raw);
    let spec_file = dir.join("spec.json");
    write(
        &spec_file,
        &serde_json::to_string(&raw).map_err(|e| format!("{e}"))?,
    )?;
    // The client as a standalone crate without features: every operation, every serde impl
    // (request values are decoded from the JSON the harness carries).
    let mut client_config = part.generated.config.clone();
    client_config.crate_.name = crate_name.to_owned();
    client_config.crate_.features = false;
    let generated = crate::Generated {
        api: part.generated.api.clone(),
        config: client_config,
        diagnostics: Diagnostics::new(),
    };
    let runtime = options.runtime_dir.display().to_string();
    let files = crate::standalone::render_crate(
        &generated,
        &crate::emit::RuntimeDependency::Path(runtime.clone()),
    )
    .map_err(|e| format!("{e}"))?;
    let mut files = files;
    // The crate joins the harness's workspace instead of being its own.
    if let Some(manifest) = files.files.get_mut("Cargo.toml") {
        *manifest = manifest
            .lines()
            .filter(|l| l.trim() != "[workspace]")
            .collect::<Vec<_>>()
            .join("\n");
    }
    let api_dir = dir.join("api");
    if api_dir.exists() {
        std::fs::remove_dir_all(&api_dir).map_err(|e| format!("{e}"))?;
    }
    crate::build::write_files(&api_dir, &files).map_err(|e| format!("{e}"))?;
    let part_name = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let main = harness::emit_harness(
        &part.generated.api,
        &doc.root,
        crate_name,
        auth_tokens(config.auth.as_ref(), &part.generated.api),
    )?;
    let manifest = format!(
        r#"[package]
name = "harness_{part_name}"
version = "0.0.0"
edition = "2024"
publish = false

[dependencies]
{crate_name} = {{ path = "../api" }}
sdkgen-runtime = {{ path = {runtime:?} }}
serde = "1"
serde_json = "1"
futures = "0.3"
tokio = {{ version = "1", features = ["rt", "macros"] }}
"#
    );
    write(&dir.join("harness/Cargo.toml"), &manifest)?;
    write(&dir.join("harness/src/main.rs"), &main)?;
    Ok((spec_file, doc.root))
}

/// Restates, in the served spec, the multipart fields that `[encoding] multipart = "brackets"`
/// writes in bracket notation under the names the client sends, so that Prism checks them:
/// an object's leaves become `name[key]` properties (`expires_after[anchor]`), an array of
/// scalars or files becomes `name[]`, and a union of a file and a list of files keeps `name`
/// beside `name[]`, neither required (Prism cannot say "one of the two"). Prism 5.14 cannot
/// read these as `style: deepObject`: its reader builds an object that no part names (an
/// optional field left out is then missing its required keys) and reads arrays only as
/// `name[0]`. Nothing else in the body changes.
fn write_bracket_names(doc: &mut Value, api: &Api) {
    let root = doc.clone();
    for op in &api.operations {
        let Some(body) = &op.body else { continue };
        let BodyKind::Multipart {
            parts,
            brackets: true,
            ..
        } = &body.kind
        else {
            continue;
        };
        let media = format!(
            "{}/requestBody/content/{}/schema",
            op.pointer.trim_start_matches('#'),
            body.content_type.replace('~', "~0").replace('/', "~1")
        );
        let Some(schema) = doc.pointer_mut(&media) else {
            continue;
        };
        let mut inline = crate::lower::deref(&root, schema).clone();
        restate_bracket_parts(&root, &mut inline, parts);
        *schema = inline;
    }
}

fn restate_bracket_parts(root: &Value, schema: &mut Value, parts: &[crate::ir::MultipartField]) {
    let Some(map) = schema.as_object_mut() else {
        return;
    };
    let mut required: Vec<String> = map
        .get("required")
        .and_then(Value::as_array)
        .map(|r| {
            r.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    let Some(props) = map.get_mut("properties").and_then(Value::as_object_mut) else {
        return;
    };
    for part in parts {
        let name = &part.wire_name;
        let Some(prop) = props
            .get(name)
            .map(|p| crate::lower::deref(root, p).clone())
        else {
            continue;
        };
        let was_required = required.contains(name);
        let mut added: Vec<(String, Value, bool)> = Vec::new();
        match &part.encoding {
            PartEncoding::DeepObject => {
                props.remove(name);
                flatten_brackets(root, name, &prop, was_required, &mut added);
            }
            PartEncoding::FileList => {
                props.remove(name);
                added.push((part.item_name.clone(), prop, was_required));
            }
            PartEncoding::FileUnion { .. } => {
                let list = ["oneOf", "anyOf"]
                    .iter()
                    .filter_map(|k| prop.get(*k).and_then(Value::as_array))
                    .flatten()
                    .map(|b| crate::lower::deref(root, b))
                    .find(|b| b.get("items").is_some());
                if let Some(list) = list {
                    added.push((part.item_name.clone(), list.clone(), false));
                }
            }
            _ => continue,
        }
        required.retain(|r| r != name);
        for (key, schema, key_required) in added {
            if key_required {
                required.push(key.clone());
            }
            props.insert(key, schema);
        }
    }
    map.insert(
        "required".to_owned(),
        Value::Array(required.into_iter().map(Value::String).collect()),
    );
}

/// The bracketed names and schemas of one value: an object's leaves by key, an array of
/// scalars as `name[]`; anything else (a union) under its own name.
fn flatten_brackets(
    root: &Value,
    name: &str,
    schema: &Value,
    required: bool,
    out: &mut Vec<(String, Value, bool)>,
) {
    let schema = crate::lower::deref(root, schema);
    let ty = schema.get("type").and_then(Value::as_str);
    if let (Some("object") | None, Some(props)) =
        (ty, schema.get("properties").and_then(Value::as_object))
    {
        let inner: Vec<&str> = schema
            .get("required")
            .and_then(Value::as_array)
            .map(|r| r.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        for (key, prop) in props {
            let key_required = required && inner.contains(&key.as_str());
            flatten_brackets(root, &format!("{name}[{key}]"), prop, key_required, out);
        }
    } else if ty == Some("array") {
        out.push((format!("{name}[]"), schema.clone(), required));
    } else {
        out.push((name.to_owned(), schema.clone(), required));
    }
}

/// Writes out OpenAPI's default encoding (`style: form`, `explode: true`) for every array
/// property of a form body that declares none. It changes nothing the spec says, but Prism
/// 5.14 applies the default only when it is written: without it, it reads Twilio's
/// `EventTypes=a&EventTypes=b` as one string and refuses the request. Swagger 2.0 documents
/// carry form fields as parameters, which this leaves alone.
fn write_form_defaults(doc: &mut Value) {
    let root = doc.clone();
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else {
        return;
    };
    for item in paths.values_mut() {
        let Some(item) = item.as_object_mut() else {
            continue;
        };
        // Both form bodies: a multipart form's repeated text parts are read the same way.
        let media_types = ["application~1x-www-form-urlencoded", "multipart~1form-data"];
        for op in item.values_mut() {
            for media_type in media_types {
                let Some(media) = op
                    .pointer_mut(&format!("/requestBody/content/{media_type}"))
                    .and_then(Value::as_object_mut)
                else {
                    continue;
                };
                write_array_defaults(&root, media);
                if media_type.starts_with("application") {
                    drop_nullable_arrays(&root, media);
                }
            }
        }
    }
}

/// A form body cannot carry `null` (a field is there or it is not), so `nullable` on an array
/// field says nothing about the request; but Prism 5.14 reads `nullable` as the type list
/// `[array, null]` and then splits a repeated key only when the type is exactly `array`, so it
/// refuses Twilio's `UseCaseCategories=a&UseCaseCategories=b`. The served copy drops it from
/// inline array fields.
fn drop_nullable_arrays(root: &Value, media: &mut serde_json::Map<String, Value>) {
    let Some(props) = media
        .get_mut("schema")
        .and_then(|s| s.get_mut("properties"))
        .and_then(Value::as_object_mut)
    else {
        return;
    };
    for prop in props.values_mut() {
        // A field that refers to a nullable array (Twilio's `UseCaseCategories` enum list)
        // is served as an inline copy, so that the component itself stays as published.
        let mut copy = crate::lower::deref(root, prop).clone();
        let Some(fields) = copy.as_object_mut() else {
            continue;
        };
        let array = match fields.get("type") {
            Some(Value::String(t)) => t == "array",
            Some(Value::Array(types)) => {
                types.iter().any(|t| t == "array")
                    && types.iter().all(|t| t == "array" || t == "null")
            }
            _ => false,
        };
        let nullable = fields.get("nullable") == Some(&Value::Bool(true))
            || matches!(fields.get("type"), Some(Value::Array(_)));
        if array && nullable {
            fields.remove("nullable");
            fields.insert("type".to_owned(), "array".into());
            *prop = copy;
        }
    }
}

/// Writes the default encoding of every array property of one form body's media type object.
fn write_array_defaults(root: &Value, media: &mut serde_json::Map<String, Value>) {
    let schema = media.get("schema").cloned().unwrap_or(Value::Null);
    let schema = match schema.get("$ref").and_then(Value::as_str) {
        Some(r) => crate::lower::resolve(root, r)
            .cloned()
            .unwrap_or(Value::Null),
        None => schema,
    };
    let Some(props) = schema.get("properties").and_then(Value::as_object) else {
        return;
    };
    let arrays: Vec<String> = props
        .iter()
        .filter(|(_, p)| {
            let p = match p.get("$ref").and_then(Value::as_str) {
                Some(r) => crate::lower::resolve(root, r).unwrap_or(p),
                None => p,
            };
            match p.get("type") {
                Some(Value::String(t)) => t == "array",
                Some(Value::Array(types)) => types.iter().any(|t| t == "array"),
                _ => false,
            }
        })
        .map(|(name, _)| name.clone())
        .collect();
    let encoding = media
        .entry("encoding")
        .or_insert_with(|| Value::Object(serde_json::Map::new()));
    if let Some(encoding) = encoding.as_object_mut() {
        for name in arrays {
            let entry = encoding
                .entry(name)
                .or_insert_with(|| Value::Object(serde_json::Map::new()));
            // A field's encoding may say only its content type; without a style, the style
            // is the default, written out. A declared style keeps its own explode default.
            if let Some(entry) = entry.as_object_mut()
                && !entry.contains_key("style")
            {
                entry.insert("style".to_owned(), "form".into());
                entry.entry("explode").or_insert(Value::Bool(true));
            }
        }
    }
}

/// Credentials Prism accepts: it checks that the scheme the spec declares is used, not the
/// secret.
fn auth_tokens(auth: Option<&AuthConfig>, api: &Api) -> TokenStream {
    let token = "sdkgen-contract";
    match auth {
        Some(AuthConfig::Bearer { .. }) => quote! { ::sdkgen_runtime::Auth::bearer(#token) },
        Some(AuthConfig::Basic { .. }) => {
            quote! { ::sdkgen_runtime::Auth::basic("ACsdkgen", #token) }
        }
        Some(AuthConfig::ApiKeyHeader { name, .. }) => {
            quote! { ::sdkgen_runtime::Auth::api_key_header(#name, #token) }
        }
        Some(AuthConfig::ApiKeyQuery { name, .. }) => {
            quote! { ::sdkgen_runtime::Auth::api_key_query(#name, #token) }
        }
        None => match api.security.first().map(|s| &s.kind) {
            Some(SecurityKind::Basic) => {
                quote! { ::sdkgen_runtime::Auth::basic("sdkgen", #token) }
            }
            Some(SecurityKind::ApiKey { location, name }) => match location {
                crate::ir::ApiKeyLocation::Header => {
                    quote! { ::sdkgen_runtime::Auth::api_key_header(#name, #token) }
                }
                crate::ir::ApiKeyLocation::Query => {
                    quote! { ::sdkgen_runtime::Auth::api_key_query(#name, #token) }
                }
                crate::ir::ApiKeyLocation::Cookie => {
                    quote! { ::sdkgen_runtime::Auth::api_key_cookie(#name, #token) }
                }
            },
            Some(_) => quote! { ::sdkgen_runtime::Auth::bearer(#token) },
            None => quote! { ::sdkgen_runtime::Auth::none() },
        },
    }
}

fn build(work_dir: &Path, target_dir: &Path) -> Result<(), String> {
    let status = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned()))
        .args(["build", "--quiet", "--workspace"])
        .current_dir(work_dir)
        .env("CARGO_TARGET_DIR", target_dir)
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!(
            "the generated client or its harness does not build (in {})",
            work_dir.display()
        ))
    }
}

/// Serves the spec with Prism (dynamic with `seed`), runs the harness against it, and stops
/// Prism.
fn run_mode(
    options: &ContractOptions,
    spec: &Path,
    binary: &Path,
    seed: Option<u32>,
) -> Result<Vec<Line>, String> {
    let port = free_port()?;
    let mut prism = start_prism(options, spec, port, seed)?;
    let ready = wait_listening(&mut prism, port, Duration::from_secs(300));
    let output = ready.and_then(|()| {
        Command::new(binary)
            .arg(format!("http://127.0.0.1:{port}"))
            .arg(if seed.is_some() { "dynamic" } else { "static" })
            .output()
            .map_err(|e| format!("cannot run {}: {e}", binary.display()))
    });
    let _ = prism.kill();
    let _ = prism.wait();
    let output = output?;
    let text = String::from_utf8_lossy(&output.stdout);
    Ok(text.lines().filter_map(parse_line).collect())
}

fn parse_line(text: &str) -> Option<Line> {
    let value: Value = serde_json::from_str(text).ok()?;
    let field = |k: &str| {
        value
            .get(k)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    Some(Line {
        op: field("op"),
        variant: field("variant"),
        result: field("result"),
        detail: field("detail"),
    })
}

fn free_port() -> Result<u16, String> {
    let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| format!("no free port: {e}"))?;
    listener
        .local_addr()
        .map(|a| a.port())
        .map_err(|e| format!("{e}"))
}

fn start_prism(
    options: &ContractOptions,
    spec: &Path,
    port: u16,
    seed: Option<u32>,
) -> Result<Child, String> {
    let (program, args) = options
        .prism
        .split_first()
        .ok_or_else(|| "no Prism command".to_owned())?;
    let mut command = Command::new(program);
    command
        .args(args)
        .args(["mock", "--host", "127.0.0.1", "--port", &port.to_string()])
        .args(["--verboseLevel", "error"]);
    if let Some(seed) = seed {
        command.args(["--dynamic", "--seed", &seed.to_string()]);
    }
    command
        .arg(spec)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start Prism ({program}): {e}; install @stoplight/prism-cli or set SDKGEN_PRISM"))
}

fn wait_listening(prism: &mut Child, port: u16, limit: Duration) -> Result<(), String> {
    let start = Instant::now();
    while start.elapsed() < limit {
        if TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return Ok(());
        }
        if let Ok(Some(status)) = prism.try_wait() {
            let mut err = String::new();
            if let Some(stderr) = prism.stderr.as_mut() {
                let _ = stderr.read_to_string(&mut err);
            }
            return Err(format!("Prism exited ({status}) before listening: {err}"));
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    Err(format!(
        "Prism did not listen on port {port} within {} s",
        limit.as_secs()
    ))
}

fn write(path: &Path, text: &str) -> Result<(), String> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
    }
    std::fs::write(path, text).map_err(|e| format!("{}: {e}", path.display()))
}

fn render(diags: &Diagnostics) -> String {
    diags
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n")
}

/// Tells the mock's faults from the client's: an undecodable body that breaks the operation's
/// response schema, or Prism's own 500 when its generator fails (it overflows its stack on
/// recursive schemas).
fn classify(root: &Value, op: &crate::ir::Operation, line: &Line) -> Line {
    let mut line = line.clone();
    if line.result == "undecodable" {
        let (message, body) = line
            .detail
            .split_once('\u{1}')
            .map(|(m, b)| (m.to_owned(), b.to_owned()))
            .unwrap_or_else(|| (line.detail.clone(), String::new()));
        line.detail = message;
        if line.detail.contains("without a Location header")
            && !declares_location(root, &op.pointer)
        {
            line.result = "mock".to_owned();
            line.detail =
                "the spec declares no Location for its redirect, so the mock sent none".to_owned();
            return line;
        }
        let invalid = serde_json::from_str::<Value>(&body).ok().and_then(|body| {
            let schema = success_schema(root, op)?;
            validate::first_violation(root, schema, &body)
        });
        if let Some(violation) = invalid {
            line.result = "mock".to_owned();
            line.detail = format!("the body breaks its schema at {violation}");
        }
    } else if line.result == "status" && is_prism_failure(&line.detail) {
        line.result = "mock".to_owned();
        line.detail = if line.detail.contains("sdkgen-schema-mock/") {
            let reason = line.detail.split("\"detail\":").nth(1).unwrap_or_default();
            format!(
                "the schema mock answered 500: its faker failed or made a value its validator refused ({})",
                reason.trim_end_matches('}')
            )
        } else {
            "Prism answered 500: its response generator failed".to_owned()
        };
    } else if line.result == "cross-origin" {
        // Prism makes next links up; the client refuses any to another origin, by design.
        line.result = "mock".to_owned();
        line.detail =
            "the mock's next link leads to another origin; the client refused to follow it"
                .to_owned();
    } else if line.result == "cycle" {
        // A seeded mock answers every request for a path with the same body, so the second
        // page is the first again, which the client rightly refuses to deliver twice.
        line.result = "mock".to_owned();
        line.detail =
            "the mock served the same page again; the client stopped the listing".to_owned();
    }
    line
}

/// The mock's own 500: Prism's generator overflowed or threw, or the schema mock that stands
/// in for Prism (`.ci/schema-mock`) made a value its validator refused.
fn is_prism_failure(detail: &str) -> bool {
    let status = detail
        .split_once(": ")
        .filter(|(page, _)| page.starts_with("page "))
        .map_or(detail, |(_, rest)| rest);
    status.starts_with("500")
        && (status.contains("stoplight.io/prism/errors")
            || status.contains("RangeError")
            || status.contains("sdkgen-schema-mock/"))
}

/// Whether a redirect response of the operation declares its `Location` header (two of
/// GitHub's migration archive downloads document a bare `302`).
fn declares_location(root: &Value, op_pointer: &str) -> bool {
    let Some(responses) = op_pointer
        .strip_prefix('#')
        .and_then(|p| root.pointer(p))
        .and_then(|node| node.get("responses"))
        .and_then(Value::as_object)
    else {
        return false;
    };
    responses
        .iter()
        .filter(|(code, _)| code.starts_with('3'))
        .filter_map(|(_, response)| {
            crate::lower::deref(root, response)
                .get("headers")
                .and_then(Value::as_object)
        })
        .any(|headers| headers.keys().any(|h| h.eq_ignore_ascii_case("location")))
}

/// The JSON schema of the operation's first success response.
fn success_schema<'v>(root: &'v Value, op: &crate::ir::Operation) -> Option<&'v Value> {
    let node = root.pointer(op.pointer.strip_prefix('#')?)?;
    let responses = node.get("responses")?.as_object()?;
    let mut codes: Vec<&String> = responses.keys().filter(|k| k.starts_with('2')).collect();
    codes.sort();
    let response = responses.get(*codes.first()?)?;
    let response = match response.get("$ref").and_then(Value::as_str) {
        Some(r) => crate::lower::resolve(root, r)?,
        None => response,
    };
    let content = response.get("content")?.as_object()?;
    content
        .iter()
        .find(|(media, _)| crate::lower::is_json(&media.to_ascii_lowercase()))
        .and_then(|(_, m)| m.get("schema"))
}

/// Per operation: whether every request was accepted and every response decoded, then the
/// failures by kind.
fn write_part_report(
    out: &mut String,
    part: &str,
    api: &Api,
    root: &Value,
    runs: &[(String, Vec<Line>)],
) -> usize {
    let mut by_op: BTreeMap<&str, Vec<(&str, &Line)>> = BTreeMap::new();
    for (mode, lines) in runs {
        for line in lines {
            by_op
                .entry(line.op.as_str())
                .or_default()
                .push((mode.as_str(), line));
        }
    }
    let total = api.operations.len();
    let mut passed = 0;
    let mut rejected = Vec::new();
    let mut undecodable = Vec::new();
    let mut other = Vec::new();
    let mut skipped = Vec::new();
    let mut mock_faults = Vec::new();
    let mut sent_clean = 0;
    let mut decoded_all = 0;
    let dynamic_runs = runs.iter().filter(|(m, _)| m != "static").count();
    for op in &api.operations {
        let lines = by_op
            .get(op.operation_id.as_str())
            .cloned()
            .unwrap_or_default();
        let call = harness::call_text(op);
        if let Some(reason) = harness::skip_reason(op) {
            skipped.push(format!("`{call}` ({}): {reason}", op.operation_id));
            continue;
        }
        if lines.is_empty() {
            skipped.push(format!(
                "`{call}` ({}): the harness printed nothing for it",
                op.operation_id
            ));
            continue;
        }
        // A failure that is the mock's, not the client's, is listed apart and counts as read.
        let lines: Vec<(&str, Line)> = lines
            .into_iter()
            .map(|(mode, line)| (mode, classify(root, op, line)))
            .collect();
        for (mode, line) in &lines {
            if line.result == "mock" {
                mock_faults.push(format!(
                    "`{call}` ({}), {mode}, {}: {}",
                    op.operation_id, line.variant, line.detail
                ));
            }
        }
        let lines: Vec<(&str, &Line)> = lines.iter().map(|(m, l)| (*m, l)).collect();
        let was_rejected = lines.iter().any(|(_, l)| l.result == "rejected");
        if !was_rejected {
            sent_clean += 1;
        }
        let dynamic_ok = lines
            .iter()
            .filter(|(m, l)| {
                *m != "static"
                    && l.variant == "required"
                    && (l.result == "ok" || l.result == "mock")
            })
            .count();
        if dynamic_ok == dynamic_runs {
            decoded_all += 1;
        }
        if lines
            .iter()
            .all(|(_, l)| l.result == "ok" || l.result == "mock")
        {
            passed += 1;
            continue;
        }
        for (mode, line) in &lines {
            if line.result == "ok" || line.result == "mock" {
                continue;
            }
            let text = format!(
                "`{call}` ({}), {mode}, {}: {}",
                op.operation_id,
                line.variant,
                line.detail.replace('\n', " ")
            );
            match line.result.as_str() {
                "rejected" => rejected.push(text),
                "undecodable" => undecodable.push(text),
                _ => other.push(format!("{} ({})", text, line.result)),
            }
        }
    }
    let _ = writeln!(out, "### {part}\n");
    let _ = writeln!(
        out,
        "{total} operations: {passed} pass every check; {sent_clean} sent without a rejection; \
         {decoded_all} decoded all {dynamic_runs} dynamic responses; {} not run.\n",
        skipped.len()
    );
    for (title, items) in [
        ("Requests rejected, with Prism's reason", &rejected),
        ("Responses that did not decode", &undecodable),
        ("Other failures", &other),
        (
            "Bodies the mock served that its spec does not allow, or could not make (not counted against the client)",
            &mock_faults,
        ),
        ("Not run", &skipped),
    ] {
        if items.is_empty() {
            continue;
        }
        let _ = writeln!(out, "{title} ({}):\n", items.len());
        for item in items.iter() {
            let _ = writeln!(out, "- {item}");
        }
        let _ = writeln!(out);
    }
    rejected.len() + undecodable.len() + other.len()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_redirect_without_a_declared_location_is_the_specs_doing() {
        let root = json!({
            "components": {"responses": {"found": {"description": "Found"}}},
            "paths": {
                "/bare": {"get": {"responses": {"302": {"$ref": "#/components/responses/found"}}}},
                "/told": {"get": {"responses": {"302": {
                    "description": "Found",
                    "headers": {"Location": {"schema": {"type": "string"}}},
                }}}},
            },
        });
        assert!(!declares_location(&root, "#/paths/~1bare/get"));
        assert!(declares_location(&root, "#/paths/~1told/get"));
    }

    #[test]
    fn bracketed_parts_are_served_under_the_names_the_client_sends() {
        use crate::ir::{MultipartField, TypeRef};
        let root = json!({});
        let mut schema = json!({
            "type": "object",
            "additionalProperties": false,
            "required": ["file", "purpose", "files"],
            "properties": {
                "file": {"type": "string", "format": "binary"},
                "purpose": {"type": "string"},
                "expires_after": {"type": "object", "required": ["anchor", "seconds"], "properties": {
                    "anchor": {"type": "string", "enum": ["created_at"]},
                    "seconds": {"type": "integer"},
                }},
                "include": {"type": "array", "items": {"type": "string"}},
                "files": {"oneOf": [
                    {"type": "array", "items": {"type": "string", "format": "binary"}},
                    {"type": "string", "format": "binary"},
                ]},
            },
        });
        let field = |name: &str, encoding: PartEncoding| MultipartField {
            rust_name: name.to_owned(),
            wire_name: name.to_owned(),
            item_name: format!("{name}[]"),
            encoding,
            optional: true,
        };
        let parts = [
            field("file", PartEncoding::File),
            field("purpose", PartEncoding::Text),
            field("expires_after", PartEncoding::DeepObject),
            field("include", PartEncoding::DeepObject),
            field(
                "files",
                PartEncoding::FileUnion {
                    ty: TypeRef::Json,
                    single: vec!["Binary".to_owned()],
                    list: vec!["BinaryList".to_owned()],
                },
            ),
        ];
        restate_bracket_parts(&root, &mut schema, &parts);
        let mut names: Vec<&String> = schema["properties"]
            .as_object()
            .map(|p| p.keys().collect())
            .unwrap_or_default();
        names.sort();
        assert_eq!(
            names,
            [
                "expires_after[anchor]",
                "expires_after[seconds]",
                "file",
                "files",
                "files[]",
                "include[]",
                "purpose",
            ]
        );
        // An optional object's keys are optional; the union's two names are both optional.
        assert_eq!(schema["required"], json!(["file", "purpose"]));
    }

    #[test]
    fn form_arrays_get_the_default_encoding_written_out_and_declared_ones_stay() {
        let mut doc = json!({"components": {"schemas": {"Cats": {
            "type": "array", "nullable": true, "items": {"type": "string"},
        }}}, "paths": {"/hooks": {"post": {"requestBody": {"content": {
            "application/x-www-form-urlencoded": {
                "schema": {"type": "object", "properties": {
                    "Categories": {"$ref": "#/components/schemas/Cats"},
                    "EventTypes": {"type": "array", "items": {"type": "string"}},
                    "Tags": {"type": ["array", "null"], "items": {"type": "string"}},
                    "Ids": {"type": "array", "items": {"type": "string"}},
                    "Name": {"type": "string"},
                }},
                "encoding": {"Ids": {"style": "pipeDelimited"}},
            }
        }}}}}});
        write_form_defaults(&mut doc);
        let tags = doc
            .pointer("/paths/~1hooks/post/requestBody/content/application~1x-www-form-urlencoded/schema/properties/Tags/type")
            .cloned();
        assert_eq!(tags, Some(json!("array")), "a form field carries no null");
        let categories = doc
            .pointer("/paths/~1hooks/post/requestBody/content/application~1x-www-form-urlencoded/schema/properties/Categories")
            .cloned();
        assert_eq!(
            categories,
            Some(json!({"type": "array", "items": {"type": "string"}})),
            "served inline, without the null"
        );
        assert_eq!(
            doc.pointer("/components/schemas/Cats/nullable"),
            Some(&json!(true))
        );
        let encoding = doc
            .pointer("/paths/~1hooks/post/requestBody/content/application~1x-www-form-urlencoded/encoding")
            .cloned()
            .unwrap_or_default();
        assert_eq!(
            encoding,
            json!({
                "Ids": {"style": "pipeDelimited"},
                "Categories": {"style": "form", "explode": true},
                "EventTypes": {"style": "form", "explode": true},
                "Tags": {"style": "form", "explode": true},
            })
        );
    }
}
