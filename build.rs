//! Minifies the widget's stylesheet for the wasm: comments and layout whitespace are for the
//! people who edit `style/widget.css`, not for the payers who download it.

use std::path::Path;

fn main() {
    let source = "style/widget.css";
    println!("cargo:rerun-if-changed={source}");
    let css = std::fs::read_to_string(source).expect("style/widget.css");
    let out = std::env::var("OUT_DIR").expect("OUT_DIR");
    std::fs::write(Path::new(&out).join("widget.min.css"), minify(&css)).expect("write CSS");
}

/// Drops comments, collapses whitespace and removes it around `{`, `}`, `;` and `,`. Nothing
/// else is touched (a space before `:` can be a descendant selector, so it stays).
fn minify(css: &str) -> String {
    let mut without_comments = String::with_capacity(css.len());
    let mut rest = css;
    while let Some(start) = rest.find("/*") {
        without_comments.push_str(&rest[..start]);
        rest = rest[start + 2..]
            .find("*/")
            .map_or("", |end| &rest[start + 2 + end + 2..]);
        without_comments.push(' ');
    }
    without_comments.push_str(rest);
    let mut out = String::with_capacity(without_comments.len());
    for word in without_comments.split_whitespace() {
        let joins = |c: char| matches!(c, '{' | '}' | ';' | ',');
        if !out.is_empty() && !out.ends_with(joins) && !word.starts_with(joins) {
            out.push(' ');
        }
        out.push_str(word);
    }
    out.replace(";}", "}")
}
