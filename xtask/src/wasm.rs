//! Just enough of the WebAssembly binary format for the build (dropping debug-only sections) and
//! the size breakdown (how big each function is and what it is called). Every reader returns
//! `None` on bytes that are not what the format says, instead of panicking.

/// Section ids of the binary format.
pub const CUSTOM: u8 = 0;
pub const IMPORT: u8 = 2;
pub const EXPORT: u8 = 7;
pub const CODE: u8 = 10;
pub const DATA: u8 = 11;

/// One section of a module.
pub struct Section<'a> {
    pub id: u8,
    /// A custom section's name (empty for the others).
    pub name: &'a [u8],
    /// The contents after the header (and after a custom section's name).
    pub body: &'a [u8],
    /// The whole section as it stands in the module, header included.
    pub bytes: &'a [u8],
}

/// Reads an unsigned LEB128 number at `*at`, advancing past it.
pub fn read_leb(bytes: &[u8], at: &mut usize) -> Option<usize> {
    let mut value = 0usize;
    for shift in (0..35).step_by(7) {
        let byte = *bytes.get(*at)?;
        *at += 1;
        value |= usize::from(byte & 0x7f) << shift;
        if byte & 0x80 == 0 {
            return Some(value);
        }
    }
    None
}

/// Appends `value` as an unsigned LEB128 number.
pub fn write_leb(out: &mut Vec<u8>, mut value: usize) {
    loop {
        let byte = (value & 0x7f) as u8;
        value >>= 7;
        if value == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

/// Reads a length-prefixed byte string (a name) at `*at`, advancing past it.
pub fn read_bytes<'a>(bytes: &'a [u8], at: &mut usize) -> Option<&'a [u8]> {
    let len = read_leb(bytes, at)?;
    let out = bytes.get(*at..at.checked_add(len)?)?;
    *at += len;
    Some(out)
}

pub fn read_byte(bytes: &[u8], at: &mut usize) -> Option<u8> {
    let byte = *bytes.get(*at)?;
    *at += 1;
    Some(byte)
}

/// The module's 8-byte header (magic and version), and its sections in order; `None` when it is
/// not a module or a section runs past the end.
pub fn sections(module: &[u8]) -> Option<(&[u8], Vec<Section<'_>>)> {
    if module.get(..4)? != b"\0asm" {
        return None;
    }
    let header = module.get(..8)?;
    let mut out = Vec::new();
    let mut at = 8;
    while at < module.len() {
        let start = at;
        let id = read_byte(module, &mut at)?;
        let contents = read_bytes(module, &mut at)?;
        let (name, body) = if id == CUSTOM {
            let mut name_at = 0;
            let name = read_bytes(contents, &mut name_at)?;
            (name, &contents[name_at..])
        } else {
            (&[][..], contents)
        };
        out.push(Section {
            id,
            name,
            body,
            bytes: &module[start..at],
        });
    }
    Some((header, out))
}

/// One entry of the import section.
pub struct Import<'a> {
    pub module: &'a [u8],
    pub field: &'a [u8],
    pub kind: u8,
    /// What is imported (a function's type index, a table's or memory's limits, ...), as it
    /// stands in the section, the kind byte included.
    pub description: &'a [u8],
}

/// The entries of the import section, in order.
pub fn imports(import_section: &[u8]) -> Option<Vec<Import<'_>>> {
    let mut at = 0;
    let count = read_leb(import_section, &mut at)?;
    let mut out = Vec::with_capacity(count);
    for _ in 0..count {
        let module = read_bytes(import_section, &mut at)?;
        let field = read_bytes(import_section, &mut at)?;
        let start = at;
        let kind = read_byte(import_section, &mut at)?;
        match kind {
            // A function: its type index.
            0 => {
                read_leb(import_section, &mut at)?;
            }
            // A table: element type, then limits.
            1 => {
                read_byte(import_section, &mut at)?;
                skip_limits(import_section, &mut at)?;
            }
            2 => skip_limits(import_section, &mut at)?,
            // A global: value type and mutability.
            3 => {
                read_byte(import_section, &mut at)?;
                read_byte(import_section, &mut at)?;
            }
            // A tag (exception handling): attribute and type index.
            4 => {
                read_byte(import_section, &mut at)?;
                read_leb(import_section, &mut at)?;
            }
            _ => return None,
        }
        out.push(Import {
            module,
            field,
            kind,
            description: &import_section[start..at],
        });
    }
    Some(out)
}

/// How many of the imports are functions: they come first in the function index space.
pub fn imported_functions(import_section: &[u8]) -> Option<usize> {
    Some(
        imports(import_section)?
            .iter()
            .filter(|import| import.kind == 0)
            .count(),
    )
}

/// One entry of the export section.
pub struct Export<'a> {
    pub name: &'a [u8],
    /// The kind byte and the index, as they stand in the section.
    pub description: &'a [u8],
}

/// The entries of the export section, in order.
pub fn exports(export_section: &[u8]) -> Option<Vec<Export<'_>>> {
    let mut at = 0;
    let count = read_leb(export_section, &mut at)?;
    let mut out = Vec::with_capacity(count);
    for _ in 0..count {
        let name = read_bytes(export_section, &mut at)?;
        let start = at;
        read_byte(export_section, &mut at)?;
        read_leb(export_section, &mut at)?;
        out.push(Export {
            name,
            description: &export_section[start..at],
        });
    }
    Some(out)
}

/// Limits: a flags byte, the minimum, and the maximum when bit 0 of the flags says so.
fn skip_limits(bytes: &[u8], at: &mut usize) -> Option<()> {
    let flags = read_byte(bytes, at)?;
    read_leb(bytes, at)?;
    if flags & 1 != 0 {
        read_leb(bytes, at)?;
    }
    Some(())
}

/// The size in the module of each function body, in order (the size prefix included).
pub fn body_sizes(code_section: &[u8]) -> Option<Vec<u64>> {
    Some(
        bodies(code_section)?
            .iter()
            .map(|body| body.len() as u64)
            .collect(),
    )
}

/// Each function body as it stands in the code section, in order (the size prefix included).
pub fn bodies(code_section: &[u8]) -> Option<Vec<&[u8]>> {
    let mut at = 0;
    let count = read_leb(code_section, &mut at)?;
    let mut out = Vec::with_capacity(count);
    for _ in 0..count {
        let start = at;
        read_bytes(code_section, &mut at)?;
        out.push(&code_section[start..at]);
    }
    Some(out)
}

/// Function names from the `name` custom section (subsection 1): (function index, name).
pub fn function_names(name_section: &[u8]) -> Option<Vec<(usize, String)>> {
    let mut at = 0;
    while at < name_section.len() {
        let kind = read_byte(name_section, &mut at)?;
        let contents = read_bytes(name_section, &mut at)?;
        if kind != 1 {
            continue;
        }
        let mut inner = 0;
        let count = read_leb(contents, &mut inner)?;
        let mut names = Vec::with_capacity(count);
        for _ in 0..count {
            let index = read_leb(contents, &mut inner)?;
            let name = read_bytes(contents, &mut inner)?;
            names.push((index, String::from_utf8_lossy(name).into_owned()));
        }
        return Some(names);
    }
    Some(Vec::new())
}

#[cfg(test)]
pub mod tests {
    use super::*;

    /// Unsigned LEB128, for building modules by hand.
    pub fn leb(n: usize) -> Vec<u8> {
        let mut out = Vec::new();
        write_leb(&mut out, n);
        out
    }

    /// A length-prefixed string.
    pub fn name(text: &str) -> Vec<u8> {
        let mut out = leb(text.len());
        out.extend_from_slice(text.as_bytes());
        out
    }

    /// A section: id, size, contents.
    pub fn section(id: u8, contents: &[u8]) -> Vec<u8> {
        let mut out = vec![id];
        out.extend(leb(contents.len()));
        out.extend_from_slice(contents);
        out
    }

    pub fn custom(section_name: &str, payload: &[u8]) -> Vec<u8> {
        let mut contents = name(section_name);
        contents.extend_from_slice(payload);
        section(CUSTOM, &contents)
    }

    pub const HEADER: &[u8] = b"\0asm\x01\0\0\0";

    #[test]
    fn leb_round_trips_and_refuses_overlong_numbers() {
        for n in [0, 1, 127, 128, 300, 16_384, 1 << 28] {
            let bytes = leb(n);
            let mut at = 0;
            assert_eq!(read_leb(&bytes, &mut at), Some(n));
            assert_eq!(at, bytes.len());
        }
        assert_eq!(read_leb(&[0x80; 6], &mut 0), None);
        assert_eq!(read_leb(&[0x80], &mut 0), None);
    }

    #[test]
    fn sections_split_a_module_and_name_custom_ones() {
        let mut module = HEADER.to_vec();
        module.extend(section(1, &[1, 0x60, 0, 0]));
        module.extend(custom("name", b"xyz"));
        let (header, found) = sections(&module).unwrap();
        assert_eq!(header, HEADER);
        assert_eq!(found.len(), 2);
        assert_eq!((found[0].id, found[0].body), (1, &[1, 0x60, 0, 0][..]));
        assert_eq!((found[1].name, found[1].body), (&b"name"[..], &b"xyz"[..]));
        assert_eq!(found[1].bytes.len(), 2 + 5 + 3);
        // Too short for its declared size.
        assert!(sections(b"\0asm\x01\0\0\0\x01\x7f").is_none());
        assert!(sections(b"not wasm").is_none());
    }

    #[test]
    fn imports_count_only_functions() {
        let mut imports = leb(4);
        for (field, desc) in [
            ("f", vec![0, 3]),            // function, type 3
            ("m", vec![2, 1, 1, 200, 1]), // memory, min 1, max 200 (two-byte LEB)
            ("g", vec![3, 0x7f, 0]),      // global i32, immutable
            ("h", vec![0, 0]),            // function, type 0
        ] {
            imports.extend(name("wbg"));
            imports.extend(name(field));
            imports.extend(desc);
        }
        assert_eq!(imported_functions(&imports), Some(2));
        assert_eq!(imported_functions(&[1, 0, 0, 9]), None);
    }

    #[test]
    fn bodies_and_names_are_read() {
        // Two bodies: 3 bytes and 200 bytes (a two-byte size prefix).
        let mut code = leb(2);
        code.extend(leb(3));
        code.extend([0, 1, 0x0b]);
        code.extend(leb(200));
        code.extend(vec![0; 200]);
        assert_eq!(body_sizes(&code), Some(vec![4, 202]));
        assert_eq!(body_sizes(&[2, 1, 0]), None);

        let mut functions = leb(2);
        functions.extend(leb(0));
        functions.extend(name("imported"));
        functions.extend(leb(1));
        functions.extend(name("core::fmt::write"));
        let mut names = section(0, &name("module")); // module-name subsection, skipped
        names.extend(section(1, &functions));
        assert_eq!(
            function_names(&names),
            Some(vec![
                (0, "imported".to_owned()),
                (1, "core::fmt::write".to_owned())
            ])
        );
        assert_eq!(function_names(&[]), Some(vec![]));
    }
}
