#!/usr/bin/env bash
# Copy CI's subset of the corpus (ci-subset.txt) into tests/corpus/data, so a fresh clone
# (without ../shared) generates, compiles and round-trips it: the CRD files, the example
# objects that use them, their OBJECTS.tsv / SOURCES.tsv rows and what the real API
# server answered for them (truth/). Projects whose licence is not a permissive open
# source licence are left out (NOT_VENDORED below; see data/README.md); data/ci-subset.txt
# is the list the build uses when it reads the vendored copy.
#
#   tests/corpus/vendor.sh [CORPUS_DIR]
#
# The licence texts in data/LICENSES/ are not written by this script (see
# data/LICENSES/README.md for where each comes from).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
src="$(cd "${1:-$here/../../../shared/corpus}" && pwd)"
dst="$here/data"
# Elastic License 2.0 (eck), AGPL-3.0 (kubeblocks), BUSL-1.1 (vault-secrets-operator).
NOT_VENDORED="eck kubeblocks vault-secrets-operator"

rm -rf "$dst/crds" "$dst/objects" "$dst/truth" "$dst/OBJECTS.tsv" "$dst/SOURCES.tsv" "$dst/ci-subset.txt"
mkdir -p "$dst/truth/stored" "$dst/truth/stored-lenient"

{
  echo "# CI's subset (../ci-subset.txt) as vendored here: without $NOT_VENDORED (licences)."
  grep -v -e '^#' -e '^$' "$here/ci-subset.txt" |
    awk -v skip="$NOT_VENDORED" 'BEGIN { n = split(skip, s, " "); for (i = 1; i <= n; i++) out[s[i]] = 1 }
      { split($0, p, "/"); if (!(p[2] in out)) print }'
} > "$dst/ci-subset.txt"
grep -v '^#' "$dst/ci-subset.txt" > "$dst/.crds.tmp"

while read -r crd; do
  mkdir -p "$dst/$(dirname "$crd")"
  cp "$src/$crd" "$dst/$crd"
done < "$dst/.crds.tmp"

# Rows whose column `col` is one of the vendored CRD files (header kept).
rows() { awk -F'\t' -v col="$1" 'NR == FNR { keep[$0] = 1; next } FNR == 1 || keep[$col]' "$dst/.crds.tmp" "$2"; }
rows 3 "$src/SOURCES.tsv" > "$dst/SOURCES.tsv"
rows 6 "$src/OBJECTS.tsv" > "$dst/OBJECTS.tsv"
rows 1 "$src/truth/crds.tsv" > "$dst/truth/crds.tsv"
cut -f1 "$dst/OBJECTS.tsv" | tail -n +2 > "$dst/.objects.tmp"
for t in objects.tsv objects-lenient.tsv; do
  awk -F'\t' 'NR == FNR { keep[$0] = 1; next } FNR == 1 || keep[$1]' "$dst/.objects.tmp" "$src/truth/$t" > "$dst/truth/$t"
done
while read -r obj; do
  mkdir -p "$dst/$(dirname "$obj")"
  cp "$src/$obj" "$dst/$obj"
  rest="${obj#objects/}"
  for kind in stored stored-lenient; do
    if [[ -f "$src/truth/$kind/$rest.json" ]]; then
      mkdir -p "$dst/truth/$kind/$(dirname "$rest")"
      cp "$src/truth/$kind/$rest.json" "$dst/truth/$kind/$rest.json"
    fi
  done
done < "$dst/.objects.tmp"
rm -f "$dst/.crds.tmp" "$dst/.objects.tmp"

echo "vendored $(grep -vc '^#' "$dst/ci-subset.txt") CRDs ($(du -sh "$dst/crds" | cut -f1)), $(( $(wc -l < "$dst/OBJECTS.tsv") - 1 )) objects, $(find "$dst/truth" -name '*.json' | wc -l) stored forms into $dst"
