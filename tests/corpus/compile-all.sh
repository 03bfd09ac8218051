#!/usr/bin/env bash
# Generate every corpus CRD (types and clients) and type-check the result: one crate
# per project in a scratch workspace, so memory stays bounded. Prints per-project
# results and a total; exits non-zero if any project fails to generate or compile.
#
#   tests/corpus/compile-all.sh [CORPUS_DIR] [WORK_DIR]
#
# The crdgen CLI is (re)built in release mode first, in CARGO_TARGET_DIR (default: the
# workspace's target/); WORK_DIR defaults to <target>/corpus-compile.
# CRDGEN_FLAGS: extra `crdgen generate` flags (e.g. --apply-configurations);
# CARGO_CHECK=clippy runs clippy instead of cargo check.
set -uo pipefail
here="$(cd "$(dirname "$0")/../.." && pwd)"
default="$here/../shared/corpus"
[[ -d "$default/crds" ]] || default="$here/tests/corpus/data"
corpus="${1:-$default}"
[[ -d "$corpus/crds" ]] || { echo "compile-all: no crds/ in $corpus" >&2; exit 2; }
target="${CARGO_TARGET_DIR:-$here/target}"
work="${2:-$target/corpus-compile}"
if ! cargo build -q --release -p crdgen --features cli --manifest-path "$here/Cargo.toml"; then
  echo "compile-all: building the crdgen CLI failed" >&2
  exit 2
fi
crdgen="$target/release/crdgen"
rm -rf "$work/crates" "$work/generate-logs"; mkdir -p "$work/crates" "$work/generate-logs"
members=()
generate_failed=()
for dir in "$corpus"/crds/*/; do
  project="$(basename "$dir")"
  name="p_$(printf '%s' "$project" | tr -c 'a-zA-Z0-9' '_')"
  log="$work/generate-logs/$project.log"
  mkdir -p "$work/crates/$name/src"
  "$crdgen" generate ${CRDGEN_FLAGS:-} "$dir" -o "$work/crates/$name/src/generated.rs" 2> "$log"
  gen_status=$?
  if (( gen_status != 0 )); then
    generate_failed+=("$project")
    echo "  $project: crdgen generate failed (exit $gen_status; $log):"
    sed -n '1,20p' "$log" | sed 's/^/    /'
    rm -rf "$work/crates/$name"
    continue
  fi
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
  members+=("\"crates/$name\"")
done
projects=$(find "$corpus/crds" -mindepth 1 -maxdepth 1 -type d | wc -l)
lines=$(find "$work/crates" -name generated.rs -exec cat {} + | wc -l)
echo "generated ${#members[@]} of $projects projects, $lines lines"
if (( ${#members[@]} == 0 )); then
  echo "compile-all: nothing generated" >&2
  exit 1
fi
(IFS=,; printf '[workspace]\nresolver = "3"\nmembers = [%s]\n' "${members[*]}") > "$work/Cargo.toml"
cp "$here/Cargo.lock" "$work/Cargo.lock" 2>/dev/null || true
start=$(date +%s)
# --keep-going: one project that does not compile must not hide the others.
(cd "$work" && CARGO_TARGET_DIR="$target" cargo "${CARGO_CHECK:-check}" --workspace --keep-going --message-format short) > "$work/check.log" 2>&1
status=$?
problems=$(grep -cE '^(error|warning)' "$work/check.log")
grep -E '^(error|warning)' "$work/check.log" | awk 'NR <= 40'
(( problems > 40 )) && echo "... $((problems - 40)) more in $work/check.log"
mapfile -t check_failed < <(grep -oE 'could not compile `p_[A-Za-z0-9_]+`' "$work/check.log" | grep -oE 'p_[A-Za-z0-9_]+' | sort -u)
echo "cargo check of ${#members[@]} projects: exit $status in $(( $(date +%s) - start )) s, $problems errors and warnings (full log: $work/check.log)"
(( ${#generate_failed[@]} > 0 )) && echo "failed to generate: ${generate_failed[*]}"
(( ${#check_failed[@]} > 0 )) && echo "failed to compile: ${check_failed[*]}"
(( status == 0 && ${#generate_failed[@]} == 0 ))
