//! Generates `api.html` (served at `/api.html`, docs/spec/logreader.md §12) from `docs/api.md` at build
//! time with pulldown-cmark (CommonMark plus tables). Every heading gets an id from its text,
//! and the h2/h3 headings make the table of contents.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use pulldown_cmark::{html, CowStr, Event, Options, Parser, Tag, TagEnd};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let source = PathBuf::from("../docs/api.md");
    println!("cargo:rerun-if-changed={}", source.display());
    let markdown = std::fs::read_to_string(&source)
        .map_err(|error| format!("cannot read {}: {error}", source.display()))?;
    let out_dir = std::env::var("OUT_DIR")?;
    std::fs::write(Path::new(&out_dir).join("api.html"), render_page(&markdown))?;
    Ok(())
}

/// One table of contents entry: heading level, id, and the heading's inner HTML.
struct Entry {
    level: usize,
    id: String,
    html: String,
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
    for entry in toc {
        let class = if entry.level > 2 {
            " class=\"sub\""
        } else {
            ""
        };
        let _ = writeln!(
            page,
            "<li{class}><a href=\"#{}\">{}</a></li>",
            entry.id, entry.html
        );
    }
    page.push_str("</ul>\n</nav>\n<main>\n");
    page.push_str(&body);
    page.push_str("</main>\n</body>\n</html>\n");
    page
}

/// The HTML of the document, with an id on every heading, and its h2/h3 entries.
fn render_body(markdown: &str) -> (String, Vec<Entry>) {
    let mut events: Vec<Event<'_>> = Parser::new_ext(markdown, Options::ENABLE_TABLES).collect();
    let mut toc = Vec::new();
    let mut start = 0;
    while let Some(offset) = events[start..]
        .iter()
        .position(|event| matches!(event, Event::Start(Tag::Heading { .. })))
    {
        let open = start + offset;
        let close = events[open..]
            .iter()
            .position(|event| matches!(event, Event::End(TagEnd::Heading(_))))
            .map_or(events.len(), |end| open + end);
        let inner = &events[open + 1..close];
        let text: String = inner
            .iter()
            .filter_map(|event| match event {
                Event::Text(text) | Event::Code(text) => Some(text.as_ref()),
                _ => None,
            })
            .collect();
        let mut inner_html = String::new();
        html::push_html(&mut inner_html, inner.iter().cloned());
        let id = slug(&text);
        if let Event::Start(Tag::Heading {
            level, id: slot, ..
        }) = &mut events[open]
        {
            let level = *level as usize;
            if (2..=3).contains(&level) {
                toc.push(Entry {
                    level,
                    id: id.clone(),
                    html: inner_html,
                });
            }
            *slot = Some(CowStr::from(id));
        }
        start = close;
    }
    let mut body = String::new();
    html::push_html(&mut body, events.into_iter());
    (body, toc)
}

/// `Topic patterns` gives `topic-patterns`: lowercase ASCII letters and digits, every other
/// run of characters one `-`.
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
