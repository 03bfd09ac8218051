//! `kubectl` against the in-memory API server over loopback HTTP. Skipped (with a
//! note) when `kubectl` is not on `PATH`.
#![cfg(feature = "server")]

mod common;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::{GADGET_CRD, WIDGET_CRD, Widget};
use crdgen_runtime::server::ApiServer;
use kube::api::{Api, Patch, PatchParams};
use serde_json::{Value, json};

fn kubectl_available() -> bool {
    Command::new("kubectl")
        .args(["version", "--client"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

struct Kubectl {
    kubeconfig: PathBuf,
    dir: PathBuf,
}

struct Out {
    ok: bool,
    stdout: String,
    stderr: String,
}

fn wait_with_timeout(mut child: Child, limit: Duration) -> Out {
    let start = Instant::now();
    loop {
        match child.try_wait() {
            Ok(Some(_)) => break,
            Ok(None) if start.elapsed() < limit => std::thread::sleep(Duration::from_millis(20)),
            _ => {
                let _ = child.kill();
                break;
            }
        }
    }
    let out = child.wait_with_output().expect("collect kubectl output");
    Out {
        ok: out.status.success(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

impl Kubectl {
    fn command(&self, args: &[&str]) -> Command {
        let mut c = Command::new("kubectl");
        c.arg("--kubeconfig")
            .arg(&self.kubeconfig)
            .arg("--cache-dir")
            .arg(self.dir.join("cache"))
            .arg("--request-timeout=10s")
            .args(args)
            .env("HOME", &self.dir)
            .env_remove("KUBECONFIG")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        c
    }

    /// Run to completion (at most 30 s) in a blocking thread.
    async fn run(&self, args: &[&str], stdin: Option<&str>) -> Out {
        let mut cmd = self.command(args);
        let stdin = stdin.map(str::to_owned);
        let line = args.join(" ");
        let out = tokio::task::spawn_blocking(move || {
            let mut child = cmd.spawn().expect("spawn kubectl");
            if let Some(s) = stdin {
                child
                    .stdin
                    .take()
                    .expect("piped stdin")
                    .write_all(s.as_bytes())
                    .expect("write stdin");
            } else {
                drop(child.stdin.take());
            }
            wait_with_timeout(child, Duration::from_secs(30))
        })
        .await
        .expect("kubectl thread");
        eprintln!("$ kubectl {line}\n{}{}", out.stdout, out.stderr);
        out
    }

    async fn ok(&self, args: &[&str], stdin: Option<&str>) -> String {
        let out = self.run(args, stdin).await;
        assert!(
            out.ok,
            "kubectl {} failed:\n{}\n{}",
            args.join(" "),
            out.stdout,
            out.stderr
        );
        out.stdout
    }
}

fn temp_dir() -> PathBuf {
    let d = std::env::temp_dir().join(format!(
        "crdgen-kubectl-{}-{}",
        std::process::id(),
        fastrand_suffix()
    ));
    std::fs::create_dir_all(&d).expect("create temp dir");
    d
}

fn fastrand_suffix() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0)
}

fn cleanup(dir: &Path) {
    let _ = std::fs::remove_dir_all(dir);
}

const WIDGET_YAML: &str = "apiVersion: example.com/v1
kind: Widget
metadata:
  name: kw
  labels:
    tier: web
spec:
  size: small
";

#[tokio::test]
async fn kubectl_drives_the_in_memory_server() {
    if !kubectl_available() {
        eprintln!("note: kubectl not found on PATH; skipping the kubectl end-to-end test");
        return;
    }
    let server = ApiServer::builder()
        .crd(serde_json::from_str(WIDGET_CRD).unwrap())
        .crd(serde_json::from_str(GADGET_CRD).unwrap())
        .build()
        .unwrap();
    let handle = server.serve("127.0.0.1:0".parse().unwrap()).await.unwrap();
    let dir = temp_dir();
    let kubeconfig = dir.join("kubeconfig");
    std::fs::write(&kubeconfig, handle.kubeconfig_yaml()).unwrap();
    let k = Kubectl {
        kubeconfig,
        dir: dir.clone(),
    };

    tokio::time::timeout(Duration::from_secs(120), async {
        // Discovery.
        let resources = k.ok(&["api-resources", "--api-group=example.com", "-o", "name"], None).await;
        assert!(resources.contains("widgets.example.com"), "{resources}");

        // Create from stdin.
        let out = k.ok(&["create", "-f", "-"], Some(WIDGET_YAML)).await;
        assert!(out.contains("widget.example.com/kw created"), "{out}");

        // Get (server-side table) and get by short name as JSON.
        let table = k.ok(&["get", "widgets"], None).await;
        assert!(table.lines().next().unwrap_or("").starts_with("NAME"), "{table}");
        assert!(table.contains("kw"), "{table}");
        let obj: Value = serde_json::from_str(&k.ok(&["get", "wd", "kw", "-o", "json"], None).await).unwrap();
        assert_eq!(obj["spec"], json!({"size": "small", "replicas": 1}));

        // List as JSON, with a label selector.
        let list: Value = serde_json::from_str(&k.ok(&["get", "widgets", "-l", "tier=web", "-o", "json"], None).await).unwrap();
        assert_eq!(list["kind"], "List");
        assert_eq!(list["items"].as_array().unwrap().len(), 1);

        // Patch (merge) and scale.
        let out = k.ok(&["patch", "widget", "kw", "--type=merge", "-p", r#"{"spec":{"note":"patched"}}"#], None).await;
        assert!(out.contains("widget.example.com/kw patched"), "{out}");
        let out = k.ok(&["scale", "widget", "kw", "--replicas=3"], None).await;
        assert!(out.contains("scaled"), "{out}");
        let obj: Value = serde_json::from_str(&k.ok(&["get", "widget", "kw", "-o", "json"], None).await).unwrap();
        assert_eq!(obj["spec"]["note"], "patched");
        assert_eq!(obj["spec"]["replicas"], 3);

        // A strategic patch (kubectl's default) is refused for custom resources.
        let out = k.run(&["patch", "widget", "kw", "-p", r#"{"spec":{"note":"x"}}"#], None).await;
        assert!(!out.ok && out.stderr.contains("unknown format"), "{}", out.stderr);

        // Validation errors come back as the server wrote them.
        let out = k.run(&["create", "-f", "-"], Some("apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: bad\nspec:\n  size: medium\n")).await;
        assert!(!out.ok);
        assert!(out.stderr.contains("spec.size: Unsupported value: \"medium\""), "{}", out.stderr);

        // Server-side apply.
        let out = k
            .ok(&["apply", "--server-side", "--field-manager=kubectl-test", "-f", "-"], Some(&WIDGET_YAML.replace("kw", "ssa")))
            .await;
        assert!(out.contains("serverside-applied"), "{out}");

        // Client-side apply (create, then configure).
        let out = k.ok(&["apply", "-f", "-"], Some(&WIDGET_YAML.replace("kw", "csa"))).await;
        assert!(out.contains("created"), "{out}");
        let out = k.ok(&["apply", "-f", "-"], Some(&WIDGET_YAML.replace("kw", "csa").replace("small", "large"))).await;
        assert!(out.contains("configured"), "{out}");

        // Watch: start `kubectl get -w`, change an object, stop it.
        let mut watch_cmd = k.command(&["get", "widgets", "-w", "-o", "json", "--output-watch-events"]);
        watch_cmd.arg("--request-timeout=0");
        let child = watch_cmd.spawn().expect("spawn kubectl watch");
        tokio::time::sleep(Duration::from_secs(2)).await;
        let api: Api<Widget> = Api::namespaced(handle.client().unwrap(), "default");
        api.patch("kw", &PatchParams::default(), &Patch::Merge(json!({"spec": {"note": "watched"}})))
            .await
            .unwrap();
        let watched = tokio::task::spawn_blocking(move || wait_with_timeout(child, Duration::from_secs(3))).await.unwrap();
        eprintln!("$ kubectl get widgets -w\n{}{}", watched.stdout, watched.stderr);
        let events: Vec<(String, String)> = serde_json::Deserializer::from_str(&watched.stdout)
            .into_iter::<Value>()
            .filter_map(Result::ok)
            .map(|e| (e["type"].as_str().unwrap_or("").to_owned(), e["object"]["metadata"]["name"].as_str().unwrap_or("").to_owned()))
            .collect();
        assert!(events.contains(&("ADDED".to_owned(), "kw".to_owned())), "{events:?}");
        assert!(events.contains(&("MODIFIED".to_owned(), "kw".to_owned())), "{events:?}");

        // Cluster-scoped kind.
        let out = k.ok(&["create", "-f", "-"], Some("apiVersion: example.com/v1\nkind: Gadget\nmetadata:\n  name: g\nspec:\n  color: red\n")).await;
        assert!(out.contains("gadget.example.com/g created"), "{out}");

        // Delete.
        let out = k.ok(&["delete", "widget", "kw"], None).await;
        assert!(out.contains("widget.example.com \"kw\" deleted"), "{out}");
        let out = k.run(&["get", "widget", "kw"], None).await;
        assert!(!out.ok && out.stderr.contains("widgets.example.com \"kw\" not found"), "{}", out.stderr);
    })
    .await
    .expect("kubectl test timed out");

    handle.shutdown().await;
    cleanup(&dir);
}
