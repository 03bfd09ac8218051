//! Runs both controllers once against the cluster of the current kubeconfig:
//! `example-shared-apply NAMESPACE NAME` (the `Database` CRD of `crds/` installed, the
//! object created). See the crate's test for a run against the in-memory server.

use crdgen_runtime::client::ResourceClient;
use example_shared_apply::{back_up, scale};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let (Some(namespace), Some(name)) = (args.next(), args.next()) else {
        return Err("usage: example-shared-apply NAMESPACE NAME".into());
    };
    let client = kube::Client::try_default().await?;
    let databases = ResourceClient::namespaced(client, &namespace);
    let (scaled, backed_up) = tokio::join!(
        scale(&databases, &name, 3),
        back_up(&databases, &name, "0 3 * * *")
    );
    scaled?;
    let db = backed_up?;
    println!("{:#?}", db.spec);
    Ok(())
}
