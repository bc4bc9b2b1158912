//! Spec prose → rustdoc attributes.

use proc_macro2::TokenStream;
use quote::quote;

use crate::ir::Docs;

/// Rustdoc for an item: summary, description, an optional extra line, and `#[deprecated]`.
pub(crate) fn emit_docs(docs: &Docs, extra: Option<&str>) -> TokenStream {
    let mut text = String::new();
    if let Some(summary) = &docs.summary {
        text.push_str(summary.trim());
    }
    if let Some(description) = &docs.description {
        let description = description.trim();
        if !description.is_empty() && Some(description) != docs.summary.as_deref().map(str::trim) {
            if !text.is_empty() {
                text.push_str("\n\n");
            }
            text.push_str(description);
        }
    }
    if let Some(extra) = extra {
        if !text.is_empty() {
            text.push_str("\n\n");
        }
        text.push_str(extra);
    }
    let mut out = emit_doc_text(&text);
    if docs.deprecated {
        out.extend(quote! { #[deprecated] });
    }
    out
}

/// One `#[doc]` attribute per line, with code blocks made inert.
pub(crate) fn emit_doc_text(text: &str) -> TokenStream {
    let cleaned = clean_markdown(text);
    if cleaned.trim().is_empty() {
        return TokenStream::new();
    }
    let lines = cleaned.lines().map(|l| {
        let line = if l.is_empty() {
            String::new()
        } else {
            format!(" {l}")
        };
        quote! { #[doc = #line] }
    });
    quote! { #(#lines)* }
}

/// Marks every code block as `text` so rustdoc never compiles upstream snippets, turns indented
/// code blocks into fenced ones for the same reason, and drops trailing whitespace and tabs that
/// lints dislike.
pub(crate) fn clean_markdown(text: &str) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut in_fence: Option<String> = None;
    let mut in_indented = false;
    let mut previous_blank = true;
    for raw in text.replace("\r\n", "\n").replace('\r', "\n").lines() {
        let line = raw.replace('\t', "    ");
        let line = line.trim_end();
        let trimmed = line.trim_start();
        if let Some(fence) = &in_fence {
            if trimmed.starts_with(fence.as_str()) {
                out.push(fence.clone());
                in_fence = None;
            } else {
                out.push(line.to_owned());
            }
            previous_blank = false;
            continue;
        }
        let fence_marker = ["```", "~~~"].into_iter().find(|f| trimmed.starts_with(f));
        if let Some(marker) = fence_marker {
            if in_indented {
                out.push("```".to_owned());
                in_indented = false;
            }
            let count = trimmed
                .chars()
                .take_while(|c| *c == marker.chars().next().unwrap_or('`'))
                .count();
            let fence = marker
                .chars()
                .next()
                .unwrap_or('`')
                .to_string()
                .repeat(count);
            out.push(format!("{fence}text"));
            in_fence = Some(fence);
            previous_blank = false;
            continue;
        }
        let indented = line.starts_with("    ") && !trimmed.is_empty();
        if in_indented {
            if indented || trimmed.is_empty() {
                out.push(line.strip_prefix("    ").unwrap_or(line).to_owned());
                continue;
            }
            out.push("```".to_owned());
            in_indented = false;
        }
        if indented && previous_blank && !looks_like_list_continuation(&out) {
            out.push("```text".to_owned());
            out.push(line.strip_prefix("    ").unwrap_or(line).to_owned());
            in_indented = true;
            continue;
        }
        previous_blank = trimmed.is_empty();
        out.push(line.to_owned());
    }
    if let Some(fence) = in_fence {
        out.push(fence);
    }
    if in_indented {
        // Blank lines swallowed at the end of an indented block belong outside it.
        while out.last().is_some_and(|l| l.trim().is_empty()) {
            out.pop();
        }
        out.push("```".to_owned());
    }
    while out.last().is_some_and(|l| l.trim().is_empty()) {
        out.pop();
    }
    out.join("\n")
}

fn looks_like_list_continuation(out: &[String]) -> bool {
    out.iter()
        .rev()
        .find(|l| !l.trim().is_empty())
        .is_some_and(|l| {
            let t = l.trim_start();
            t.starts_with("- ")
                || t.starts_with("* ")
                || t.starts_with(|c: char| c.is_ascii_digit())
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fences_are_marked_text() {
        let out = clean_markdown("Example:\n```json\n{\"a\": 1}\n```\nDone");
        assert_eq!(out, "Example:\n```text\n{\"a\": 1}\n```\nDone");
    }

    #[test]
    fn indented_code_becomes_a_text_fence() {
        let out = clean_markdown("Run:\n\n    curl x\n    y\n\nAfter");
        assert_eq!(out, "Run:\n\n```text\ncurl x\ny\n\n```\nAfter");
    }
}
