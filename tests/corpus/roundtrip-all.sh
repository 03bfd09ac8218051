#!/usr/bin/env bash
# Round-trip every example object of the corpus (OBJECTS.tsv: 621 objects) through its
# generated type, a few CRDs at a time so memory stays bounded: the CRDs the objects use
# are packed into chunks of at most CHUNK_KB kilobytes of YAML (a larger CRD alone), and
# each chunk is generated (types only), compiled and tested by the round-trip test of
# crdgen-corpus-tests (CRDGEN_CORPUS=list:<chunk>). Prints a summary out of all objects:
# passing, schema-invalid (the API server would reject them, with the reason), using an
# unserved version, failing (crdgen bugs, or chunks that did not build); exits non-zero
# if anything fails.
#
#   tests/corpus/roundtrip-all.sh [CORPUS_DIR]
#
# Environment: CARGO_TARGET_DIR (default: the workspace's target/), CHUNK_KB (default
# 6000), ONLY=<project>[,<project>…] to run the objects of some projects only.
set -uo pipefail
here="$(cd "$(dirname "$0")/../.." && pwd)"
corpus="$(cd "${1:-$here/../shared/corpus}" && pwd)"
target="${CARGO_TARGET_DIR:-$here/target}"
work="$target/roundtrip-all"
chunk_kb="${CHUNK_KB:-6000}"
rm -rf "$work"; mkdir -p "$work/chunks" "$work/reports" "$work/logs"

# Distinct CRD files used by the objects (optionally of some projects), in corpus order,
# packed greedily into chunks.
awk -F'\t' -v only="${ONLY:-}" 'NR > 1 {
    if (only != "") { n = split(only, p, ","); keep = 0; for (i = 1; i <= n; i++) if ($2 == p[i]) keep = 1; if (!keep) next }
    if (!seen[$6]++) print $6
  }' "$corpus/OBJECTS.tsv" |
  while read -r crd; do printf '%s\t%s\n' "$(stat -c %s "$corpus/$crd")" "$crd"; done |
  awk -F'\t' -v limit="$((chunk_kb * 1024))" -v dir="$work/chunks" '{
    if (n == 0 || size + $1 > limit) { n++; size = 0 }
    size += $1; printf "%s\n", $2 > sprintf("%s/%03d.txt", dir, n)
  }'
chunks=("$work"/chunks/*.txt)
echo "roundtrip-all: $(cat "${chunks[@]}" | wc -l) CRDs in ${#chunks[@]} chunks of <= ${chunk_kb} KB; target $target"

start=$(date +%s)
peak_kb=0
build_failed=()
for chunk in "${chunks[@]}"; do
  name="$(basename "$chunk" .txt)"
  t0=$(date +%s)
  CRDGEN_CORPUS="list:$chunk" CRDGEN_CORPUS_CLIENTS=0 CRDGEN_CORPUS_DIR="$corpus" \
    CRDGEN_CORPUS_REPORT="$work/reports/$name.tsv" CARGO_TARGET_DIR="$target" \
    /usr/bin/time -v -o "$work/logs/$name.time" \
    cargo test -q -p crdgen-corpus-tests --manifest-path "$here/Cargo.toml" --test roundtrip \
    > "$work/logs/$name.log" 2>&1
  status=$?
  kb=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$work/logs/$name.time")
  (( kb > peak_kb )) && peak_kb=$kb
  if [[ ! -s "$work/reports/$name.tsv" ]]; then
    build_failed+=("$name")
    note="DID NOT RUN (see $work/logs/$name.log)"
  else
    note="$(grep -c -P '^pass\t' "$work/reports/$name.tsv") pass, $(grep -c -P '^invalid\t' "$work/reports/$name.tsv") invalid, $(grep -c -P '^fail\t' "$work/reports/$name.tsv") fail, samples $(grep -c -P '^sample-pass\t' "$work/reports/$name.tsv")/$(grep -c -P '^sample-' "$work/reports/$name.tsv")"
  fi
  echo "  chunk $name: $(wc -l < "$chunk") CRDs, exit $status, $(( $(date +%s) - t0 )) s, max RSS $((kb / 1024)) MB: $note"
done

# Aggregate: one outcome per object file (every chunk lists the unserved ones).
all="$work/objects.tsv"
cat "$work"/reports/*.tsv 2>/dev/null | awk -F'\t' '$1 !~ /^sample-/ && !seen[$2]++' > "$all"
awk -F'\t' -v only="${ONLY:-}" 'NR > 1 {
    if (only != "") { n = split(only, p, ","); keep = 0; for (i = 1; i <= n; i++) if ($2 == p[i]) keep = 1; if (!keep) next }
    print $1 }' "$corpus/OBJECTS.tsv" | sort > "$work/expected.txt"
cut -f2 "$all" | sort > "$work/seen.txt"
comm -23 "$work/expected.txt" "$work/seen.txt" > "$work/not-run.txt"
total=$(wc -l < "$work/expected.txt")
count() { grep -c -P "^$1\t" "$all"; }
samples_pass=$(cat "$work"/reports/*.tsv 2>/dev/null | awk -F'\t' '$1 == "sample-pass" && !s[$2]++' | wc -l)
samples=$(cat "$work"/reports/*.tsv 2>/dev/null | awk -F'\t' '$1 ~ /^sample-/ && !s[$2]++' | wc -l)
not_run=$(wc -l < "$work/not-run.txt")
failing=$(( $(count fail) + not_run ))

echo
echo "round trip of every corpus object: $(( $(date +%s) - start )) s, largest process $((peak_kb / 1024)) MB (max RSS)"
echo "  passing:                 $(count pass)/$total"
echo "  schema-invalid:          $(count invalid)/$total (the API server would reject them)"
echo "  unserved version:        $(count unserved)/$total"
echo "  failing:                 $failing/$total"
echo "  synthesized samples:     $samples_pass/$samples pass (one per generated kind and version)"
echo "unserved versions:"
awk -F'\t' '$1 == "unserved" { print "  " $3 }' "$all"
echo "schema-invalid objects:"
awk -F'\t' '$1 == "invalid" { print "  " $3 }' "$all"
if (( failing > 0 )); then
  echo "failing:"
  awk -F'\t' '$1 == "fail" { print "  " $2 ": " $3 }' "$all"
  sed 's/^/  not run (chunk did not build or crashed): /' "$work/not-run.txt"
  cat "$work"/reports/*.tsv 2>/dev/null | awk -F'\t' '$1 == "sample-fail" { print "  sample " $2 ": " $3 }'
  exit 1
fi
(( samples_pass == samples )) || exit 1
