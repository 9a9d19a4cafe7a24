//! The two ways the views are written for size ([`super::attr`], [`super::handler`]), checked on
//! the views' source: a typed attribute or an unboxed handler compiles and works the same, so
//! only the shipped bundle would notice one, a few hundred bytes at a time.

use std::path::Path;

/// Attribute names that Leptos's `view!` gives a type of their own (every name without a `-`,
/// and every `aria-*`). `class` and `style` are not among them: they have their own forms.
const TYPED: [&str; 27] = [
    "id",
    "type",
    "href",
    "alt",
    "lang",
    "dir",
    "for",
    "role",
    "target",
    "rel",
    "width",
    "height",
    "src",
    "inputmode",
    "autocomplete",
    "maxlength",
    "placeholder",
    "spellcheck",
    "hidden",
    "disabled",
    "title",
    "tabindex",
    "value",
    "max",
    "min",
    "part",
    "name",
];

/// SVG elements: `view!` gives their attributes no types of their own.
const SVG: [&str; 6] = ["svg", "use", "symbol", "path", "circle", "rect"];

/// Each view source file's text, by name (this file's examples left out).
fn views() -> Vec<(String, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/components");
    let mut out: Vec<(String, String)> = std::fs::read_dir(&dir)
        .expect("src/components")
        .map(|entry| entry.expect("a directory entry").path())
        .filter(|path| path.extension().is_some_and(|e| e == "rs"))
        .filter(|path| !path.ends_with("conventions.rs"))
        .map(|path| {
            let text = std::fs::read_to_string(&path).expect("readable");
            (path.display().to_string(), text)
        })
        .collect();
    out.sort();
    out
}

/// The opening tags of HTML elements in `text` (`<button ...>`), each up to its first `>` that
/// is not inside a block or a string: enough for the views' own markup.
fn html_tags(text: &str) -> Vec<&str> {
    let mut tags = Vec::new();
    let bytes = text.as_bytes();
    for (at, _) in text.match_indices('<') {
        let Some(first) = bytes.get(at + 1) else {
            continue;
        };
        let name: String = text[at + 1..]
            .chars()
            .take_while(char::is_ascii_alphanumeric)
            .collect();
        if !first.is_ascii_lowercase() || SVG.contains(&name.as_str()) {
            continue;
        }
        let (mut depth, mut quoted, mut end) = (0usize, false, None);
        for (offset, c) in text[at..].char_indices() {
            match c {
                '"' => quoted = !quoted,
                '{' | '(' if !quoted => depth += 1,
                '}' | ')' if !quoted => depth = depth.saturating_sub(1),
                '>' if !quoted && depth == 0 => {
                    end = Some(at + offset);
                    break;
                }
                _ => {}
            }
        }
        if let Some(end) = end {
            tags.push(&text[at..end]);
        }
    }
    tags
}

/// `name=` standing as an attribute in `tag` (after whitespace, outside blocks and strings).
fn has_attribute(tag: &str, name: &str) -> bool {
    let (mut depth, mut quoted) = (0usize, false);
    let chars: Vec<char> = tag.chars().collect();
    for (i, c) in chars.iter().enumerate() {
        match c {
            '"' => quoted = !quoted,
            '{' | '(' if !quoted => depth += 1,
            '}' | ')' if !quoted => depth = depth.saturating_sub(1),
            c if c.is_whitespace() && !quoted && depth == 0 => {
                let rest: String = chars[i + 1..].iter().collect();
                if rest.starts_with(&format!("{name}=")) {
                    return true;
                }
            }
            _ => {}
        }
    }
    false
}

#[test]
fn views_write_plain_attributes_through_attr() {
    let mut found = Vec::new();
    for (file, text) in views() {
        for tag in html_tags(&text) {
            let aria = tag.split_whitespace().filter_map(|word| {
                word.strip_prefix("aria-")
                    .and_then(|rest| rest.split_once('='))
                    .map(|(name, _)| format!("aria-{name}"))
            });
            for name in TYPED.iter().map(|n| n.to_string()).chain(aria) {
                if has_attribute(tag, &name) {
                    found.push(format!(
                        "{file}: {name}= in {}",
                        tag.lines().next().unwrap_or(tag)
                    ));
                }
            }
        }
    }
    assert!(
        found.is_empty(),
        "write these {{attr(\"name\", value)}}:\n{}",
        found.join("\n")
    );
}

#[test]
fn views_box_their_event_handlers() {
    let mut found = Vec::new();
    for (file, text) in views() {
        for (at, _) in text.match_indices(" on:") {
            let rest = &text[at + 1..];
            let value = rest.split_once('=').map(|(_, v)| v).unwrap_or("");
            if !value.starts_with("handler(") {
                found.push(format!("{file}: {}", rest.lines().next().unwrap_or(rest)));
            }
        }
    }
    assert!(
        found.is_empty(),
        "write these on:event=handler(...):\n{}",
        found.join("\n")
    );
}

#[test]
fn the_checks_find_what_they_look_for() {
    let tag =
        html_tags(r#"<button {attr("type", "button")} class="x" aria-label=t.copy() on:click=go>"#);
    assert_eq!(tag.len(), 1);
    assert!(has_attribute(tag[0], "aria-label"));
    assert!(!has_attribute(tag[0], "type"));
    assert!(html_tags("<Copy value=x />").is_empty());
    assert!(html_tags("a < b").is_empty());
}
