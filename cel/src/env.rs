//! The CEL environment of CRD validation rules: cel's standard library with optional
//! types, its strings and lists extensions, and Kubernetes' libraries (lists, regex,
//! url, ip, cidr, quantity, semver, format), as kube-apiserver's base environment.

use std::sync::{Arc, OnceLock};

use cel::common::types::Type;
use cel::common::value::{CowVal, Val};
use cel::{DeclarationError, Env, ExecutionError, Value as Cel};

/// A native overload.
pub(crate) type Native =
    for<'b, 'v> fn(Vec<CowVal<'b, 'v>>) -> Result<CowVal<'b, 'v>, ExecutionError>;

/// The environment every rule is compiled and evaluated in.
pub(crate) struct Envs {
    env: Arc<Env>,
}

impl Envs {
    /// The environment, built once per process and shared.
    pub(crate) fn new() -> Result<Envs, DeclarationError> {
        static ENV: OnceLock<Result<Arc<Env>, DeclarationError>> = OnceLock::new();
        let env = ENV.get_or_init(|| {
            let mut env = Env::stdlib();
            env.add_extension(cel::extensions::strings)?;
            env.add_extension(cel::extensions::lists)?;
            crate::libs::register(&mut env)?;
            Ok(Arc::new(env))
        });
        env.clone().map(|env| Envs { env })
    }

    /// The environment for a node (the same everywhere: `self`/`oldSelf` are bound at
    /// evaluation).
    pub(crate) fn for_node(&self, _root: bool) -> &Arc<Env> {
        &self.env
    }
}

/// The arguments as values.
pub(crate) fn args(a: &[CowVal<'_, '_>]) -> Result<Vec<Cel>, ExecutionError> {
    a.iter().map(|v| Cel::try_from(v.as_ref())).collect()
}

/// A value as an overload's result.
pub(crate) fn ret<'b, 'v>(v: Cel) -> Result<CowVal<'b, 'v>, ExecutionError> {
    let b: Box<dyn Val> = v.try_into()?;
    Ok(CowVal::Owned(b))
}

/// An error with cel-go's text.
pub(crate) fn fail(function: &str, message: impl Into<String>) -> ExecutionError {
    ExecutionError::FunctionError {
        function: function.to_owned(),
        message: message.into(),
    }
}

/// Register a member overload `target.name(args)`.
pub(crate) fn member(
    env: &mut Env,
    name: &str,
    target: Type,
    params: Vec<Type>,
    f: Native,
) -> Result<(), DeclarationError> {
    let id = overload_id(name, Some(&target), &params);
    env.add_member_overload(name, &id, target, params, f)
}

/// Register a global overload `name(args)`.
pub(crate) fn global(
    env: &mut Env,
    name: &str,
    params: Vec<Type>,
    f: Native,
) -> Result<(), DeclarationError> {
    let id = overload_id(name, None, &params);
    env.add_overload(name, &id, params, f)
}

fn overload_id(name: &str, target: Option<&Type>, params: &[Type]) -> String {
    let p: Vec<&str> = params.iter().map(|t| t.name()).collect();
    match target {
        Some(t) => format!("{}.{name}({})", t.name(), p.join(",")),
        None => format!("{name}({})", p.join(",")),
    }
}

/// Define a native overload from a body over the arguments as values.
macro_rules! native {
    ($name:ident, |$a:ident| $body:expr) => {
        fn $name<'b, 'v>(
            raw: Vec<cel::common::value::CowVal<'b, 'v>>,
        ) -> Result<cel::common::value::CowVal<'b, 'v>, cel::ExecutionError> {
            let $a = crate::env::args(&raw)?;
            let out: Result<cel::Value, cel::ExecutionError> = $body;
            crate::env::ret(out?)
        }
    };
}
pub(crate) use native;
