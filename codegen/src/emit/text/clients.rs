//! The client layer ([`crate::emit::clients`]) written straight to text: per
//! group/version the client, the kind enum and its `KindEnum` impl, `add_to_scheme`
//! and the informers; at the root the `Clientset`, the `InformerFactory` and the root
//! `add_to_scheme`.
//!
//! The same bytes as formatting the token path's items with prettyplease. Each line
//! is laid out by one of the printer's rules the parent module already follows
//! (attributes, signatures, call arguments, match arms); a line that would need any
//! other layout (a very long runtime path or kind name) makes the caller format the
//! whole piece from tokens instead.

use super::{INDENT, Tree, Writer, limit, lit_str as lit};
use crate::emit::Paths;
use crate::emit::clients::{group_version, kind_accessors, root_entries};
use crate::ir::{Model, Scope, TypeSpace};

/// A module's client layer as formatted text, or `None` where a line needs a layout
/// this module does not produce.
pub(crate) fn module(
    paths: &Paths,
    model: &Model,
    space: &TypeSpace,
    depth: usize,
) -> Option<String> {
    let mut w = Writer::new(paths, depth);
    w.module_clients(model, space)?;
    Some(w.out)
}

/// The root's client layer as formatted text (top level), or `None` as for [`module`].
pub(crate) fn root(paths: &Paths, model: &Model, spaces: &[TypeSpace]) -> Option<String> {
    let mut w = Writer::new(paths, 0);
    w.root_clients(model, spaces)?;
    Some(w.out)
}

fn atom(s: impl Into<String>) -> Tree {
    Tree::Atom(s.into())
}

impl Writer {
    /// A block's final expression `value` at `indent`.
    fn tail_expr(&mut self, indent: usize, value: &Tree) {
        self.pad(indent);
        self.ty(value, indent, indent, limit(indent), 0);
        self.out.push('\n');
    }

    /// A match arm `pat => body,` at `indent`: on one line when it fits without the
    /// comma, else the body in a block.
    fn arm_expr(&mut self, indent: usize, pat: &str, body: &Tree) -> Option<()> {
        if indent + pat.len() + 4 + body.flat_len() <= limit(indent) {
            self.pad(indent);
            self.out.push_str(pat);
            self.out.push_str(" => ");
            body.push_flat(&mut self.out);
            self.out.push_str(",\n");
            return Some(());
        }
        self.flat(indent, &format!("{pat} => {{"))?;
        self.tail_expr(indent + INDENT, body);
        self.line(indent, "}");
        Some(())
    }

    fn module_clients(&mut self, model: &Model, space: &TypeSpace) -> Option<()> {
        if space.kinds.is_empty() {
            return None;
        }
        let i = self.indent;
        let (b, c) = (i + INDENT, i + 2 * INDENT);
        let rt = self.runtime.clone();
        let kube = format!("{rt}::kube");
        let gv = group_version(space);
        let client_ty = space.items.client.0.as_str();
        let enum_ty = space.items.kind_enum.0.as_str();
        let informers_ty = space.items.informers.0.as_str();
        let accessors = kind_accessors(model, space);
        let rc = format!("{rt}::client::ResourceClient");
        let self_ = ["&self".to_owned()];

        // The client.
        self.docs(i, &[format!(" Typed clients for the kinds of `{gv}`.")]);
        self.attr(i, "derive", &["::std::clone::Clone"]);
        self.flat(i, &format!("pub struct {client_ty} {{"))?;
        self.flat(b, &format!("client: {kube}::Client,"))?;
        self.line(i, "}");
        self.flat(i, &format!("impl {client_ty} {{"))?;
        self.line(b, "/// Clients that talk through `client`.");
        self.sig(
            b,
            "pub fn new",
            &[format!("client: {kube}::Client")],
            &atom("Self"),
        )?;
        self.line(c, "Self { client }");
        self.line(b, "}");
        let clone = || atom("self.client.clone()");
        for acc in &accessors {
            let kind = &acc.res.kind;
            let ty = atom(acc.kind.name.0.as_str());
            let head = format!("pub fn {}", acc.method);
            match acc.res.scope {
                Scope::Namespaced => {
                    self.docs(b, &[format!(" `{kind}` objects in `namespace`.")]);
                    self.line(b, "#[inline]");
                    let params = ["&self".to_owned(), "namespace: &str".to_owned()];
                    self.sig(b, &head, &params, &Tree::generic(&rc, vec![ty.clone()]))?;
                    let call = Tree::call(
                        &format!("{rc}::namespaced"),
                        vec![clone(), atom("namespace")],
                    );
                    self.tail_expr(c, &call);
                    self.line(b, "}");
                    self.docs(
                        b,
                        &[format!(
                            " `{kind}` objects in every namespace (list and watch)."
                        )],
                    );
                    self.line(b, "#[inline]");
                    let ret =
                        Tree::generic(&rc, vec![ty, atom(format!("{rt}::client::AllNamespaces"))]);
                    self.sig(b, &format!("pub fn {}", acc.all_namespaces()), &self_, &ret)?;
                    self.tail_expr(c, &Tree::call(&format!("{rc}::all"), vec![clone()]));
                    self.line(b, "}");
                }
                Scope::Cluster => {
                    self.docs(b, &[format!(" `{kind}` objects (cluster-scoped).")]);
                    self.line(b, "#[inline]");
                    self.sig(b, &head, &self_, &Tree::generic(&rc, vec![ty]))?;
                    self.tail_expr(c, &Tree::call(&format!("{rc}::cluster"), vec![clone()]));
                    self.line(b, "}");
                }
            }
        }
        self.line(i, "}");

        // The kind enum.
        let group = lit(&space.group);
        let version = lit(&space.version);
        let kinds: Vec<(&str, &str)> = space
            .kinds
            .iter()
            .map(|k| (k.name.0.as_str(), model.resources[k.resource].kind.as_str()))
            .collect();
        self.docs(i, &[format!(" Any object of a kind of `{gv}`.")]);
        self.attr(
            i,
            "derive",
            &[
                "::std::clone::Clone",
                "::std::fmt::Debug",
                "::std::cmp::PartialEq",
            ],
        );
        self.flat(i, &format!("pub enum {enum_ty} {{"))?;
        for (variant, kind) in &kinds {
            self.docs(b, &[format!(" A `{kind}`.")]);
            self.pad(b);
            let boxed = Tree::generic("::std::boxed::Box", vec![atom(*variant)]);
            self.ty(&Tree::call(variant, vec![boxed]), b, b, limit(b), 1);
            self.out.push_str(",\n");
        }
        self.line(i, "}");

        // Its `KindEnum` impl.
        let result = format!("{rt}::error::Result");
        let a = c + INDENT;
        self.line(i, "#[automatically_derived]");
        self.impl_header(i, &format!("{rt}::scheme::KindEnum"), enum_ty);
        self.sig(
            b,
            "fn from_dynamic",
            &[format!("obj: {kube}::api::DynamicObject")],
            &Tree::generic(&result, vec![atom("Self")]),
        )?;
        self.flat(
            c,
            &format!("let gvk = {rt}::scheme::gvk_of_dynamic(&obj)?;"),
        )?;
        self.pad(c);
        self.out.push_str("let kind = ");
        let kind_in = Tree::call(
            &format!("{rt}::scheme::kind_in"),
            vec![atom("&gvk"), atom(group.as_str()), atom(version.as_str())],
        );
        self.ty(&kind_in, c, c + "let kind = ".len(), limit(c), 1);
        self.out.push_str(";\n");
        self.line(c, "match kind {");
        let decode = format!("{rt}::scheme::decode_boxed");
        for (variant, kind) in &kinds {
            let body = Tree::call(&decode, vec![atom("obj"), atom(format!("Self::{variant}"))]);
            self.arm_expr(a, &lit(kind), &body)?;
        }
        let unknown = Tree::call(&format!("{rt}::scheme::unknown_kind"), vec![atom("gvk")]);
        self.arm_expr(a, "_", &unknown)?;
        self.line(c, "}");
        self.line(b, "}");
        let dynamic = atom(format!("{kube}::api::DynamicObject"));
        self.sig(
            b,
            "fn to_dynamic",
            &self_,
            &Tree::generic(&result, vec![dynamic]),
        )?;
        self.line(c, "match self {");
        let encode = format!("{rt}::scheme::Scheme::encode");
        for (variant, _) in &kinds {
            let body = Tree::call(&encode, vec![atom("o.as_ref()")]);
            self.arm_expr(a, &format!("Self::{variant}(o)"), &body)?;
        }
        self.line(c, "}");
        self.line(b, "}");
        let gvk_ty = format!("{kube}::core::GroupVersionKind");
        self.sig(b, "fn gvk", &self_, &atom(gvk_ty.as_str()))?;
        self.line(c, "match self {");
        let gvk_fn = format!("{gvk_ty}::gvk");
        for (variant, kind) in &kinds {
            let body = Tree::call(
                &gvk_fn,
                vec![
                    atom(group.as_str()),
                    atom(version.as_str()),
                    atom(lit(kind)),
                ],
            );
            self.arm_expr(a, &format!("Self::{variant}(_)"), &body)?;
        }
        self.line(c, "}");
        self.line(b, "}");
        self.line(i, "}");

        // `add_to_scheme`.
        self.docs(
            i,
            &[format!(
                " Register the kinds of `{gv}` (every version generated, served or not) in a scheme."
            )],
        );
        self.sig(
            i,
            "pub fn add_to_scheme",
            &[format!("scheme: &mut {rt}::scheme::Scheme")],
            &Tree::generic(&result, vec![atom("()")]),
        )?;
        for (variant, _) in &kinds {
            self.flat(b, &format!("scheme.add::<{variant}>()?;"))?;
        }
        self.line(b, "::std::result::Result::Ok(())");
        self.line(i, "}");

        // The informers.
        let factory = format!("{rt}::informer::SharedInformerFactory");
        self.docs(i, &[format!(" Shared informers for the kinds of `{gv}`.")]);
        self.attr(i, "derive", &["::std::clone::Clone", "::std::marker::Copy"]);
        self.flat(i, &format!("pub struct {informers_ty}<'a> {{"))?;
        self.flat(b, &format!("factory: &'a {factory},"))?;
        self.line(i, "}");
        self.flat(i, &format!("impl<'a> {informers_ty}<'a> {{"))?;
        self.line(b, "/// Informers from `factory`.");
        self.sig(
            b,
            "pub fn new",
            &[format!("factory: &'a {factory}")],
            &atom("Self"),
        )?;
        self.line(c, "Self { factory }");
        self.line(b, "}");
        let informer = format!("{rt}::informer::SharedIndexInformer");
        for acc in &accessors {
            let kind = &acc.res.kind;
            self.docs(
                b,
                &[format!(
                    " The shared informer of `{kind}` (one watch however many callers)."
                )],
            );
            self.line(b, "#[inline]");
            let ret = Tree::generic(&informer, vec![atom(acc.kind.name.0.as_str())]);
            self.sig(b, &format!("pub fn {}", acc.method), &self_, &ret)?;
            self.line(c, "self.factory.informer_for()");
            self.line(b, "}");
        }
        self.line(i, "}");
        Some(())
    }

    fn root_clients(&mut self, model: &Model, spaces: &[TypeSpace]) -> Option<()> {
        let (i, b, c) = (0, INDENT, 2 * INDENT);
        let rt = self.runtime.clone();
        let kube = format!("{rt}::kube");
        let client = format!("{kube}::Client");
        let factory = format!("{rt}::informer::SharedInformerFactory");
        let entries = root_entries(model, spaces);
        let self_ = ["&self".to_owned()];

        // The clientset.
        for l in [
            "/// Typed clients for every group/version generated here.",
            "///",
            "/// ```ignore",
            "/// let clientset = Clientset::new(kube::Client::try_default().await?);",
            "/// let widget = clientset.example_com_v1().widgets(\"default\").get(\"my-widget\").await?;",
            "/// ```",
            "#[allow(dead_code)]",
            "#[derive(::std::clone::Clone)]",
            "pub struct Clientset {",
        ] {
            self.line(i, l);
        }
        self.flat(b, &format!("client: {client},"))?;
        self.line(i, "}");
        self.line(i, "#[allow(dead_code)]");
        self.line(i, "impl Clientset {");
        self.line(b, "/// A clientset that talks through `client`.");
        self.sig(
            b,
            "pub fn new",
            &[format!("client: {client}")],
            &atom("Self"),
        )?;
        self.line(c, "Self { client }");
        self.line(b, "}");
        self.line(b, "/// The underlying client.");
        self.sig(b, "pub fn client", &self_, &atom(format!("&{client}")))?;
        self.line(c, "&self.client");
        self.line(b, "}");
        for e in &entries {
            let Some(method) = &e.method else { continue };
            let ty = format!("{}::{}", e.module, e.space.items.client.0);
            self.docs(b, &[format!(" Clients for `{}`.", group_version(e.space))]);
            self.sig(b, &format!("pub fn {method}"), &self_, &atom(ty.as_str()))?;
            let call = Tree::call(&format!("{ty}::new"), vec![atom("self.client.clone()")]);
            self.tail_expr(c, &call);
            self.line(b, "}");
        }
        self.line(i, "}");

        // The informer factory.
        for l in [
            "/// A shared informer factory with typed accessors for every group/version",
            "/// generated here. Dereferences to the runtime's `SharedInformerFactory`",
            "/// (`start`, `wait_for_cache_sync`, `shutdown`, …).",
            "#[allow(dead_code)]",
            "pub struct InformerFactory {",
        ] {
            self.line(i, l);
        }
        self.flat(b, &format!("factory: {factory},"))?;
        self.line(i, "}");
        self.line(i, "#[allow(dead_code)]");
        self.line(i, "impl InformerFactory {");
        self.line(
            b,
            "/// A factory over `client`, resyncing every `default_resync` (`None`: never).",
        );
        let params = [
            format!("client: {client}"),
            "default_resync: ::std::option::Option<::std::time::Duration>".to_owned(),
        ];
        self.sig(b, "pub fn new", &params, &atom("Self"))?;
        let inner = Tree::call(
            &format!("{factory}::new"),
            vec![atom("client"), atom("default_resync")],
        );
        self.tail_expr(c, &Tree::call("Self::from_factory", vec![inner]));
        self.line(b, "}");
        self.line(
            b,
            "/// Wrap a configured runtime factory (namespace, list-option tweaks).",
        );
        self.sig(
            b,
            "pub fn from_factory",
            &[format!("factory: {factory}")],
            &atom("Self"),
        )?;
        self.line(c, "Self { factory }");
        self.line(b, "}");
        for e in &entries {
            let Some(method) = &e.method else { continue };
            let ty = format!("{}::{}", e.module, e.space.items.informers.0);
            self.docs(
                b,
                &[format!(" Informers for `{}`.", group_version(e.space))],
            );
            let ret = Tree::generic(&ty, vec![atom("'_")]);
            self.sig(b, &format!("pub fn {method}"), &self_, &ret)?;
            let call = Tree::call(&format!("{ty}::new"), vec![atom("&self.factory")]);
            self.tail_expr(c, &call);
            self.line(b, "}");
        }
        self.line(i, "}");
        self.line(i, "impl ::std::ops::Deref for InformerFactory {");
        self.flat(b, &format!("type Target = {factory};"))?;
        self.line(b, "fn deref(&self) -> &Self::Target {");
        self.line(c, "&self.factory");
        self.line(b, "}");
        self.line(i, "}");

        // `add_to_scheme`.
        self.line(i, "/// Register every kind generated here in a scheme.");
        self.line(i, "#[allow(dead_code)]");
        self.sig(
            i,
            "pub fn add_to_scheme",
            &[format!("scheme: &mut {rt}::scheme::Scheme")],
            &Tree::generic(&format!("{rt}::error::Result"), vec![atom("()")]),
        )?;
        for e in &entries {
            self.flat(b, &format!("{}::add_to_scheme(scheme)?;", e.module))?;
        }
        self.line(b, "::std::result::Result::Ok(())");
        self.line(i, "}");
        Some(())
    }
}
