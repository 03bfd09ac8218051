#!/usr/bin/env bash
# Generate every corpus CRD (types and clients) and type-check the result: one crate
# per project in a scratch workspace, so memory stays bounded. Prints per-project
# results and a total; exits non-zero if any project fails to generate or compile.
#
#   tests/corpus/compile-all.sh [CORPUS_DIR] [WORK_DIR]
set -euo pipefail
here="$(cd "$(dirname "$0")/../.." && pwd)"
corpus="${1:-$here/../shared/corpus}"
work="${2:-$here/target/corpus-compile}"
cargo build -q --release -p crdgen --features cli --manifest-path "$here/Cargo.toml"
crdgen="$here/target/release/crdgen"
rm -rf "$work/crates"; mkdir -p "$work/crates"
members=()
for dir in "$corpus"/crds/*/; do
  project="$(basename "$dir")"
  name="p_$(echo "$project" | tr -c 'a-zA-Z0-9\n' '_')"
  mkdir -p "$work/crates/$name/src"
  cat > "$work/crates/$name/Cargo.toml" <<TOML
[package]
name = "$name"
version = "0.0.0"
edition = "2024"
publish = false
[dependencies]
crdgen-runtime = { path = "$here/runtime" }
k8s-openapi = { version = "0.29", features = ["v1_36"] }
TOML
  printf '#![deny(warnings)]\n#![allow(missing_docs)]\ninclude!("generated.rs");\n' > "$work/crates/$name/src/lib.rs"
  "$crdgen" generate "$dir" -o "$work/crates/$name/src/generated.rs" 2>/dev/null
  members+=("\"crates/$name\"")
done
(IFS=,; printf '[workspace]\nresolver = "3"\nmembers = [%s]\n' "${members[*]}") > "$work/Cargo.toml"
cp "$here/Cargo.lock" "$work/Cargo.lock" 2>/dev/null || true
echo "generated $(ls "$work/crates" | wc -l) projects, $(cat "$work"/crates/*/src/generated.rs | wc -l) lines"
start=$(date +%s)
cd "$work"
if cargo check --workspace --message-format short 2>&1 | tee "$work/check.log" | grep -E '^(error|warning)' | head -20; then :; fi
status=${PIPESTATUS[0]}
echo "cargo check of all projects: exit $status in $(( $(date +%s) - start )) s"
exit "$status"
