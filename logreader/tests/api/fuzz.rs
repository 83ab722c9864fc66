//! Hostile query strings: random parameters built from the values that have broken readers
//! before (control bytes, regex and topic wildcards, huge numbers, odd dates, broken
//! percent-encoding) never get a 5xx, and every answer is well-formed JSON or CSV.
//! The generator is seeded, so a failure names the request that reproduces it.

use crate::harness::{spawn_app, TestApp, PARAMETER_NAMES, SIM};

const ENDPOINTS: [&str; 9] = [
    "/simulations",
    "/simulations/SIM/processes",
    "/simulations/SIM/processes/solarPlant1",
    "/simulations/SIM/board",
    "/simulations/SIM",
    "/simulations/SIM/messages",
    "/simulations/SIM/messages/invalid",
    "/simulations/SIM/timeseries",
    "/simulations/%00/messages",
];

const FRAGMENTS: [&str; 42] = [
    "",
    "%00",
    "%01",
    "%7F",
    "%FF",
    "%C3%A9",
    "%",
    "%2",
    "%zz",
    "#",
    "%23",
    "%23.%23",
    "*",
    ".",
    "..",
    "a",
    "Epoch",
    "energy",
    "(",
    "[",
    "%5C",
    "$",
    "$where",
    "%24gt",
    "9223372036854775808",
    "-9223372036854775809",
    "1_0",
    "0",
    "-1",
    "2020-06-03T10:01:52.3456789Z",
    "2020-W23-3",
    "24:00",
    "true",
    "csv",
    "ndjson",
    "long",
    "%20%3D%20",
    "%20and%20",
    "%20in%20%5B",
    "%5D",
    "%22x%22",
    "%20exists",
];

fn random_value(rng: &mut fastrand::Rng) -> String {
    (0..rng.usize(0..4))
        .map(|_| FRAGMENTS[rng.usize(..FRAGMENTS.len())])
        .collect::<Vec<_>>()
        .join(if rng.bool() { "." } else { "," })
}

fn random_target(rng: &mut fastrand::Rng) -> String {
    let endpoint = ENDPOINTS[rng.usize(..ENDPOINTS.len())].replace("SIM", SIM);
    let parameters: Vec<String> = (0..rng.usize(0..6))
        .map(|_| {
            let name = PARAMETER_NAMES[rng.usize(..PARAMETER_NAMES.len())];
            format!("{name}={}", random_value(rng))
        })
        .collect();
    format!("{endpoint}?{}", parameters.join("&"))
}

async fn check(app: &TestApp, target: &str) {
    let reply = app.get(target).await;
    assert!(
        matches!(reply.status, 200 | 400 | 404),
        "{target}: {} {}",
        reply.status,
        reply.text()
    );
    let content_type = reply.header("Content-Type").unwrap_or_default().to_owned();
    if content_type.starts_with("application/json") {
        let parsed: Result<serde_json::Value, _> = serde_json::from_str(&reply.text());
        assert!(parsed.is_ok(), "{target}: not JSON: {}", reply.text());
        if reply.status != 200 {
            let body = parsed.unwrap();
            assert!(
                body["title"].is_string() && body["description"].is_string(),
                "{target}"
            );
        }
    } else {
        assert_eq!(reply.status, 200, "{target}");
        assert!(
            content_type.starts_with("text/csv"),
            "{target}: {content_type}"
        );
    }
}

#[tokio::test]
async fn random_hostile_queries_never_get_a_5xx() {
    let app = spawn_app().await;
    app.seed_fixtures().await;
    let mut rng = fastrand::Rng::with_seed(0x5EED_0011);
    for _ in 0..400 {
        let target = random_target(&mut rng);
        check(&app, &target).await;
    }
    app.cleanup().await;
}
