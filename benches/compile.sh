#!/usr/bin/env bash
# Compile time and size of crdgen's generated code vs kopium's, for the same CRDs.
#
#   benches/compile.sh [LIST]    LIST: CRD paths relative to the corpus, one a line
#                                (default tests/corpus/ci-subset.txt)
#
# Builds three crates in one scratch workspace ($OUT, default /tmp/crdgen-compile-bench),
# sharing one target dir so dependencies are compiled once:
#   kopium_types    one module per CRD from `kopium -f FILE --docs --derive=Default
#                   --derive=PartialEq --smart-derive-elision` (kube `derive`, schemars,
#                   serde, k8s-openapi v1_36)
#   crdgen_types    `crdgen generate LIST --types-only`  (crdgen-runtime, k8s-openapi v1_36)
#   crdgen_clients  `crdgen generate LIST`               (with the client layer)
# CRDs kopium fails on, or whose kopium module does not compile, are dropped from all
# three so the same CRDs are compared. Then, for each crate: build (warm), touch
# src/lib.rs, time `cargo check` / `cargo build` of that crate alone; min of $REPS.
# Prints line counts (all lines and code lines: no blank, no `//` lines) and ratios.
set -euo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
CORPUS=${CRDGEN_CORPUS_DIR:-$REPO/../shared/corpus}
LIST=${1:-$REPO/tests/corpus/ci-subset.txt}
OUT=${OUT:-/tmp/crdgen-compile-bench}
REPS=${REPS:-3}
KOPIUM=${KOPIUM:-kopium}
KOPIUM_FLAGS=(--docs --derive=Default --derive=PartialEq --smart-derive-elision)
JOBS=${JOBS:-$(nproc)}

command -v "$KOPIUM" >/dev/null || { echo "kopium not found (cargo install kopium)" >&2; exit 3; }
# The crdgen binary: built from this checkout under the caller's target dir (default the
# repo's), and run from where it was built; CRDGEN=path measures a given binary instead.
if [[ -z ${CRDGEN:-} ]]; then
  CRDGEN_TARGET=${CARGO_TARGET_DIR:-$REPO/target}
  (cd "$REPO" && CARGO_TARGET_DIR=$CRDGEN_TARGET cargo build --release -q -p crdgen --features cli)
  CRDGEN=$CRDGEN_TARGET/release/crdgen
fi
echo "crdgen: $CRDGEN ($(date -r "$CRDGEN" '+%F %T'))"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
export CARGO_TARGET_DIR=$OUT/target

mapfile -t RELS < <(grep -v '^\s*#' "$LIST" | grep -v '^\s*$' | sed 's/^\s*//;s/\s*$//')
echo "selection: ${#RELS[@]} CRDs from $LIST"
mkdir -p "$OUT"
cd "$OUT"

cat >Cargo.toml <<TOML
[workspace]
resolver = "3"
members = ["kopium_types", "crdgen_types", "crdgen_clients"]

[profile.dev]
debug = "line-tables-only"

[profile.dev.package."*"]
debug = false
TOML

modname() { echo "m_$1" | sed 's/^m_crds\///; s/\.yaml$//; s/[^A-Za-z0-9]/_/g; s/^/m_/' | tr 'A-Z' 'a-z'; }

# --- kopium crate ----------------------------------------------------------------------
rm -rf kopium_types crdgen_types crdgen_clients
mkdir -p kopium_types/src crdgen_types/src crdgen_clients/src
cat >kopium_types/Cargo.toml <<TOML
[package]
name = "kopium_types"
version = "0.0.0"
edition = "2021"
publish = false
[dependencies]
kube = { version = "5", default-features = false, features = ["derive"] }
schemars = "1"
serde = { version = "1", features = ["derive"] }
serde_json = "1"
k8s-openapi = { version = "0.29", default-features = false, features = ["std", "v1_36"] }
TOML
: >kopium-failures.txt
OK=()
for rel in "${RELS[@]}"; do
  m=$(modname "$rel")
  if "$KOPIUM" -f "$CORPUS/$rel" "${KOPIUM_FLAGS[@]}" >"kopium_types/src/$m.rs" 2>kopium.err; then
    OK+=("$rel")
  else
    echo "$rel: $(grep -v '^\s*$' kopium.err | tail -n1)" >>kopium-failures.txt
    rm -f "kopium_types/src/$m.rs"
  fi
done
echo "kopium failed to generate $(wc -l <kopium-failures.txt) of them"

write_kopium_lib() {
  { echo "#![allow(warnings)]"; for rel in "${OK[@]}"; do echo "pub mod $(modname "$rel");"; done; } >kopium_types/src/lib.rs
}
# --- crdgen crates ---------------------------------------------------------------------
for c in crdgen_types crdgen_clients; do
  cat >$c/Cargo.toml <<TOML
[package]
name = "$c"
version = "0.0.0"
edition = "2021"
publish = false
[dependencies]
crdgen-runtime = { path = "$REPO/runtime" }
k8s-openapi = { version = "0.29", default-features = false, features = ["std", "v1_36"] }
TOML
  echo > $c/src/lib.rs
done
write_kopium_lib
# Drop modules that do not compile (kopium bugs), until the crate checks.
: >kopium-uncompilable.txt
for round in 1 2 3 4 5; do
  if cargo check -p kopium_types -j "$JOBS" 2>check.err; then break; fi
  mapfile -t BAD < <(grep -o 'kopium_types/src/m_[A-Za-z0-9_]*\.rs' check.err | sed 's/.*src\///; s/\.rs$//' | sort -u)
  if [[ ${#BAD[@]} -eq 0 ]]; then echo "kopium crate fails for another reason:"; tail -n30 check.err; exit 1; fi
  NEW=()
  for rel in "${OK[@]}"; do
    m=$(modname "$rel")
    if printf '%s\n' "${BAD[@]}" | grep -qx "$m"; then
      echo "$rel: $(grep -m1 -B2 "src/$m.rs" check.err | grep -m1 '^error' || true)" >>kopium-uncompilable.txt
      rm -f "kopium_types/src/$m.rs"
    else NEW+=("$rel"); fi
  done
  OK=("${NEW[@]}")
  write_kopium_lib
done
echo "kopium output that does not compile: $(wc -l <kopium-uncompilable.txt)"
echo "compared CRDs: ${#OK[@]}"
printf '%s\n' "${OK[@]}" >compared.txt

FILES=(); for rel in "${OK[@]}"; do FILES+=("$CORPUS/$rel"); done
"$CRDGEN" generate "${FILES[@]}" --types-only -o crdgen_types/src/lib.rs
"$CRDGEN" generate "${FILES[@]}" -o crdgen_clients/src/lib.rs

# --- sizes -----------------------------------------------------------------------------
lines() { cat "$@" | wc -l; }
code_lines() { cat "$@" | grep -v '^\s*$' | grep -v '^\s*//' | wc -l; }
KF=(kopium_types/src/m_*.rs)
echo
echo "== size (lines / code lines / bytes) =="
printf '%-16s %8s %8s %10s\n' crate lines code bytes
for c in kopium_types crdgen_types crdgen_clients; do
  if [[ $c == kopium_types ]]; then F=("${KF[@]}"); else F=($c/src/lib.rs); fi
  printf '%-16s %8d %8d %10d\n' $c "$(lines "${F[@]}")" "$(code_lines "${F[@]}")" "$(cat "${F[@]}" | wc -c)"
done

# --- times -----------------------------------------------------------------------------
now() { date +%s%N; }
declare -A T
for c in kopium_types crdgen_types crdgen_clients; do
  for mode in check build; do
    cargo $mode -q -p $c -j "$JOBS" 2>/dev/null  # dependencies (and the crate) up to date
    best=""
    for ((r = 0; r < REPS; r++)); do
      touch $c/src/lib.rs
      t0=$(now); cargo $mode -q -p $c -j "$JOBS"; t1=$(now)
      t=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", (b - a) / 1e9 }')
      if [[ -z $best ]] || awk -v a="$t" -v b="$best" 'BEGIN { exit !(a < b) }'; then best=$t; fi
    done
    T[$c.$mode]=$best
  done
done
echo
echo "== compile time of the generated crate alone (s, min of $REPS, -j $JOBS) =="
printf '%-16s %8s %8s\n' crate check build
for c in kopium_types crdgen_types crdgen_clients; do printf '%-16s %8s %8s\n' $c "${T[$c.check]}" "${T[$c.build]}"; done
r() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
echo
echo "crdgen types   / kopium: check $(r "${T[crdgen_types.check]}" "${T[kopium_types.check]}")x, build $(r "${T[crdgen_types.build]}" "${T[kopium_types.build]}")x   (goal: < 1)"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "crdgen clients / kopium: check $(r "${T[crdgen_clients.check]}" "${T[kopium_types.check]}")x, build $(r "${T[crdgen_clients.build]}" "${T[kopium_types.build]}")x   (goal: <= 1.3)"
