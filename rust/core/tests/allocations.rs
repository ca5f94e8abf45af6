//! Every allocation sized up front in the Rust code (the core and the
//! binding layer) says why its size is bounded.
//!
//! Sizes from input or arguments are hints, never allocations: a size read
//! from a file or passed by a caller goes through `checked_mul`,
//! `try_reserve` or `buffer::try_zeroed*` (which turn an impossible size
//! into an error) and a cap before memory is taken. The calls that take
//! memory at once — `with_capacity`, `reserve`, `reserve_exact`, `resize`
//! and `vec![value; n]` — must therefore carry a `// bounded: <why>` note,
//! on their line or in the comment just above it, outside tests (test
//! modules, and the `tests.rs` files that hold a folder module's tests). This test
//! lists the calls that do not.

use std::fs;
use std::path::{Path, PathBuf};

/// The `.rs` files under `dir`, recursively.
fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            rust_files(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
    Ok(())
}

/// Whether a line takes memory at once for a size (the definition of a
/// `with_capacity` function is not a call).
fn sizes_an_allocation(line: &str) -> bool {
    let code = line.split("//").next().unwrap_or_default();
    if code.contains("fn with_capacity(") {
        return false;
    }
    ["with_capacity(", ".reserve(", ".reserve_exact(", ".resize("]
        .iter()
        .any(|call| code.contains(call))
        || code.find("vec![").is_some_and(|at| {
            code[at..]
                .split(']')
                .next()
                .is_some_and(|v| v.contains(';'))
        })
}

/// Allocations that do not go through a checked allocation yet, listed
/// (file, code) so that the list is seen and shrinks, and no other one slips
/// in. Empty now: the bag's depth-sized buffers are reserved with a check or
/// sized by the vocabulary held.
const NOT_YET_BOUNDED: [(&str, &str); 0] = [];

/// The unannotated allocations of one file: (1-based line, text), test
/// modules (`#[cfg(test)]` items) skipped.
fn unannotated(text: &str) -> Vec<(usize, String)> {
    let lines: Vec<&str> = text.lines().collect();
    let mut found = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i].trim();
        if line == "#[cfg(test)]" {
            // Skip the item that follows, to its closing brace.
            let mut depth = 0i64;
            let mut opened = false;
            i += 1;
            while i < lines.len() {
                depth += lines[i].matches('{').count() as i64;
                depth -= lines[i].matches('}').count() as i64;
                opened |= lines[i].contains('{');
                i += 1;
                if (opened && depth <= 0) || (!opened && lines[i - 1].trim_end().ends_with(';')) {
                    break;
                }
            }
            continue;
        }
        if sizes_an_allocation(line) {
            let mut noted = line.contains("bounded:");
            let mut above = i;
            while !noted && above > 0 && lines[above - 1].trim().starts_with("//") {
                above -= 1;
                noted = lines[above].contains("bounded:");
            }
            if !noted {
                found.push((i + 1, line.to_string()));
            }
        }
        i += 1;
    }
    found
}

#[test]
fn every_up_front_allocation_is_bounded() -> std::io::Result<()> {
    let core = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    rust_files(&core.join("src"), &mut files)?;
    rust_files(&core.join("../py"), &mut files)?;
    assert!(files.len() > 10, "{files:?}");
    let mut report = Vec::new();
    for file in &files {
        let name = file.file_name().map(|n| n.to_string_lossy().into_owned());
        if name.as_deref() == Some("tests.rs") {
            // A folder module's tests, in a file of their own (`#[cfg(test)]
            // mod tests;`): test code, as a test module is.
            continue;
        }
        for (line, text) in unannotated(&fs::read_to_string(file)?) {
            if NOT_YET_BOUNDED
                .iter()
                .any(|&(f, code)| name.as_deref() == Some(f) && text == code)
            {
                continue;
            }
            report.push(format!("{}:{line}: {text}", file.display()));
        }
    }
    assert!(
        report.is_empty(),
        "allocations without a `// bounded:` note:\n{}",
        report.join("\n")
    );
    Ok(())
}

#[test]
fn the_check_sees_what_it_should() {
    let text = "fn with_capacity(n: usize) {\n    let a = Vec::with_capacity(n);\n    // bounded: why\n    \
                let b = vec![0u8; n];\n    let c = vec![1, 2];\n    v.resize(n, 0); // bounded: x\n}\n\
                #[cfg(test)]\nmod tests {\n    fn g() { let d = vec![0; 9]; }\n}\n";
    assert_eq!(
        unannotated(text),
        vec![(2, "let a = Vec::with_capacity(n);".to_string())]
    );
}
