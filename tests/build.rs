//! Whether rustfmt is installed: the tests that hold generated code to rustfmt's
//! layout are ignored (with that reason) without it.

fn main() {
    println!("cargo::rustc-check-cfg=cfg(rustfmt_available)");
    println!("cargo::rerun-if-env-changed=PATH");
    let available = std::process::Command::new("rustfmt")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if available {
        println!("cargo::rustc-cfg=rustfmt_available");
    }
}
