//! The typed layer over `crdgen-runtime` (client-gen, register-gen, informer-gen):
//! per group/version a client with one accessor per kind, an enum of the kinds,
//! `add_to_scheme` and informer accessors; at the root a `Clientset`, an
//! `InformerFactory` and an `add_to_scheme` spanning every group/version.
//!
//! Everything generic (verbs, caches, watches) lives in the runtime; what is emitted
//! here is only the typed wiring, so it costs little to compile.

use super::layout::INDENT;
use super::{EmitOptions, Emitted, Names, Sym, Tree, Writer, lit_str};
use crate::ir::{Model, Scope, TypeSpace};
use crate::passes::naming;

/// Served kinds of the space, with their resource names.
fn served<'a>(
    model: &'a Model,
    space: &'a TypeSpace,
) -> impl Iterator<Item = (&'a crate::ir::KindDef, &'a crate::ir::ResourceModel)> {
    space.kinds.iter().filter_map(move |k| {
        let res = &model.resources[k.resource];
        res.versions[k.version].served.then_some((k, res))
    })
}

/// A served kind of a group/version with the name of its accessor methods: the
/// plural in snake case (`widgets`), made unique within the client.
pub(crate) struct KindAccessor<'a> {
    pub kind: &'a crate::ir::KindDef,
    pub res: &'a crate::ir::ResourceModel,
    pub method: String,
}

impl KindAccessor<'_> {
    /// The accessor across every namespace of a namespaced kind.
    pub fn all_namespaces(&self) -> String {
        format!("{}_all_namespaces", self.method.trim_start_matches("r#"))
    }
}

/// The accessors of a group/version's client and informers, in kind order.
pub(crate) fn kind_accessors<'a>(model: &'a Model, space: &'a TypeSpace) -> Vec<KindAccessor<'a>> {
    let mut namer = naming::Namer::new();
    for reserved in ["new", "client"] {
        namer.reserve(reserved);
    }
    served(model, space)
        .map(|(kind, res)| KindAccessor {
            kind,
            res,
            method: namer.claim_ident(naming::field(&res.plural)).0,
        })
        .collect()
}

/// `group/version` (`version` for the core group).
pub(crate) fn group_version(space: &TypeSpace) -> String {
    if space.group.is_empty() {
        space.version.clone()
    } else {
        format!("{}/{}", space.group, space.version)
    }
}

/// A group/version as the root sees it: its module path (`group::version`) and, when
/// it serves a kind, the name of its clientset and informer-factory accessor.
pub(crate) struct RootEntry<'a> {
    pub space: &'a TypeSpace,
    pub module: String,
    pub method: Option<String>,
}

/// The root's view of every group/version, in order.
pub(crate) fn root_entries<'a>(model: &Model, spaces: &'a [TypeSpace]) -> Vec<RootEntry<'a>> {
    let mut namer = naming::Namer::new();
    for reserved in [
        "new",
        "client",
        "factory",
        "start",
        "shutdown",
        "wait_for_cache_sync",
    ] {
        namer.reserve(reserved);
    }
    spaces
        .iter()
        .map(|space| {
            let module = format!(
                "{}::{}",
                naming::group_module(&space.group).0,
                naming::version_module(&space.version).0
            );
            let method = served(model, space).next().map(|_| {
                let name = naming::field(&format!("{}_{}", space.group, space.version));
                namer.claim_ident(name).0
            });
            RootEntry {
                space,
                module,
                method,
            }
        })
        .collect()
}

/// The client, kind enum, scheme registration and informers of one group/version, at
/// `indent`; `partial_eq`: the kind enum derives `PartialEq` (its kinds must implement
/// it, as generated types do).
pub(crate) fn module(
    names: &Names,
    options: &EmitOptions,
    model: &Model,
    space: &TypeSpace,
    indent: usize,
    partial_eq: bool,
) -> Emitted {
    let mut w = Writer::new(names, options);
    w.module_clients(model, space, indent, partial_eq);
    w.finish()
}

/// The root's client layer (`Clientset`, `InformerFactory`, `add_to_scheme`), the
/// items of the root module at `indent`.
pub(crate) fn root(
    names: &Names,
    options: &EmitOptions,
    model: &Model,
    spaces: &[TypeSpace],
    indent: usize,
) -> Emitted {
    let mut w = Writer::new(names, options);
    w.root_clients(model, spaces, indent);
    w.finish()
}

fn atom(s: impl Into<String>) -> Tree {
    Tree::atom(s)
}

impl Writer<'_> {
    fn module_clients(&mut self, model: &Model, space: &TypeSpace, i: usize, partial_eq: bool) {
        let (b, c, d) = (i + INDENT, i + 2 * INDENT, i + 3 * INDENT);
        let gv = group_version(space);
        let client_ty = space.items.client.0.as_str();
        let enum_ty = space.items.kind_enum.0.as_str();
        let informers_ty = space.items.informers.0.as_str();
        let accessors = kind_accessors(model, space);
        let client = self.n(Sym::Client);
        let self_ = [("&self", None)];

        // The client.
        self.blank();
        self.docs(i, &[format!(" Typed clients for the kinds of `{gv}`.")]);
        self.derive(i, &["Clone".to_owned()]);
        self.item_header(i, &format!("pub struct {client_ty}"));
        self.line(b, &format!("client: {client},"));
        self.line(i, "}");
        self.blank();
        self.inherent_impl_header(i, client_ty);
        self.line(b, "/// Clients that talk through `client`.");
        self.sig(
            b,
            "pub fn new",
            &[("client", Some(atom(&client)))],
            Some(&atom("Self")),
        );
        self.line(c, "Self { client }");
        self.line(b, "}");
        let rc = if accessors.is_empty() {
            String::new()
        } else {
            self.n(Sym::ResourceClient)
        };
        for acc in &accessors {
            let kind = &acc.res.kind;
            let ty = atom(acc.kind.name.0.as_str());
            let head = format!("pub fn {}", acc.method);
            self.blank();
            match acc.res.scope {
                Scope::Namespaced => {
                    self.docs(b, &[format!(" `{kind}` objects in `namespace`.")]);
                    self.line(b, "#[inline]");
                    let params = [("&self", None), ("namespace", Some(atom("&str")))];
                    self.sig(
                        b,
                        &head,
                        &params,
                        Some(&Tree::generic(&rc, vec![ty.clone()])),
                    );
                    let call = Tree::call(
                        format!("{rc}::namespaced"),
                        vec![atom("self.client.clone()"), atom("namespace")],
                    );
                    self.expr(c, &call, "");
                    self.line(b, "}");
                    self.blank();
                    self.docs(
                        b,
                        &[format!(
                            " `{kind}` objects in every namespace (list and watch)."
                        )],
                    );
                    self.line(b, "#[inline]");
                    let all = self.n(Sym::AllNamespaces);
                    let ret = Tree::generic(&rc, vec![ty, atom(all)]);
                    self.sig(
                        b,
                        &format!("pub fn {}", acc.all_namespaces()),
                        &self_,
                        Some(&ret),
                    );
                    let call = Tree::call(format!("{rc}::all"), vec![atom("self.client.clone()")]);
                    self.expr(c, &call, "");
                    self.line(b, "}");
                }
                Scope::Cluster => {
                    self.docs(b, &[format!(" `{kind}` objects (cluster-scoped).")]);
                    self.line(b, "#[inline]");
                    self.sig(b, &head, &self_, Some(&Tree::generic(&rc, vec![ty])));
                    let call =
                        Tree::call(format!("{rc}::cluster"), vec![atom("self.client.clone()")]);
                    self.expr(c, &call, "");
                    self.line(b, "}");
                }
            }
        }
        self.line(i, "}");

        // The kind enum.
        let group = lit_str(&space.group);
        let version = lit_str(&space.version);
        let kinds: Vec<(&str, &str)> = space
            .kinds
            .iter()
            .map(|k| (k.name.0.as_str(), model.resources[k.resource].kind.as_str()))
            .collect();
        self.blank();
        self.docs(i, &[format!(" Any object of a kind of `{gv}`.")]);
        let mut derives = vec!["Clone".to_owned(), "Debug".to_owned()];
        if partial_eq {
            derives.push("PartialEq".to_owned());
        }
        self.derive(i, &derives);
        self.item_header(i, &format!("pub enum {enum_ty}"));
        let boxed = self.n(Sym::Box);
        for (variant, kind) in &kinds {
            self.docs(b, &[format!(" A `{kind}`.")]);
            self.pad(b);
            let t = Tree::call(*variant, vec![Tree::generic(&boxed, vec![atom(*variant)])]);
            self.tree(&t, b, b, 1);
            self.out.push_str(",\n");
        }
        self.line(i, "}");

        // Its `KindEnum` impl.
        let (scheme, error) = (self.n(Sym::SchemeModule), self.n(Sym::ErrorModule));
        let kind_enum = self.n(Sym::KindEnum);
        let dynamic = self.n(Sym::DynamicObject);
        let result = Tree::generic(format!("{error}::Result"), vec![atom("Self")]);
        self.blank();
        self.line(i, "#[automatically_derived]");
        self.impl_header(i, &kind_enum, enum_ty);
        // Decoding and encoding instantiate serde_json for every kind's types: compiled
        // where used (`#[inline]`), not in every generated crate.
        self.line(b, "#[inline]");
        self.sig(
            b,
            "fn from_dynamic",
            &[("obj", Some(atom(&dynamic)))],
            Some(&result),
        );
        self.line(c, &format!("let gvk = {scheme}::gvk_of_dynamic(&obj)?;"));
        let kind_in = Tree::call(
            format!("{scheme}::kind_in"),
            vec![atom("&gvk"), atom(&group), atom(&version)],
        );
        self.rhs(c, "let kind =", &kind_in, ";");
        self.line(c, "match kind {");
        for (variant, kind) in &kinds {
            let body = Tree::call(
                format!("{scheme}::decode_boxed"),
                vec![atom("obj"), atom(format!("Self::{variant}"))],
            );
            self.arm(d, &lit_str(kind), &body);
        }
        let unknown = Tree::call(format!("{scheme}::unknown_kind"), vec![atom("gvk")]);
        self.arm(d, "_", &unknown);
        self.line(c, "}");
        self.line(b, "}");
        self.blank();
        let result = Tree::generic(format!("{error}::Result"), vec![atom(&dynamic)]);
        self.line(b, "#[inline]");
        self.sig(b, "fn to_dynamic", &self_, Some(&result));
        self.line(c, "match self {");
        let scheme_ty = self.n(Sym::Scheme);
        for (variant, _) in &kinds {
            let body = Tree::call(format!("{scheme_ty}::encode"), vec![atom("o.as_ref()")]);
            self.arm(d, &format!("Self::{variant}(o)"), &body);
        }
        self.line(c, "}");
        self.line(b, "}");
        self.blank();
        let gvk = self.n(Sym::GroupVersionKind);
        self.sig(b, "fn gvk", &self_, Some(&atom(&gvk)));
        self.line(c, "match self {");
        for (variant, kind) in &kinds {
            let body = Tree::call(
                format!("{gvk}::gvk"),
                vec![atom(&group), atom(&version), atom(lit_str(kind))],
            );
            self.arm(d, &format!("Self::{variant}(_)"), &body);
        }
        self.line(c, "}");
        self.line(b, "}");
        self.line(i, "}");

        // `add_to_scheme`.
        self.blank();
        self.docs(
            i,
            &[format!(
                " Register the kinds of `{gv}` (every version generated, served or not) in a scheme."
            )],
        );
        // Registering a kind instantiates its decoder (serde_json for every type of the
        // kind): `#[inline]` compiles it in the program that registers, not in every
        // generated crate.
        self.line(i, "#[inline]");
        self.sig(
            i,
            "pub fn add_to_scheme",
            &[("scheme", Some(atom(format!("&mut {scheme_ty}"))))],
            Some(&Tree::generic(format!("{error}::Result"), vec![atom("()")])),
        );
        for (variant, _) in &kinds {
            let flat = format!("scheme.add::<{variant}>()?;");
            // A method call with its `?;` stays on the line up to column 98.
            if b + flat.len() + 2 <= super::layout::MAX_WIDTH {
                self.line(b, &flat);
            } else {
                // The method call goes on a line of its own, as in a chain.
                self.line(b, "scheme");
                self.line(c, &flat["scheme".len()..]);
            }
        }
        self.line(b, "Ok(())");
        self.line(i, "}");

        // The informers.
        let factory = self.n(Sym::SharedInformerFactory);
        self.blank();
        self.docs(i, &[format!(" Shared informers for the kinds of `{gv}`.")]);
        self.derive(i, &["Clone".to_owned(), "Copy".to_owned()]);
        self.item_header(i, &format!("pub struct {informers_ty}<'a>"));
        self.line(b, &format!("factory: &'a {factory},"));
        self.line(i, "}");
        self.blank();
        let flat = format!("impl<'a> {informers_ty}<'a> {{");
        // rustfmt does not count the indent of an impl header.
        if flat.len() <= super::layout::MAX_WIDTH {
            self.line(i, &flat);
        } else {
            // The type goes on a line of its own, its generic list broken if need be.
            self.line(i, "impl<'a>");
            self.pad(b);
            self.tree(&Tree::generic(informers_ty, vec![atom("'a")]), b, b, 0);
            self.out.push('\n');
            self.line(i, "{");
        }
        self.line(b, "/// Informers from `factory`.");
        self.sig(
            b,
            "pub fn new",
            &[("factory", Some(atom(format!("&'a {factory}"))))],
            Some(&atom("Self")),
        );
        self.line(c, "Self { factory }");
        self.line(b, "}");
        let informer = if accessors.is_empty() {
            String::new()
        } else {
            self.n(Sym::SharedIndexInformer)
        };
        for acc in &accessors {
            let kind = &acc.res.kind;
            self.blank();
            self.docs(
                b,
                &[format!(
                    " The shared informer of `{kind}` (one watch however many callers)."
                )],
            );
            self.line(b, "#[inline]");
            let ret = Tree::generic(&informer, vec![atom(acc.kind.name.0.as_str())]);
            self.sig(b, &format!("pub fn {}", acc.method), &self_, Some(&ret));
            self.line(c, "self.factory.informer_for()");
            self.line(b, "}");
        }
        self.informer_controllers(&accessors, b);
        self.line(i, "}");
    }

    /// Per kind, `<plural>_controller()`: a runtime `Controller` on the kind's shared
    /// informer, in one call (after the informer accessors, named apart from them).
    fn informer_controllers(&mut self, accessors: &[KindAccessor<'_>], b: usize) {
        let c = b + INDENT;
        let mut namer = naming::Namer::new();
        namer.reserve("new");
        for acc in accessors {
            namer.reserve(acc.method.trim_start_matches("r#"));
        }
        let controller = if accessors.is_empty() {
            String::new()
        } else {
            self.n(Sym::Controller)
        };
        for acc in accessors {
            let base = acc.method.trim_start_matches("r#");
            let method = namer
                .claim_ident(naming::field(&format!("{base}_controller")))
                .0;
            let kind = acc.kind.name.0.as_str();
            self.blank();
            self.docs(
                b,
                &[
                    format!(
                        " A controller of `{kind}` on its shared informer (no watch of its own):"
                    ),
                    " add `owns` / `watches`, then `run`.".to_owned(),
                ],
            );
            // `#[inline]` (as the informer accessors): a kind's controller machinery is
            // compiled where a program asks for it, not for every kind in this crate.
            self.line(b, "#[inline]");
            let ret = Tree::generic(&controller, vec![atom(kind)]);
            self.sig(
                b,
                &format!("pub fn {method}"),
                &[("&self", None)],
                Some(&ret),
            );
            let call = Tree::call(
                format!("{controller}::new"),
                vec![atom(format!("self.{}()", acc.method))],
            );
            self.expr(c, &call, "");
            self.line(b, "}");
        }
    }

    fn root_clients(&mut self, model: &Model, spaces: &[TypeSpace], i: usize) {
        let (b, c) = (i + INDENT, i + 2 * INDENT);
        let client = self.n(Sym::Client);
        let factory = self.n(Sym::SharedInformerFactory);
        let entries = root_entries(model, spaces);
        let self_ = [("&self", None)];

        // The clientset.
        self.blank();
        for l in [
            "/// Typed clients for every group/version generated here.",
            "///",
            "/// ```ignore",
            "/// let clientset = Clientset::new(kube::Client::try_default().await?);",
            "/// let widget = clientset.example_com_v1().widgets(\"default\").get(\"my-widget\").await?;",
            "/// ```",
            "#[derive(Clone)]",
            "pub struct Clientset {",
        ] {
            self.line(i, l);
        }
        self.line(b, &format!("client: {client},"));
        self.line(i, "}");
        self.blank();
        self.line(i, "impl Clientset {");
        self.line(b, "/// A clientset that talks through `client`.");
        self.sig(
            b,
            "pub fn new",
            &[("client", Some(atom(&client)))],
            Some(&atom("Self")),
        );
        self.line(c, "Self { client }");
        self.line(b, "}");
        self.blank();
        self.line(b, "/// The underlying client.");
        self.sig(
            b,
            "pub fn client",
            &self_,
            Some(&atom(format!("&{client}"))),
        );
        self.line(c, "&self.client");
        self.line(b, "}");
        for e in &entries {
            let Some(method) = &e.method else { continue };
            let ty = format!("super::{}::{}", e.module, e.space.items.client.0);
            self.blank();
            self.docs(b, &[format!(" Clients for `{}`.", group_version(e.space))]);
            self.sig(b, &format!("pub fn {method}"), &self_, Some(&atom(&ty)));
            let call = Tree::call(format!("{ty}::new"), vec![atom("self.client.clone()")]);
            self.expr(c, &call, "");
            self.line(b, "}");
        }
        self.line(i, "}");

        // The informer factory.
        self.blank();
        for l in [
            "/// A shared informer factory with typed accessors for every group/version",
            "/// generated here. Dereferences to the runtime's `SharedInformerFactory`",
            "/// (`start`, `wait_for_cache_sync`, `shutdown`, …).",
            "pub struct InformerFactory {",
        ] {
            self.line(i, l);
        }
        self.line(b, &format!("factory: {factory},"));
        self.line(i, "}");
        self.blank();
        self.line(i, "impl InformerFactory {");
        self.line(
            b,
            "/// A factory over `client`, resyncing every `default_resync` (`None`: never).",
        );
        let (option, duration) = (self.n(Sym::Option), self.n(Sym::Duration));
        let params = [
            ("client", Some(atom(&client))),
            (
                "default_resync",
                Some(Tree::generic(&option, vec![atom(&duration)])),
            ),
        ];
        self.sig(b, "pub fn new", &params, Some(&atom("Self")));
        let inner = Tree::call(
            format!("{factory}::new"),
            vec![atom("client"), atom("default_resync")],
        );
        self.expr(c, &Tree::call("Self::from_factory", vec![inner]), "");
        self.line(b, "}");
        self.blank();
        self.line(
            b,
            "/// Wrap a configured runtime factory (namespace, list-option tweaks).",
        );
        self.sig(
            b,
            "pub fn from_factory",
            &[("factory", Some(atom(&factory)))],
            Some(&atom("Self")),
        );
        self.line(c, "Self { factory }");
        self.line(b, "}");
        for e in &entries {
            let Some(method) = &e.method else { continue };
            let ty = format!("super::{}::{}", e.module, e.space.items.informers.0);
            self.blank();
            self.docs(
                b,
                &[format!(" Informers for `{}`.", group_version(e.space))],
            );
            let ret = Tree::generic(&ty, vec![atom("'_")]);
            self.sig(b, &format!("pub fn {method}"), &self_, Some(&ret));
            let call = Tree::call(format!("{ty}::new"), vec![atom("&self.factory")]);
            self.expr(c, &call, "");
            self.line(b, "}");
        }
        self.line(i, "}");
        let deref = self.n(Sym::Deref);
        self.blank();
        self.impl_header(i, &deref, "InformerFactory");
        self.rhs(b, "type Target =", &atom(&factory), ";");
        self.blank();
        self.line(b, "fn deref(&self) -> &Self::Target {");
        self.line(c, "&self.factory");
        self.line(b, "}");
        self.line(i, "}");

        // `add_to_scheme`.
        let (scheme_ty, error) = (self.n(Sym::Scheme), self.n(Sym::ErrorModule));
        self.blank();
        self.line(i, "/// Register every kind generated here in a scheme.");
        // `#[inline]` as each group/version's: the decoders are compiled where used.
        self.line(i, "#[inline]");
        self.sig(
            i,
            "pub fn add_to_scheme",
            &[("scheme", Some(atom(format!("&mut {scheme_ty}"))))],
            Some(&Tree::generic(format!("{error}::Result"), vec![atom("()")])),
        );
        for e in &entries {
            let call = Tree::call(
                format!("super::{}::add_to_scheme", e.module),
                vec![atom("scheme")],
            );
            self.expr(b, &call, "?;");
        }
        self.line(b, "Ok(())");
        self.line(i, "}");
    }
}
