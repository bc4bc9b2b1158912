//! `sdkgen report`: what a provider's generated crate covers, and its API surface.
//!
//! The surface is the sorted list of client methods with their signatures and of type names,
//! with no upstream prose, so that a snapshot of it shows a spec change as a reviewable diff.

use std::fmt::Write as _;

use crate::build::Provider;
use crate::diagnostics::{DiagnosticKind, Severity};
use crate::ir::{Api, FloatKind, IntKind, ResponseBody, SuccessResponse, TypeKind, TypeRef};

/// A compact Rust-like rendering of a type for surfaces and reports.
pub(crate) fn type_text(api: &Api, t: &TypeRef) -> String {
    match t {
        TypeRef::Bool => "bool".to_owned(),
        TypeRef::Int(IntKind::I32) => "i32".to_owned(),
        TypeRef::Int(IntKind::I64) => "i64".to_owned(),
        TypeRef::Int(IntKind::U32) => "u32".to_owned(),
        TypeRef::Int(IntKind::U64) => "u64".to_owned(),
        TypeRef::Float(FloatKind::F32) => "f32".to_owned(),
        TypeRef::Float(FloatKind::F64) => "f64".to_owned(),
        TypeRef::String => "String".to_owned(),
        TypeRef::DateTime => "DateTime".to_owned(),
        TypeRef::Date => "NaiveDate".to_owned(),
        TypeRef::Uuid => "Uuid".to_owned(),
        TypeRef::Base64 => "Base64".to_owned(),
        TypeRef::Binary => "FilePart".to_owned(),
        TypeRef::Json => "Value".to_owned(),
        TypeRef::Unit => "()".to_owned(),
        TypeRef::Array(i) => format!("Vec<{}>", type_text(api, i)),
        TypeRef::Map(i) => format!("Map<{}>", type_text(api, i)),
        TypeRef::Nullable(i) => format!("Option<{}>", type_text(api, i)),
        TypeRef::Expandable(i) => format!("Expandable<{}>", type_text(api, i)),
        TypeRef::Named(id) | TypeRef::Boxed(id) => api
            .types
            .get(id)
            .map_or_else(|| "?".to_owned(), |d| d.name.clone()),
    }
}

pub(crate) fn response_text(api: &Api, body: &ResponseBody) -> String {
    match body {
        ResponseBody::Empty => "()".to_owned(),
        ResponseBody::Json(t) => type_text(api, t),
        ResponseBody::Text => "String".to_owned(),
        ResponseBody::Binary | ResponseBody::EventStream(_) => "Bytes".to_owned(),
        ResponseBody::Redirect => "Redirect".to_owned(),
    }
}

/// The sorted API surface of one spec: client methods with their signatures, then type names.
pub fn surface(api: &Api) -> String {
    let mut lines: Vec<String> = api
        .operations
        .iter()
        .map(|op| {
            let mut args: Vec<String> = op
                .params
                .iter()
                .filter(|p| p.required)
                .map(|p| format!("{}: {}", p.rust_name, type_text(api, &p.ty)))
                .collect();
            if let Some(b) = op.body.as_ref().filter(|b| b.required) {
                args.push(format!("body: {}", type_text(api, &b.ty)));
            }
            let optional: Vec<&str> = op
                .params
                .iter()
                .filter(|p| !p.required)
                .map(|p| p.rust_name.as_str())
                .collect();
            let success = match &op.responses.success {
                SuccessResponse::Single(body) => response_text(api, body),
                SuccessResponse::Enum { name, .. } => name.clone(),
            };
            let mut call = String::from("client");
            for r in &op.resource {
                let _ = write!(call, ".{r}()");
            }
            let mut line = format!(
                "fn {call}.{}({}) -> {success}",
                op.method_name,
                args.join(", ")
            );
            if !optional.is_empty() {
                let _ = write!(line, " [{}]", optional.join(", "));
            }
            if let Some(b) = op.body.as_ref().filter(|b| !b.required) {
                let _ = write!(line, " +body({})", type_text(api, &b.ty));
            }
            if op.pagination.is_some() {
                line.push_str(" +items +pages");
            }
            let events = op.responses.event_stream.is_some()
                || matches!(
                    op.responses.success,
                    SuccessResponse::Single(ResponseBody::EventStream(_))
                );
            if events {
                line.push_str(" +events");
            }
            let _ = write!(line, " in {}", op.module);
            line
        })
        .collect();
    lines.sort();
    let mut types: Vec<String> = api
        .types
        .values()
        .map(|d| {
            let kind = match d.kind {
                TypeKind::Struct(_) => "struct",
                TypeKind::StringEnum(_) => "enum",
                TypeKind::IntEnum(_) => "int-enum",
                TypeKind::Union(_) => "union",
                TypeKind::Alias(_) => "type",
                TypeKind::Newtype(_) => "newtype",
            };
            // A shared definition shows up as the alias's target, so that a spec change which
            // splits or merges identical enums is visible in the diff.
            let target = match &d.kind {
                TypeKind::Alias(TypeRef::Named(id)) => api
                    .types
                    .get(id)
                    .map(|t| format!(" = {}", t.name))
                    .unwrap_or_default(),
                _ => String::new(),
            };
            format!("{kind} {}::{}{target}", d.module, d.name)
        })
        .collect();
    types.sort();
    lines.extend(webhook_surface(api));
    lines.extend(types);
    lines.join("\n") + "\n"
}

/// One line per webhook event: its variant, the name a delivery gives it and its payload.
fn webhook_surface(api: &Api) -> Vec<String> {
    let Some(webhooks) = &api.webhooks else {
        return Vec::new();
    };
    let verifier = match webhooks.verifier {
        Some(v) => format!("{v:?}"),
        None => "none".to_owned(),
    };
    let mut lines = vec![format!(
        "webhooks: {} events, verified by {verifier}",
        webhooks.events.len()
    )];
    lines.extend(webhooks.events.iter().map(|e| {
        format!(
            "event webhooks::Event::{}(\"{}\") -> {}",
            e.variant,
            e.name(),
            type_text(api, &e.payload)
        )
    }));
    lines
}

/// How many events the provider delivers, how many have typed payloads, and each webhook
/// diagnostic.
fn write_webhooks(out: &mut String, api: &Api, diags: &crate::diagnostics::Diagnostics) {
    let Some(webhooks) = &api.webhooks else {
        return;
    };
    let typed = webhooks
        .events
        .iter()
        .filter(|e| e.payload != TypeRef::Json)
        .count();
    let _ = writeln!(
        out,
        "  webhooks: {} events, {typed} with typed payloads, verified by {}",
        webhooks.events.len(),
        webhooks
            .verifier
            .map_or_else(|| "nothing".to_owned(), |v| format!("{v:?}"))
    );
    for d in diags.iter().filter(|d| d.kind == DiagnosticKind::Webhook) {
        let _ = writeln!(out, "    {}: {}", d.pointer, d.message);
    }
}

/// The coverage report of a provider: operations typed, degraded (with why) and skipped.
pub fn provider_report(provider: &Provider) -> String {
    let mut out = String::new();
    let (mut total, mut degraded_total, mut skipped_total) = (0, 0, 0);
    for part in &provider.parts {
        let api = &part.generated.api;
        let diags = &part.generated.diagnostics;
        let degraded = crate::corpus::degraded_operations(api, diags);
        let skipped: Vec<String> = diags
            .iter()
            .filter(|d| {
                d.kind == DiagnosticKind::SkippedOperation && d.severity == Severity::Warning
            })
            .map(|d| format!("{}: {}", d.pointer, d.message))
            .collect();
        let ops = api.operations.len();
        total += ops + skipped.len();
        degraded_total += degraded.len();
        skipped_total += skipped.len();
        let name = part.module.clone().unwrap_or_else(|| api.title.clone());
        let _ = writeln!(
            out,
            "{name}: {} operations, {} typed, {} degraded, {} skipped",
            ops + skipped.len(),
            ops - degraded.len(),
            degraded.len(),
            skipped.len()
        );
        write_name_origins(&mut out, api);
        write_webhooks(&mut out, api, diags);
        for (op, reasons) in &degraded {
            let _ = writeln!(out, "  degraded {op}");
            for r in reasons {
                let _ = writeln!(out, "    {r}");
            }
        }
        for s in &skipped {
            let _ = writeln!(out, "  skipped {s}");
        }
        for line in pagination_lines(api) {
            let _ = writeln!(out, "  {line}");
        }
        write_examples(&mut out, provider, part);
    }
    let typed = total - degraded_total - skipped_total;
    let pct = if total == 0 {
        100.0
    } else {
        typed as f64 * 100.0 / total as f64
    };
    let _ = writeln!(
        out,
        "total: {total} operations, {typed} typed ({pct:.1}%), {degraded_total} degraded, {skipped_total} skipped"
    );
    out
}

/// How many call names each naming rule gave, and every override by name, since overrides are
/// what the generic rule got wrong.
fn write_name_origins(out: &mut String, api: &Api) {
    let mut counts: std::collections::BTreeMap<crate::ir::NameOrigin, usize> =
        std::collections::BTreeMap::new();
    for op in &api.operations {
        *counts.entry(op.name_origin).or_default() += 1;
    }
    let parts: Vec<String> = counts
        .iter()
        .map(|(origin, n)| format!("{n} {}", origin.label()))
        .collect();
    let _ = writeln!(out, "  names: {}", parts.join(", "));
    for op in &api.operations {
        if op.name_origin == crate::ir::NameOrigin::Override {
            let mut call = op.resource.join(".");
            if !call.is_empty() {
                call.push('.');
            }
            let _ = writeln!(
                out,
                "  name override {}: {call}{}",
                op.operation_id, op.method_name
            );
        }
    }
}

/// How many operations page, configured and detected, and the evidence for each detection.
pub fn pagination_lines(api: &Api) -> Vec<String> {
    let detected: Vec<(&str, &str)> = api
        .operations
        .iter()
        .filter(|op| op.pagination.is_some())
        .filter_map(|op| {
            let evidence = api.detected_pagination.get(&op.operation_id)?;
            Some((op.operation_id.as_str(), evidence.as_str()))
        })
        .collect();
    let paged = api
        .operations
        .iter()
        .filter(|op| op.pagination.is_some())
        .count();
    let mut lines = vec![format!(
        "pagination: {paged} operations page, {} configured in sdkgen.toml, {} detected",
        paged - detected.len(),
        detected.len()
    )];
    lines.extend(
        detected
            .iter()
            .map(|(op, evidence)| format!("  detected {op}: {evidence}")),
    );
    lines
}

/// The spec's own response examples checked against the generated types: how many, and each
/// one that the client could not read.
fn write_examples(out: &mut String, provider: &Provider, part: &crate::build::Part) {
    for line in examples_lines(provider, part).0 {
        let _ = writeln!(out, "  {line}");
    }
}

/// What the response examples of each spec of a provider showed: the properties loosened to
/// read them (see [`crate::examples`]), the count checked, and each one that still does not
/// read. Names and pointers only, no upstream prose, so it can be snapshotted.
pub fn examples_summary(provider: &Provider) -> String {
    let mut out = String::new();
    let mut matched = std::collections::BTreeSet::new();
    for part in &provider.parts {
        if let Some(m) = &part.module {
            let _ = writeln!(out, "# {m}");
        }
        for d in part
            .generated
            .diagnostics
            .iter()
            .filter(|d| d.kind == DiagnosticKind::ExampleConflict)
        {
            let _ = writeln!(out, "loosened {}: {}", d.pointer, d.message);
        }
        let (lines, ignored) = examples_lines(provider, part);
        for line in lines {
            let _ = writeln!(out, "{line}");
        }
        matched.extend(ignored);
    }
    // An ignore entry that names no example is left over from an older spec.
    for entry in &provider.config.examples.ignore {
        if !matched.contains(&entry.pointer) {
            let _ = writeln!(out, "stale examples.ignore entry: {}", entry.pointer);
        }
    }
    out
}

/// The report lines for one spec's examples, and the pointers of the examples it ignored.
fn examples_lines(provider: &Provider, part: &crate::build::Part) -> (Vec<String>, Vec<String>) {
    let mut diags = crate::diagnostics::Diagnostics::new();
    let fixes = provider.config.fixes_for(&part.spec);
    let Some(doc) = crate::load::load_path_fixed(&part.spec, &fixes, &mut diags) else {
        return (
            vec!["response examples: the spec did not load again".to_owned()],
            Vec::new(),
        );
    };
    let checked =
        crate::examples::check_api(&doc.root, &part.generated.api, &provider.config.examples);
    let mut lines = vec![format!(
        "response examples: {} checked, {} ignored by sdkgen.toml, {} do not decode",
        checked.examples,
        checked.ignored.len(),
        checked.failures.len()
    )];
    lines.extend(checked.failures.iter().map(|f| {
        format!(
            "  {} {}: at `{}`: {}",
            f.operation, f.example, f.at, f.reason
        )
    }));
    (lines, checked.ignored)
}
