//! docs/api.md against the OpenAPI document logreader serves (`logreader/static/openapi.json`,
//! embedded in the binary with `include_str!`): every endpoint and every parameter the
//! reference documents is described there, and the other way round.

use std::collections::{BTreeMap, BTreeSet};

use integration_tests::repo_root;
use serde_json::Value;

fn read(path: &str) -> String {
    std::fs::read_to_string(repo_root().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Backticked words of a markdown table cell.
fn backticked(cell: &str) -> Vec<String> {
    cell.split('`')
        .skip(1)
        .step_by(2)
        .map(str::to_owned)
        .collect()
}

/// The paths of the "## Endpoints" table.
fn documented_paths(api: &str) -> BTreeSet<String> {
    let table = &api[api.find("## Endpoints").expect("an Endpoints section")..];
    let table = &table[..table.find("\n### ").unwrap_or(table.len())];
    table
        .lines()
        .filter(|l| l.starts_with("| GET"))
        .flat_map(|l| backticked(l.split('|').nth(2).unwrap_or("")))
        .collect()
}

/// The query parameters documented under each `### GET <path>` heading.
fn documented_parameters(api: &str) -> BTreeMap<String, BTreeSet<String>> {
    let mut sections = BTreeMap::new();
    for section in api.split("\n### GET ").skip(1) {
        let path = section.lines().next().unwrap_or("").trim().to_owned();
        let end = [section.find("\n## "), section.find("\n### ")]
            .into_iter()
            .flatten()
            .min();
        let body = &section[..end.unwrap_or(section.len())];
        let names = body
            .lines()
            .filter(|l| l.starts_with("| `"))
            .flat_map(|l| backticked(l.split('|').nth(1).unwrap_or("")))
            .collect();
        sections.insert(path, names);
    }
    sections
}

/// OpenAPI paths with the names of their GET query parameters (`$ref`s resolved).
fn described(openapi: &Value) -> BTreeMap<String, BTreeSet<String>> {
    let components = &openapi["components"]["parameters"];
    let resolve = |p: &Value| match p.get("$ref").and_then(Value::as_str) {
        Some(reference) => components[reference.rsplit('/').next().unwrap_or("")].clone(),
        None => p.clone(),
    };
    let paths = openapi["paths"].as_object().expect("paths");
    paths
        .iter()
        .map(|(path, item)| {
            let parameters = item["get"]["parameters"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            let names = parameters
                .iter()
                .map(resolve)
                .filter(|p| p["in"] == "query")
                .filter_map(|p| p["name"].as_str().map(str::to_owned))
                .collect();
            (path.clone(), names)
        })
        .collect()
}

#[test]
fn every_endpoint_of_the_api_reference_is_in_openapi_json() {
    let openapi: Value =
        serde_json::from_str(&read("logreader/static/openapi.json")).expect("openapi.json parses");
    assert!(
        openapi["openapi"]
            .as_str()
            .is_some_and(|v| v.starts_with("3.1")),
        "OpenAPI 3.1"
    );
    let described = described(&openapi);
    let documented = documented_paths(&read("docs/api.md"));
    assert!(
        documented.len() >= 13,
        "the Endpoints table was found: {documented:?}"
    );
    let missing: Vec<_> = documented
        .iter()
        .filter(|p| !described.contains_key(*p))
        .collect();
    assert!(
        missing.is_empty(),
        "endpoints of docs/api.md missing from openapi.json: {missing:?}"
    );
    let undocumented: Vec<_> = described
        .keys()
        .filter(|p| !documented.contains(*p))
        .collect();
    assert!(
        undocumented.is_empty(),
        "openapi.json paths missing from docs/api.md: {undocumented:?}"
    );
}

#[test]
fn every_documented_parameter_is_in_openapi_json_and_back() {
    let openapi: Value =
        serde_json::from_str(&read("logreader/static/openapi.json")).expect("openapi.json parses");
    let described = described(&openapi);
    let documented = documented_parameters(&read("docs/api.md"));
    assert_eq!(
        documented.len(),
        8,
        "one section per data endpoint: {:?}",
        documented.keys()
    );
    for (path, names) in &documented {
        let in_openapi = described
            .get(path)
            .unwrap_or_else(|| panic!("{path} not in openapi.json"));
        assert_eq!(
            names, in_openapi,
            "query parameters of {path}: docs/api.md vs openapi.json"
        );
    }
}
