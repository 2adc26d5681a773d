//! The guided tours in `docs/` cannot rot: every source path they cite exists, and every item they name in a
//! file (`` `crates/tensor/src/ops.rs::sigmoid` ``) is defined there.
//!
//! A citation is a code span (text between backticks) that starts with `crates/`, `shaders/`, `benches/`,
//! `examples/`, `tests/`, `scripts/` or `docs/` and names a file; `::item` after the file names something the file
//! must define: a `fn`, `struct`, `enum`, `trait`, `type`, `const`, `static`, `mod` or `macro_rules!` of that name,
//! or an enum variant (a line that starts with the name followed by `,`, `(`, `{` or ` =`). A WGSL file's items
//! are its `fn`s, `const`s, `struct`s and `override`s.

use std::path::{Path, PathBuf};

const ROOTS: [&str; 7] = ["crates/", "shaders/", "benches/", "examples/", "tests/", "scripts/", "docs/"];

/// Every code span of `text`, with its line number.
fn code_spans(text: &str) -> Vec<(usize, String)> {
    let mut spans = Vec::new();
    let mut in_fence = false;
    for (n, line) in text.lines().enumerate() {
        if line.trim_start().starts_with("```") {
            in_fence = !in_fence;
            continue;
        }
        if in_fence {
            continue;
        }
        let mut parts = line.split('`');
        parts.next();
        while let Some(span) = parts.next() {
            spans.push((n + 1, span.to_string()));
            parts.next();
        }
    }
    spans
}

/// The citation in a code span: the file and, after `::`, the item. `None` when the span is not a citation.
fn citation(span: &str) -> Option<(String, Option<String>)> {
    let span = span.trim();
    if !ROOTS.iter().any(|r| span.starts_with(r)) || span.contains(' ') {
        return None;
    }
    let (file, item) = match span.split_once("::") {
        Some((f, i)) => (f.to_string(), Some(i.trim_end_matches("()").to_string())),
        None => (span.trim_end_matches('/').to_string(), None),
    };
    Some((file, item))
}

/// Whether `source` defines `item`.
fn defines(source: &str, item: &str) -> bool {
    let keywords =
        ["fn ", "struct ", "enum ", "trait ", "type ", "const ", "static ", "mod ", "macro_rules! ", "override "];
    source.lines().any(|line| {
        let l = line.trim_start();
        // Any visibility: `pub`, `pub(crate)`, `pub(super)`, `pub(in path)`.
        let l = match l.strip_prefix("pub") {
            Some(rest) if rest.starts_with(' ') => rest.trim_start(),
            Some(rest) if rest.starts_with('(') => rest.split_once(") ").map_or(l, |(_, after)| after),
            _ => l,
        };
        let l = l.strip_prefix("unsafe ").unwrap_or(l);
        let after_keyword = keywords.iter().find_map(|k| l.strip_prefix(k));
        let rest = match after_keyword {
            Some(rest) => rest,
            None => l,
        };
        let Some(tail) = rest.strip_prefix(item) else { return false };
        let next = tail.chars().next();
        if after_keyword.is_some() {
            // `fn sigmoid(`, `fn sigmoid<`, `const SIGMOID:`, `struct Params {`, `mod gemm;`.
            !matches!(next, Some(c) if c.is_alphanumeric() || c == '_')
        } else {
            // An enum variant: `Sigmoid,`, `Sigmoid { out: Tensor },`, `Sigmoid(…)`, `Sigmoid = 7,`.
            matches!(next, Some(',' | '(' | '{')) || tail.starts_with(" {") || tail.starts_with(" =")
        }
    })
}

fn docs() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs");
    let Ok(entries) = std::fs::read_dir(&dir) else { return Vec::new() };
    let mut pages: Vec<PathBuf> =
        entries.filter_map(|e| e.ok()).map(|e| e.path()).filter(|p| p.extension().is_some_and(|e| e == "md")).collect();
    pages.sort();
    pages
}

#[test]
fn every_path_and_item_a_tour_cites_exists() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut checked = 0;
    let mut broken = Vec::new();
    for page in docs() {
        let text = std::fs::read_to_string(&page).unwrap();
        let name = page.file_name().unwrap().to_string_lossy().to_string();
        for (line, span) in code_spans(&text) {
            let Some((file, item)) = citation(&span) else { continue };
            checked += 1;
            let path = root.join(&file);
            if !path.exists() {
                broken.push(format!("docs/{name}:{line}: `{span}`: no file {file}"));
                continue;
            }
            if let Some(item) = item {
                let source = std::fs::read_to_string(&path).unwrap_or_default();
                if !defines(&source, &item) {
                    broken.push(format!("docs/{name}:{line}: `{span}`: {file} defines no `{item}`"));
                }
            }
        }
    }
    assert!(broken.is_empty(), "{} of {checked} citations in docs/ are broken:\n{}", broken.len(), broken.join("\n"));
}

#[test]
fn the_checker_finds_what_it_must_and_refuses_what_it_must() {
    // The checker itself can fail: a missing item and a missing file are both caught.
    let src = "pub enum UnaryOp {\n    Sigmoid,\n    Exp { out: Tensor },\n}\nconst SIGMOID: u32 = 7u;\npub(crate) fn sigmoid_f32(x: f32) -> f32 { x }\npub(super) fn unary(x: u32) {}\n";
    assert!(defines(src, "UnaryOp"));
    assert!(defines(src, "Sigmoid"));
    assert!(defines(src, "Exp"));
    assert!(defines(src, "SIGMOID"));
    assert!(defines(src, "sigmoid_f32"));
    assert!(defines(src, "unary"));
    assert!(!defines(src, "sigmoid"));
    assert!(!defines(src, "Tanh"));
    assert_eq!(
        citation("crates/tensor/src/ops.rs::sigmoid"),
        Some(("crates/tensor/src/ops.rs".into(), Some("sigmoid".into())))
    );
    assert_eq!(citation("x.sigmoid()"), None);
    assert_eq!(code_spans("a `b` c `d`"), vec![(1, "b".to_string()), (1, "d".to_string())]);
}

#[test]
fn the_readme_points_to_every_tour() {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    for page in docs() {
        let name = format!("docs/{}", page.file_name().unwrap().to_string_lossy());
        assert!(readme.contains(&name), "README.md does not point to {name}");
    }
}
