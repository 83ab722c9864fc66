//! docs/configuration.md against the programs' clap definitions (what `--help` prints).

use std::collections::BTreeMap;

use clap::CommandFactory;
use integration_tests::repo_root;

/// One documented setting: flag and default cell as written in the table.
#[derive(Debug, PartialEq)]
struct Row {
    flag: String,
    default: String,
}

/// The rows of the table under `## <section>`, keyed by variable name.
fn documented(section: &str) -> BTreeMap<String, Row> {
    let text = std::fs::read_to_string(repo_root().join("docs/configuration.md"))
        .expect("docs/configuration.md");
    let heading = format!("## {section}\n");
    let start = text
        .find(&heading)
        .unwrap_or_else(|| panic!("no '{heading}' section"));
    let body = &text[start + heading.len()..];
    let body = &body[..body.find("\n## ").unwrap_or(body.len())];
    body.lines()
        .filter(|line| line.starts_with("| `"))
        .map(|line| {
            let cells: Vec<&str> = line.split(" | ").collect();
            let variable = cells[0]
                .trim_start_matches("| ")
                .trim_matches('`')
                .to_owned();
            let row = Row {
                flag: cells[1].trim_matches('`').to_owned(),
                default: cells[2].to_owned(),
            };
            (variable, row)
        })
        .collect()
}

/// The same view built from the clap command: `--flag`, and the default as the doc writes it.
fn from_help(command: clap::Command) -> BTreeMap<String, Row> {
    command
        .get_arguments()
        .filter_map(|arg| {
            let variable = arg.get_env()?.to_string_lossy().into_owned();
            let defaults: Vec<String> = arg
                .get_default_values()
                .iter()
                .map(|v| v.to_string_lossy().into_owned())
                .collect();
            let default = match defaults.first().map(String::as_str) {
                Some("") => "(empty)".to_owned(),
                Some(value) => format!("`{value}`"),
                None => String::new(),
            };
            Some((
                variable,
                Row {
                    flag: format!("--{}", arg.get_long()?),
                    default,
                },
            ))
        })
        .collect()
}

fn assert_documented(section: &str, command: clap::Command) {
    let documented = documented(section);
    let actual = from_help(command);
    let missing: Vec<_> = actual
        .keys()
        .filter(|v| !documented.contains_key(*v))
        .collect();
    let stale: Vec<_> = documented
        .keys()
        .filter(|v| !actual.contains_key(*v))
        .collect();
    assert!(
        missing.is_empty(),
        "{section}: settings missing from docs/configuration.md: {missing:?}"
    );
    assert!(
        stale.is_empty(),
        "{section}: documented settings the program does not have: {stale:?}"
    );
    for (variable, row) in &actual {
        let doc = &documented[variable];
        assert_eq!(doc.flag, row.flag, "{section}: flag of {variable}");
        if !row.default.is_empty() {
            assert_eq!(doc.default, row.default, "{section}: default of {variable}");
        }
    }
}

#[test]
fn configuration_doc_lists_every_logwriter_setting_with_its_flag_and_default() {
    assert_documented("logwriter", logwriter::Settings::command());
}

#[test]
fn configuration_doc_lists_every_logreader_setting_with_its_flag_and_default() {
    assert_documented("logreader", logreader::Settings::command());
}

#[test]
fn configuration_doc_lists_every_replay_setting_with_its_flag_and_default() {
    let replay = logreader::Settings::command()
        .find_subcommand("replay")
        .cloned()
        .expect("the replay command");
    assert_documented("logreader replay", replay);
}
