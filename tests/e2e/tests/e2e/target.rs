//! Where the suite runs: a fresh in-memory API server per test on 127.0.0.1, or the
//! cluster of `CRDGEN_E2E_KUBECONFIG`. Everything a test needs goes through
//! [`Target`], so the tests read the same in both modes.

use std::collections::BTreeMap;
use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use crdgen_e2e_tests::crds::e2e_example_com::v1::{
    Gadget, GadgetSpec, Widget, WidgetSpec, WidgetSpecSize,
};
use crdgen_e2e_tests::crds::{Clientset, InformerFactory};
use crdgen_runtime::informer::SharedInformerFactory;
use crdgen_runtime::server::{ApiServer, ServerHandle};
use k8s_openapi::api::core::v1::Namespace;
use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kube::api::{Api, DeleteParams, ListParams, Patch, PatchParams, PostParams};
use kube::config::{KubeConfigOptions, Kubeconfig};

/// The environment variable naming a kubeconfig: run against that cluster.
pub const KUBECONFIG_ENV: &str = "CRDGEN_E2E_KUBECONFIG";

/// The bound on every wait.
pub const T: Duration = Duration::from_secs(20);

/// The label every object a test creates carries (value: the test's namespace), so
/// tests sharing a real cluster only see their own cluster-scoped objects.
pub const RUN_LABEL: &str = "e2e.example.com/run";

/// `f`, or a panic naming `what` after [`T`].
pub async fn within<F: Future>(what: &str, f: F) -> F::Output {
    match tokio::time::timeout(T, f).await {
        Ok(out) => out,
        Err(_) => panic!("timed out after {T:?}: {what}"),
    }
}

/// Poll `check` every 20 ms until it holds; panic naming `what` after [`T`].
pub async fn eventually(what: &str, mut check: impl FnMut() -> bool) {
    within(what, async {
        while !check() {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await
}

/// The kubeconfig to run against, if any.
fn kubeconfig_path() -> Option<PathBuf> {
    std::env::var_os(KUBECONFIG_ENV)
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
}

/// Guards a test that needs control of the in-memory server (`needs`). Such tests
/// carry `#[cfg_attr(e2e_real_cluster, ignore = ...)]`: built with
/// `CRDGEN_E2E_KUBECONFIG` set they are reported as ignored. Reaching this with a real
/// cluster configured means the binary was built without it: fail rather than pass.
pub fn in_memory_only(test: &str, needs: &str) {
    assert!(
        kubeconfig_path().is_none(),
        "`{test}` needs {needs}, which a real cluster does not offer; rebuild with {KUBECONFIG_ENV} set so that it is reported as ignored"
    );
}

enum Backend {
    InMemory {
        server: ApiServer,
        handle: Option<ServerHandle>,
        addr: SocketAddr,
    },
    Cluster {
        kubeconfig: PathBuf,
    },
}

/// One test's view of the API server: a client, the generated clientset, and its own
/// namespace (created up front, deleted by [`Target::finish`] or on drop).
pub struct Target {
    /// A `kube::Client` over HTTP.
    pub client: kube::Client,
    /// The generated clientset over `client`.
    pub clientset: Clientset,
    /// The test's namespace.
    pub namespace: String,
    backend: Backend,
    finished: bool,
}

static SEQ: AtomicU32 = AtomicU32::new(0);
static CRDS_INSTALLED: tokio::sync::OnceCell<()> = tokio::sync::OnceCell::const_new();

impl Target {
    /// The target for `test`: picks the in-memory server or the kubeconfig's cluster.
    pub async fn new(test: &str) -> Target {
        let namespace = unique_namespace(test);
        let (client, backend) = match kubeconfig_path() {
            None => {
                let mut builder =
                    ApiServer::builder().bookmark_interval(Duration::from_millis(500));
                for crd in crdgen_e2e_tests::crd_documents() {
                    builder = builder.crd(crd);
                }
                let server = builder.build().expect("the e2e CRDs are valid");
                let handle = server
                    .serve("127.0.0.1:0".parse().expect("a socket address"))
                    .await
                    .expect("bind 127.0.0.1:0");
                let addr = handle.addr();
                assert!(addr.ip().is_loopback());
                let url = handle.url().parse().expect("the server URL is a URI");
                let client = kube::Client::try_from(kube::Config::new(url)).expect("a client");
                let backend = Backend::InMemory {
                    server,
                    handle: Some(handle),
                    addr,
                };
                (client, backend)
            }
            Some(kubeconfig) => {
                let client = cluster_client(&kubeconfig).await;
                within("install the CRDs", async {
                    CRDS_INSTALLED
                        .get_or_init(|| install_crds(client.clone()))
                        .await
                })
                .await;
                (client, Backend::Cluster { kubeconfig })
            }
        };
        let namespaces: Api<Namespace> = Api::all(client.clone());
        let ns = serde_json::from_value(serde_json::json!({
            "apiVersion": "v1", "kind": "Namespace", "metadata": {"name": namespace}
        }))
        .expect("a namespace");
        within(
            "create the namespace",
            namespaces.create(&PostParams::default(), &ns),
        )
        .await
        .expect("create the test namespace");
        Target {
            clientset: Clientset::new(client.clone()),
            client,
            namespace,
            backend,
            finished: false,
        }
    }

    /// The in-memory server (its tracker: seed, compact, read actions).
    ///
    /// # Panics
    /// Against a real cluster (guard the test with [`in_memory_only`]).
    pub fn server(&self) -> &ApiServer {
        match &self.backend {
            Backend::InMemory { server, .. } => server,
            Backend::Cluster { .. } => panic!("no in-memory server against a real cluster"),
        }
    }

    /// `metadata.labels` with the run label (value: the namespace) and `labels`.
    pub fn labels(&self, labels: &[(&str, &str)]) -> BTreeMap<String, String> {
        let mut map = BTreeMap::from([(RUN_LABEL.to_owned(), self.namespace.clone())]);
        map.extend(
            labels
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
        );
        map
    }

    /// The label selector matching this test's objects.
    pub fn run_selector(&self) -> String {
        format!("{RUN_LABEL}={}", self.namespace)
    }

    /// A `Widget` labelled for this run.
    pub fn widget(&self, name: &str, size: WidgetSpecSize, labels: &[(&str, &str)]) -> Widget {
        let mut w = Widget::new(
            name,
            WidgetSpec {
                size,
                replicas: None,
                note: None,
                tags: None,
            },
        );
        w.metadata.labels = Some(self.labels(labels));
        w
    }

    /// The name of this test's cluster-scoped object `name` (unique on a shared cluster).
    pub fn cluster_name(&self, name: &str) -> String {
        format!("{}-{name}", self.namespace)
    }

    /// A `Gadget` named [`cluster_name(name)`](Self::cluster_name), labelled for this run.
    pub fn gadget(&self, name: &str, color: &str, labels: &[(&str, &str)]) -> Gadget {
        let mut g = Gadget {
            spec: Some(GadgetSpec {
                color: Some(color.to_owned()),
            }),
            ..Gadget::default()
        };
        g.metadata.name = Some(self.cluster_name(name));
        g.metadata.labels = Some(self.labels(labels));
        g
    }

    /// The generated informer factory, watching this test's namespace and objects.
    pub fn informer_factory(&self, resync: Option<Duration>) -> InformerFactory {
        let selector = self.run_selector();
        InformerFactory::from_factory(
            SharedInformerFactory::new(self.client.clone(), resync)
                .with_namespace(self.namespace.clone())
                .with_tweak_list_options(move |cfg| cfg.label_selector = Some(selector.clone())),
        )
    }

    /// Restart the in-memory server ([`ServerHandle::restart`]): every watch is cut,
    /// the state is kept, the server comes back on the same address.
    pub async fn restart(&mut self) {
        let Backend::InMemory { handle, .. } = &mut self.backend else {
            panic!("cannot restart a real cluster");
        };
        let old = handle.take().expect("the server is running");
        *handle = Some(within("restart", old.restart()).await.expect("rebind"));
    }

    /// Take the in-memory server down, run `during` (changes behind the clients'
    /// backs, through the tracker), and serve again on the same address.
    pub async fn outage(&mut self, during: impl FnOnce(&ApiServer)) {
        let Backend::InMemory {
            server,
            handle,
            addr,
        } = &mut self.backend
        else {
            panic!("cannot take a real cluster down");
        };
        within(
            "shut down",
            handle.take().expect("the server is running").shutdown(),
        )
        .await;
        during(server);
        // Let the clients notice the outage (failed reconnects, backoff).
        tokio::time::sleep(Duration::from_millis(300)).await;
        let mut again = None;
        for _ in 0..50 {
            match server.serve(*addr).await {
                Ok(h) => {
                    again = Some(h);
                    break;
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(20)).await,
            }
        }
        *handle = Some(again.expect("serve again on the same address"));
    }

    /// Delete what the test created (namespace, cluster-scoped objects) and stop the
    /// in-memory server.
    pub async fn finish(mut self) {
        if let Backend::Cluster { .. } = self.backend {
            within(
                "clean up",
                cleanup(self.client.clone(), self.namespace.clone()),
            )
            .await;
        }
        if let Backend::InMemory { handle, .. } = &mut self.backend
            && let Some(h) = handle.take()
        {
            within("shut down", h.shutdown()).await;
        }
        self.finished = true;
    }
}

impl Drop for Target {
    /// A test that panicked did not reach [`Target::finish`]: clean up the cluster
    /// from a thread of its own (the test's runtime may be unwinding).
    fn drop(&mut self) {
        let Backend::Cluster { kubeconfig } = &self.backend else {
            return;
        };
        if self.finished {
            return;
        }
        let (kubeconfig, namespace) = (kubeconfig.clone(), self.namespace.clone());
        let cleaner = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("a runtime");
            rt.block_on(async {
                let client = cluster_client(&kubeconfig).await;
                let _ = tokio::time::timeout(T, cleanup(client, namespace)).await;
            });
        });
        let _ = cleaner.join();
    }
}

fn unique_namespace(test: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    let seq = SEQ.fetch_add(1, Ordering::Relaxed);
    let test: String = test
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .take(30)
        .collect();
    format!(
        "crdgen-e2e-{test}-{:x}{seq}",
        (std::process::id() ^ nanos) & 0xffffff
    )
}

async fn cluster_client(kubeconfig: &PathBuf) -> kube::Client {
    let config = Kubeconfig::read_from(kubeconfig)
        .unwrap_or_else(|e| panic!("{KUBECONFIG_ENV}={}: {e}", kubeconfig.display()));
    let config = kube::Config::from_custom_kubeconfig(config, &KubeConfigOptions::default())
        .await
        .unwrap_or_else(|e| panic!("{KUBECONFIG_ENV}={}: {e}", kubeconfig.display()));
    kube::Client::try_from(config).expect("a client for the kubeconfig")
}

/// Create or update the suite's CRDs (server-side apply) and wait until each is
/// `Established`.
async fn install_crds(client: kube::Client) {
    let api: Api<CustomResourceDefinition> = Api::all(client);
    let params = PatchParams::apply("crdgen-e2e").force();
    for crd in crdgen_e2e_tests::crd_documents() {
        let name = crd["metadata"]["name"]
            .as_str()
            .expect("a CRD name")
            .to_owned();
        api.patch(&name, &params, &Patch::Apply(&crd))
            .await
            .unwrap_or_else(|e| panic!("install CRD {name}: {e}"));
        loop {
            let crd = api.get(&name).await.expect("read back the CRD");
            let established = crd
                .status
                .and_then(|s| s.conditions)
                .unwrap_or_default()
                .iter()
                .any(|c| c.type_ == "Established" && c.status == "True");
            if established {
                break;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
}

/// Delete the test's namespace and its cluster-scoped objects.
async fn cleanup(client: kube::Client, namespace: String) {
    let selector = format!("{RUN_LABEL}={namespace}");
    let gadgets: Api<Gadget> = Api::all(client.clone());
    if let Err(e) = gadgets
        .delete_collection(
            &DeleteParams::default(),
            &ListParams::default().labels(&selector),
        )
        .await
    {
        eprintln!("warning: could not delete the gadgets of {namespace}: {e}");
    }
    let namespaces: Api<Namespace> = Api::all(client);
    if let Err(e) = namespaces
        .delete(&namespace, &DeleteParams::background())
        .await
    {
        eprintln!("warning: could not delete namespace {namespace}: {e}");
    }
}
