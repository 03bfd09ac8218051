//! `two-controllers`: run both controllers against the current kubeconfig's cluster.
//!
//! ```text
//! two-controllers crd | kubectl apply -f -     # install the Widget CRD
//! two-controllers                              # run until Ctrl-C
//! ```

use std::sync::Arc;

use futures::StreamExt;
use two_controllers::crds::InformerFactory;
use two_controllers::{Context, controllers, widget_crd};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    if std::env::args().nth(1).as_deref() == Some("crd") {
        println!("{}", serde_json::to_string_pretty(&widget_crd())?);
        return Ok(());
    }
    let client = kube::Client::try_default().await?;
    let factory = InformerFactory::new(client.clone(), None);
    let results = controllers(&factory, Arc::new(Context { client }), async {
        let _ = tokio::signal::ctrl_c().await;
    });
    factory.start()?;
    results
        .for_each(|(controller, result)| async move {
            match result {
                Ok((obj, _)) => eprintln!("{controller}: reconciled {obj}"),
                Err(e) => eprintln!("{controller}: {e}"),
            }
        })
        .await;
    factory.shutdown().await;
    Ok(())
}
