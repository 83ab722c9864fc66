//! Generates `api.html` (served at `/api.html`, docs/spec/logreader.md §12) from `docs/api.md` at build
//! time. The converter is deliberately small: headings, paragraphs, tables, fenced code
//! blocks, lists, inline code, bold and links, plus a table of contents. No dependency.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let source = PathBuf::from("../docs/api.md");
    println!("cargo:rerun-if-changed={}", source.display());
    let markdown = std::fs::read_to_string(&source)
        .map_err(|error| format!("cannot read {}: {error}", source.display()))?;
    let out_dir = std::env::var("OUT_DIR")?;
    std::fs::write(Path::new(&out_dir).join("api.html"), render_page(&markdown))?;
    Ok(())
}

fn render_page(markdown: &str) -> String {
    let (body, toc) = render_body(markdown);
    let mut page = String::from(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>LogReader API</title>\n<link rel=\"stylesheet\" href=\"style.css\">\n</head>\n\
         <body class=\"reference\">\n<p><a href=\"./\">Back to the LogReader UI</a> · \
         <a href=\"openapi.json\">openapi.json</a></p>\n<nav aria-label=\"Table of contents\">\n\
         <h2>Contents</h2>\n<ul>\n",
    );
    for (level, id, text) in toc {
        let class = if level > 2 { " class=\"sub\"" } else { "" };
        let _ = writeln!(page, "<li{class}><a href=\"#{id}\">{text}</a></li>");
    }
    page.push_str("</ul>\n</nav>\n<main>\n");
    page.push_str(&body);
    page.push_str("</main>\n</body>\n</html>\n");
    page
}

/// Renders the blocks; returns the HTML and the `(level, id, text)` of every h2/h3.
fn render_body(markdown: &str) -> (String, Vec<(usize, String, String)>) {
    let lines: Vec<&str> = markdown.lines().collect();
    let mut out = String::new();
    let mut toc = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        let trimmed = line.trim_start();
        if trimmed.is_empty() {
            i += 1;
        } else if trimmed.starts_with("```") {
            i = code_block(&lines, i, &mut out);
        } else if let Some((level, text)) = heading(trimmed) {
            let id = slug(text);
            let html = inline(text);
            let _ = writeln!(out, "<h{level} id=\"{id}\">{html}</h{level}>");
            if (2..=3).contains(&level) {
                toc.push((level, id, html));
            }
            i += 1;
        } else if trimmed.starts_with('|') {
            i = table(&lines, i, &mut out);
        } else if list_item(trimmed).is_some() {
            i = list(&lines, i, &mut out);
        } else {
            i = paragraph(&lines, i, &mut out);
        }
    }
    (out, toc)
}

fn heading(line: &str) -> Option<(usize, &str)> {
    let level = line.bytes().take_while(|b| *b == b'#').count();
    let text = line.get(level..)?.strip_prefix(' ')?;
    (1..=6).contains(&level).then_some((level, text.trim()))
}

fn code_block(lines: &[&str], start: usize, out: &mut String) -> usize {
    out.push_str("<pre><code>");
    let mut i = start + 1;
    while i < lines.len() && !lines[i].trim_start().starts_with("```") {
        out.push_str(&escape(lines[i]));
        out.push('\n');
        i += 1;
    }
    out.push_str("</code></pre>\n");
    i + 1
}

fn table(lines: &[&str], start: usize, out: &mut String) -> usize {
    out.push_str("<table>\n");
    let mut i = start;
    let mut header = true;
    while i < lines.len() && lines[i].trim_start().starts_with('|') {
        let cells = split_row(lines[i]);
        let separator = cells
            .iter()
            .all(|c| !c.is_empty() && c.chars().all(|ch| matches!(ch, '-' | ':' | ' ')));
        if separator {
            header = false;
        } else {
            let tag = if header { "th" } else { "td" };
            out.push_str("<tr>");
            for cell in cells {
                let _ = write!(out, "<{tag}>{}</{tag}>", inline(&cell));
            }
            out.push_str("</tr>\n");
        }
        i += 1;
    }
    out.push_str("</table>\n");
    i
}

/// Splits `| a | b \| c |` into cells; `\|` is a literal bar, and bars inside backticks
/// do not split.
fn split_row(line: &str) -> Vec<String> {
    let inner = line.trim().trim_start_matches('|');
    let inner = inner.strip_suffix('|').unwrap_or(inner);
    let mut cells = vec![String::new()];
    let mut in_code = false;
    let mut chars = inner.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '|' if !in_code => cells.push(String::new()),
            _ => {
                let literal = if c == '\\' && chars.peek() == Some(&'|') {
                    chars.next();
                    '|'
                } else {
                    in_code ^= c == '`';
                    c
                };
                if let Some(cell) = cells.last_mut() {
                    cell.push(literal);
                }
            }
        }
    }
    cells
        .into_iter()
        .map(|cell| cell.trim().to_owned())
        .collect()
}

fn list_item(line: &str) -> Option<(bool, &str)> {
    if let Some(rest) = line.strip_prefix("* ").or_else(|| line.strip_prefix("- ")) {
        return Some((false, rest));
    }
    let digits = line.bytes().take_while(u8::is_ascii_digit).count();
    let rest = line.get(digits..)?.strip_prefix(". ")?;
    (digits > 0).then_some((true, rest))
}

fn list(lines: &[&str], start: usize, out: &mut String) -> usize {
    let ordered = list_item(lines[start].trim_start()).is_some_and(|(ordered, _)| ordered);
    let tag = if ordered { "ol" } else { "ul" };
    let _ = writeln!(out, "<{tag}>");
    let mut i = start;
    let mut item: Option<String> = None;
    while i < lines.len() {
        let trimmed = lines[i].trim_start();
        if let Some((_, text)) = list_item(trimmed) {
            if let Some(done) = item.take() {
                let _ = writeln!(out, "<li>{}</li>", inline(&done));
            }
            item = Some(text.to_owned());
        } else if !trimmed.is_empty() && lines[i].starts_with(' ') && item.is_some() {
            if let Some(text) = item.as_mut() {
                text.push(' ');
                text.push_str(trimmed);
            }
        } else {
            break;
        }
        i += 1;
    }
    if let Some(done) = item {
        let _ = writeln!(out, "<li>{}</li>", inline(&done));
    }
    let _ = writeln!(out, "</{tag}>");
    i
}

fn paragraph(lines: &[&str], start: usize, out: &mut String) -> usize {
    let mut text = Vec::new();
    let mut i = start;
    while i < lines.len() {
        let trimmed = lines[i].trim_start();
        let block_start = trimmed.is_empty()
            || trimmed.starts_with("```")
            || trimmed.starts_with('|')
            || heading(trimmed).is_some()
            || (i > start && list_item(trimmed).is_some());
        if block_start && i > start {
            break;
        }
        text.push(trimmed);
        i += 1;
    }
    let _ = writeln!(out, "<p>{}</p>", inline(&text.join(" ")));
    i
}

/// Inline markup: `code`, **bold** and [text](url); everything else is escaped.
fn inline(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if let Some(after) = rest.strip_prefix('`') {
            if let Some(end) = after.find('`') {
                let _ = write!(out, "<code>{}</code>", escape(&after[..end]));
                rest = &after[end + 1..];
                continue;
            }
        } else if let Some(after) = rest.strip_prefix("**") {
            if let Some(end) = after.find("**") {
                let _ = write!(out, "<strong>{}</strong>", inline(&after[..end]));
                rest = &after[end + 2..];
                continue;
            }
        } else if let Some(after) = rest.strip_prefix('[') {
            if let Some((label, url, used)) = link(after) {
                let _ = write!(out, "<a href=\"{}\">{}</a>", escape(url), inline(label));
                rest = &after[used..];
                continue;
            }
        }
        out.push_str(&escape(&c.to_string()));
        rest = &rest[c.len_utf8()..];
    }
    out
}

/// `label](url)` → (label, url, bytes consumed).
fn link(after: &str) -> Option<(&str, &str, usize)> {
    let close = after.find("](")?;
    let end = after[close + 2..].find(')')? + close + 2;
    Some((&after[..close], &after[close + 2..end], end + 1))
}

fn slug(text: &str) -> String {
    let mut slug = String::new();
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c.to_ascii_lowercase());
        } else if !slug.ends_with('-') && !slug.is_empty() {
            slug.push('-');
        }
    }
    slug.trim_end_matches('-').to_owned()
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
