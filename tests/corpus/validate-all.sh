#!/usr/bin/env bash
# The in-memory server's verdict on every example object of a corpus folder, held to a
# real kube-apiserver's (truth/objects.tsv, and truth/objects-lenient.tsv for
# `kubectl create --validate=false`): the verdicts test of crdgen-corpus-tests
# (tests/corpus/tests/verdicts.rs) over DIR.
#
#   tests/corpus/validate-all.sh [DIR]
#
# DIR (default ../shared/corpus beside the repository, else the vendored
# tests/corpus/data) has the corpus layout: crds/, objects/, OBJECTS.tsv and
# truth/{objects,objects-lenient,crds}.tsv.
#
# Prints `verdicts: N of M equal to the server` and each differing verdict; exits
# non-zero on a difference that is not allowed in the test (with its reason).
# The corpus' generated types are not needed: the build generates none
# (CRDGEN_CORPUS=none). Environment: CARGO_TARGET_DIR (default: the workspace's target/).
set -uo pipefail
here="$(cd "$(dirname "$0")/../.." && pwd)"
default="$here/../shared/corpus"
[[ -f "$default/truth/objects.tsv" ]] || default="$here/tests/corpus/data"
corpus="$(cd "${1:-$default}" && pwd)" || { echo "validate-all: no folder ${1:-$default}" >&2; exit 2; }
for need in crds objects OBJECTS.tsv truth/objects.tsv truth/objects-lenient.tsv; do
  [[ -e "$corpus/$need" ]] || { echo "validate-all: $corpus has no $need (see the layout above)" >&2; exit 2; }
done
CRDGEN_CORPUS=none CRDGEN_CORPUS_DIR="$corpus" \
  cargo test -q -p crdgen-corpus-tests --manifest-path "$here/Cargo.toml" --test verdicts -- --nocapture |
  grep -vE '^(running [0-9]+ tests?|test result:|\.+|\s*)$'
exit "${PIPESTATUS[0]}"
