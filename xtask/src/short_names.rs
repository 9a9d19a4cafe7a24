//! Short names on both sides of the boundary between the shipped module and its glue.
//!
//! wasm-bindgen names every import after the JavaScript it calls plus a 16-digit hash
//! (`__wbg_getAttribute_c7b80d4010284561`), all under the module name
//! `./checkout-widget_bg.js`, and the glue finds them under the same names; its exports are
//! named too (`__wbindgen_malloc`, `__wasm_bindgen_func_elem_961`). About 130 such names stand
//! in the module and again in the glue, and the hashes do not compress at all. Neither the
//! browser nor anyone else reads them: only the glue and the module have to agree. So after
//! wasm-opt every module, import and export gets the shortest free name (`a`, `b`, ... `aa`,
//! ...) in the module, and the glue is rewritten to match before it is minified. Functions
//! of a snippet the glue hands over whole (`import * as`) keep their own names.
//!
//! Measured on the widget (2026-11-30): the module alone -1 893 brotli / -2 891 gzip -9 with
//! Binaryen's `--minify-imports-and-exports-and-modules`, which does the module's half of this
//! (its mapping leaves out the new module names, and it needs the glue rewritten all the same,
//! so the few lines of renaming are ours).
//!
//! The glue is only rewritten where the rename is certain: a module name as the one quoted key
//! of the imports object, an import as the one property key of that name, an export only as
//! `wasm.<name>`. Anything else (a name used twice, or in another way) fails the build instead
//! of shipping a glue that no longer matches its module; the journeys then load the result in
//! Chromium.

use std::collections::HashMap;
use std::path::Path;

use crate::{glue_classes, wasm};

/// Old name -> new name, for each kind of name the glue uses.
#[derive(Debug, Default, PartialEq)]
pub struct Renames {
    pub modules: Vec<(String, String)>,
    pub imports: Vec<(String, String)>,
    pub exports: Vec<(String, String)>,
}

/// Renames the module at `module` and rewrites the glue at `glue` to match, in place, leaving
/// out of the glue the classes of exports the module does not have ([`glue_classes`]).
pub fn shorten(module: &Path, glue: &Path) -> Result<(), String> {
    let bytes = std::fs::read(module).map_err(|e| format!("{}: {e}", module.display()))?;
    let text = std::fs::read_to_string(glue).map_err(|e| format!("{}: {e}", glue.display()))?;
    let (renamed, renames) = shorten_module(&bytes, &namespace_modules(&text))
        .ok_or_else(|| format!("{} is not a WebAssembly module", module.display()))?;
    let exported = renames.exports.iter().map(|(old, _)| old.clone()).collect();
    let (text, dead) = glue_classes::without_dead_classes(&text, &exported)
        .map_err(|e| format!("{}: {e}", glue.display()))?;
    let rewritten =
        rewrite_glue(&text, &renames).map_err(|e| format!("{}: {e}", glue.display()))?;
    std::fs::write(module, renamed).map_err(|e| format!("{}: {e}", module.display()))?;
    std::fs::write(glue, rewritten).map_err(|e| format!("{}: {e}", glue.display()))?;
    println!(
        "import and export names shortened: {} modules, {} imports, {} exports; classes for \
         exports the module lacks taken out of the glue: {}",
        renames.modules.len(),
        renames.imports.len(),
        renames.exports.len(),
        if dead.is_empty() {
            "none".to_owned()
        } else {
            dead.join(", ")
        }
    );
    Ok(())
}

/// The module with short import, module and export names, and the renames made; `None` if it is
/// not a module. Imports and exports are separate namespaces in the glue (the imports object,
/// the instance's exports), so both count from `a`; module names too. The imports of the
/// modules in `namespaces` keep their names: the glue hands the module those modules' own
/// exports (a snippet's functions wasm-bindgen lets the module call directly), under the names
/// the snippet gives them.
pub fn shorten_module(module: &[u8], namespaces: &[String]) -> Option<(Vec<u8>, Renames)> {
    let (header, sections) = wasm::sections(module)?;
    let mut renames = Renames::default();
    let mut out = header.to_vec();
    for section in sections {
        match section.id {
            wasm::IMPORT => {
                let body = renamed_imports(section.body, namespaces, &mut renames)?;
                push_section(&mut out, wasm::IMPORT, &body);
            }
            wasm::EXPORT => {
                let body = renamed_exports(section.body, &mut renames)?;
                push_section(&mut out, wasm::EXPORT, &body);
            }
            _ => out.extend_from_slice(section.bytes),
        }
    }
    Some((out, renames))
}

fn renamed_imports(
    section: &[u8],
    namespaces: &[String],
    renames: &mut Renames,
) -> Option<Vec<u8>> {
    let imports = wasm::imports(section)?;
    let mut modules = Namer::default();
    let mut fields = Namer::default();
    let mut body = Vec::new();
    wasm::write_leb(&mut body, imports.len());
    for import in &imports {
        let module = modules.name(import.module, &mut renames.modules)?;
        let kept = namespaces.iter().any(|n| n.as_bytes() == import.module);
        let field = if kept {
            std::str::from_utf8(import.field).ok()?.to_owned()
        } else {
            fields.name(import.field, &mut renames.imports)?
        };
        push_name(&mut body, &module);
        push_name(&mut body, &field);
        body.extend_from_slice(import.description);
    }
    Some(body)
}

fn renamed_exports(section: &[u8], renames: &mut Renames) -> Option<Vec<u8>> {
    let exports = wasm::exports(section)?;
    let mut names = Namer::default();
    let mut body = Vec::new();
    wasm::write_leb(&mut body, exports.len());
    for export in &exports {
        let name = names.name(export.name, &mut renames.exports)?;
        push_name(&mut body, &name);
        body.extend_from_slice(export.description);
    }
    Some(body)
}

fn push_name(out: &mut Vec<u8>, name: &str) {
    wasm::write_leb(out, name.len());
    out.extend_from_slice(name.as_bytes());
}

fn push_section(out: &mut Vec<u8>, id: u8, body: &[u8]) {
    out.push(id);
    wasm::write_leb(out, body.len());
    out.extend_from_slice(body);
}

/// Hands out short names in order, the same one again for a name it has seen.
#[derive(Default)]
struct Namer {
    given: HashMap<Vec<u8>, String>,
}

impl Namer {
    /// The short name for `old`, recording a new rename in `renames`; `None` if `old` is not
    /// UTF-8 (the glue could not be holding it as text).
    fn name(&mut self, old: &[u8], renames: &mut Vec<(String, String)>) -> Option<String> {
        if let Some(given) = self.given.get(old) {
            return Some(given.clone());
        }
        let new = short_name(self.given.len());
        renames.push((std::str::from_utf8(old).ok()?.to_owned(), new.clone()));
        self.given.insert(old.to_vec(), new.clone());
        Some(new)
    }
}

/// The `n`-th JavaScript identifier in the order a..z, A..Z, aa, ab, ..., skipping the reserved
/// words that short (`do`, `if`, `in`): usable as a property name and after a dot.
fn short_name(n: usize) -> String {
    const FIRST: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
    const REST: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    let mut seen = 0;
    for length in 1.. {
        let count = FIRST.len() * REST.len().pow(length - 1);
        for i in 0..count {
            let mut rest = i / FIRST.len();
            let mut name = vec![FIRST[i % FIRST.len()]];
            for _ in 1..length {
                name.push(REST[rest % REST.len()]);
                rest /= REST.len();
            }
            let name = String::from_utf8(name).expect("ASCII");
            if matches!(name.as_str(), "do" | "if" | "in") {
                continue;
            }
            if seen == n {
                return name;
            }
            seen += 1;
        }
    }
    unreachable!("the loop over lengths does not end")
}

/// The modules the glue imports whole (`import * as name from "module"`) to hand them to the
/// module as they are.
pub fn namespace_modules(glue: &str) -> Vec<String> {
    glue.lines()
        .filter_map(|line| line.trim().strip_prefix("import * as "))
        .filter_map(|rest| rest.split_once(" from "))
        .map(|(_, from)| from.trim().trim_end_matches(';'))
        .map(|quoted| quoted.trim_matches(['"', '\'']).to_owned())
        .collect()
}

/// The glue with every rename applied; an error names the first name it could not rename with
/// certainty.
pub fn rewrite_glue(glue: &str, renames: &Renames) -> Result<String, String> {
    let mut text = glue.to_owned();
    for (old, new) in &renames.modules {
        let (quoted_old, quoted_new) = (format!("\"{old}\":"), format!("\"{new}\":"));
        if text.matches(&quoted_old).count() != 1 {
            return Err(format!(
                "the module name {old:?} is not the imports object's key exactly once"
            ));
        }
        text = text.replace(&quoted_old, &quoted_new);
    }
    for (old, new) in &renames.imports {
        let found = identifier_at(&text, old);
        let [at] = found[..] else {
            return Err(format!(
                "the import {old} is named {} times, not once as a key",
                found.len()
            ));
        };
        if !text[at + old.len()..].starts_with(':') {
            return Err(format!("the import {old} is not a property key"));
        }
        text.replace_range(at..at + old.len(), new);
    }
    for (old, new) in &renames.exports {
        // A bare identifier of the same name is the glue's own (its `export function define`);
        // a property access or a string of it through anything but `wasm` could be the export.
        let mut accesses = Vec::new();
        for at in identifier_at(&text, old) {
            let before = &text[..at];
            if before.ends_with("wasm.") {
                accesses.push(at);
            } else if before.ends_with(['.', '"', '\'', '`']) {
                return Err(format!("the export {old} is used other than as wasm.{old}"));
            }
        }
        for at in accesses.into_iter().rev() {
            text.replace_range(at..at + old.len(), new);
        }
    }
    Ok(text)
}

/// Where `name` stands in `text` as a whole identifier (not inside a longer one).
fn identifier_at(text: &str, name: &str) -> Vec<usize> {
    let is_identifier = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '$';
    text.match_indices(name)
        .map(|(at, _)| at)
        .filter(|&at| {
            let before = text[..at].chars().next_back();
            let after = text[at + name.len()..].chars().next();
            !before.is_some_and(is_identifier) && !after.is_some_and(is_identifier)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wasm::tests::{leb, name, section, HEADER};

    fn module() -> Vec<u8> {
        let mut imports = leb(3);
        for field in [
            "__wbg_getAttribute_c7b80d4010284561",
            "__wbindgen_init_table",
        ] {
            imports.extend(name("./checkout-widget_bg.js"));
            imports.extend(name(field));
            imports.extend([0, 0]); // a function of type 0
        }
        imports.extend(name("./checkout-widget_bg.js"));
        imports.extend(name("__wbindgen_memory"));
        imports.extend([2, 1, 17, 18]); // a memory, limits 17..18
        let mut exports = leb(3);
        for (export, index) in [
            ("memory", 0),
            ("__wbindgen_malloc", 4),
            ("__wbindgen_malloc2", 5),
        ] {
            exports.extend(name(export));
            exports.extend([if export == "memory" { 2 } else { 0 }, index]);
        }
        let mut out = HEADER.to_vec();
        out.extend(section(1, &[1, 0x60, 0, 0]));
        out.extend(section(wasm::IMPORT, &imports));
        out.extend(section(wasm::EXPORT, &exports));
        out.extend(section(wasm::CODE, &[0]));
        out
    }

    const GLUE: &str = r#"function __wbg_get_imports() {
    const import0 = {
        __proto__: null,
        __wbg_getAttribute_c7b80d4010284561: function(arg0) { return arg0.getAttribute("x"); },
        __wbindgen_init_table: function() { const table = wasm.memory; },
        __wbindgen_memory: new WebAssembly.Memory({ initial: 17 }),
    };
    return { __proto__: null, "./checkout-widget_bg.js": import0 };
}
export function memory(ptr) { return wasm.__wbindgen_malloc(ptr) + wasm.__wbindgen_malloc2(ptr); }
"#;

    #[test]
    fn the_module_gets_short_names_and_keeps_everything_else() {
        let original = module();
        let (renamed, renames) = shorten_module(&original, &[]).expect("a module");
        assert_eq!(
            renames.modules,
            vec![("./checkout-widget_bg.js".to_owned(), "a".to_owned())]
        );
        let imports: Vec<_> = renames
            .imports
            .iter()
            .map(|(_, new)| new.as_str())
            .collect();
        assert_eq!(imports, ["a", "b", "c"]);
        let exports: Vec<_> = renames
            .exports
            .iter()
            .map(|(_, new)| new.as_str())
            .collect();
        assert_eq!(exports, ["a", "b", "c"]);

        let (_, before) = wasm::sections(&original).unwrap();
        let (_, after) = wasm::sections(&renamed).unwrap();
        assert_eq!(before.len(), after.len());
        let imports = wasm::imports(after[1].body).unwrap();
        assert_eq!(imports[2].module, b"a");
        assert_eq!(imports[2].field, b"c");
        assert_eq!(imports[2].description, [2, 1, 17, 18]);
        let exports = wasm::exports(after[2].body).unwrap();
        assert_eq!(exports[1].name, b"b");
        assert_eq!(exports[1].description, [0, 4]);
        assert_eq!(before[0].bytes, after[0].bytes);
        assert_eq!(before[3].bytes, after[3].bytes);
        assert_eq!(shorten_module(b"not wasm", &[]), None);
    }

    #[test]
    fn the_glue_is_rewritten_to_the_same_names() {
        let (_, renames) = shorten_module(&module(), &[]).unwrap();
        let glue = rewrite_glue(GLUE, &renames).expect("rewritable");
        assert!(glue.contains("\n        a: function(arg0) { return arg0.getAttribute(\"x\"); },"));
        assert!(glue.contains("\n        b: function() { const table = wasm.a; },"));
        assert!(glue.contains("\n        c: new WebAssembly.Memory"));
        assert!(glue.contains(r#"{ __proto__: null, "a": import0 }"#));
        assert!(glue.contains("export function memory(ptr) { return wasm.b(ptr) + wasm.c(ptr); }"));
        for (old, _) in renames.imports.iter().chain(&renames.exports) {
            assert!(!glue.contains(&format!("wasm.{old}")), "{old}");
            assert!(!glue.contains(&format!("{old}:")), "{old}");
        }
    }

    #[test]
    fn a_name_the_glue_uses_otherwise_fails_the_build() {
        let (_, renames) = shorten_module(&module(), &[]).unwrap();
        let twice = GLUE.replace(
            "export function memory(ptr)",
            "const x = __wbg_getAttribute_c7b80d4010284561;\nexport function memory(ptr)",
        );
        assert!(rewrite_glue(&twice, &renames)
            .unwrap_err()
            .contains("__wbg_getAttribute_c7b80d4010284561 is named 2 times"));
        let missing = GLUE.replace("__wbindgen_init_table:", "init:");
        assert!(rewrite_glue(&missing, &renames).is_err());
        let by_another_way = GLUE.replace("wasm.__wbindgen_malloc2", "exports.__wbindgen_malloc2");
        assert!(rewrite_glue(&by_another_way, &renames)
            .unwrap_err()
            .contains("__wbindgen_malloc2 is used other than"));
        let module_twice = format!("{GLUE}\nconst y = {{ \"./checkout-widget_bg.js\": 1 }};");
        assert!(rewrite_glue(&module_twice, &renames).is_err());
    }

    #[test]
    fn a_snippet_the_glue_hands_over_whole_keeps_its_function_names() {
        let mut imports = leb(2);
        for (module, field) in [
            ("./checkout-widget_bg.js", "__wbg_now_0123456789abcdef"),
            ("./snippets/w-1/inline1.js", "seconds_until"),
        ] {
            imports.extend(name(module));
            imports.extend(name(field));
            imports.extend([0, 0]);
        }
        let mut module = HEADER.to_vec();
        module.extend(section(1, &[1, 0x60, 0, 0]));
        module.extend(section(wasm::IMPORT, &imports));
        let glue = r#"import * as import1 from "./snippets/w-1/inline1.js"
function __wbg_get_imports() {
    const import0 = {
        __proto__: null,
        __wbg_now_0123456789abcdef: function() { return Date.now(); },
    };
    return {
        __proto__: null,
        "./checkout-widget_bg.js": import0,
        "./snippets/w-1/inline1.js": import1,
    };
}
"#;
        let namespaces = namespace_modules(glue);
        assert_eq!(namespaces, ["./snippets/w-1/inline1.js"]);
        let (renamed, renames) = shorten_module(&module, &namespaces).unwrap();
        assert_eq!(
            renames.imports,
            [("__wbg_now_0123456789abcdef".to_owned(), "a".to_owned())]
        );
        let (_, sections) = wasm::sections(&renamed).unwrap();
        let imports = wasm::imports(sections[1].body).unwrap();
        assert_eq!(
            (imports[1].module, imports[1].field),
            (&b"b"[..], &b"seconds_until"[..])
        );
        let glue = rewrite_glue(glue, &renames).unwrap();
        assert!(
            glue.contains("\"a\": import0,\n        \"b\": import1,"),
            "{glue}"
        );
        assert!(glue.starts_with("import * as import1 from \"./snippets/w-1/inline1.js\""));
    }

    #[test]
    fn short_names_run_through_one_and_two_letters_and_skip_reserved_words() {
        assert_eq!(short_name(0), "a");
        assert_eq!(short_name(25), "z");
        assert_eq!(short_name(26), "A");
        assert_eq!(short_name(51), "Z");
        assert_eq!(short_name(52), "aa");
        assert_eq!(short_name(53), "ba");
        let names: Vec<String> = (0..4000).map(short_name).collect();
        assert!(!names
            .iter()
            .any(|n| ["do", "if", "in"].contains(&n.as_str())));
        let distinct: std::collections::HashSet<_> = names.iter().collect();
        assert_eq!(distinct.len(), names.len());
        assert!(names[3999].len() == 3);
    }
}
