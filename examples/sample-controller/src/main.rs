//! `sample-controller`: run the controller against the current kubeconfig's cluster.
//!
//! ```text
//! sample-controller crd | kubectl apply -f -     # install the Foo CRD
//! sample-controller [WORKERS]                    # run (at most 2 reconciles at once by default) until Ctrl-C
//! ```

use std::time::Duration;

use sample_controller::crds::InformerFactory;
use sample_controller::foo_crd;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let arg = std::env::args().nth(1);
    if arg.as_deref() == Some("crd") {
        println!("{}", serde_json::to_string_pretty(&foo_crd())?);
        return Ok(());
    }
    let workers: u16 = match arg {
        Some(n) => n.parse().map_err(|e| format!("WORKERS {n:?}: {e}"))?,
        None => 2,
    };
    let client = kube::Client::try_default().await?;
    let factory = InformerFactory::new(client.clone(), Some(Duration::from_secs(30)));
    sample_controller::run(client, &factory, workers, async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await?;
    Ok(())
}
