//! `KindInfo::of::<K>()` takes the status and scale subresources from the kind's marker
//! traits (`CustomResource::subresources`), for kinds from `#[derive(CrdSchema)]` and
//! for crdgen's generated code (`include_crds!`), so `FakeClient::register::<K>()`
//! serves `/status` and `/scale` without `.with_status()`.

use crdgen_derive_tests::included::example_com::v1::{Gadget, Widget as GeneratedWidget};
use crdgen_derive_tests::kinds::{Widget, gizmo::Gizmo, listener::Listener};
use crdgen_runtime::fake::FakeClient;
use crdgen_runtime::kube::api::{Api, Patch, PatchParams, PostParams};
use crdgen_runtime::tracker::KindInfo;
use crdgen_runtime::{CustomResource, Subresources};

fn scale_paths(info: &KindInfo) -> Option<(String, String, Option<String>)> {
    info.versions[0].scale.as_ref().map(|s| {
        (
            s.spec_replicas_path.clone(),
            s.status_replicas_path.clone(),
            s.label_selector_path.clone(),
        )
    })
}

#[test]
fn kind_info_of_reads_the_marker_traits() {
    // The derive: Widget declares status and scale, Gizmo and Listener neither.
    let w = KindInfo::of::<Widget>();
    assert!(w.versions[0].status);
    assert_eq!(
        scale_paths(&w),
        Some((
            ".spec.replicas".into(),
            ".status.replicas".into(),
            Some(".status.selector".into())
        ))
    );
    for info in [KindInfo::of::<Gizmo>(), KindInfo::of::<Listener>()] {
        assert!(
            !info.versions[0].status && info.versions[0].scale.is_none(),
            "{}",
            info.kind
        );
    }
    assert_eq!(
        <Gizmo as CustomResource>::subresources(),
        Subresources::NONE
    );
    // `.with_status()` still works, and is a no-op where the type already declares it.
    assert_eq!(w.clone().with_status(), w);
    assert!(KindInfo::of::<Gizmo>().with_status().versions[0].status);

    // Generated code (tests/fixtures/crds/multi-version.yaml): Widget v1 has both,
    // Gadget none; the same as its CRD says.
    let g = KindInfo::of::<GeneratedWidget>();
    assert!(g.versions[0].status);
    assert_eq!(
        scale_paths(&g).map(|p| p.0),
        Some(".spec.replicas".to_owned())
    );
    assert!(!KindInfo::of::<Gadget>().versions[0].status);
}

#[tokio::test]
async fn a_registered_derive_kind_serves_its_status_subresource() {
    let fake = FakeClient::new();
    fake.register::<Widget>();
    let api: Api<Widget> = Api::namespaced(fake.client(), "default");
    let mut w: Widget = serde_json::from_value(serde_json::json!({
        "apiVersion": "example.com/v1", "kind": "Widget",
        "metadata": {"name": "w"},
        "spec": {"replicas": 1, "color": "red", "displayName": "w", "backend": {"type": "inMemory"}}
    }))
    .expect("a Widget");
    w = api
        .create(&PostParams::default(), &w)
        .await
        .expect("created");
    assert!(w.status.is_none());
    let patched = api
        .patch_status(
            "w",
            &PatchParams::default(),
            &Patch::Merge(serde_json::json!({"status": {"replicas": 4}})),
        )
        .await
        .expect("the status subresource is served");
    assert_eq!(patched.status.map(|s| s.replicas), Some(4));
    let scale = api
        .get_scale("w")
        .await
        .expect("the scale subresource is served");
    assert_eq!(scale.spec.and_then(|s| s.replicas), Some(1));
}
