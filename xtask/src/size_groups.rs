//! What each group of crates adds to the compressed download, for `cargo xtask build --crates`.
//!
//! The per-crate table counts raw bytes, but a payer downloads the module compressed, and code
//! that repeats one pattern (the same generic instantiated for many types) costs far less than
//! its size. So each group's function bodies are taken out of the module's code and the rest
//! is compressed again, the way the server's copy is (brotli, `precompress::brotli`): the
//! difference is what that group adds. The groups' figures do not add up to the whole code's
//! compressed size: what one group shares with another is counted in neither.

use std::collections::BTreeMap;

use crate::crate_sizes::{crate_of, UNNAMED};
use crate::{precompress, wasm};

/// The groups, by the crates [`crate_of`] names. `_` is where it puts `<_ as Trait>::f`,
/// which in this module is almost only Leptos's type-erased views and attributes.
pub const GROUPS: [(&str, &[&str]); 4] = [
    (
        "Leptos and what it links (reactive_graph, tachys, server_fn, futures, ...)",
        &[
            "_",
            "any_spawner",
            "async_lock",
            "either_of",
            "futures_channel",
            "futures_core",
            "futures_executor",
            "futures_util",
            "guardian",
            "hydration_context",
            "indexmap",
            "leptos",
            "leptos_dom",
            "leptos_server",
            "oco_ref",
            "or_poisoned",
            "reactive_graph",
            "reactive_stores",
            "rustc_hash",
            "send_wrapper",
            "server_fn",
            "slotmap",
            "tachys",
            "throw_error",
            "wasm_streams",
        ],
    ),
    (
        "Rust's standard library (core, alloc, std, hashbrown, dlmalloc, builtins)",
        &[
            "alloc",
            "compiler_builtins",
            "core",
            "dlmalloc",
            "hashbrown",
            "std",
            crate::crate_sizes::NO_PATH,
        ],
    ),
    (
        "wasm-bindgen, js-sys, web-sys",
        &["js_sys", "wasm_bindgen", "wasm_bindgen_futures", "web_sys"],
    ),
    (
        "the widget (checkout_widget, protocol)",
        &["checkout_widget", "protocol"],
    ),
];

/// Brotli bytes of the module's whole code, what each of [`GROUPS`] adds to them, and the data
/// section (string literals, the stylesheet, the English words) compressed alone.
#[derive(Debug, PartialEq)]
pub struct GroupCosts {
    pub code: u64,
    pub groups: Vec<(&'static str, u64)>,
    pub data: u64,
}

impl GroupCosts {
    pub fn table(&self) -> String {
        let mut out = format!(
            "the module's code compressed (brotli): {} bytes; what each group adds to that:\n",
            self.code
        );
        for (name, bytes) in &self.groups {
            out.push_str(&format!("  {name:<76} {bytes:>7}\n"));
        }
        out.push_str(&format!(
            "the data section compressed alone (brotli): {} bytes\n",
            self.data
        ));
        out
    }
}

/// [`GroupCosts`] of a module with a `name` section.
pub fn costs(module: &[u8]) -> Result<GroupCosts, String> {
    let (functions, data) = owned_bodies(module).ok_or("the module could not be read")?;
    let brotli_of = |keep: &dyn Fn(&str) -> bool| -> Result<u64, String> {
        let code: Vec<u8> = functions
            .iter()
            .filter(|(owner, _)| keep(owner))
            .flat_map(|(_, body)| body.iter().copied())
            .collect();
        Ok(precompress::brotli(&code)?.len() as u64)
    };
    let code = brotli_of(&|_| true)?;
    let mut groups = Vec::new();
    for (name, crates) in GROUPS {
        let without = brotli_of(&|owner| !crates.contains(&owner))?;
        groups.push((name, code.saturating_sub(without)));
    }
    let data = precompress::brotli(data)?.len() as u64;
    Ok(GroupCosts { code, groups, data })
}

/// Each function body with the crate it counts for, and the data section.
type Owned<'a> = (Vec<(String, &'a [u8])>, &'a [u8]);

fn owned_bodies(module: &[u8]) -> Option<Owned<'_>> {
    let (_, sections) = wasm::sections(module)?;
    let (mut imports, mut bodies, mut names) = (0, Vec::new(), BTreeMap::new());
    let mut data: &[u8] = &[];
    for section in &sections {
        match (section.id, section.name) {
            (wasm::IMPORT, _) => imports = wasm::imported_functions(section.body)?,
            (wasm::CODE, _) => bodies = wasm::bodies(section.body)?,
            (wasm::DATA, _) => data = section.body,
            (wasm::CUSTOM, b"name") => {
                names = wasm::function_names(section.body)?.into_iter().collect()
            }
            _ => {}
        }
    }
    let owner = |n: usize| {
        names
            .get(&(imports + n))
            .map_or_else(|| UNNAMED.to_owned(), |name: &String| crate_of(name))
    };
    let owned = bodies
        .into_iter()
        .enumerate()
        .map(|(n, body)| (owner(n), body))
        .collect();
    Some((owned, data))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wasm::tests::{custom, leb, name, section, HEADER};

    /// Bodies that compress badly (a simple generator's bytes), one per named function.
    fn module(functions: &[(&str, usize)]) -> Vec<u8> {
        let mut seed = 12345u32;
        let mut code = leb(functions.len());
        for (_, size) in functions {
            code.extend(leb(*size));
            for _ in 0..*size {
                seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                code.push((seed >> 16) as u8);
            }
        }
        let mut names = leb(functions.len());
        for (index, (text, _)) in functions.iter().enumerate() {
            names.extend(leb(index));
            names.extend(name(text));
        }
        let mut module = HEADER.to_vec();
        module.extend(section(wasm::CODE, &code));
        module.extend(custom("name", &section(1, &names)));
        module
    }

    #[test]
    fn each_group_costs_about_what_its_own_code_adds() {
        let module = module(&[
            ("tachys[1]::view::build", 3_000),
            ("checkout_widget[2]::pay::view", 1_000),
        ]);
        let costs = costs(&module).unwrap();
        let of = |prefix: &str| {
            costs
                .groups
                .iter()
                .find(|(name, _)| name.starts_with(prefix))
                .unwrap()
                .1
        };
        // Incompressible bytes cost about their size; a group with no code costs nothing.
        assert!((2_900..=3_100).contains(&of("Leptos")), "{costs:?}");
        assert!((900..=1_100).contains(&of("the widget")), "{costs:?}");
        assert_eq!(of("wasm-bindgen"), 0);
        assert!(costs.code >= 4_000, "{costs:?}");
        assert!(costs.data < 10, "no data section: {costs:?}");
        assert!(costs
            .table()
            .contains("the widget (checkout_widget, protocol)"));
    }

    #[test]
    fn an_unreadable_module_is_an_error() {
        assert!(costs(b"not wasm").is_err());
    }
}
