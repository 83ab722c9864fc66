//! MongoDB-wire server: the collection names, indexes, filters and updates the product uses.

use bson::{doc, oid::ObjectId, Bson, DateTime, Document};
use common::schema::{self, CollectionNames, IndexSpec};
use futures_util::TryStreamExt;
use integration_tests::fresh_database;
use mongodb::error::{ErrorKind, WriteFailure};
use mongodb::options::{FindOptions, UpdateOptions};
use mongodb::{Collection, Database};

const SIMULATION: &str = "2020-06-03T04:01:52.345Z";

fn message(epoch: i32, process: &str, topic: &str, second: i64) -> Document {
    doc! {
        "_id": ObjectId::new(), "Type": "Result", "SimulationId": SIMULATION,
        "EpochNumber": epoch, "SourceProcessId": process, "Topic": topic,
        "Timestamp": DateTime::from_millis(1_591_156_912_000 + second * 1000),
    }
}

async fn seeded(database: &Database) -> Collection<Document> {
    let names = CollectionNames::default();
    let collection = database.collection::<Document>(&names.messages(SIMULATION));
    let documents = vec![
        message(1, "solar1", "energy.production.solar", 3),
        message(1, "battery1", "energy.storage.state", 1),
        message(2, "solar1", "energy.production.solar", 2),
        doc! {"_id": ObjectId::new(), "Type": "SimState", "Topic": "SimState", "Timestamp": DateTime::from_millis(0)},
    ];
    collection
        .insert_many(documents)
        .await
        .expect("insert_many into a collection with ':' and '.' in its name");
    collection
}

async fn topics(collection: &Collection<Document>, filter: Document) -> Vec<String> {
    let options = FindOptions::builder()
        .sort(doc! {"Timestamp": 1, "_id": 1})
        .projection(doc! {"_id": 0, "Topic": 1})
        .build();
    let cursor = collection
        .find(filter)
        .with_options(options)
        .await
        .expect("find");
    let documents: Vec<Document> = cursor.try_collect().await.expect("cursor");
    documents
        .iter()
        .map(|d| d.get_str("Topic").expect("projected Topic").to_owned())
        .collect()
}

#[tokio::test]
async fn filters_sort_and_projection_work_on_a_simulation_collection() {
    let database = fresh_database("stack_filters").await;
    let collection = seeded(&database).await;

    let regex = common::topic::topic_regex("energy.#").expect("a condition");
    let by_topic = doc! {"Topic": {"$regex": regex, "$ne": ""}};
    assert_eq!(
        topics(&collection, by_topic).await.len(),
        3,
        "$regex with \\z anchoring"
    );
    let by_epoch = doc! {"EpochNumber": {"$gte": 1_i64, "$lte": 1.0}, "SourceProcessId": {"$in": ["solar1", "x"]}};
    assert_eq!(
        topics(&collection, by_epoch).await,
        ["energy.production.solar"],
        "$in/$gte/$lte across number types"
    );
    let exists = doc! {"EpochNumber": {"$exists": false}};
    assert_eq!(topics(&collection, exists).await, ["SimState"], "$exists");
    let all = topics(&collection, doc! {}).await;
    assert_eq!(
        all,
        [
            "SimState",
            "energy.storage.state",
            "energy.production.solar",
            "energy.production.solar"
        ],
        "sort by Timestamp"
    );
    assert_eq!(collection.count_documents(doc! {}).await.expect("count"), 4);

    database.drop().await.expect("drop");
}

#[tokio::test]
async fn list_collections_filters_names_with_in() {
    let database = fresh_database("stack_list").await;
    seeded(&database).await;
    let names = CollectionNames::default();
    let wanted = [
        names.messages(SIMULATION),
        names.invalid_messages(SIMULATION),
    ];
    let found = database
        .list_collection_names()
        .filter(doc! {"name": {"$in": wanted.to_vec()}})
        .await
        .expect("listCollections");
    assert_eq!(found, [names.messages(SIMULATION)]);
    database.drop().await.expect("drop");
}

#[tokio::test]
async fn unordered_insert_reports_duplicates_per_document() {
    let database = fresh_database("stack_dup").await;
    let collection = database.collection::<Document>("simulation_dup");
    let id = ObjectId::new();
    collection
        .insert_one(doc! {"_id": id, "n": 1})
        .await
        .expect("first insert");
    let batch = vec![
        doc! {"_id": ObjectId::new(), "n": 2},
        doc! {"_id": id, "n": 3},
        doc! {"_id": ObjectId::new(), "n": 4},
    ];
    let error = collection
        .insert_many(batch)
        .ordered(false)
        .await
        .expect_err("duplicate _id");
    let ErrorKind::InsertMany(failure) = *error.kind else {
        panic!("insert_many error kind: {error}")
    };
    let codes: Vec<(usize, i32)> = failure
        .write_errors
        .unwrap_or_default()
        .iter()
        .map(|e| (e.index, e.code))
        .collect();
    assert_eq!(
        codes,
        [(1, 11000)],
        "only the duplicate fails, with code 11000"
    );
    assert_eq!(
        collection.count_documents(doc! {}).await.expect("count"),
        3,
        "the rest of the batch is stored"
    );
    let _ = WriteFailure::WriteError; // the single-document form the writer also handles
    database.drop().await.expect("drop");
}

#[tokio::test]
async fn product_index_set_is_created() {
    let database = fresh_database("stack_index").await;
    let names = CollectionNames::default();
    let metadata = database.collection::<Document>(&names.metadata);
    create(&metadata, &schema::metadata_indexes(&names.identifier)).await;
    let messages = database.collection::<Document>(&names.messages(SIMULATION));
    create(&messages, &schema::message_indexes()).await;

    let listed: Vec<String> = metadata.list_index_names().await.expect("listIndexes");
    for name in ["simulation_id_index", "start_time_index", "end_time_index"] {
        assert!(listed.iter().any(|l| l == name), "{name} in {listed:?}");
    }
    let listed = messages.list_index_names().await.expect("listIndexes");
    for name in [
        "epoch_index",
        "process_index",
        "topic_index",
        "order_index",
        "epoch_order_index",
    ] {
        assert!(listed.iter().any(|l| l == name), "{name} in {listed:?}");
    }
    let indexes: Vec<_> = metadata
        .list_indexes()
        .await
        .expect("listIndexes")
        .try_collect()
        .await
        .expect("cursor");
    let end_time = indexes
        .iter()
        .find(|i| i.options.as_ref().and_then(|o| o.name.as_deref()) == Some("end_time_index"));
    let sparse = end_time
        .and_then(|i| i.options.as_ref())
        .and_then(|o| o.sparse);
    // FerretDB 1.24 accepts `sparse` but does not keep it (docs/compatibility.md).
    let expected = if is_ferretdb(&database).await {
        None
    } else {
        Some(true)
    };
    assert_eq!(
        sparse, expected,
        "end_time_index sparse option as the server keeps it"
    );
    // The unique index is enforced.
    metadata
        .insert_one(doc! {"SimulationId": SIMULATION})
        .await
        .expect("first metadata document");
    assert!(
        metadata
            .insert_one(doc! {"SimulationId": SIMULATION})
            .await
            .is_err(),
        "unique simulation_id_index"
    );
    // Ensuring them again is a no-op (FerretDB 1.24 crashes on re-creating several at once).
    create(&messages, &schema::message_indexes()).await;
    database.drop().await.expect("drop");
}

/// FerretDB identifies itself in `buildInfo`.
async fn is_ferretdb(database: &Database) -> bool {
    let info = database
        .run_command(doc! {"buildInfo": 1})
        .await
        .expect("buildInfo");
    info.contains_key("ferretdbVersion") || info.contains_key("ferretdb")
}

/// Creates the indexes with the writer's own code (only the missing ones, in one command).
async fn create(collection: &Collection<Document>, specs: &[IndexSpec]) {
    let store = logwriter::io::store::Store::new(
        collection
            .client()
            .database(collection.namespace().db.as_str()),
    );
    store
        .ensure_indexes(collection.name(), specs)
        .await
        .expect("createIndexes");
}

#[tokio::test]
async fn metadata_upsert_uses_atomic_operators() {
    let database = fresh_database("stack_upsert").await;
    let metadata = database.collection::<Document>("simulations");
    let upsert = UpdateOptions::builder().upsert(true).build();
    let filter = doc! {"SimulationId": SIMULATION};
    let update = |start: i64, end: i64, epochs: i32, process: &str| {
        doc! {
            "$min": {"StartTime": DateTime::from_millis(start)},
            "$max": {"EndTime": DateTime::from_millis(end), "Epochs": epochs},
            "$set": {"Name": "run", "Messages": 5_i64},
            "$addToSet": {"Seen": process},
        }
    };
    metadata
        .update_one(filter.clone(), update(2000, 3000, 2, "a"))
        .with_options(upsert.clone())
        .await
        .expect("upsert insert");
    metadata
        .update_one(filter.clone(), update(1000, 2500, 1, "b"))
        .with_options(upsert.clone())
        .await
        .expect("upsert update");
    metadata
        .update_one(filter.clone(), update(1500, 4000, 3, "a"))
        .with_options(upsert)
        .await
        .expect("upsert update");

    let stored = metadata
        .find_one(filter.clone())
        .await
        .expect("find_one")
        .expect("one document");
    assert_eq!(
        stored
            .get_datetime("StartTime")
            .expect("StartTime")
            .timestamp_millis(),
        1000,
        "$min"
    );
    assert_eq!(
        stored
            .get_datetime("EndTime")
            .expect("EndTime")
            .timestamp_millis(),
        4000,
        "$max on dates"
    );
    assert_eq!(
        stored.get("Epochs"),
        Some(&Bson::Int32(3)),
        "$max on numbers"
    );
    assert_eq!(
        stored.get_array("Seen").expect("Seen"),
        &vec![Bson::from("a"), Bson::from("b")],
        "$addToSet"
    );
    // The final update removes an earlier process's MissingMessages next to its $set.
    let unset = doc! {
        "$set": {"Messages": 6_i64},
        "$unset": {"MissingMessages": ""},
    };
    metadata
        .update_one(
            filter.clone(),
            doc! {"$set": {"MissingMessages": [{"ProcessId": "a"}]}},
        )
        .await
        .expect("set MissingMessages");
    metadata
        .update_one(filter.clone(), unset)
        .with_options(UpdateOptions::builder().upsert(true).build())
        .await
        .expect("upsert with $unset");
    let stored = metadata
        .find_one(filter)
        .await
        .expect("find_one")
        .expect("one");
    assert!(!stored.contains_key("MissingMessages"), "$unset: {stored}");
    assert_eq!(stored.get("Messages"), Some(&Bson::Int64(6)));
    assert_eq!(metadata.count_documents(doc! {}).await.expect("count"), 1);
    database.drop().await.expect("drop");
}

#[tokio::test]
async fn documents_are_counted_per_topic_with_group() {
    let database = fresh_database("stack_group").await;
    let collection = seeded(&database).await;
    let pipeline = [
        doc! {"$group": {"_id": "$Topic", "Messages": {"$sum": 1}}},
        doc! {"$sort": {"_id": 1}},
    ];
    let cursor = collection
        .aggregate(pipeline)
        .await
        .expect("aggregate $group");
    let groups: Vec<Document> = cursor.try_collect().await.expect("cursor");
    let counts: Vec<(String, i32)> = groups
        .iter()
        .map(|g| {
            (
                g.get_str("_id").expect("topic").to_owned(),
                g.get_i32("Messages").expect("count"),
            )
        })
        .collect();
    assert_eq!(
        counts,
        [
            ("SimState".to_owned(), 1),
            ("energy.production.solar".to_owned(), 2),
            ("energy.storage.state".to_owned(), 1)
        ]
    );
    database.drop().await.expect("drop");
}

/// The reader's two orders are the keys of the writer's order indexes (docs/spec/logreader.md
/// §8). On MongoDB the winning plan reads `order_index` / `epoch_order_index` and has no
/// blocking SORT stage, so `limit=10` reads ten documents. FerretDB 1.24 uses no index for
/// a sort, and its `explain` says so (`sortPushdown: false`).
#[tokio::test]
async fn the_readers_orders_are_served_by_the_writers_indexes() {
    let database = fresh_database("stack_explain").await;
    let collection = seeded(&database).await;
    create(&collection, &schema::message_indexes()).await;
    let ferretdb = is_ferretdb(&database).await;
    let orders = [
        (logreader::query::filter::message_sort(), "order_index"),
        (
            logreader::query::filter::timeseries_sort(),
            "epoch_order_index",
        ),
    ];
    for (sort, index) in orders {
        let find = doc! {"find": collection.name(), "filter": {}, "sort": sort, "limit": 10};
        let explain = database
            .run_command(doc! {"explain": find, "verbosity": "queryPlanner"})
            .await
            .expect("explain");
        if ferretdb {
            assert_eq!(explain.get_bool("sortPushdown"), Ok(false), "{explain}");
            continue;
        }
        let plan = explain
            .get_document("queryPlanner")
            .and_then(|planner| planner.get_document("winningPlan"))
            .expect("queryPlanner.winningPlan")
            .to_string();
        assert!(plan.contains(index), "{index} in {plan}");
        assert!(!plan.contains("\"SORT\""), "no blocking sort in {plan}");
    }
    database.drop().await.expect("drop");
}
