//! Both controllers on one `Database`, against the in-memory API server on 127.0.0.1:
//! each owns its fields, neither overwrites the other's, and running them again
//! changes nothing.

use crdgen_runtime::apply::ApplyParams;
use crdgen_runtime::client::ResourceClient;
use crdgen_runtime::server::ApiServer;
use example_shared_apply::crds::shared_example_com::v1::{
    Database, DatabaseApply, DatabaseSpecApply,
};
use example_shared_apply::{BACKUP, SCALER, back_up, scale};

fn managers(db: &Database) -> Vec<(String, String, String)> {
    let mut out: Vec<_> = db
        .metadata
        .managed_fields
        .iter()
        .flatten()
        .map(|m| {
            (
                m.manager.clone().unwrap_or_default(),
                m.operation.clone().unwrap_or_default(),
                m.subresource.clone().unwrap_or_default(),
            )
        })
        .collect();
    out.sort();
    out
}

#[tokio::test]
async fn two_controllers_share_a_database() {
    let crd = serde_json::to_value(Database::crd()).unwrap();
    let server = ApiServer::builder().crd(crd).build().unwrap();
    let handle = server.serve("127.0.0.1:0".parse().unwrap()).await.unwrap();
    let client = kube::Client::try_from(kube::Config::new(handle.url().parse().unwrap())).unwrap();
    let databases: ResourceClient<Database> = ResourceClient::namespaced(client, "default");

    // The owner creates the object with the version only.
    let owner = DatabaseApply::new("db", "default")
        .spec(DatabaseSpecApply::default().version("16".to_owned()));
    databases
        .apply(&owner, &ApplyParams::new("owner"))
        .await
        .unwrap();

    // Both controllers at once: server-side apply needs no resourceVersion, and
    // neither touches the other's fields.
    let (scaled, backed_up) = tokio::join!(
        scale(&databases, "db", 3),
        back_up(&databases, "db", "0 3 * * *")
    );
    scaled.unwrap();
    backed_up.unwrap();
    let db = databases.get("db").await.unwrap();
    let spec = db.spec.clone().unwrap();
    assert_eq!(spec.version.as_deref(), Some("16"));
    assert_eq!(spec.replicas, Some(3));
    let backup = spec.backup.clone().unwrap();
    assert_eq!(
        (backup.schedule.as_deref(), backup.retention_days),
        (Some("0 3 * * *"), Some(7))
    );
    let mut conditions: Vec<_> = db
        .status
        .iter()
        .flat_map(|s| s.conditions.iter().flatten())
        .map(|c| (c.r#type.clone(), c.message.clone().unwrap_or_default()))
        .collect();
    conditions.sort();
    assert_eq!(
        conditions,
        [
            ("BackedUp".to_owned(), "on 0 3 * * *".to_owned()),
            ("Scaled".to_owned(), "3 replicas".to_owned())
        ]
    );
    let apply = |m: &str, sub: &str| (m.to_owned(), "Apply".to_owned(), sub.to_owned());
    assert_eq!(
        managers(&db),
        [
            apply(BACKUP, ""),
            apply(BACKUP, "status"),
            apply("owner", ""),
            apply(SCALER, ""),
            apply(SCALER, "status"),
        ]
    );

    // Running them again with the same intent is a no-op.
    scale(&databases, "db", 3).await.unwrap();
    back_up(&databases, "db", "0 3 * * *").await.unwrap();
    let again = databases.get("db").await.unwrap();
    assert_eq!(
        again.metadata.resource_version,
        db.metadata.resource_version
    );

    // The scaler changes its field: the backup policy and the version stay.
    scale(&databases, "db", 5).await.unwrap();
    let after = databases.get("db").await.unwrap();
    let spec = after.spec.unwrap();
    assert_eq!(spec.replicas, Some(5));
    assert_eq!(spec.backup, Some(backup));
    assert_eq!(spec.version.as_deref(), Some("16"));
    handle.shutdown().await;
}
