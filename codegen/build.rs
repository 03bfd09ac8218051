//! Links the `crdgen` command without PIE on Linux (glibc), where the C compiler
//! driver that rustc links through accepts `-no-pie`.
//!
//! Why: a position-independent executable is relocated by the dynamic loader at every
//! start. The CLI's binary carries about 52,000 `R_X86_64_RELATIVE` relocations (the
//! vtables, string tables and `static`s of clap, kube, serde and the generator), and
//! applying them touches most of its data pages: `crdgen --version` took 2.6 ms and
//! 561 page faults as a PIE, 1.9 ms and 276 faults without (`perf stat -r 50`). Code
//! generation for one small CRD is mostly process start-up, so this is most of the
//! time kopium takes for the same CRD. Without PIE the loader has nothing to relocate
//! (`readelf -r target/release/crdgen | grep -c RELATIVE` gives 0); the binary loses
//! address-space randomisation of its own code, which a code generator run on trusted
//! input at build time does not need.
//!
//! Where: only when the `cli` feature builds the binary (library users of crdgen in
//! their build.rs pay nothing), only on `linux`/`gnu` targets, and only when the
//! linker is a C compiler driver that accepts `-no-pie` (checked by linking an empty
//! program with it, so a linker that does not know the flag keeps the default). musl
//! targets are left alone: rustc links them as static PIE (`-static-pie`), which
//! `-no-pie` would contradict. A build script (not `.cargo/config.toml`) so that it
//! also holds for `cargo install crdgen --features cli`.

use std::path::PathBuf;
use std::process::{Command, Stdio};

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=RUSTC_LINKER");
    println!("cargo:rerun-if-env-changed=CRDGEN_PIE");
    let var = |name: &str| std::env::var(name).unwrap_or_default();
    if std::env::var_os("CARGO_FEATURE_CLI").is_none()
        || var("CARGO_CFG_TARGET_OS") != "linux"
        || var("CARGO_CFG_TARGET_ENV") != "gnu"
        // `CRDGEN_PIE=1` keeps the default (to compare, or for a hardened distribution).
        || var("CRDGEN_PIE") == "1"
    {
        return;
    }
    // rustc links through `cc` unless a linker is configured (cargo passes it here).
    let linker = std::env::var("RUSTC_LINKER").unwrap_or_else(|_| "cc".to_owned());
    if accepts_no_pie(&linker) {
        println!("cargo:rustc-link-arg-bin=crdgen=-no-pie");
    } else {
        println!(
            "cargo:warning=crdgen: `{linker}` does not link with -no-pie; the binary stays a \
             PIE (about 0.7 ms slower to start)"
        );
    }
}

/// Whether `linker` links an empty C program with `-no-pie`. A linker that is not a C
/// compiler driver (rust-lld called directly, …) fails here and is left alone.
fn accepts_no_pie(linker: &str) -> bool {
    let Some(out) = std::env::var_os("OUT_DIR").map(PathBuf::from) else {
        return false;
    };
    let source = out.join("no_pie_probe.c");
    let binary = out.join("no_pie_probe");
    if std::fs::write(&source, "int main(void) { return 0; }\n").is_err() {
        return false;
    }
    let linked = Command::new(linker)
        .arg("-no-pie")
        .arg(&source)
        .arg("-o")
        .arg(&binary)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    let _ = std::fs::remove_file(&source);
    let _ = std::fs::remove_file(&binary);
    linked
}
