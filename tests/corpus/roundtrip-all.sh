#!/usr/bin/env bash
# Round-trip every example object of a corpus folder through its generated type and
# compare with what a real API server stored (truth/), a few CRDs at a time so memory
# stays bounded: the CRDs the objects use are packed into chunks of at most CHUNK_KB
# kilobytes of YAML (a larger CRD alone), and each chunk is generated (types only),
# compiled and tested by the round-trip test of crdgen-corpus-tests
# (CRDGEN_CORPUS=list:<chunk>, CRDGEN_CORPUS_DIR=<folder>).
#
#   tests/corpus/roundtrip-all.sh [DIR]
#
# DIR (default ../shared/corpus beside the repository, else the vendored
# tests/corpus/data) has the corpus layout: crds/, objects/, OBJECTS.tsv and truth/
# (objects.tsv, objects-lenient.tsv, crds.tsv, stored/, stored-lenient/).
#
# Prints `roundtrip: N equal to the server's stored form, M differ, K rejected by the
# server` with one line per difference (an object that cannot be read, whose CRD crdgen
# refuses or whose chunk did not build is a difference, and never stops the other
# chunks), then the same for the server model (schema::prune + apply_defaults) and the
# synthesized samples. Exits non-zero on any difference.
#
# Environment: CARGO_TARGET_DIR (default: the workspace's target/), CHUNK_KB (default
# 6000), ONLY=<project>[,<project>…] to run the objects of some projects only.
set -uo pipefail
here="$(cd "$(dirname "$0")/../.." && pwd)"
default="$here/../shared/corpus"
[[ -d "$default/crds" ]] || default="$here/tests/corpus/data"
corpus="$(cd "${1:-$default}" && pwd)" || { echo "roundtrip-all: no folder ${1:-$default}" >&2; exit 2; }
for need in crds objects OBJECTS.tsv truth/objects.tsv; do
  [[ -e "$corpus/$need" ]] || { echo "roundtrip-all: $corpus has no $need (see the layout above)" >&2; exit 2; }
done
target="${CARGO_TARGET_DIR:-$here/target}"
work="$target/roundtrip-all"
chunk_kb="${CHUNK_KB:-6000}"
rm -rf "$work"; mkdir -p "$work/chunks" "$work/reports" "$work/logs"

# The objects to run: OBJECTS.tsv rows (optionally of some projects) as
# file<TAB>crd_file.
awk -F'\t' -v only="${ONLY:-}" 'NR > 1 {
    if (only != "") { n = split(only, p, ","); keep = 0; for (i = 1; i <= n; i++) if ($2 == p[i]) keep = 1; if (!keep) next }
    print $1 "\t" $6
  }' "$corpus/OBJECTS.tsv" > "$work/objects.txt"

# Distinct CRD files of those objects that exist, in corpus order, packed greedily into
# chunks; objects whose CRD file is missing are differences.
: > "$work/missing.txt"
cut -f2 "$work/objects.txt" | awk '!seen[$0]++' |
  while read -r crd; do
    if [[ -f "$corpus/$crd" ]]; then
      printf '%s\t%s\n' "$(stat -c %s "$corpus/$crd")" "$crd"
    else
      echo "$crd" >> "$work/missing.txt"
    fi
  done |
  awk -F'\t' -v limit="$((chunk_kb * 1024))" -v dir="$work/chunks" '{
    if (n == 0 || size + $1 > limit) { n++; size = 0 }
    size += $1; printf "%s\n", $2 > sprintf("%s/%03d.txt", dir, n)
  }'
shopt -s nullglob
chunks=("$work"/chunks/*.txt)
echo "roundtrip-all: $(wc -l < "$work/objects.txt") objects of $corpus; their $(cat "${chunks[@]}" /dev/null | wc -l) CRDs in ${#chunks[@]} chunks of <= ${chunk_kb} KB; target $target"

start=$(date +%s)
peak_kb=0
: > "$work/not-run.tsv"
for chunk in "${chunks[@]}"; do
  name="$(basename "$chunk" .txt)"
  t0=$(date +%s)
  CRDGEN_CORPUS="list:$chunk" CRDGEN_CORPUS_CLIENTS=0 CRDGEN_CORPUS_DIR="$corpus" \
    CRDGEN_CORPUS_REPORT="$work/reports/$name.tsv" CARGO_TARGET_DIR="$target" \
    /usr/bin/time -v -o "$work/logs/$name.time" \
    cargo test -q -p crdgen-corpus-tests --manifest-path "$here/Cargo.toml" --test roundtrip \
    > "$work/logs/$name.log" 2>&1
  status=$?
  kb=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$work/logs/$name.time" 2>/dev/null)
  kb=${kb:-0}
  (( kb > peak_kb )) && peak_kb=$kb
  if [[ -s "$work/reports/$name.tsv" ]]; then
    r="$work/reports/$name.tsv"
    note="$(grep -c -P '^equal\t' "$r") equal, $(grep -c -P '^differ\t' "$r") differ, $(grep -c -P '^rejected\t' "$r") rejected; model $(grep -c -P '^model-differ\t' "$r") differences; samples $(grep -c -P '^sample-pass\t' "$r")/$(grep -c -P '^sample-' "$r")"
  else
    # The chunk did not build or the test crashed before its report: every object of
    # its CRDs is a difference.
    awk -F'\t' -v logf="$work/logs/$name.log" 'NR == FNR { in_chunk[$0] = 1; next }
      in_chunk[$2] { print "differ\t" $1 "\tnot run: its chunk did not build or crashed (" logf ")" }' \
      "$chunk" "$work/objects.txt" >> "$work/not-run.tsv"
    note="DID NOT RUN (see $work/logs/$name.log)"
  fi
  echo "  chunk $name: $(wc -l < "$chunk") CRDs, exit $status, $(( $(date +%s) - t0 )) s, max RSS $((kb / 1024)) MB: $note"
done

# Objects whose CRD file is missing from the folder.
awk -F'\t' 'NR == FNR { missing[$0] = 1; next }
  missing[$2] { print "differ\t" $1 "\tnot run: its CRD file " $2 " is missing" }' \
  "$work/missing.txt" "$work/objects.txt" >> "$work/not-run.tsv"

all="$work/all.tsv"
cat "$work"/reports/*.tsv "$work/not-run.tsv" > "$all"
count() { awk -F'\t' -v o="$1" '$1 == o' "$all" | wc -l; }
lines() { awk -F'\t' -v o="$1" -v p="$2" '$1 == o { print p $2 ": " $3 }' "$all"; }
equal=$(count equal); differ=$(count differ); rejected=$(count rejected)
model_differ_objects=$(awk -F'\t' '$1 == "model-differ" && !s[$2]++' "$all" | wc -l)
samples_pass=$(count sample-pass); samples_fail=$(count sample-fail); crd_errors=$(count crd-error)
ran=$((equal + differ + rejected))

echo
echo "$(( $(date +%s) - start )) s, largest process $((peak_kb / 1024)) MB (max RSS); $ran of $(wc -l < "$work/objects.txt") objects accounted for"
echo "roundtrip: $equal equal to the server's stored form, $differ differ, $rejected rejected by the server"
lines differ "  differs: "
lines crd-error "  CRD: "
echo "model (prune + apply_defaults): $(count model-equal) equal to the server's stored form, $model_differ_objects differ"
lines model-differ "  model differs: "
echo "rejected by the server, accepted by the model: $(count model-accepts)"
lines model-accepts "  "
echo "synthesized samples: $samples_pass of $((samples_pass + samples_fail)) round-trip"
lines sample-fail "  sample fails: "
(( ran == $(wc -l < "$work/objects.txt") )) || echo "roundtrip-all: some objects were not accounted for (see $all)"
(( differ + crd_errors + model_differ_objects + samples_fail == 0 && ran == $(wc -l < "$work/objects.txt") ))
