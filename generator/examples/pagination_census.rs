//! Measures pagination detection over a corpus (the numbers in CORPUS.md):
//! `cargo run --release -p sdkgen --example pagination_census -- DIR... [--sample N]`.
//!
//! A list operation is a GET whose success body is an array, or an object with an array
//! property, and whose path does not end in a parameter (`/pets`, not `/pets/{id}`). Prints,
//! per convention, how many list operations get a stream, and an evenly spaced sample of
//! detections with their evidence, for checking by hand.

use std::collections::BTreeMap;
use std::path::PathBuf;

use sdkgen::ir::{Api, HttpMethod, ResponseBody, SuccessResponse, TypeKind, TypeRef};

fn unalias(api: &Api, t: &TypeRef) -> TypeRef {
    let mut current = t.clone();
    for _ in 0..32 {
        match &current {
            TypeRef::Named(id) | TypeRef::Boxed(id) => match api.types.get(id).map(|d| &d.kind) {
                Some(TypeKind::Alias(inner)) => current = inner.clone(),
                _ => return current,
            },
            TypeRef::Nullable(inner) => current = (**inner).clone(),
            _ => return current,
        }
    }
    current
}

fn has_items(api: &Api, body: &TypeRef) -> bool {
    match unalias(api, body) {
        TypeRef::Array(_) => true,
        TypeRef::Named(id) | TypeRef::Boxed(id) => match api.types.get(&id).map(|d| &d.kind) {
            Some(TypeKind::Struct(s)) => s
                .fields
                .iter()
                .any(|f| matches!(unalias(api, &f.ty), TypeRef::Array(_))),
            _ => false,
        },
        _ => false,
    }
}

fn main() {
    let mut dirs = Vec::new();
    let mut sample = 30usize;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        if arg == "--sample" {
            sample = args.next().and_then(|n| n.parse().ok()).unwrap_or(30);
        } else {
            dirs.push(PathBuf::from(arg));
        }
    }
    let mut specs: Vec<PathBuf> = dirs
        .iter()
        .filter_map(|d| std::fs::read_dir(d).ok())
        .flatten()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.extension()
                .is_some_and(|e| e == "yaml" || e == "yml" || e == "json")
        })
        .collect();
    specs.sort();
    let (mut list_ops, mut streamed, mut specs_with) = (0usize, 0usize, 0usize);
    let mut by_style: BTreeMap<String, usize> = BTreeMap::new();
    let mut detections = Vec::new();
    for spec in &specs {
        let Ok(generated) = sdkgen::analyze(spec, None) else {
            continue;
        };
        let api = &generated.api;
        let mut any = false;
        for op in &api.operations {
            let SuccessResponse::Single(ResponseBody::Json(body)) = &op.responses.success else {
                continue;
            };
            let ends_in_param = op.path_template.trim_end_matches('/').ends_with('}');
            if op.http_method != HttpMethod::Get || ends_in_param || !has_items(api, body) {
                continue;
            }
            list_ops += 1;
            if let (Some(p), Some(evidence)) = (
                &op.pagination,
                api.detected_pagination.get(&op.operation_id),
            ) {
                streamed += 1;
                any = true;
                let style = format!("{:?}", p.style);
                let style = style
                    .split([' ', '{'])
                    .next()
                    .unwrap_or_default()
                    .to_owned();
                *by_style.entry(style).or_default() += 1;
                let file = spec.file_name().map(|f| f.to_string_lossy().into_owned());
                detections.push(format!(
                    "{} {} {}: {evidence}",
                    file.unwrap_or_default(),
                    op.operation_id,
                    op.path_template
                ));
            }
        }
        specs_with += usize::from(any);
    }
    println!(
        "{} specs; {list_ops} list operations; {streamed} get a stream ({:.1}%); {specs_with} specs have at least one",
        specs.len(),
        streamed as f64 * 100.0 / list_ops.max(1) as f64
    );
    for (style, n) in &by_style {
        println!("  {style}: {n}");
    }
    let step = (detections.len() / sample.max(1)).max(1);
    println!("sample (every {step}th detection):");
    for d in detections.iter().step_by(step).take(sample) {
        println!("  {d}");
    }
}
