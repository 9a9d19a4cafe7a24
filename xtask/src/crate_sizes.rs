//! Where the widget's bytes go: the wasm by crate, for `cargo xtask bench` (and
//! `cargo xtask build --crates`).
//!
//! The shipped module has no names (release strips them), so the widget is built once more
//! exactly the shipped way ([`shipped_widget_env`]) but with the linker's `name` section
//! kept, and put through wasm-bindgen as Trunk does: wasm-bindgen removes the functions and
//! exports that only describe the bindings (cargo's module is about 2.5 times the shipped one
//! because of them) and writes the names demangled (`checkout_widget[hash]::pay::view`), and
//! through the shipped build's wasm-opt step ([`wasm_opt::optimize_keeping_names`]: the same
//! unused exports dropped, the same passes, names kept), so the rows add up to the code that
//! ships. The module is then read directly: the code section gives each function's size, the
//! name section its name, and [`crate_of`] the crate it counts for. No tool beyond the build's
//! own.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Command;

use crate::widget_toolchain::shipped_widget_env;
use crate::{process, wasm, wasm_opt};

/// Rows printed by name; the rest are summed in one row.
pub const SHOWN: usize = 15;

/// The raw bytes of a module, split by what they are.
#[derive(Debug, Default, PartialEq)]
pub struct Breakdown {
    /// Function bodies by crate, largest first.
    pub crates: Vec<(String, u64)>,
    /// The data section: string literals, tables, the compiled-in stylesheet and English words.
    pub data: u64,
    /// Every other section browsers read (types, imports, exports, element segments, ...).
    /// Custom sections are left out: names and producers are not shipped, and what else
    /// there is carries no code.
    pub other: u64,
}

impl Breakdown {
    pub fn total(&self) -> u64 {
        self.crates.iter().map(|(_, b)| b).sum::<u64>() + self.data + self.other
    }

    /// The table: the [`SHOWN`] largest crates, the rest as one row, data, other sections.
    pub fn table(&self) -> String {
        let total = self.total().max(1);
        let share = |bytes: u64| bytes as f64 * 100.0 / total as f64;
        let mut out =
            format!("wasm by crate (the shipped build with names kept): {total} bytes raw\n");
        let mut row = |what: &str, bytes: u64| {
            out.push_str(&format!(
                "  {what:<32} {bytes:>9} {:>6.1} %\n",
                share(bytes)
            ));
        };
        for (name, bytes) in self.crates.iter().take(SHOWN) {
            row(name, *bytes);
        }
        let rest = &self.crates[self.crates.len().min(SHOWN)..];
        if !rest.is_empty() {
            let bytes = rest.iter().map(|(_, b)| b).sum();
            row(&format!("({} more crates)", rest.len()), bytes);
        }
        row("data", self.data);
        row("other sections", self.other);
        out
    }

    /// The figures as report.json keys, `key=bytes` separated by `,`, largest crate first, for
    /// the bench binary (`BENCH_WASM_BYTES`): `wasm_bytes_crate_<crate>` for every crate,
    /// `wasm_bytes_data`, `wasm_bytes_other_sections`.
    pub fn encode(&self) -> String {
        let mut parts: Vec<String> = self
            .crates
            .iter()
            .map(|(name, bytes)| format!("wasm_bytes_crate_{}={bytes}", key(name)))
            .collect();
        parts.push(format!("wasm_bytes_data={}", self.data));
        parts.push(format!("wasm_bytes_other_sections={}", self.other));
        parts.join(",")
    }
}

/// A row's name as part of a JSON key: lower case letters, digits and single `_`
/// (`(no crate path)` is `no_crate_path`); a name with none of those (the `_` of
/// `<_ as Trait>` paths) is `other`, never an empty key.
fn key(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.is_empty() && !out.ends_with('_') {
            out.push('_');
        }
    }
    match out.trim_end_matches('_') {
        "" => "other".to_owned(),
        named => named.to_owned(),
    }
}

/// Where names are kept: a sibling of the shipped target directory, because a different
/// `strip` setting would make the two builds rebuild each other's final artifacts.
fn named_target_dir() -> PathBuf {
    crate::root().join("target").join("widget-names")
}

/// The module [`measure`] leaves behind: the shipped code, with names.
pub fn named_module() -> PathBuf {
    named_target_dir()
        .join("bindgen")
        .join("checkout-widget_bg.wasm")
}

/// Builds the widget the shipped way with names kept and breaks its module down by crate.
pub fn measure() -> Result<Breakdown, String> {
    let dir = named_target_dir();
    process::run(
        shipped_widget_env(&mut Command::new("cargo"))?
            .args([
                "build",
                "--release",
                "--lib",
                "--package",
                "checkout-widget",
                "--target",
                "wasm32-unknown-unknown",
            ])
            .env("CARGO_TARGET_DIR", &dir)
            .env("CARGO_PROFILE_RELEASE_STRIP", "false"),
    )?;
    let bindgen = dir.join("bindgen");
    process::run(
        Command::new("wasm-bindgen")
            .args([
                "--target",
                "web",
                "--out-name",
                "checkout-widget",
                "--out-dir",
            ])
            .arg(&bindgen)
            .arg(
                dir.join("wasm32-unknown-unknown")
                    .join("release")
                    .join("checkout_widget.wasm"),
            ),
    )?;
    let path = named_module();
    wasm_opt::optimize_keeping_names(&path)?;
    let module = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    breakdown(&module).ok_or_else(|| format!("{} is not a readable module", path.display()))
}

/// Splits a module's bytes by crate (function bodies), data and the other sections.
pub fn breakdown(module: &[u8]) -> Option<Breakdown> {
    let (_, sections) = wasm::sections(module)?;
    let mut imports = 0;
    let mut bodies = Vec::new();
    let mut names = Vec::new();
    let mut out = Breakdown::default();
    for section in &sections {
        match (section.id, section.name) {
            (wasm::IMPORT, _) => {
                imports = wasm::imported_functions(section.body)?;
                out.other += section.bytes.len() as u64;
            }
            (wasm::CODE, _) => {
                bodies = wasm::body_sizes(section.body)?;
                // The section's own header and count, which no function owns.
                let owned: u64 = bodies.iter().sum();
                out.other += section.bytes.len() as u64 - owned;
            }
            (wasm::DATA, _) => out.data += section.bytes.len() as u64,
            (wasm::CUSTOM, b"name") => names = wasm::function_names(section.body)?,
            (wasm::CUSTOM, _) => {}
            _ => out.other += section.bytes.len() as u64,
        }
    }
    let names: BTreeMap<usize, String> = names.into_iter().collect();
    let mut by_crate: BTreeMap<String, u64> = BTreeMap::new();
    for (n, size) in bodies.into_iter().enumerate() {
        let owner = names
            .get(&(imports + n))
            .map_or_else(|| UNNAMED.to_owned(), |name| crate_of(name));
        *by_crate.entry(owner).or_default() += size;
    }
    out.crates = by_crate.into_iter().collect();
    out.crates
        .sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    Some(out)
}

/// Functions the name section does not name.
pub const UNNAMED: &str = "(unnamed)";
/// Functions named without a Rust path: compiler builtins (`memcpy`, `__multi3`), the allocator
/// shims (`__rust_alloc`), exports written by hand.
pub const NO_PATH: &str = "(no crate path)";

const PRIMITIVES: [&str; 17] = [
    "bool", "char", "str", "u8", "u16", "u32", "u64", "u128", "usize", "i8", "i16", "i32", "i64",
    "i128", "isize", "f32", "f64",
];

/// The crate a function counts for, from its demangled name (v0 `crate[hash]::path` or legacy
/// `crate::path::h<hash>`). The rule, in order:
/// 1. `<T as Trait>::f` and `<T>::f` (impl blocks) count for the crate of the self type `T`, so
///    `<leptos::X as core::fmt::Debug>::fmt` is leptos's: the code exists because of `T`. When
///    `T` belongs to no crate (a primitive, slice, array, tuple, closure or function pointer)
///    they count for the trait's crate, and an inherent impl on a primitive (`<str>::find`,
///    where the name gives no crate) for `core`. `&T`, `&mut T`, `*const T`, `dyn T` are `T`.
/// 2. `core::ptr::drop_in_place<T>` (drop glue) counts for `T`, by the same rule.
/// 3. Any other path counts for its first segment: `checkout_widget::pay::view::{closure#0}`
///    is checkout_widget's, `alloc::vec::Vec<leptos::X>::push` alloc's (the generic's crate,
///    not the type argument's).
/// 4. What wasm-bindgen writes itself counts for wasm_bindgen: `__wbindgen_*`, `__wbg_*`,
///    `__externref_*`, and its shims (`F64 -> Externref externref shim`). Other names without a
///    path go to one row, `(no crate path)`: compiler builtins (`memcpy`, `__multi3`) and
///    exported functions under their JavaScript names (`define`).
pub fn crate_of(name: &str) -> String {
    let name = name.trim();
    let generated = ["__wbindgen", "__wbg_", "__externref_"]
        .iter()
        .any(|prefix| name.starts_with(prefix))
        || name.ends_with(" shim");
    if generated {
        return "wasm_bindgen".to_owned();
    }
    if !name.contains("::") {
        return NO_PATH.to_owned();
    }
    type_crate(name)
        .or_else(|| name.starts_with('<').then_some("core"))
        .unwrap_or(NO_PATH)
        .to_owned()
}

/// The crate of a path or type, by the rule on [`crate_of`]; `None` for types of no crate.
fn type_crate(text: &str) -> Option<&str> {
    let text = text.trim_start();
    for prefix in ["&mut ", "&", "*const ", "*mut ", "dyn ", "impl "] {
        if let Some(rest) = text.strip_prefix(prefix) {
            return type_crate(rest);
        }
    }
    if let Some(inner) = text.strip_prefix('<') {
        let inner = &inner[..closing(inner)?];
        let (self_type, trait_path) = split_as(inner);
        return type_crate(self_type).or_else(|| trait_path.and_then(type_crate));
    }
    let end = text
        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(text.len());
    let first = &text[..end];
    if first.is_empty() || PRIMITIVES.contains(&first) {
        return None;
    }
    if first == "core" {
        if let Some(glue) = drop_glue_type(&text[end..]) {
            return type_crate(glue).or(Some("core"));
        }
    }
    Some(first)
}

/// `T` when `after_core` (a name after its `core`) is `::ptr::drop_in_place<T>` (legacy) or
/// `[hash]::ptr::drop_in_place::<T>` (v0).
fn drop_glue_type(after_core: &str) -> Option<&str> {
    let rest = match after_core.strip_prefix('[') {
        Some(hashed) => &hashed[hashed.find(']')? + 1..],
        None => after_core,
    };
    let rest = rest.strip_prefix("::ptr::drop_in_place")?;
    let rest = rest.strip_prefix("::").unwrap_or(rest).strip_prefix('<')?;
    Some(&rest[..closing(rest)?])
}

/// The index of the `>` that closes a `<` just before `text`.
fn closing(text: &str) -> Option<usize> {
    let mut depth = 0usize;
    for (at, c) in text.char_indices() {
        match c {
            '<' => depth += 1,
            '>' if depth == 0 => return Some(at),
            '>' => depth -= 1,
            _ => {}
        }
    }
    None
}

/// `T as Trait` into `T` and `Trait`, splitting at the first ` as ` outside any `<...>`.
fn split_as(text: &str) -> (&str, Option<&str>) {
    let mut depth = 0usize;
    for (at, c) in text.char_indices() {
        match c {
            '<' | '(' | '[' => depth += 1,
            '>' | ')' | ']' => depth = depth.saturating_sub(1),
            ' ' if depth == 0 && text[at..].starts_with(" as ") => {
                return (&text[..at], Some(&text[at + 4..]));
            }
            _ => {}
        }
    }
    (text, None)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wasm::tests::{custom, leb, name, section, HEADER};

    #[test]
    fn functions_count_for_the_crate_of_their_path_or_self_type() {
        for (name, expected) in [
            (
                "checkout_widget[df52556e22bafe7f]::components::pay::view::{closure#0}",
                "checkout_widget",
            ),
            (
                "checkout_widget::components::pay::h0123456789abcdef",
                "checkout_widget",
            ),
            (
                "<tachys[12ab]::html::element::HtmlElement<E, At, Ch> as \
                 tachys[12ab]::view::Render>::build",
                "tachys",
            ),
            (
                "<leptos[1]::Foo<checkout_widget[2]::Bar> as core[3]::fmt::Debug>::fmt",
                "leptos",
            ),
            (
                "<&mut serde_json::de::Deserializer<R> as serde::Deserializer>::x",
                "serde_json",
            ),
            ("<str as core::fmt::Display>::fmt", "core"),
            ("<[u8] as alloc[9]::borrow::ToOwned>::to_owned", "alloc"),
            (
                "<(A, B) as reactive_graph::traits::Track>::track",
                "reactive_graph",
            ),
            ("<str>::find::<char>", "core"),
            ("alloc::vec::Vec<leptos::Foo>::push", "alloc"),
            ("core[5]::ptr::drop_in_place::<leptos[6]::Foo>", "leptos"),
            (
                "core::ptr::drop_in_place<leptos::Foo>::h0123456789abcdef",
                "leptos",
            ),
            ("core::ptr::drop_in_place::<str>", "core"),
            ("core::ptr::mod::drop_in_place<leptos::Foo>", "core"),
            ("core::ptr::drop_in_place<alloc::vec::Vec<u8>>", "alloc"),
            ("core::ptr::drop_in_place<(u8, u8)>", "core"),
            ("core::fmt::write", "core"),
            ("<dyn core::any::Any as core::fmt::Debug>::fmt", "core"),
            ("__wbindgen_malloc", "wasm_bindgen"),
            ("__wbg_call_1234", "wasm_bindgen"),
            ("__externref_table_alloc", "wasm_bindgen"),
            (
                "Closure(Closure { owned: true }) -> Externref externref shim",
                "wasm_bindgen",
            ),
            ("define", NO_PATH),
            ("memcpy", NO_PATH),
        ] {
            assert_eq!(crate_of(name), expected, "{name}");
        }
    }

    /// A module with one imported function, three bodies (two named) and a data section.
    fn module() -> Vec<u8> {
        let mut module = HEADER.to_vec();
        module.extend(section(1, &[1, 0x60, 0, 0]));
        let mut imports = leb(1);
        imports.extend(name("wbg"));
        imports.extend(name("f"));
        imports.extend([0, 0]);
        module.extend(section(wasm::IMPORT, &imports));
        let mut code = leb(3);
        for size in [10, 20, 300] {
            code.extend(leb(size));
            code.extend(vec![0; size]);
        }
        module.extend(section(wasm::CODE, &code));
        module.extend(section(
            wasm::DATA,
            &[1, 1, 5, b'h', b'e', b'l', b'l', b'o'],
        ));
        let mut functions = leb(3);
        for (index, text) in [
            (0, "imported::is::not::counted"),
            (1, "leptos[1]::mount"),
            (3, "<leptos::A as core::fmt::Debug>::fmt"),
        ] {
            functions.extend(leb(index));
            functions.extend(name(text));
        }
        module.extend(custom("name", &section(1, &functions)));
        module
    }

    #[test]
    fn a_module_breaks_down_by_crate_data_and_other_sections() {
        let module = module();
        let found = breakdown(&module).unwrap();
        assert_eq!(
            found.crates,
            [("leptos".to_owned(), 11 + 302), (UNNAMED.to_owned(), 21)]
        );
        assert_eq!(found.data, 10);
        // Types (6), imports (2 + 9), and the code section's header and count (3 + 1).
        assert_eq!(found.other, 6 + 11 + 4);
        // Everything but the name section is counted once.
        let names = wasm::sections(&module).unwrap().1.pop().unwrap();
        assert_eq!(found.total(), (module.len() - 8 - names.bytes.len()) as u64);
        assert_eq!(
            found.encode(),
            "wasm_bytes_crate_leptos=313,wasm_bytes_crate_unnamed=21,wasm_bytes_data=10,\
             wasm_bytes_other_sections=21"
        );
        assert_eq!(key(NO_PATH), "no_crate_path");
        assert_eq!(key("web_sys"), "web_sys");
        assert_eq!(key("_"), "other");
        let table = found.table();
        assert!(
            table.contains("leptos") && table.contains("85.8 %"),
            "{table}"
        );
        assert!(breakdown(b"\0asm\x01\0\0\0\x0a\x01\x05").is_none());
    }
}
