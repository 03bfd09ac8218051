//! Typed server-side apply through generated apply configurations (`SprocketApply`):
//! two field managers, conflicts (409 with causes), force, removal of fields an applier
//! stops sending, extract → modify → apply, dry run and the status subresource. The
//! assertions are what kube-apiserver answers (the recordings' apply scenarios), so
//! they hold against `CRDGEN_E2E_KUBECONFIG` too.

use crdgen_e2e_tests::crds::apply_example_com::v1::{
    Sprocket, SprocketApply, SprocketSpecApply, SprocketSpecColor, SprocketSpecDriveApply,
    SprocketSpecDriveMotorApply, SprocketSpecOwnerApply, SprocketSpecTeethApply,
    SprocketStatusApply, SprocketStatusConditionsApply,
};
use crdgen_runtime::apply::ApplyParams;
use crdgen_runtime::client::ResourceClient;
use crdgen_runtime::error::Error;

use crate::target::{Target, within};

fn tooth(name: &str, size: i32) -> SprocketSpecTeethApply {
    SprocketSpecTeethApply::default()
        .name(name.to_owned())
        .size(size)
}

fn tags(t: &[&str]) -> Vec<String> {
    t.iter().map(|s| (*s).to_owned()).collect()
}

/// `(manager, operation, subresource)` of each managedFields entry.
fn managers(obj: &Sprocket) -> Vec<(String, String, String)> {
    let mut out: Vec<_> = obj
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

fn entry(manager: &str, subresource: &str) -> (String, String, String) {
    (
        manager.to_owned(),
        "Apply".to_owned(),
        subresource.to_owned(),
    )
}

fn client(t: &Target) -> ResourceClient<Sprocket> {
    t.clientset.apply_example_com_v1().sprockets(&t.namespace)
}

#[tokio::test]
async fn two_managers_conflict_and_force() {
    let t = Target::new("apply-conflict").await;
    within("apply-conflict", async {
        let sprockets = client(&t);
        let alice = ApplyParams::new("alice");
        let bob = ApplyParams::new("bob");
        let mine = SprocketApply::new("s", &t.namespace).spec(
            SprocketSpecApply::default()
                .color(SprocketSpecColor::Red)
                .replicas(2)
                .teeth(vec![tooth("a", 1)]),
        );
        // Apply creates.
        let created = sprockets.apply(&mine, &alice).await.unwrap();
        assert_eq!(created.spec.as_ref().unwrap().replicas, Some(2));
        assert_eq!(managers(&created), [entry("alice", "")]);

        // Another manager changing alice's field conflicts: 409 with one cause.
        let theirs = |color| {
            SprocketApply::new("s", &t.namespace).spec(
                SprocketSpecApply::default()
                    .color(color)
                    .teeth(vec![tooth("b", 7)]),
            )
        };
        let e = sprockets
            .apply(&theirs(SprocketSpecColor::Blue), &bob)
            .await
            .unwrap_err();
        assert!(e.is_conflict(), "{e}");
        let status = e.status().expect("the server's status");
        assert_eq!((status.code, status.reason.as_str()), (409, "Conflict"));
        assert_eq!(
            status.message,
            "Apply failed with 1 conflict: conflict with \"alice\": .spec.color"
        );
        let causes: Vec<_> = status
            .details
            .as_ref()
            .map(|d| d.causes.as_slice())
            .expect("causes")
            .iter()
            .map(|c| (c.reason.clone(), c.message.clone(), c.field.clone()))
            .collect();
        assert_eq!(
            causes,
            [(
                "FieldManagerConflict".to_owned(),
                "conflict with \"alice\"".to_owned(),
                ".spec.color".to_owned()
            )]
        );

        // The same value is shared, not a conflict; the list-map gets bob's item.
        let shared = sprockets
            .apply(&theirs(SprocketSpecColor::Red), &bob)
            .await
            .unwrap();
        let teeth: Vec<_> = shared
            .spec
            .as_ref()
            .unwrap()
            .teeth
            .iter()
            .flatten()
            .map(|t| (t.name.clone(), t.size))
            .collect();
        assert_eq!(
            teeth,
            [("a".to_owned(), Some(1)), ("b".to_owned(), Some(7))]
        );
        assert_eq!(managers(&shared), [entry("alice", ""), entry("bob", "")]);

        // Force takes the field: alice no longer owns the colour.
        let forced = sprockets
            .apply(&theirs(SprocketSpecColor::Blue), &bob.clone().force())
            .await
            .unwrap();
        assert_eq!(forced.spec.as_ref().unwrap().color, SprocketSpecColor::Blue);
        let alice_now = SprocketApply::extract(&forced, "alice").unwrap();
        let expected = SprocketApply::new("s", &t.namespace).spec(
            SprocketSpecApply::default()
                .replicas(2)
                .teeth(vec![tooth("a", 1)]),
        );
        assert_eq!(alice_now, expected);
        let bob_now = SprocketApply::extract(&forced, "bob").unwrap();
        assert_eq!(bob_now, theirs(SprocketSpecColor::Blue));

        // Alice re-applying her old intent now conflicts with bob on the colour.
        let e = sprockets.apply(&mine, &alice).await.unwrap_err();
        assert!(e.is_conflict(), "{e}");
        assert_eq!(
            e.status().unwrap().message,
            "Apply failed with 1 conflict: conflict with \"bob\": .spec.color"
        );
    })
    .await;
    t.finish().await;
}

#[tokio::test]
async fn fields_an_applier_stops_sending_are_removed() {
    let t = Target::new("apply-prune").await;
    within("apply-prune", async {
        let sprockets = client(&t);
        let alice = ApplyParams::new("alice");
        let spec = || SprocketSpecApply::default().color(SprocketSpecColor::Green);
        let first = SprocketApply::new("p", &t.namespace).spec(
            spec()
                .replicas(3)
                .tags(tags(&["x", "y"]))
                .owner(SprocketSpecOwnerApply::default().name("me".to_owned()))
                .drive(
                    SprocketSpecDriveApply::default()
                        .motor(SprocketSpecDriveMotorApply::default().power(5)),
                ),
        );
        sprockets.apply(&first, &alice).await.unwrap();
        // Bob owns tag y too (a set: ownership per value).
        let bobs = SprocketApply::new("p", &t.namespace).spec(
            SprocketSpecApply::default()
                .color(SprocketSpecColor::Green)
                .tags(tags(&["y"])),
        );
        sprockets
            .apply(&bobs, &ApplyParams::new("bob"))
            .await
            .unwrap();

        // Alice drops replicas, owner, drive and tag y.
        let second = SprocketApply::new("p", &t.namespace).spec(spec().tags(tags(&["x"])));
        let after = sprockets.apply(&second, &alice).await.unwrap();
        let s = after.spec.as_ref().unwrap();
        assert_eq!(s.replicas, None, "no one else owns replicas: removed");
        assert_eq!(s.owner, None, "the atomic map is removed");
        assert_eq!(s.drive, None, "the nested object is removed");
        assert_eq!(s.tags, Some(tags(&["x", "y"])), "bob still owns y");
        assert_eq!(s.color, SprocketSpecColor::Green);
        assert_eq!(SprocketApply::extract(&after, "alice").unwrap(), second);
    })
    .await;
    t.finish().await;
}

#[tokio::test]
async fn extract_modify_apply_round_trip() {
    let t = Target::new("apply-extract").await;
    within("apply-extract", async {
        let sprockets = client(&t);
        let params = ApplyParams::new("ctrl");
        let intent = SprocketApply::new("r", &t.namespace).spec(
            SprocketSpecApply::default()
                .color(SprocketSpecColor::Blue)
                .teeth(vec![tooth("a", 1), tooth("b", 2)])
                .tags(tags(&["t"]))
                .path(tags(&["n", "e"]))
                .settings([("k".to_owned(), "v".to_owned())].into())
                .drive(SprocketSpecDriveApply::default().ratio(1.5)),
        );
        let applied = sprockets.apply(&intent, &params).await.unwrap();
        // The server defaulted each tooth's shape: not the manager's, not extracted.
        let teeth = applied.spec.as_ref().unwrap().teeth.clone().unwrap();
        assert!(teeth.iter().all(|t| t.shape.as_deref() == Some("round")));

        let live = sprockets.get("r").await.unwrap();
        let mut cfg = SprocketApply::extract(&live, "ctrl").unwrap();
        assert_eq!(cfg, intent, "extract gives back exactly what was applied");
        assert_eq!(
            SprocketApply::extract(&live, "someone-else").unwrap(),
            SprocketApply::new("r", &t.namespace),
            "a manager that never applied owns nothing"
        );

        // Change one field and apply again: the rest stays owned and unchanged.
        let spec = cfg.spec.take().unwrap_or_default();
        cfg = cfg.spec(spec.teeth(vec![tooth("a", 9), tooth("b", 2)]));
        let changed = sprockets.apply(&cfg, &params).await.unwrap();
        let s = changed.spec.as_ref().unwrap();
        let sizes: Vec<_> = s.teeth.iter().flatten().map(|t| t.size).collect();
        assert_eq!(sizes, [Some(9), Some(2)]);
        assert_eq!(s.tags, Some(tags(&["t"])));
        assert_eq!(s.path, Some(tags(&["n", "e"])));
        assert_eq!(s.drive.as_ref().and_then(|d| d.ratio), Some(1.5));
        assert_eq!(managers(&changed), [entry("ctrl", "")]);
        assert_eq!(SprocketApply::extract(&changed, "ctrl").unwrap(), cfg);

        // An unchanged apply is a no-op: same resourceVersion.
        let again = sprockets.apply(&cfg, &params).await.unwrap();
        assert_eq!(
            again.metadata.resource_version,
            changed.metadata.resource_version
        );

        // Dry run: the answer has the change, the stored object does not.
        let spec = cfg.spec.clone().unwrap_or_default();
        let dry = cfg.clone().spec(spec.replicas(4));
        let answered = sprockets
            .apply(&dry, &params.clone().dry_run())
            .await
            .unwrap();
        assert_eq!(answered.spec.as_ref().unwrap().replicas, Some(4));
        let stored = sprockets.get("r").await.unwrap();
        assert_eq!(stored.spec.as_ref().unwrap().replicas, None);
        assert_eq!(
            stored.metadata.resource_version,
            changed.metadata.resource_version
        );
    })
    .await;
    t.finish().await;
}

#[tokio::test]
async fn apply_status_and_extract_status() {
    let t = Target::new("apply-status").await;
    within("apply-status", async {
        let sprockets = client(&t);
        let spec_cfg = SprocketApply::new("st", &t.namespace)
            .spec(SprocketSpecApply::default().color(SprocketSpecColor::Red));
        sprockets
            .apply(&spec_cfg, &ApplyParams::new("author"))
            .await
            .unwrap();
        let condition = |type_: &str, status: &str| {
            SprocketStatusConditionsApply::default()
                .r#type(type_.to_owned())
                .status(status.to_owned())
        };
        let status_cfg = SprocketApply::new("st", &t.namespace).status(
            SprocketStatusApply::default()
                .phase("Running".to_owned())
                .conditions(vec![condition("Ready", "True")]),
        );
        let reporter = ApplyParams::new("reporter");
        let after = sprockets
            .apply_status(&status_cfg, &reporter)
            .await
            .unwrap();
        let status = after.status.as_ref().expect("a status");
        assert_eq!(status.phase.as_deref(), Some("Running"));
        assert_eq!(after.spec.as_ref().unwrap().color, SprocketSpecColor::Red);
        assert_eq!(
            managers(&after),
            [entry("author", ""), entry("reporter", "status")]
        );
        assert_eq!(
            SprocketApply::extract_status(&after, "reporter").unwrap(),
            status_cfg
        );
        // The status entry is not the main resource's.
        assert_eq!(
            SprocketApply::extract(&after, "reporter").unwrap(),
            SprocketApply::new("st", &t.namespace)
        );

        // A second condition from another manager: the list-map merges by type.
        let other = SprocketApply::new("st", &t.namespace)
            .status(SprocketStatusApply::default().conditions(vec![condition("Synced", "False")]));
        let merged = sprockets
            .apply_status(&other, &ApplyParams::new("syncer"))
            .await
            .unwrap();
        let types: Vec<_> = merged
            .status
            .iter()
            .flat_map(|s| s.conditions.iter().flatten())
            .map(|c| c.r#type.clone())
            .collect();
        assert_eq!(types, ["Ready", "Synced"]);
    })
    .await;
    t.finish().await;
}

#[tokio::test]
async fn a_field_manager_is_required() {
    let t = Target::new("apply-manager").await;
    within("apply-manager", async {
        let cfg = SprocketApply::new("m", &t.namespace)
            .spec(SprocketSpecApply::default().color(SprocketSpecColor::Red));
        let e = client(&t)
            .apply(&cfg, &ApplyParams::default())
            .await
            .unwrap_err();
        assert!(matches!(e, Error::MissingFieldManager), "{e}");
        assert!(
            client(&t).get_opt("m").await.unwrap().is_none(),
            "nothing sent"
        );
    })
    .await;
    t.finish().await;
}
