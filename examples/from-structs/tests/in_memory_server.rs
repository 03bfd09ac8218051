//! The kind made from structs, end to end: its CRD is posted to the in-memory API server
//! (as `kubectl apply -f` would), then the generated `Clientset`, the generated
//! `InformerFactory`'s informer and its lister work on `Database` objects; the server
//! validates and prunes them by the derived schema.

use std::time::Duration;

use crdgen_runtime::client::{ListParams, Patch, PatchParams, PostParams, ResourceClient};
use crdgen_runtime::k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use crdgen_runtime::scheme::{KindEnum, Scheme};
use crdgen_runtime::server::ApiServer;
use example_from_structs::clients::demo_crdgen_dev::v1::DemoCrdgenDevV1Kind;
use example_from_structs::clients::{self, Clientset, InformerFactory};
use example_from_structs::{Backup, Database, DatabaseSpec, DatabaseStatus, Engine, User};

const T: Duration = Duration::from_secs(20);

fn spec() -> DatabaseSpec {
    DatabaseSpec {
        engine: Engine::Postgres,
        replicas: 2,
        version: "16.2".into(),
        storage_gib: 20,
        backup: Some(Backup::Bucket {
            url: "s3://backups/db".into(),
            schedule: Some("0 3 * * *".into()),
        }),
        settings: [("max_connections".to_owned(), "100".to_owned())].into(),
        users: vec![User {
            name: "app".into(),
            read_only: false,
        }],
    }
}

#[tokio::test]
async fn typed_client_lister_and_informer_on_a_kind_made_from_structs() {
    let server = ApiServer::new();
    let handle = server
        .serve("127.0.0.1:0".parse().expect("an address"))
        .await
        .expect("the server starts");
    let client = handle.client().expect("a client");

    // Register the kind: post the derived CRD, as `kubectl apply -f` would.
    let crds: kube::Api<CustomResourceDefinition> = kube::Api::all(client.clone());
    crds.create(&PostParams::default(), &Database::crd())
        .await
        .expect("the server accepts the derived CRD");

    // An informer and its lister from the generated factory, started before any object
    // exists.
    let factory = InformerFactory::new(client.clone(), None);
    let informer = factory.demo_crdgen_dev_v1().databases();
    let lister = informer.lister();
    factory.start().expect("informers start");
    assert!(
        tokio::time::timeout(T, factory.wait_for_cache_sync())
            .await
            .expect("in time")
    );

    // The generated clientset: create, read, update status, scale.
    let clientset = Clientset::new(client.clone());
    let dbs: ResourceClient<Database> = clientset.demo_crdgen_dev_v1().databases("default");
    let created = dbs
        .create(&PostParams::default(), &Database::new("orders", spec()))
        .await
        .expect("created");
    assert_eq!(created.spec, spec(), "the spec (with its enum) round-trips");
    let mut db = dbs.get("orders").await.expect("read back");
    db.status = Some(DatabaseStatus {
        ready_replicas: 2,
        selector: Some("app=orders".into()),
        conditions: Vec::new(),
    });
    let updated = dbs
        .update_status(&PostParams::default(), &db)
        .await
        .expect("status updated");
    assert_eq!(updated.status.as_ref().map(|s| s.ready_replicas), Some(2));
    let scale = dbs
        .get_scale("orders")
        .await
        .expect("the scale subresource");
    assert_eq!(scale.spec.and_then(|s| s.replicas), Some(2));
    dbs.patch_scale(
        "orders",
        &PatchParams::default(),
        &Patch::Merge(serde_json::json!({"spec": {"replicas": 3}})),
    )
    .await
    .expect("scaled");
    assert_eq!(dbs.get("orders").await.expect("read").spec.replicas, 3);

    // The lister sees what the informer watched.
    let seen = tokio::time::timeout(T, async {
        loop {
            if let Some(d) = lister.get(Some("default"), "orders")
                && d.spec.replicas == 3
            {
                return d;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await
    .expect("the informer sees the scaled object");
    assert_eq!(seen.spec.engine, Engine::Postgres);

    // The server validates by the derived schema: 10 replicas is over `maximum = 9`,
    // and `root` is a reserved user (the CEL rule is not evaluated in memory, so only
    // the schema keywords are checked here).
    let mut too_many = Database::new("big", spec());
    too_many.spec.replicas = 10;
    let err = dbs
        .create(&PostParams::default(), &too_many)
        .await
        .expect_err("over the maximum");
    assert_eq!(err.code(), Some(422), "{err}");

    // Pruning: a field the schema does not know is dropped.
    let mut raw = serde_json::to_value(Database::new("pruned", spec())).expect("JSON");
    raw["spec"]["unknown"] = serde_json::json!(1);
    let typed: Database = serde_json::from_value(raw).expect("a Database");
    let stored = dbs
        .create(&PostParams::default(), &typed)
        .await
        .expect("created");
    assert_eq!(stored.spec, spec());

    // Every namespace, through the generated accessor.
    let all = clientset
        .demo_crdgen_dev_v1()
        .databases_all_namespaces()
        .list(&ListParams::default())
        .await
        .expect("listed");
    let mut names: Vec<_> = all
        .items
        .iter()
        .filter_map(|d| d.metadata.name.clone())
        .collect();
    names.sort();
    assert_eq!(names, ["orders", "pruned"]);

    factory.shutdown().await;
    handle.shutdown().await;
}

/// The generated registration and kind enum work on the derived kind.
#[test]
fn generated_scheme_and_kind_enum() {
    let mut scheme = Scheme::new();
    clients::add_to_scheme(&mut scheme).expect("registered");
    assert!(scheme.is_registered::<Database>());
    let db = Database::new("orders", spec());
    let any = DemoCrdgenDevV1Kind::Database(Box::new(db.clone()));
    assert_eq!(any.gvk().kind, "Database");
    let back =
        DemoCrdgenDevV1Kind::from_dynamic(any.to_dynamic().expect("encoded")).expect("decoded");
    let DemoCrdgenDevV1Kind::Database(decoded) = back;
    assert_eq!(*decoded, db);
}

#[test]
fn manifest_is_a_crd_with_the_derived_schema() {
    let yaml = example_from_structs::manifest();
    assert!(yaml.contains("name: databases.demo.crdgen.dev"), "{yaml}");
    let crd = Database::crd();
    let v = &crd.spec.versions[0];
    assert!(v.storage && v.served);
    assert_eq!(v.additional_printer_columns.as_ref().map(Vec::len), Some(3));
    let schema = serde_json::to_value(&v.schema).expect("JSON");
    let backup = &schema["openAPIV3Schema"]["properties"]["spec"]["properties"]["backup"];
    assert_eq!(
        backup["properties"]["kind"]["enum"],
        serde_json::json!(["disabled", "bucket", "volume"])
    );
    assert_eq!(backup["oneOf"].as_array().map(Vec::len), Some(3));
}
