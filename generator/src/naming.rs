//! The one place that decides Rust identifiers.
//!
//! Every identifier the emitter prints comes from here: names are sanitized (ASCII only, no
//! leading digit, keywords escaped), converted to the Rust case for their role, and made unique
//! within a [`Scope`] in the order they are claimed. Claim order follows the spec's own order, so
//! the same spec always yields the same names.

use std::collections::BTreeSet;

use heck::{ToShoutySnakeCase, ToSnakeCase, ToUpperCamelCase};

/// Words that cannot be plain identifiers in edition 2024.
const KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "crate",
    "do", "dyn", "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl",
    "in", "let", "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref",
    "return", "self", "static", "struct", "super", "trait", "true", "try", "type", "typeof",
    "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
];

/// Keywords that cannot be raw identifiers either, so they get a trailing underscore.
const NOT_RAW: &[&str] = &["crate", "self", "super", "Self", "_"];

/// A comparison operator that ends a name (Twilio's `DateSent<` and `DateSent>` filters) as
/// words, so that the filters beside the plain name keep distinct, readable names
/// (`date_sent_before`, `date_sent_after`) rather than `date_sent_2` and `date_sent_3`. Names
/// of dates and times read `before`/`after`; others `lt`/`gt`.
fn spell_trailing_operator(raw: &str) -> std::borrow::Cow<'_, str> {
    let trimmed = raw.trim_end();
    let (base, op) = match trimmed {
        t if t.ends_with("<=") => (&t[..t.len() - 2], "<="),
        t if t.ends_with(">=") => (&t[..t.len() - 2], ">="),
        t if t.ends_with("!=") => (&t[..t.len() - 2], "!="),
        t if t.ends_with('<') => (&t[..t.len() - 1], "<"),
        t if t.ends_with('>') => (&t[..t.len() - 1], ">"),
        _ => return std::borrow::Cow::Borrowed(raw),
    };
    if base.trim().is_empty() {
        return std::borrow::Cow::Borrowed(raw);
    }
    let lower = base.to_ascii_lowercase();
    let temporal = lower.contains("date") || lower.contains("time") || base.ends_with("At");
    let word = match (op, temporal) {
        ("<", true) => "before",
        (">", true) => "after",
        ("<=", true) => "on_or_before",
        (">=", true) => "on_or_after",
        ("<", false) => "lt",
        (">", false) => "gt",
        ("<=", false) => "lte",
        (">=", false) => "gte",
        _ => "not",
    };
    std::borrow::Cow::Owned(format!("{base} {word}"))
}

/// Turns any text into ASCII word characters, spelling out what has no ASCII form so that
/// distinct names stay distinct.
fn ascii_words(raw: &str) -> String {
    let raw = spell_trailing_operator(raw);
    let mut out = String::with_capacity(raw.len());
    for c in raw.chars() {
        match c {
            'a'..='z' | 'A'..='Z' | '0'..='9' => out.push(c),
            'ä' => out.push_str("ae"),
            'ö' => out.push_str("oe"),
            'ü' => out.push_str("ue"),
            'Ä' => out.push_str("Ae"),
            'Ö' => out.push_str("Oe"),
            'Ü' => out.push_str("Ue"),
            'ß' => out.push_str("ss"),
            'é' | 'è' | 'ê' | 'ë' => out.push('e'),
            'á' | 'à' | 'â' | 'å' => out.push('a'),
            'ñ' => out.push('n'),
            'ç' => out.push('c'),
            c if c.is_ascii() => out.push(' '),
            // Characters without a spelling become their code point, kept as a separate word.
            c => out.push_str(&format!(" u{:x} ", c as u32)),
        }
    }
    out
}

/// Some symbols carry meaning in enum values and would otherwise vanish (`+1` vs `-1`, `>=`).
fn spell_symbols(raw: &str) -> String {
    let trimmed = raw.trim();
    let mut out = String::new();
    for (i, c) in trimmed.chars().enumerate() {
        let word = match c {
            '+' if i == 0 => Some(" plus "),
            '-' if i == 0 => Some(" minus "),
            '*' => Some(" star "),
            '<' => Some(" lt "),
            '>' => Some(" gt "),
            '=' if trimmed.len() <= 2 => Some(" eq "),
            '.' if trimmed == "." => Some(" dot "),
            _ => None,
        };
        match word {
            Some(w) => out.push_str(w),
            None => out.push(c),
        }
    }
    out
}

fn finish_ident(mut name: String, fallback: &str, digit_prefix: &str) -> String {
    if name.is_empty() {
        name = fallback.to_owned();
    }
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        name = format!("{digit_prefix}{name}");
    }
    name
}

/// A type or variant name: `UpperCamelCase`, never a keyword.
pub fn type_name(raw: &str) -> String {
    let camel = ascii_words(raw).to_upper_camel_case();
    let name = finish_ident(camel, "Value", "N");
    if name == "Self" {
        "SelfType".to_owned()
    } else {
        name
    }
}

/// A variant name for an enum value; symbols are spelled out first.
pub fn variant_name(raw: &str) -> String {
    if raw.is_empty() {
        return "Empty".to_owned();
    }
    type_name(&spell_symbols(raw))
}

/// A field, method or argument name: `snake_case`, keywords as raw identifiers.
pub fn field_name(raw: &str) -> String {
    let snake = ascii_words(raw).to_snake_case();
    finish_ident(snake, "value", "n")
}

/// A constant name: `SCREAMING_SNAKE_CASE`.
pub fn const_name(raw: &str) -> String {
    let upper = ascii_words(raw).to_shouty_snake_case();
    finish_ident(upper, "VALUE", "N")
}

/// Cargo features that every crate with per-group features declares besides its groups' own,
/// so no operation group (whose module name is its feature name) may take them.
pub const RESERVED_FEATURES: &[&str] = &["full", "serialize", "deserialize"];

/// A module name: `snake_case`, and keywords get a trailing underscore since `mod r#type` reads
/// badly, as do the names of the features in [`RESERVED_FEATURES`].
pub fn module_name(raw: &str) -> String {
    snake_avoiding(raw, RESERVED_FEATURES)
}

/// A method of a resource handle: `snake_case`, and keywords get a trailing underscore
/// (`return_`), since `.r#return()` is no way to call an API.
pub fn method_name(raw: &str) -> String {
    snake_avoiding(raw, NOT_RAW)
}

/// `snake_case`, with a trailing underscore on keywords and on the names in `also`.
fn snake_avoiding(raw: &str, also: &[&str]) -> String {
    let name = field_name(raw);
    if KEYWORDS.contains(&name.as_str()) || also.contains(&name.as_str()) {
        format!("{name}_")
    } else {
        name
    }
}

/// Renders a name claimed by a scope as identifier text for `quote`: keywords become raw
/// identifiers, and those that cannot be raw get a trailing underscore.
pub fn ident_text(name: &str) -> String {
    if NOT_RAW.contains(&name) {
        format!("{name}_")
    } else if KEYWORDS.contains(&name) {
        format!("r#{name}")
    } else {
        name.to_owned()
    }
}

/// A set of names that must not collide, such as the fields of one struct or the crate's types.
#[derive(Debug, Clone, Default)]
pub struct Scope {
    taken: BTreeSet<String>,
}

impl Scope {
    /// An empty scope.
    pub fn new() -> Self {
        Self::default()
    }

    /// A scope in which `reserved` names are already taken.
    pub fn with_reserved(reserved: &[&str]) -> Self {
        Self {
            taken: reserved.iter().map(|s| (*s).to_owned()).collect(),
        }
    }

    /// Claims `name`, or `name2`, `name3`, … if it is taken, and returns what was claimed.
    /// Comparison ignores case and underscores so that `FooBar` and `Foobar` cannot both exist
    /// as files on case-insensitive file systems or confuse readers.
    pub fn claim(&mut self, name: &str) -> String {
        let separator = if name.starts_with(|c: char| c.is_ascii_uppercase()) {
            ""
        } else {
            "_"
        };
        let mut candidate = name.to_owned();
        let mut n = 2;
        while !self.taken.insert(Self::key(&candidate)) {
            candidate = format!("{name}{separator}{n}");
            n += 1;
        }
        candidate
    }

    /// True when the name (or one equal under the comparison) is taken.
    pub fn is_taken(&self, name: &str) -> bool {
        self.taken.contains(&Self::key(name))
    }

    fn key(name: &str) -> String {
        name.chars()
            .filter(|c| *c != '_')
            .flat_map(char::to_lowercase)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keywords_become_raw_or_suffixed() {
        assert_eq!(ident_text(&field_name("type")), "r#type");
        assert_eq!(ident_text(&field_name("self")), "self_");
        assert_eq!(type_name("Self"), "SelfType");
        assert_eq!(module_name("type"), "type_");
    }

    #[test]
    fn digits_and_non_ascii_become_legal() {
        assert_eq!(field_name("2fa"), "n2fa");
        assert_eq!(type_name("3d_secure"), "N3dSecure");
        assert_eq!(field_name("größe"), "groesse");
        assert_eq!(field_name("名前"), "u540d_u524d");
        assert_eq!(field_name("@type"), "type");
        assert_eq!(field_name("_"), "value");
    }

    #[test]
    fn collisions_are_resolved_in_claim_order() {
        let mut scope = Scope::new();
        assert_eq!(scope.claim(&field_name("user_name")), "user_name");
        assert_eq!(scope.claim(&field_name("userName")), "user_name_2");
        let mut types = Scope::new();
        assert_eq!(types.claim(&type_name("Foo-Bar")), "FooBar");
        assert_eq!(types.claim(&type_name("foo_bar")), "FooBar2");
    }

    #[test]
    fn trailing_operators_become_words() {
        assert_eq!(field_name("DateSent<"), "date_sent_before");
        assert_eq!(field_name("DateSent>"), "date_sent_after");
        assert_eq!(field_name("StartTime>="), "start_time_on_or_after");
        assert_eq!(field_name("Price<"), "price_lt");
        assert_eq!(field_name("count!="), "count_not");
        assert_eq!(field_name("<"), "value");
        assert_eq!(type_name("DateSent<"), "DateSentBefore");
    }

    #[test]
    fn enum_values_keep_their_meaning() {
        assert_eq!(variant_name("+1"), "Plus1");
        assert_eq!(variant_name("-1"), "Minus1");
        assert_eq!(variant_name(""), "Empty");
        assert_eq!(variant_name("in-progress"), "InProgress");
    }
}
