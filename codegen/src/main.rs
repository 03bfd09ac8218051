//! The `crdgen` command line.

use std::io::{Read, Write};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use crdgen::{Error, Settings, Source};

mod validate_cmd;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Typed Rust clients from Kubernetes CustomResourceDefinitions.
///
/// Examples:
///
///   crdgen generate crds/ -o src/generated.rs     all CRDs under crds/ into one file
///
///   crdgen generate crd.yaml -o src/generated/    a module tree (mod.rs, group/version.rs)
///
///   kubectl get crd foos.example.com -o yaml | crdgen generate -
///
///   crdgen generate --from-cluster foos.example.com -o src/foo.rs
///
///   crdgen generate crds/ -o src/generated.rs --check    (CI: fail when stale)
///
///   crdgen generate --rust-types src/ --types-path crate -o src/clients.rs
///                                                  (clients for kinds written in Rust)
#[derive(Parser, Debug)]
#[command(name = "crdgen", version, about, long_about, verbatim_doc_comment)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

// Parsed once per run: the size of `generate`'s options does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Subcommand, Debug)]
enum Command {
    /// Write CRD manifests from annotated Rust source (`#[crdgen(group = ..., ...)]`
    /// kinds, as `crdgen generate --annotated` writes them).
    ///
    ///   crdgen crd --paths src/ -o crds/     one <plural>.<group>.yaml per CRD
    ///
    ///   crdgen crd --paths src/api.rs        all CRDs to standard output (`---` between)
    #[command(verbatim_doc_comment)]
    Crd {
        /// Rust files or folders (searched recursively for *.rs).
        #[arg(long, required = true, num_args = 1..)]
        paths: Vec<PathBuf>,
        /// Folder for the manifests; standard output when omitted.
        #[arg(short, long)]
        output: Option<PathBuf>,
    },
    /// Generate Rust types (and Resource impls) from CRD YAML.
    ///
    /// Inputs are files, folders (searched recursively for *.yaml, *.yml, *.json) or `-`
    /// for standard input. Multi-document files are fine; documents that are not CRDs
    /// are skipped with a note. Every version of every CRD becomes a module
    /// `<group>::<version>` (e.g. `example_com::v1`).
    ///
    /// With `--rust-types`, kinds written in Rust (`#[crdgen(kind = ...)]`) get the same
    /// clientset, kind enums, `add_to_scheme` and informers, their modules re-exporting
    /// the types where they are instead of defining them.
    Generate {
        /// CRD files, folders, or `-` for standard input.
        inputs: Vec<PathBuf>,
        /// A Rust source folder (or root file) whose annotated kinds get the client
        /// layer; files map to modules as the compiler does (`lib.rs` → the
        /// `--types-path`, `a.rs` and `a/mod.rs` → `<types-path>::a`). Repeatable.
        #[arg(long = "rust-types", value_name = "DIR")]
        rust_types: Vec<PathBuf>,
        /// The module path of each `--rust-types` folder in the generated code (one for
        /// all, or one per folder).
        #[arg(long = "types-path", value_name = "PATH", default_value = "crate")]
        types_path: Vec<String>,
        /// Read these CRDs (by name, e.g. `foos.example.com`) from the cluster of the
        /// current kubeconfig (KUBECONFIG, ~/.kube/config, or in-cluster config).
        #[arg(long = "from-cluster", value_name = "CRD_NAME")]
        from_cluster: Vec<String>,
        /// Output: a `.rs` file (one file of nested modules) or a folder (a module tree).
        /// Standard output when omitted.
        #[arg(short, long)]
        output: Option<PathBuf>,
        /// Do not write; exit with status 1 and print a diff when the output on disk
        /// differs from what would be generated.
        #[arg(long, requires = "output")]
        check: bool,
        /// Path of the runtime crate in generated code.
        #[arg(long, default_value = "::crdgen_runtime")]
        runtime_path: String,
        /// Do not reuse k8s-openapi types (LabelSelector, ObjectReference, …) for matching shapes.
        #[arg(long)]
        no_well_known_types: bool,
        /// Emit a separate definition for every occurrence of identical shapes.
        #[arg(long)]
        no_dedup: bool,
        /// Types and Resource impls only: no clientset, kind enums, scheme
        /// registration or informer accessors.
        #[arg(long)]
        types_only: bool,
        /// Name inputs in the output's header relative to this folder (default: by
        /// file name only), so the header is the same from any working directory.
        #[arg(long, value_name = "DIR")]
        root: Option<PathBuf>,
        /// Deprecated, does nothing: the output is rustfmt's layout already.
        #[arg(long, hide = true)]
        no_rustfmt: bool,
        /// Also derive this trait on generated types (repeatable). `PATH` derives it on
        /// every type; `structs=PATH`, `enums=PATH` or `TypeName=PATH` on some.
        #[arg(long = "derive", value_name = "[TARGET=]PATH")]
        derive: Vec<String>,
        /// Use a Rust type (a full path) instead of the generated one (repeatable):
        /// `format=FORMAT=TYPE` for every schema node with that `format`
        /// (`format=date-time=k8s_openapi::apimachinery::pkg::apis::meta::v1::Time`),
        /// `path=KIND.FIELD...=TYPE` for one field by its schema path
        /// (`path=Certificate.spec.duration=crate::units::Duration`; list items and
        /// map values add no segment). One that matches nothing is an error.
        #[arg(
            long = "type-override",
            value_name = "format=FORMAT=TYPE|path=PATH=TYPE"
        )]
        type_override: Vec<String>,
        /// Generate only this kind (repeatable); every kind without it.
        #[arg(long = "kind", value_name = "KIND")]
        kind: Vec<String>,
        /// Generate only this version (repeatable); every version without it.
        #[arg(long = "version-only", value_name = "VERSION")]
        version_only: Vec<String>,
        /// Annotated output: `#[crdgen(...)]` attributes carry every schema keyword
        /// and the resource, so `crdgen crd` gives the CRDs back (needs
        /// crdgen-runtime's `derive` feature).
        #[arg(long)]
        annotated: bool,
        /// Also write apply configurations (`WidgetApply`: every field optional,
        /// builders, `extract` from managedFields) for typed server-side apply.
        #[arg(long)]
        apply_configurations: bool,
    },
    /// Serve CRDs from an in-memory Kubernetes API server, for kubectl and tests.
    ///
    /// The kinds of the CRDs are served over plain HTTP (no TLS, no authentication)
    /// with the REST and watch protocol of kube-apiserver; objects live in memory
    /// until Ctrl-C. Inputs are files or folders (searched recursively for *.yaml,
    /// *.yml, *.json); documents that are not CRDs are skipped.
    ///
    ///   crdgen serve crds/ --addr 127.0.0.1:8080
    ///
    ///   kubectl --server http://127.0.0.1:8080 get widgets
    #[command(verbatim_doc_comment)]
    Serve {
        /// CRD files or folders.
        #[arg(required = true)]
        inputs: Vec<PathBuf>,
        /// Address to listen on; port 0 picks a free port (printed).
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: SocketAddr,
    },
    /// Validate objects against their CRDs as the API server would on create (schema,
    /// list types, CEL rules), printing the server's messages with file and line.
    /// Exits 1 when any object is invalid.
    ///
    ///   crdgen validate --crd crds/ objects/*.yaml
    #[command(verbatim_doc_comment)]
    Validate {
        /// A CRD file or folder (searched recursively for *.yaml, *.yml, *.json);
        /// repeatable.
        #[arg(long, required = true)]
        crd: Vec<PathBuf>,
        /// Object files (every YAML document is an object).
        #[arg(required = true)]
        objects: Vec<PathBuf>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            // Input errors render their own `error:` per diagnostic.
            match &e {
                Error::Input(_) => eprintln!("{e}"),
                _ => eprintln!("error: {e}"),
            }
            match e {
                Error::Stale(_) => ExitCode::from(1),
                Error::Input(_) => ExitCode::from(2),
                _ => ExitCode::from(3),
            }
        }
    }
}

fn run(cli: Cli) -> Result<ExitCode, Error> {
    match cli.command {
        Command::Serve { inputs, addr } => serve(inputs, addr),
        Command::Validate { crd, objects } => validate_cmd::run(crd, objects),
        Command::Crd { paths, output } => crd(paths, output),
        Command::Generate {
            inputs,
            rust_types,
            types_path,
            from_cluster,
            output,
            check,
            runtime_path,
            no_well_known_types,
            no_dedup,
            types_only,
            root,
            no_rustfmt,
            derive,
            type_override,
            kind,
            version_only,
            annotated,
            apply_configurations,
        } => {
            if no_rustfmt {
                eprintln!("note: --no-rustfmt is deprecated and does nothing");
            }
            let derives = derive
                .iter()
                .map(|d| match d.split_once('=') {
                    Some((target, path)) => (target.to_owned(), path.to_owned()),
                    None => ("all".to_owned(), d.clone()),
                })
                .collect();
            let mut type_overrides = Vec::new();
            for o in &type_override {
                // `format=date-time=TYPE`: the target is up to the second `=`.
                let parsed = o
                    .match_indices('=')
                    .nth(1)
                    .map(|(at, _)| (&o[..at], &o[at + 1..]))
                    .ok_or_else(|| {
                        format!("`{o}`: expected `format=FORMAT=TYPE` or `path=PATH=TYPE`")
                    })
                    .and_then(|(target, ty)| {
                        Ok((crdgen::TypeOverride::parse(target)?, ty.to_owned()))
                    });
                match parsed {
                    Ok(p) => type_overrides.push(p),
                    Err(e) => return Err(Error::Environment(format!("--type-override {e}"))),
                }
            }
            let settings = Settings {
                runtime_path,
                well_known_types: !no_well_known_types,
                dedup: !no_dedup,
                clients: !types_only,
                derives,
                type_overrides,
                kinds: kind,
                versions: version_only,
                annotated,
                external_types: None,
                apply_configurations,
            };
            let roots: Vec<(PathBuf, String)> = match types_path.len() {
                1 => rust_types
                    .into_iter()
                    .map(|p| (p, types_path[0].clone()))
                    .collect(),
                n if n == rust_types.len() => rust_types.into_iter().zip(types_path).collect(),
                n => {
                    return Err(Error::Environment(format!(
                        "{n} --types-path for {} --rust-types: give one for all, or one each",
                        rust_types.len()
                    )));
                }
            };
            let mut sources = Vec::new();
            for input in inputs {
                if input.as_os_str() == "-" {
                    let mut text = String::new();
                    std::io::stdin()
                        .read_to_string(&mut text)
                        .map_err(|e| Error::Io {
                            path: PathBuf::from("<stdin>"),
                            source: e,
                        })?;
                    sources.push(Source::Text {
                        name: "<stdin>".into(),
                        text,
                    });
                } else {
                    sources.push(Source::Path(input));
                }
            }
            for name in &from_cluster {
                sources.push(Source::Text {
                    name: format!("cluster/{name}"),
                    text: fetch_crd(name)?,
                });
            }
            if sources.is_empty() && roots.is_empty() {
                return Err(Error::Environment(
                    "no input: pass CRD files or folders, `-` for standard input, --from-cluster NAME or --rust-types DIR".into(),
                ));
            }
            let out = if roots.is_empty() && root.is_none() {
                crdgen::generate(&sources, &settings)?
            } else {
                crdgen::generate_rust_types(&sources, &roots, &settings, root.as_deref())?
            };
            for note in &out.notes {
                eprintln!("note: {}: {}", note.source, note.message);
            }
            if out.modules.is_empty() {
                return Err(Error::Environment(
                    "the inputs contain no CustomResourceDefinition".into(),
                ));
            }
            let single = |path: &Path| {
                // A `.rs` path, or anything that exists and is not a folder (`/dev/null`,
                // a pipe), is one file.
                path.extension().is_some_and(|e| e == "rs")
                    || path.metadata().is_ok_and(|m| !m.is_dir())
            };
            // Standard output and a single file are written module by module as
            // emission finishes each (the whole text is never held).
            let Some(path) = &output else {
                let mut stdout =
                    std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
                out.write_single_file(&mut stdout)
                    .and_then(|()| stdout.flush())
                    .map_err(|e| Error::Io {
                        path: PathBuf::from("<stdout>"),
                        source: e,
                    })?;
                std::mem::forget(out);
                return Ok(ExitCode::SUCCESS);
            };
            if single(path) && !check {
                if out.write_single_file_if_changed(path)? {
                    wrote(path);
                }
                std::mem::forget(out);
                return Ok(ExitCode::SUCCESS);
            }
            let files: Vec<(PathBuf, String)> = if single(path) {
                vec![(path.clone(), out.single_file()?)]
            } else {
                out.module_tree()?
                    .files
                    .into_iter()
                    .map(|(rel, text)| (path.join(rel), text))
                    .collect()
            };
            if check {
                let stale: Vec<String> = files
                    .iter()
                    .filter_map(|(path, text)| diff_against_disk(path, text))
                    .collect();
                if stale.is_empty() {
                    eprintln!("crdgen: {} file(s) up to date", files.len());
                    return Ok(ExitCode::SUCCESS);
                }
                return Err(Error::Stale(stale.join("\n")));
            }
            for (path, text) in &files {
                if crdgen::render::write_if_changed(path, text)? {
                    wrote(path);
                }
            }
            // The process ends here: freeing the model, the type spaces and the text
            // piece by piece took a tenth of a whole-corpus run. The OS takes it back.
            std::mem::forget(files);
            std::mem::forget(out);
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// `crdgen: wrote PATH` on standard error, in one write (`eprintln!` makes one system
/// call per piece of its format).
fn wrote(path: &Path) {
    let line = format!("crdgen: wrote {}\n", path.display());
    let _ = std::io::stderr().write_all(line.as_bytes());
}

fn diff_against_disk(path: &Path, expected: &str) -> Option<String> {
    let actual = std::fs::read_to_string(path).unwrap_or_default();
    if actual == expected {
        return None;
    }
    let diff = similar::TextDiff::from_lines(actual.as_str(), expected);
    Some(
        diff.unified_diff()
            .context_radius(3)
            .header(
                &format!("{} (on disk)", path.display()),
                &format!("{} (generated)", path.display()),
            )
            .to_string(),
    )
}

fn fetch_crd(name: &str) -> Result<String, Error> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::Environment(format!("cannot start a runtime: {e}")))?;
    runtime.block_on(async {
        let client = kube::Client::try_default()
            .await
            .map_err(|e| Error::Environment(format!("cannot load a kubeconfig: {e}")))?;
        let request = http::Request::get(format!(
            "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/{name}"
        ))
        .body(Vec::new())
        .map_err(|e| Error::Environment(format!("bad CRD name `{name}`: {e}")))?;
        client.request_text(request).await.map_err(|e| {
            let why = match e {
                // The server's words (`customresourcedefinitions.apiextensions.k8s.io "x"
                // not found`), not kube's Debug dump of the Status.
                kube::Error::Api(status) => {
                    format!("{} ({} {})", status.message, status.code, status.reason)
                }
                other => other.to_string(),
            };
            Error::Environment(format!("cannot read CRD `{name}` from the cluster: {why}"))
        })
    })
}

/// `crdgen serve`: load the CRDs (checked as `generate` checks them), then serve them
/// with the runtime's in-memory API server until Ctrl-C.
fn serve(inputs: Vec<PathBuf>, addr: SocketAddr) -> Result<ExitCode, Error> {
    let sources: Vec<Source> = inputs.into_iter().map(Source::Path).collect();
    let loaded = crdgen::input::load(&sources)?;
    for note in &loaded.notes {
        eprintln!("note: {}: {}", note.source, note.message);
    }
    let mut crds = Vec::new();
    for file in &loaded.files {
        let text = std::fs::read_to_string(file).map_err(|e| Error::Io {
            path: file.clone(),
            source: e,
        })?;
        let docs = crdgen::input::yaml::parse(&text, crdgen::input::yaml::Limits::default())
            .map_err(|e| {
                Error::Environment(format!(
                    "{}:{}:{}: {}",
                    file.display(),
                    e.pos.line,
                    e.pos.column,
                    e.message
                ))
            })?;
        crds.extend(docs.iter().map(|d| d.root.to_json()).filter(|doc| {
            doc["apiVersion"] == "apiextensions.k8s.io/v1"
                && doc["kind"] == "CustomResourceDefinition"
        }));
    }
    if crds.is_empty() {
        return Err(Error::Environment(
            "the inputs contain no CustomResourceDefinition".into(),
        ));
    }
    // Refuse what kube-apiserver refuses (the notes above say where), before serving.
    for crd in &crds {
        let invalid = crdgen_apiext::validate(crd);
        if !invalid.is_empty() {
            let name = crd["metadata"]["name"].as_str().unwrap_or_default();
            return Err(Error::Environment(crdgen_apiext::invalid_message(
                name, &invalid,
            )));
        }
    }
    // Resolve port 0 here so that the URL printed is the one served.
    let addr = if addr.port() == 0 {
        std::net::TcpListener::bind(addr)
            .and_then(|l| l.local_addr())
            .map_err(|e| Error::Environment(format!("cannot find a free port on {addr}: {e}")))?
    } else {
        addr
    };
    let url = format!("http://{addr}");
    let plural = crds[0]["spec"]["names"]["plural"]
        .as_str()
        .unwrap_or("all")
        .to_owned();
    println!(
        "crdgen: serving {} CRD(s) at {url} (Ctrl-C to stop)",
        crds.len()
    );
    println!("try: kubectl --server {url} get {plural}");
    use std::io::Write as _;
    let _ = std::io::stdout().flush();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::Environment(format!("cannot start a runtime: {e}")))?;
    runtime
        .block_on(crdgen_runtime::server::serve_crds(crds, addr))
        .map_err(|e| Error::Environment(format!("cannot start the API server on {addr}: {e}")))?;
    Ok(ExitCode::SUCCESS)
}

/// `crdgen crd`: annotated Rust → CRD manifests.
fn crd(paths: Vec<PathBuf>, output: Option<PathBuf>) -> Result<ExitCode, Error> {
    let sources = crdgen::rust_input::read_paths(&paths)?;
    let model = crdgen::rust_input::load(&sources)?;
    if model.resources.is_empty() {
        return Err(Error::Environment(
            "no annotated kinds found (structs with `#[crdgen(group = ..., version = ..., kind = ..., plural = ...)]`)".into(),
        ));
    }
    let mut stdout = String::new();
    for res in &model.resources {
        let doc = crdgen::emit::crd::crd_json(res);
        let text = crdgen::emit::yaml::to_yaml(&doc);
        for problem in crdgen::passes::structural::check(&doc) {
            eprintln!("warning: {}: {problem}", res.name);
        }
        match &output {
            None => {
                stdout.push_str("---\n");
                stdout.push_str(&text);
            }
            Some(dir) => {
                let name = doc
                    .pointer("/metadata/name")
                    .and_then(|n| n.as_str())
                    .unwrap_or("crd");
                let path = dir.join(format!("{name}.yaml"));
                if crdgen::render::write_if_changed(&path, &text)? {
                    wrote(&path);
                }
            }
        }
    }
    print!("{stdout}");
    Ok(ExitCode::SUCCESS)
}
