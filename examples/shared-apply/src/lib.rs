//! Two controllers sharing one `Database` through typed server-side apply.
//!
//! Each controller applies only the fields it manages, as its own field manager, with
//! the generated apply configurations (`DatabaseApply`): `scaler` owns
//! `spec.replicas` and the `Scaled` condition, `backup` owns `spec.backup` and the
//! `BackedUp` condition. Neither reads-modifies-writes the whole object, so neither
//! overwrites the other's fields, and neither needs a `resourceVersion`.
//!
//! To change one of its fields later, a controller extracts what it applied before
//! (`DatabaseApply::extract`), changes it, and applies it again: the fields it leaves
//! out of an apply are removed, so it must send all of its intent each time.

use crdgen_runtime::apply::ApplyParams;
use crdgen_runtime::client::ResourceClient;
use crdgen_runtime::error::Result;

/// The code crdgen generated from `crds/` (see `build.rs`).
pub mod crds {
    include!(concat!(env!("OUT_DIR"), "/crds.rs"));
}

use crds::shared_example_com::v1::{
    Database, DatabaseApply, DatabaseSpecApply, DatabaseSpecBackupApply, DatabaseStatusApply,
    DatabaseStatusConditionsApply,
};

/// The field manager of [`scale`].
pub const SCALER: &str = "scaler";
/// The field manager of [`back_up`].
pub const BACKUP: &str = "backup";

fn condition(type_: &str, message: String) -> DatabaseStatusConditionsApply {
    DatabaseStatusConditionsApply::default()
        .r#type(type_.to_owned())
        .status("True".to_owned())
        .message(message)
}

/// The scaler: sets `spec.replicas` and reports the `Scaled` condition. Its other
/// applied fields (none here) would be kept by extracting them first.
pub async fn scale(
    databases: &ResourceClient<Database>,
    name: &str,
    replicas: i32,
) -> Result<Database> {
    let live = databases.get(name).await?;
    let mut mine = DatabaseApply::extract(&live, SCALER)?;
    let spec = mine.spec.take().unwrap_or_default();
    mine = mine.spec(spec.replicas(replicas));
    databases.apply(&mine, &ApplyParams::new(SCALER)).await?;
    let status = with_condition(&live, condition("Scaled", format!("{replicas} replicas")));
    databases
        .apply_status(&status, &ApplyParams::new(SCALER))
        .await
}

/// The backup controller: sets `spec.backup` and reports the `BackedUp` condition.
pub async fn back_up(
    databases: &ResourceClient<Database>,
    name: &str,
    schedule: &str,
) -> Result<Database> {
    let live = databases.get(name).await?;
    let backup = DatabaseSpecBackupApply::default()
        .schedule(schedule.to_owned())
        .retention_days(7);
    let mine = apply_for(&live).spec(DatabaseSpecApply::default().backup(backup));
    databases.apply(&mine, &ApplyParams::new(BACKUP)).await?;
    let status = with_condition(&live, condition("BackedUp", format!("on {schedule}")));
    databases
        .apply_status(&status, &ApplyParams::new(BACKUP))
        .await
}

/// An empty configuration of the object `live`.
fn apply_for(live: &Database) -> DatabaseApply {
    DatabaseApply::new(
        live.metadata.name.as_deref().unwrap_or_default(),
        live.metadata.namespace.as_deref().unwrap_or_default(),
    )
}

/// The status configuration of the object `live` with one condition (the others'
/// conditions are theirs: the list-map merges by `type`).
fn with_condition(live: &Database, c: DatabaseStatusConditionsApply) -> DatabaseApply {
    apply_for(live).status(DatabaseStatusApply::default().conditions(vec![c]))
}
