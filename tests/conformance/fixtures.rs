//! Loading the fixtures (README "Loading the fixtures into MongoDB") and starting logreader.

use std::path::Path;

use bson::{Bson, Document};
use mongodb::Database;
use serde_json::Value;

/// Parses a JSON file, keeping object key order (serde_json `preserve_order`).
pub fn read_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|error| panic!("cannot read {}: {error}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|error| panic!("{}: {error}", path.display()))
}

/// Drops and fills every collection of the manifest, in file order.
pub async fn load(db: &Database, dir: &Path, manifest: &Value) {
    for entry in manifest["collections"].as_array().expect("collections") {
        let name = entry["collection"].as_str().expect("collection name");
        let file = entry["file"].as_str().expect("collection file");
        load_file(db, name, &dir.join(file)).await;
    }
}

/// Drops collection `name` and fills it from the JSON array in `file`, in file order,
/// converting Extended JSON (`$date`, int32/int64/double) with `Bson::try_from`.
pub async fn load_file(db: &Database, name: &str, file: &Path) {
    let documents: Vec<Document> = read_json(file)
        .as_array()
        .expect("fixture array")
        .iter()
        .map(|value| match Bson::try_from(value.clone()) {
            Ok(Bson::Document(doc)) => doc,
            other => panic!("{}: not a document: {other:?}", file.display()),
        })
        .collect();
    let collection = db.collection::<Document>(name);
    collection.drop().await.expect("drop fixture collection");
    collection
        .insert_many(documents)
        .await
        .expect("insert fixtures");
}
