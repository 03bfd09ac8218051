//! `x-kubernetes-list-type: set` and `map` lists as the apiserver shows them to CEL
//! (`unstructuredSetList` / `unstructuredMapList`): a list in every respect but
//! equality, which is unordered for a set (same size, every element in the other) and
//! by key for a map (same size, each element of the other equal to this list's element
//! with the same key values), and `+`, which for a set appends the elements not yet in
//! it and for a map replaces the element with the same key in place, appending the
//! others.

use cel::ExecutionError;
use cel::common::traits::{Adder, Container, Indexer, Iterable, Sizer, Zeroer};
use cel::common::types::{CelList, CelMap, CelMapKey, LIST_TYPE, Type};
use cel::common::value::{Builtin, BuiltinRef, CowVal, Val};

use crate::value::escape;

/// A set or map list.
#[derive(Debug, Clone)]
pub(crate) struct KeyedList<'v> {
    inner: CelList<'v>,
    /// The map keys as CEL field names; `None` for a set.
    keys: Option<Vec<String>>,
}

impl<'v> KeyedList<'v> {
    pub(crate) fn set(inner: CelList<'v>) -> Self {
        KeyedList { inner, keys: None }
    }

    pub(crate) fn map(inner: CelList<'v>, keys: &[String]) -> Self {
        let keys = keys
            .iter()
            .map(|k| escape(k).unwrap_or_else(|| k.clone()))
            .collect();
        KeyedList {
            inner,
            keys: Some(keys),
        }
    }

    /// The key values of a map-list element (absent keys as `None`).
    fn key_of<'b>(
        &self,
        keys: &'b [String],
        item: &'b (dyn Val + 'v),
    ) -> Vec<Option<&'b (dyn Val + 'v)>> {
        let map = item.downcast_ref::<CelMap>();
        keys.iter()
            .map(|k| {
                map.and_then(|m| m.inner().get(&CelMapKey::from(k.as_str())))
                    .map(|v| v.as_ref())
            })
            .collect()
    }
}

fn same_key(a: &[Option<&dyn Val>], b: &[Option<&dyn Val>]) -> bool {
    a.iter().zip(b).all(|(x, y)| match (x, y) {
        (Some(x), Some(y)) => x.equals(*y),
        (None, None) => true,
        _ => false,
    })
}

impl<'v> Adder for KeyedList<'v> {
    fn add<'b, 'w>(&'b self, rhs: &(dyn Val + 'w)) -> Result<CowVal<'b, 'w>, ExecutionError>
    where
        Self: 'w,
    {
        let Some(other) = rhs.downcast_ref::<CelList>() else {
            return self.inner.add(rhs);
        };
        let mut items: Vec<Box<dyn Val + 'w>> = self
            .inner
            .inner()
            .iter()
            .map(|i| i.clone_as_boxed())
            .collect();
        match &self.keys {
            None => {
                for o in other.inner() {
                    if !self.inner.inner().iter().any(|i| i.equals(o.as_ref())) {
                        items.push(o.clone_as_boxed());
                    }
                }
            }
            Some(keys) => {
                for o in other.inner() {
                    let ko = self.key_of(keys, o.as_ref());
                    let at = self
                        .inner
                        .inner()
                        .iter()
                        .position(|i| same_key(&self.key_of(keys, i.as_ref()), &ko));
                    match at {
                        Some(i) => items[i] = o.clone_as_boxed(),
                        None => items.push(o.clone_as_boxed()),
                    }
                }
            }
        }
        Ok(CowVal::owned(KeyedList {
            inner: CelList::from(items),
            keys: self.keys.clone(),
        }))
    }
}

impl<'v> Val for KeyedList<'v> {
    fn get_type(&self) -> &Type {
        &LIST_TYPE
    }

    fn cel_type() -> &'static Type {
        &LIST_TYPE
    }

    fn as_adder<'b, 'w>(&'b self) -> Option<&'b (dyn Adder + 'w)>
    where
        Self: 'w,
    {
        Some(self)
    }

    fn as_container(&self) -> Option<&dyn Container> {
        self.inner.as_container()
    }

    fn as_indexer<'b, 'w>(&'b self) -> Option<&'b (dyn Indexer + 'w)>
    where
        Self: 'w,
    {
        self.inner.as_indexer()
    }

    fn into_indexer<'w>(self: Box<Self>) -> Option<Box<dyn Indexer + 'w>>
    where
        Self: 'w,
    {
        Box::new(self.inner).into_indexer()
    }

    fn as_iterable<'b, 'w>(&'b self) -> Option<&'b (dyn Iterable + 'w)>
    where
        Self: 'w,
    {
        self.inner.as_iterable()
    }

    fn as_sizer(&self) -> Option<&dyn Sizer> {
        self.inner.as_sizer()
    }

    fn as_zeroer(&self) -> Option<&dyn Zeroer> {
        self.inner.as_zeroer()
    }

    fn equals(&self, other: &dyn Val) -> bool {
        // A set or map list downcasts to its plain list (see `as_builtin`).
        let Some(other) = other.downcast_ref::<CelList>() else {
            return false;
        };
        let (mine, theirs) = (self.inner.inner(), other.inner());
        if mine.len() != theirs.len() {
            return false;
        }
        match &self.keys {
            None => mine
                .iter()
                .all(|a| theirs.iter().any(|b| a.equals(b.as_ref()))),
            Some(keys) => theirs.iter().all(|b| {
                let kb = self.key_of(keys, b.as_ref());
                mine.iter()
                    .find(|a| same_key(&self.key_of(keys, a.as_ref()), &kb))
                    .is_some_and(|a| a.equals(b.as_ref()))
            }),
        }
    }

    fn clone_as_boxed<'w>(&self) -> Box<dyn Val + 'w>
    where
        Self: 'w,
    {
        Box::new(self.clone())
    }

    // The list functions (`size`, `all`, `isSorted`, ...) downcast their receiver to
    // cel's list: this one is that list, but for its equality.
    fn as_builtin<'b, 'w>(&'b self) -> BuiltinRef<'b, 'w>
    where
        Self: 'w,
    {
        BuiltinRef::List(&self.inner)
    }

    fn into_builtin<'w>(self: Box<Self>) -> Option<Builtin<'w>>
    where
        Self: 'w,
    {
        Some(Builtin::List(self.inner))
    }
}
