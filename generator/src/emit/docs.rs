//! Spec prose → rustdoc attributes.

use proc_macro2::TokenStream;
use quote::quote;

use crate::ir::Docs;

/// Rustdoc for an item: summary, description, an optional extra line, and `#[deprecated]`.
/// The spec's prose is sanitized ([`sanitize_prose`]); `extra`, which the generator writes, may
/// hold intra-doc links.
pub(crate) fn emit_docs(docs: &Docs, extra: Option<&str>) -> TokenStream {
    let mut text = String::new();
    if let Some(summary) = &docs.summary {
        text.push_str(&sanitize_prose(summary.trim()));
    }
    if let Some(description) = &docs.description {
        let description = description.trim();
        if !description.is_empty() && Some(description) != docs.summary.as_deref().map(str::trim) {
            if !text.is_empty() {
                text.push_str("\n\n");
            }
            text.push_str(&sanitize_prose(description));
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

/// Makes upstream prose safe for rustdoc, outside code blocks and code spans: brackets that are
/// not a link become `\[…\]` (Twilio's `[OBSOLETE]`, Stripe's `automatic_tax[enabled]`, which
/// rustdoc would resolve as intra-doc links), a link to a relative URL keeps only its text
/// (`[FinancialAccount](/docs/…)` points into the provider's site, not ours), a bare URL gets
/// angle brackets (rustdoc's `bare_urls`), and HTML is escaped (`<Conference>` is not a tag to
/// close), except that `<br>`, `<p>`, `<b>`, `<strong>`, `<i>`, `<em>` and `<code>` become their
/// markdown.
pub(crate) fn sanitize_prose(text: &str) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut in_fence: Option<String> = None;
    for line in text.replace("\r\n", "\n").replace('\r', "\n").split('\n') {
        let trimmed = line.trim_start();
        if let Some(fence) = &in_fence {
            if trimmed.starts_with(fence.as_str()) {
                in_fence = None;
            }
            out.push(line.to_owned());
            continue;
        }
        if let Some(marker) = ["```", "~~~"].into_iter().find(|f| trimmed.starts_with(f)) {
            in_fence = Some(marker.to_owned());
            out.push(line.to_owned());
            continue;
        }
        // An indented line may be a code block, which `clean_markdown` fences as it is.
        if line.starts_with("    ") || line.starts_with('\t') {
            out.push(line.to_owned());
            continue;
        }
        out.push(sanitize_line(line));
    }
    out.join("\n")
}

/// HTML tags turned into markdown, by lowercase name (the closing tag gives the same text).
const HTML_AS_MARKDOWN: [(&str, &str); 9] = [
    ("br", "\n"),
    ("p", "\n\n"),
    ("b", "**"),
    ("strong", "**"),
    ("i", "*"),
    ("em", "*"),
    ("code", "`"),
    ("ul", "\n"),
    ("li", "\n- "),
];

fn sanitize_line(line: &str) -> String {
    let chars: Vec<char> = line.chars().collect();
    let mut out = String::with_capacity(line.len() + 8);
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '\\' => {
                out.push(c);
                if let Some(next) = chars.get(i + 1) {
                    out.push(*next);
                }
                i += 2;
            }
            '`' => {
                // A code span is copied as it is; an unmatched run of backticks is text.
                let run = chars[i..].iter().take_while(|c| **c == '`').count();
                let close = (i + run..chars.len()).find(|&j| {
                    chars[j..].iter().take_while(|c| **c == '`').count() == run
                        && (j == 0 || chars[j - 1] != '`')
                });
                let end = close.map_or(i + run, |j| j + run);
                out.extend(&chars[i..end]);
                i = end;
            }
            '[' => {
                let close = (i + 1..chars.len()).find(|&j| chars[j] == ']');
                let Some(close) = close else {
                    out.push_str("\\[");
                    i += 1;
                    continue;
                };
                let inner: String = chars[i + 1..close].iter().collect();
                if chars.get(close + 1) == Some(&'(') {
                    if let Some(end) = matching_paren(&chars, close + 1) {
                        let dest: String = chars[close + 2..end].iter().collect();
                        let dest = dest.trim();
                        if ["http://", "https://", "mailto:"]
                            .iter()
                            .any(|s| dest.starts_with(s))
                            && !dest.contains(' ')
                        {
                            out.push('[');
                            out.push_str(&sanitize_line(&inner));
                            out.push_str("](");
                            out.push_str(dest);
                            out.push(')');
                        } else {
                            out.push_str(&sanitize_line(&inner));
                        }
                        i = end + 1;
                        continue;
                    }
                }
                out.push_str("\\[");
                out.push_str(&sanitize_line(&inner));
                out.push_str("\\]");
                i = close + 1;
            }
            ']' => {
                out.push_str("\\]");
                i += 1;
            }
            '<' => {
                let rest: String = chars[i..].iter().collect();
                let end = rest.find('>');
                if let Some(end) =
                    end.filter(|_| rest.starts_with("<http://") || rest.starts_with("<https://"))
                {
                    if !rest[..end].contains(' ') {
                        out.push_str(&rest[..=end]);
                        i += rest[..=end].chars().count();
                        continue;
                    }
                }
                if let Some(end) = end {
                    let tag = rest[1..end]
                        .trim_start_matches('/')
                        .trim_end_matches('/')
                        .trim();
                    let name = tag
                        .split_whitespace()
                        .next()
                        .unwrap_or_default()
                        .to_lowercase();
                    if let Some((_, markdown)) = HTML_AS_MARKDOWN.iter().find(|(n, _)| *n == name) {
                        out.push_str(markdown);
                        i += rest[..=end].chars().count();
                        continue;
                    }
                }
                out.push_str("&lt;");
                i += 1;
            }
            '>' => {
                out.push_str("&gt;");
                i += 1;
            }
            'h' if starts_bare_url(&chars, i) => {
                let end = (i..chars.len())
                    .find(|&j| chars[j].is_whitespace() || chars[j] == '<' || chars[j] == '>')
                    .unwrap_or(chars.len());
                let mut url_end = end;
                while url_end > i
                    && matches!(
                        chars[url_end - 1],
                        '.' | ',' | ';' | ':' | '!' | '?' | ')' | '\'' | '"'
                    )
                {
                    url_end -= 1;
                }
                out.push('<');
                out.extend(&chars[i..url_end]);
                out.push('>');
                out.extend(&chars[url_end..end]);
                i = end;
            }
            _ => {
                out.push(c);
                i += 1;
            }
        }
    }
    out
}

/// The index of the `)` that closes the `(` at `open`, on this line.
fn matching_paren(chars: &[char], open: usize) -> Option<usize> {
    let mut depth = 0usize;
    for (j, c) in chars.iter().enumerate().skip(open) {
        match c {
            '(' => depth += 1,
            ')' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return Some(j);
                }
            }
            _ => {}
        }
    }
    None
}

fn starts_bare_url(chars: &[char], i: usize) -> bool {
    let rest: String = chars[i..chars.len().min(i + 8)].iter().collect();
    let starts = rest.starts_with("http://") || rest.starts_with("https://");
    // Inside a word (`xhttps://`) or a path it is not a URL of its own; after a quote (an
    // escaped `href="…"`) it is, and rustdoc would flag it.
    let after_word = i > 0 && (chars[i - 1].is_alphanumeric() || chars[i - 1] == '/');
    starts && !after_word
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
    fn brackets_that_are_not_links_are_escaped() {
        assert_eq!(
            sanitize_prose("[OBSOLETE] Use automatic_tax[enabled]=true."),
            "\\[OBSOLETE\\] Use automatic_tax\\[enabled\\]=true."
        );
        assert_eq!(sanitize_prose("a [b"), "a \\[b");
        // Escapes and code spans stay as they are.
        assert_eq!(sanitize_prose("`x[0]` and \\[y\\]"), "`x[0]` and \\[y\\]");
    }

    #[test]
    fn absolute_links_stay_and_relative_links_keep_their_text() {
        assert_eq!(
            sanitize_prose("See [the docs](https://example.com/a_(b)) and [Account](/docs/api)."),
            "See [the docs](https://example.com/a_(b)) and Account."
        );
    }

    #[test]
    fn html_is_escaped_or_turned_into_markdown() {
        assert_eq!(
            sanitize_prose("The <Conference> noun.<br>Next <b>bold</b> <code>x</code> a > b"),
            "The &lt;Conference&gt; noun.\nNext **bold** `x` a &gt; b"
        );
    }

    #[test]
    fn bare_urls_get_angle_brackets_and_code_is_untouched() {
        assert_eq!(
            sanitize_prose("Go to https://example.com/x. Or <https://example.com/y>."),
            "Go to <https://example.com/x>. Or <https://example.com/y>."
        );
        let code = "```\n<T>[0] https://x\n```";
        assert_eq!(sanitize_prose(code), code);
        assert_eq!(sanitize_prose("    <T>[0]"), "    <T>[0]");
    }

    #[test]
    fn indented_code_becomes_a_text_fence() {
        let out = clean_markdown("Run:\n\n    curl x\n    y\n\nAfter");
        assert_eq!(out, "Run:\n\n```text\ncurl x\ny\n\n```\nAfter");
    }
}
