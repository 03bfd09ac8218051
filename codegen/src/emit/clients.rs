//! The typed layer over `crdgen-runtime` (client-gen, register-gen, informer-gen):
//! per group/version a client with one accessor per kind, an enum of the kinds,
//! `add_to_scheme` and informer accessors; at the root a `Clientset`, an
//! `InformerFactory` and an `add_to_scheme` spanning every group/version.
//!
//! Everything generic (verbs, caches, watches) lives in the runtime; what is emitted
//! here is only the typed wiring, so it costs little to compile.

use proc_macro2::TokenStream;
use quote::quote;

use super::{Paths, ident};
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

/// The client, kind enum, scheme registration and informers of one group/version.
pub fn emit_module_clients(paths: &Paths, model: &Model, space: &TypeSpace) -> TokenStream {
    emit_module_clients_with(paths, model, space, true)
}

/// `pub use <path>;` (`as <name>` when the names differ) for kinds whose types live
/// elsewhere ([`crate::Settings::external_types`]): `(name in the module, path)`.
pub fn emit_reexports(kinds: &[(String, String)]) -> TokenStream {
    let uses = kinds.iter().map(|(name, path)| {
        let p: syn::Path = syn::parse_str(path).expect("checked when generation began");
        let last = p.segments.last().map(|s| s.ident.to_string());
        let name = ident(name);
        if last.as_deref() == Some(name.to_string().as_str()) {
            quote!(#[allow(unused_imports)] pub use #p;)
        } else {
            quote!(#[allow(unused_imports)] pub use #p as #name;)
        }
    });
    quote!(#(#uses)*)
}

/// [`emit_module_clients`]; `partial_eq`: the kind enum derives `PartialEq` (its kinds
/// must implement it, as generated types do).
pub fn emit_module_clients_with(
    paths: &Paths,
    model: &Model,
    space: &TypeSpace,
    partial_eq: bool,
) -> TokenStream {
    let runtime = &paths.runtime;
    let kube = paths.kube();
    let client_ty = ident(&space.items.client.0);
    let enum_ty = ident(&space.items.kind_enum.0);
    let informers_ty = ident(&space.items.informers.0);
    let gv = group_version(space);

    let mut client_methods = Vec::new();
    let mut informer_methods = Vec::new();
    for acc in kind_accessors(model, space) {
        let kind_ty = ident(&acc.kind.name.0);
        let method = ident(&acc.method);
        let kind = &acc.res.kind;
        match acc.res.scope {
            Scope::Namespaced => {
                let all = ident(&acc.all_namespaces());
                let doc = format!(" `{kind}` objects in `namespace`.");
                let doc_all = format!(" `{kind}` objects in every namespace (list and watch).");
                client_methods.push(quote! {
                    #[doc = #doc]
                    #[inline]
                    pub fn #method(&self, namespace: &str) -> #runtime::client::ResourceClient<#kind_ty> {
                        #runtime::client::ResourceClient::namespaced(self.client.clone(), namespace)
                    }
                    #[doc = #doc_all]
                    #[inline]
                    pub fn #all(&self) -> #runtime::client::ResourceClient<#kind_ty, #runtime::client::AllNamespaces> {
                        #runtime::client::ResourceClient::all(self.client.clone())
                    }
                });
            }
            Scope::Cluster => {
                let doc = format!(" `{kind}` objects (cluster-scoped).");
                client_methods.push(quote! {
                    #[doc = #doc]
                    #[inline]
                    pub fn #method(&self) -> #runtime::client::ResourceClient<#kind_ty> {
                        #runtime::client::ResourceClient::cluster(self.client.clone())
                    }
                });
            }
        }
        let doc = format!(" The shared informer of `{kind}` (one watch however many callers).");
        informer_methods.push(quote! {
            #[doc = #doc]
            #[inline]
            pub fn #method(&self) -> #runtime::informer::SharedIndexInformer<#kind_ty> {
                self.factory.informer_for()
            }
        });
    }

    let variants: Vec<_> = space.kinds.iter().map(|k| ident(&k.name.0)).collect();
    let kinds: Vec<&str> = space
        .kinds
        .iter()
        .map(|k| model.resources[k.resource].kind.as_str())
        .collect();
    let group = space.group.as_str();
    let version = space.version.as_str();
    let decode_arms = variants.iter().zip(&kinds).map(|(v, kind)| {
        quote! { #kind => #runtime::scheme::decode_boxed(obj, Self::#v), }
    });
    let encode_arms = variants
        .iter()
        .map(|v| quote!(Self::#v(o) => #runtime::scheme::Scheme::encode(o.as_ref()),));
    let gvk_arms = variants.iter().zip(&kinds).map(|(v, kind)| {
        quote!(Self::#v(_) => #kube::core::GroupVersionKind::gvk(#group, #version, #kind),)
    });
    let enum_variants = variants.iter().zip(&kinds).map(|(v, kind)| {
        let doc = format!(" A `{kind}`.");
        quote!(#[doc = #doc] #v(::std::boxed::Box<#v>),)
    });
    let adds = variants.iter().map(|v| quote!(scheme.add::<#v>()?;));

    let client_doc = format!(" Typed clients for the kinds of `{gv}`.");
    let enum_doc = format!(" Any object of a kind of `{gv}`.");
    let scheme_doc = format!(
        " Register the kinds of `{gv}` (every version generated, served or not) in a scheme."
    );
    let informers_doc = format!(" Shared informers for the kinds of `{gv}`.");
    let partial_eq = partial_eq.then(|| quote!(, ::std::cmp::PartialEq));
    quote! {
        #[doc = #client_doc]
        #[derive(::std::clone::Clone)]
        pub struct #client_ty {
            client: #kube::Client,
        }

        impl #client_ty {
            /// Clients that talk through `client`.
            pub fn new(client: #kube::Client) -> Self {
                Self { client }
            }
            #(#client_methods)*
        }

        #[doc = #enum_doc]
        #[derive(::std::clone::Clone, ::std::fmt::Debug #partial_eq)]
        pub enum #enum_ty {
            #(#enum_variants)*
        }

        #[automatically_derived]
        impl #runtime::scheme::KindEnum for #enum_ty {
            fn from_dynamic(obj: #kube::api::DynamicObject) -> #runtime::error::Result<Self> {
                let gvk = #runtime::scheme::gvk_of_dynamic(&obj)?;
                let kind = #runtime::scheme::kind_in(&gvk, #group, #version);
                match kind {
                    #(#decode_arms)*
                    _ => #runtime::scheme::unknown_kind(gvk),
                }
            }
            fn to_dynamic(&self) -> #runtime::error::Result<#kube::api::DynamicObject> {
                match self {
                    #(#encode_arms)*
                }
            }
            fn gvk(&self) -> #kube::core::GroupVersionKind {
                match self {
                    #(#gvk_arms)*
                }
            }
        }

        #[doc = #scheme_doc]
        pub fn add_to_scheme(scheme: &mut #runtime::scheme::Scheme) -> #runtime::error::Result<()> {
            #(#adds)*
            ::std::result::Result::Ok(())
        }

        #[doc = #informers_doc]
        #[derive(::std::clone::Clone, ::std::marker::Copy)]
        pub struct #informers_ty<'a> {
            factory: &'a #runtime::informer::SharedInformerFactory,
        }

        impl<'a> #informers_ty<'a> {
            /// Informers from `factory`.
            pub fn new(factory: &'a #runtime::informer::SharedInformerFactory) -> Self {
                Self { factory }
            }
            #(#informer_methods)*
        }
    }
}

/// `Clientset`, `InformerFactory` and `add_to_scheme` over every group/version. Like
/// the group modules, they allow `dead_code`: a binary that includes the generated
/// code typically uses only part of it.
pub fn emit_root(paths: &Paths, model: &Model, spaces: &[TypeSpace]) -> TokenStream {
    let runtime = &paths.runtime;
    let kube = paths.kube();
    let mut client_methods = Vec::new();
    let mut informer_methods = Vec::new();
    let mut adds = Vec::new();
    for entry in root_entries(model, spaces) {
        let module: syn::Path = syn::parse_str(&entry.module).expect("module names are idents");
        let client_ty = ident(&entry.space.items.client.0);
        let informers_ty = ident(&entry.space.items.informers.0);
        adds.push(quote!(#module::add_to_scheme(scheme)?;));
        let Some(method) = &entry.method else {
            continue;
        };
        let method = ident(method);
        let gv = group_version(entry.space);
        let doc = format!(" Clients for `{gv}`.");
        client_methods.push(quote! {
            #[doc = #doc]
            pub fn #method(&self) -> #module::#client_ty {
                #module::#client_ty::new(self.client.clone())
            }
        });
        let doc = format!(" Informers for `{gv}`.");
        informer_methods.push(quote! {
            #[doc = #doc]
            pub fn #method(&self) -> #module::#informers_ty<'_> {
                #module::#informers_ty::new(&self.factory)
            }
        });
    }
    quote! {
        /// Typed clients for every group/version generated here.
        ///
        /// ```ignore
        /// let clientset = Clientset::new(kube::Client::try_default().await?);
        /// let widget = clientset.example_com_v1().widgets("default").get("my-widget").await?;
        /// ```
        #[allow(dead_code)]
        #[derive(::std::clone::Clone)]
        pub struct Clientset {
            client: #kube::Client,
        }

        #[allow(dead_code)]
        impl Clientset {
            /// A clientset that talks through `client`.
            pub fn new(client: #kube::Client) -> Self {
                Self { client }
            }
            /// The underlying client.
            pub fn client(&self) -> &#kube::Client {
                &self.client
            }
            #(#client_methods)*
        }

        /// A shared informer factory with typed accessors for every group/version
        /// generated here. Dereferences to the runtime's `SharedInformerFactory`
        /// (`start`, `wait_for_cache_sync`, `shutdown`, …).
        #[allow(dead_code)]
        pub struct InformerFactory {
            factory: #runtime::informer::SharedInformerFactory,
        }

        #[allow(dead_code)]
        impl InformerFactory {
            /// A factory over `client`, resyncing every `default_resync` (`None`: never).
            pub fn new(client: #kube::Client, default_resync: ::std::option::Option<::std::time::Duration>) -> Self {
                Self::from_factory(#runtime::informer::SharedInformerFactory::new(client, default_resync))
            }
            /// Wrap a configured runtime factory (namespace, list-option tweaks).
            pub fn from_factory(factory: #runtime::informer::SharedInformerFactory) -> Self {
                Self { factory }
            }
            #(#informer_methods)*
        }

        impl ::std::ops::Deref for InformerFactory {
            type Target = #runtime::informer::SharedInformerFactory;
            fn deref(&self) -> &Self::Target {
                &self.factory
            }
        }

        /// Register every kind generated here in a scheme.
        #[allow(dead_code)]
        pub fn add_to_scheme(scheme: &mut #runtime::scheme::Scheme) -> #runtime::error::Result<()> {
            #(#adds)*
            ::std::result::Result::Ok(())
        }
    }
}
