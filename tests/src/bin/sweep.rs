//! Drops the `it_*` databases that crashed test runs left on the test server.

use integration_tests::mongo_uri;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let client = mongodb::Client::with_uri_str(mongo_uri()).await?;
    let mut dropped = 0;
    for name in client.list_database_names().await? {
        if name.starts_with("it_") {
            client.database(&name).drop().await?;
            dropped += 1;
        }
    }
    eprintln!("sweep: dropped {dropped} leftover test databases");
    Ok(())
}
