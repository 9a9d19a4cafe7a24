//! wasm-bindgen's JavaScript classes for the exports the widget's linker left out.
//!
//! [`crate::widget_linker`] keeps wasm-streams' classes (`IntoUnderlyingSource`, ...) out of the
//! module, but wasm-bindgen still writes a class for each into the glue, with a finalization
//! registry and a `free` that calls an export the module no longer has. Nothing can make one:
//! only the module hands out such objects. esbuild keeps them (a class with a
//! `Symbol.dispose` assignment and a registry built at load is a side effect to it), so they
//! are taken out here, before the glue is minified: about 150 bytes brotli.
//!
//! A class is dead when its `free` calls an export the module lacks. It is removed only when
//! the glue names it nowhere but in its own three pieces (the class, its `Symbol.dispose`
//! line, its registry); anything else fails the build.

use std::collections::HashSet;

/// The glue without the classes whose `free` calls an export not in `exports`, and the names
/// of the classes removed.
pub fn without_dead_classes(
    glue: &str,
    exports: &HashSet<String>,
) -> Result<(String, Vec<String>), String> {
    let mut text = glue.to_owned();
    let mut removed = Vec::new();
    for (name, block) in classes(glue) {
        let Some(free) = block
            .split("wasm.")
            .skip(1)
            .filter_map(|rest| rest.split('(').next())
            .find(|called| called.ends_with("_free"))
        else {
            continue;
        };
        if exports.contains(free) {
            continue;
        }
        text = text.replacen(&block, "", 1);
        // With the blank line wasm-bindgen leaves after it.
        let dispose = format!(
            "if (Symbol.dispose) {name}.prototype[Symbol.dispose] = {name}.prototype.free;\n\n"
        );
        text = remove_once(&text, &dispose, &name)?;
        let registry = registry_statement(&text, &name)
            .ok_or_else(|| format!("the class {name}'s finalization registry is not found"))?;
        text = remove_once(&text, &registry, &name)?;
        if text.contains(&name) {
            return Err(format!(
                "the class {name} calls wasm.{free}, which the module does not export, but the \
                 glue still names it elsewhere"
            ));
        }
        removed.push(name);
    }
    Ok((text, removed))
}

/// Each `export class Name { ... }` with its whole text, up to the first line that is a lone
/// `}` (wasm-bindgen writes a class's members indented).
fn classes(glue: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (start, _) in glue.match_indices("export class ") {
        let rest = &glue[start + "export class ".len()..];
        let Some(name) = rest.split([' ', '{']).next().filter(|n| !n.is_empty()) else {
            continue;
        };
        let Some(end) = glue[start..].find("\n}\n") else {
            continue;
        };
        out.push((
            name.to_owned(),
            glue[start..start + end + "\n}\n".len()].to_owned(),
        ));
    }
    out
}

/// `const NameFinalization = ...;` through the line that ends it.
fn registry_statement(glue: &str, name: &str) -> Option<String> {
    let start = glue.find(&format!("const {name}Finalization = "))?;
    let end = glue[start..].find(";\n")?;
    Some(glue[start..start + end + ";\n".len()].to_owned())
}

fn remove_once(text: &str, piece: &str, name: &str) -> Result<String, String> {
    if text.matches(piece).count() != 1 {
        return Err(format!(
            "the class {name}: expected `{}` once in the glue",
            piece.trim_end()
        ));
    }
    Ok(text.replacen(piece, "", 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    const GLUE: &str = "import { x } from './snippets/a.js';

export class IntoUnderlyingSink {
    __destroy_into_raw() {
        const ptr = this.__wbg_ptr;
        IntoUnderlyingSinkFinalization.unregister(this);
        return ptr;
    }
    free() {
        const ptr = this.__destroy_into_raw();
        wasm.__wbg_intounderlyingsink_free(ptr, 0);
    }
}
if (Symbol.dispose) IntoUnderlyingSink.prototype[Symbol.dispose] = IntoUnderlyingSink.prototype.free;

export class Kept {
    free() {
        wasm.__wbg_kept_free(this.__wbg_ptr, 0);
    }
}
if (Symbol.dispose) Kept.prototype[Symbol.dispose] = Kept.prototype.free;

export function define(a) {
    wasm.define(a);
}
const IntoUnderlyingSinkFinalization = (typeof FinalizationRegistry === 'undefined')
    ? { register: () => {}, unregister: () => {} }
    : new FinalizationRegistry(ptr => wasm.__wbg_intounderlyingsink_free(ptr, 1));
const KeptFinalization = (typeof FinalizationRegistry === 'undefined')
    ? { register: () => {}, unregister: () => {} }
    : new FinalizationRegistry(ptr => wasm.__wbg_kept_free(ptr, 1));
";

    fn exports(names: &[&str]) -> HashSet<String> {
        names.iter().map(|n| (*n).to_owned()).collect()
    }

    #[test]
    fn a_class_whose_free_is_not_exported_goes_with_its_registry() {
        let (glue, removed) =
            without_dead_classes(GLUE, &exports(&["define", "__wbg_kept_free"])).unwrap();
        assert_eq!(removed, ["IntoUnderlyingSink"]);
        assert!(!glue.contains("IntoUnderlying") && !glue.contains("intounderlying"));
        assert!(glue.starts_with("import { x } from './snippets/a.js';\n\nexport class Kept {"));
        assert!(glue.contains("export function define(a) {\n    wasm.define(a);\n}\n"));
        assert!(glue.ends_with("new FinalizationRegistry(ptr => wasm.__wbg_kept_free(ptr, 1));\n"));
        assert!(glue.contains("if (Symbol.dispose) Kept.prototype"));
    }

    #[test]
    fn classes_whose_free_is_exported_stay() {
        let all = exports(&["define", "__wbg_kept_free", "__wbg_intounderlyingsink_free"]);
        let (glue, removed) = without_dead_classes(GLUE, &all).unwrap();
        assert!(removed.is_empty());
        assert_eq!(glue, GLUE);
    }

    #[test]
    fn a_dead_class_the_glue_still_uses_fails_the_build() {
        let used = GLUE.replace(
            "    wasm.define(a);",
            "    wasm.define(a);\n    return new IntoUnderlyingSink();",
        );
        let error = without_dead_classes(&used, &exports(&["define"])).unwrap_err();
        assert!(error.contains("IntoUnderlyingSink"), "{error}");
        let no_registry = GLUE.replace("const IntoUnderlyingSinkFinalization", "const Other");
        assert!(without_dead_classes(&no_registry, &exports(&["define"])).is_err());
    }
}
