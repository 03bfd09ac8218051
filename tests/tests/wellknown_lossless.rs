//! Reusing k8s-openapi types must lose nothing a CRD's schema admits. k8s-openapi's
//! `Condition` would re-serialize `lastTransitionTime` at second precision, so crdgen
//! generates its own struct for conditions: timestamps survive as written.

use crdgen_tests::goldens::well_known_types::example_com::v1::Known;

fn roundtrip(ts: &str) -> String {
    let obj = serde_json::json!({
        "apiVersion": "example.com/v1", "kind": "Known", "metadata": {"name": "k"},
        "status": {"conditions": [{"type": "Ready", "status": "True", "reason": "R", "message": "m", "lastTransitionTime": ts}]}
    });
    let typed: Known = serde_json::from_value(obj).unwrap();
    let back = serde_json::to_value(&typed).unwrap();
    back["status"]["conditions"][0]["lastTransitionTime"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[test]
fn condition_timestamps_round_trip() {
    for ts in [
        "2024-01-02T03:04:05Z",
        "2024-01-02T03:04:05.123Z",
        "2024-01-02T03:04:05.123456Z",
    ] {
        assert_eq!(roundtrip(ts), ts);
    }
}
