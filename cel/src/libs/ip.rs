//! Kubernetes' ip and cidr libraries: `ip()`, `isIP()`, `ip.isCanonical()`, `family()`,
//! `isUnspecified()`, `isLoopback()`, `isLinkLocalMulticast()`,
//! `isLinkLocalUnicast()`, `isGlobalUnicast()`, `cidr()`, `isCIDR()`, `containsIP()`,
//! `containsCIDR()`, `ip()`, `prefixLength()`, `masked()`, `string()`.

use std::net::IpAddr;
use std::sync::Arc;

use cel::common::types::{STRING_TYPE, Type};
use cel::objects::Opaque;
use cel::{DeclarationError, Env, ExecutionError, Value as Cel};

use super::{opaque, opaque_arg, str_arg};
use crate::env::{fail, global, member, native};

/// `net.IP`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Ip(IpAddr);

impl Opaque for Ip {
    fn runtime_type_name(&self) -> &str {
        "net.IP"
    }
}

/// `net.CIDR`: the address as written and the prefix length.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Cidr(IpAddr, u8);

impl Opaque for Cidr {
    fn runtime_type_name(&self) -> &str {
        "net.CIDR"
    }
}

fn ip_type() -> Type {
    Type::new_opaque_type("net.IP")
}

fn cidr_type() -> Type {
    Type::new_opaque_type("net.CIDR")
}

pub(crate) fn register(env: &mut Env) -> Result<(), DeclarationError> {
    global(env, "ip", vec![STRING_TYPE], to_ip)?;
    global(env, "isIP", vec![STRING_TYPE], is_ip)?;
    global(env, "ip.isCanonical", vec![STRING_TYPE], is_canonical)?;
    member(env, "family", ip_type(), vec![], family)?;
    member(env, "isUnspecified", ip_type(), vec![], is_unspecified)?;
    member(env, "isLoopback", ip_type(), vec![], is_loopback)?;
    member(
        env,
        "isLinkLocalMulticast",
        ip_type(),
        vec![],
        is_ll_multicast,
    )?;
    member(env, "isLinkLocalUnicast", ip_type(), vec![], is_ll_unicast)?;
    member(env, "isGlobalUnicast", ip_type(), vec![], is_global_unicast)?;
    global(env, "string", vec![ip_type()], ip_string)?;
    global(env, "cidr", vec![STRING_TYPE], to_cidr)?;
    global(env, "isCIDR", vec![STRING_TYPE], is_cidr)?;
    member(
        env,
        "containsIP",
        cidr_type(),
        vec![STRING_TYPE],
        contains_ip_str,
    )?;
    member(env, "containsIP", cidr_type(), vec![ip_type()], contains_ip)?;
    member(
        env,
        "containsCIDR",
        cidr_type(),
        vec![STRING_TYPE],
        contains_cidr_str,
    )?;
    member(
        env,
        "containsCIDR",
        cidr_type(),
        vec![cidr_type()],
        contains_cidr,
    )?;
    member(env, "ip", cidr_type(), vec![], cidr_ip)?;
    member(env, "prefixLength", cidr_type(), vec![], prefix_length)?;
    member(env, "masked", cidr_type(), vec![], masked)?;
    global(env, "string", vec![cidr_type()], cidr_string)?;
    Ok(())
}

/// Parse as `netip.ParseAddr` and the library's checks: no zone, no IPv4-mapped IPv6.
fn parse_ip(s: &str) -> Result<IpAddr, String> {
    if s.contains('%') {
        return Err(format!("IP address with zone value is not allowed: {s}"));
    }
    let ip: IpAddr = s
        .parse()
        .map_err(|_| format!("ParseAddr({s:?}): unable to parse IP"))?;
    if let IpAddr::V6(v6) = ip
        && v6.to_ipv4_mapped().is_some()
    {
        return Err(format!("IPv4-mapped IPv6 address is not allowed: {s}"));
    }
    Ok(ip)
}

fn parse_cidr(s: &str) -> Result<Cidr, String> {
    let (addr, bits) = s
        .split_once('/')
        .ok_or_else(|| format!("netip.ParsePrefix({s:?}): no '/'"))?;
    let ip = parse_ip(addr).map_err(|e| format!("netip.ParsePrefix({s:?}): {e}"))?;
    let max = if ip.is_ipv4() { 32 } else { 128 };
    let bits: u8 = bits
        .parse()
        .ok()
        .filter(|b| *b <= max && !bits.starts_with('+') && (bits == "0" || !bits.starts_with('0')))
        .ok_or_else(|| format!("netip.ParsePrefix({s:?}): bad bits after slash: {bits:?}"))?;
    Ok(Cidr(ip, bits))
}

native!(to_ip, |a| {
    let s = str_arg(&a, 0)?;
    parse_ip(s).map(|ip| opaque(Ip(ip))).map_err(|e| {
        fail(
            "ip",
            format!("IP Address {s:?} parse error during conversion from string: {e}"),
        )
    })
});

native!(is_ip, |a| Ok(Cel::Bool(parse_ip(str_arg(&a, 0)?).is_ok())));

native!(is_canonical, |a| {
    let s = str_arg(&a, 0)?;
    let ip = parse_ip(s).map_err(|e| {
        fail(
            "ip.isCanonical",
            format!("IP Address {s:?} parse error during conversion from string: {e}"),
        )
    })?;
    Ok(Cel::Bool(ip.to_string() == s))
});

fn ip(a: &[Cel]) -> Result<IpAddr, ExecutionError> {
    opaque_arg::<Ip>(a, 0).map(|i| i.0)
}

native!(family, |a| Ok(Cel::Int(if ip(&a)?.is_ipv4() {
    4
} else {
    6
})));
native!(is_unspecified, |a| Ok(Cel::Bool(ip(&a)?.is_unspecified())));
native!(is_loopback, |a| Ok(Cel::Bool(ip(&a)?.is_loopback())));
native!(is_ll_multicast, |a| Ok(Cel::Bool(match ip(&a)? {
    IpAddr::V4(v) => v.octets()[..3] == [224, 0, 0],
    IpAddr::V6(v) => v.segments()[0] & 0xff0f == 0xff02,
})));
native!(is_ll_unicast, |a| Ok(Cel::Bool(match ip(&a)? {
    IpAddr::V4(v) => v.is_link_local(),
    IpAddr::V6(v) => v.segments()[0] & 0xffc0 == 0xfe80,
})));
native!(is_global_unicast, |a| {
    let ip = ip(&a)?;
    let g = match ip {
        IpAddr::V4(v) => {
            !(v.is_broadcast()
                || v.is_unspecified()
                || v.is_loopback()
                || v.is_multicast()
                || v.is_link_local())
        }
        IpAddr::V6(v) => {
            let s0 = v.segments()[0];
            !(v.is_unspecified()
                || v.is_loopback()
                || s0 & 0xff00 == 0xff00
                || s0 & 0xffc0 == 0xfe80)
        }
    };
    Ok(Cel::Bool(g))
});
native!(ip_string, |a| Ok(Cel::String(Arc::new(
    ip(&a)?.to_string()
))));

native!(to_cidr, |a| {
    let s = str_arg(&a, 0)?;
    parse_cidr(s).map(opaque).map_err(|e| {
        fail(
            "cidr",
            format!("network address {s:?} parse error during conversion from string: {e}"),
        )
    })
});

native!(is_cidr, |a| Ok(Cel::Bool(
    parse_cidr(str_arg(&a, 0)?).is_ok()
)));

fn bits(ip: IpAddr) -> (u128, u8) {
    match ip {
        IpAddr::V4(v) => (u32::from(v) as u128, 32),
        IpAddr::V6(v) => (u128::from(v), 128),
    }
}

fn mask(ip: IpAddr, prefix: u8) -> u128 {
    let (v, width) = bits(ip);
    if prefix == 0 {
        0
    } else {
        let shift = width - prefix;
        (v >> shift) << shift
    }
}

fn contains(c: &Cidr, ip: IpAddr) -> bool {
    c.0.is_ipv4() == ip.is_ipv4() && mask(c.0, c.1) == mask(ip, c.1)
}

fn cidr(a: &[Cel]) -> Result<&Cidr, ExecutionError> {
    opaque_arg::<Cidr>(a, 0)
}

native!(contains_ip_str, |a| {
    let s = str_arg(&a, 1)?;
    let ip = parse_ip(s).map_err(|e| {
        fail(
            "containsIP",
            format!("IP Address {s:?} parse error during conversion from string: {e}"),
        )
    })?;
    Ok(Cel::Bool(contains(cidr(&a)?, ip)))
});
native!(contains_ip, |a| Ok(Cel::Bool(contains(
    cidr(&a)?,
    opaque_arg::<Ip>(&a, 1)?.0
))));

fn contains_c(c: &Cidr, other: &Cidr) -> bool {
    other.1 >= c.1 && contains(c, other.0)
}

native!(contains_cidr_str, |a| {
    let s = str_arg(&a, 1)?;
    let o = parse_cidr(s).map_err(|e| {
        fail(
            "containsCIDR",
            format!("network address {s:?} parse error during conversion from string: {e}"),
        )
    })?;
    Ok(Cel::Bool(contains_c(cidr(&a)?, &o)))
});
native!(contains_cidr, |a| Ok(Cel::Bool(contains_c(
    cidr(&a)?,
    opaque_arg::<Cidr>(&a, 1)?
))));
native!(cidr_ip, |a| Ok(opaque(Ip(cidr(&a)?.0))));
native!(prefix_length, |a| Ok(Cel::Int(i64::from(cidr(&a)?.1))));

fn masked_cidr(c: &Cidr) -> Cidr {
    let m = mask(c.0, c.1);
    let ip = if c.0.is_ipv4() {
        IpAddr::V4((m as u32).into())
    } else {
        IpAddr::V6(m.into())
    };
    Cidr(ip, c.1)
}

native!(masked, |a| Ok(opaque(masked_cidr(cidr(&a)?))));
native!(cidr_string, |a| {
    let c = cidr(&a)?;
    Ok(Cel::String(Arc::new(format!("{}/{}", c.0, c.1))))
});
