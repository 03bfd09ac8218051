#!/usr/bin/env bash
# crdgen vs kopium: generation wall time over the CRD corpus.
#
#   benches/kopium.sh            (needs `kopium` on PATH: `cargo install kopium`)
#
# (a) crdgen, whole corpus, one process (release CLI), default flags (its output is
#     rustfmt's layout: no formatter runs), output written afresh each run; its peak RSS
#     and page faults (/usr/bin/time); checked with `rustfmt --check` when rustfmt is
#     installed;
# (b) kopium, one process per CRD (it takes one CRD per run), recommended flags;
# (c) per CRD: crdgen on that CRD alone vs kopium on it ($REPS runs each, the two
#     alternating, timed by benches/alternate.rs), minimum and median of each, and the
#     CRDs where crdgen is slower.
# Also lists the CRDs kopium fails on.
#
# Environment: CRDGEN_CORPUS_DIR (default ../shared/corpus beside the repository),
# REPS (default 3), KOPIUM (default kopium), OUT (scratch, default /tmp/crdgen-kopium-bench),
# CARGO_TARGET_DIR (where the release CLI is built), CRDGEN (a crdgen binary to measure
# instead of building one). crdgen uses every core (CRDGEN_THREADS=1: one thread).
set -euo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
CORPUS=${CRDGEN_CORPUS_DIR:-$REPO/../shared/corpus}
CRDS=$CORPUS/crds
REPS=${REPS:-3}
KOPIUM=${KOPIUM:-kopium}
OUT=${OUT:-/tmp/crdgen-kopium-bench}
KOPIUM_FLAGS=(--docs --derive=Default --derive=PartialEq --smart-derive-elision)
mkdir -p "$OUT"

command -v "$KOPIUM" >/dev/null || { echo "kopium not found (cargo install kopium)" >&2; exit 3; }
if [[ -z ${CRDGEN:-} ]]; then
  (cd "$REPO" && cargo build --release -q -p crdgen --features cli)
  CRDGEN=${CARGO_TARGET_DIR:-$REPO/target}/release/crdgen
fi
mapfile -t FILES < <(find "$CRDS" -type f \( -name '*.yaml' -o -name '*.yml' -o -name '*.json' \) | sort)
echo "corpus: ${#FILES[@]} CRD files under $CRDS ($(du -sh "$CRDS" | cut -f1))"
echo "crdgen: $("$CRDGEN" --version)   kopium: $("$KOPIUM" --version)   flags: ${KOPIUM_FLAGS[*]}"
echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"

now() { date +%s%N; }
ms() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", (b - a) / 1e6 }'; }
# min_ms N cmd...: the smallest wall time of N runs, in ms (stdout of cmd discarded).
min_ms() {
  local n=$1; shift
  local best=""
  for ((r = 0; r < n; r++)); do
    local t0 t1; t0=$(now); "$@" >/dev/null 2>&1 || true; t1=$(now)
    local t; t=$(ms "$t0" "$t1")
    if [[ -z $best ]] || awk -v a="$t" -v b="$best" 'BEGIN { exit !(a < b) }'; then best=$t; fi
  done
  echo "$best"
}

# min_ms_fresh FILE N cmd...: min_ms, with FILE removed before each run (outside the
# timing), so that crdgen writes its output every time as kopium does, instead of only
# comparing it with an unchanged file from the run before.
min_ms_fresh() {
  local file=$1 n=$2; shift 2
  local best=""
  for ((r = 0; r < n; r++)); do
    rm -f "$file"
    local t; t=$(min_ms 1 "$@")
    if [[ -z $best ]] || awk -v a="$t" -v b="$best" 'BEGIN { exit !(a < b) }'; then best=$t; fi
  done
  echo "$best"
}

cat "${FILES[@]}" >/dev/null  # warm the page cache

echo
echo "== (a) crdgen, whole corpus, one process (min of $REPS) =="
A=$(min_ms_fresh "$OUT/crdgen-all.rs" "$REPS" "$CRDGEN" generate "$CRDS" -o "$OUT/crdgen-all.rs")
A_TYPES=$(min_ms_fresh "$OUT/crdgen-all-types.rs" "$REPS" "$CRDGEN" generate "$CRDS" -o "$OUT/crdgen-all-types.rs" --types-only)
echo "crdgen:              ${A} ms  ($(wc -c <"$OUT/crdgen-all.rs") bytes, $(wc -l <"$OUT/crdgen-all.rs") lines)"
echo "crdgen --types-only: ${A_TYPES} ms"
if [[ -x /usr/bin/time ]]; then
  rm -f "$OUT/crdgen-all.rs"
  /usr/bin/time -f "crdgen: peak RSS %M KB, %R page faults, user %U s, sys %S s" \
    "$CRDGEN" generate "$CRDS" -o "$OUT/crdgen-all.rs" 2>&1 >/dev/null | grep '^crdgen: peak'
fi
if command -v rustfmt >/dev/null; then
  set +e
  rustfmt --edition 2024 --check "$OUT/crdgen-all.rs" >"$OUT/rustfmt-check.diff" 2>&1
  status=$?
  set -e
  if [[ $status -eq 0 ]]; then
    echo "rustfmt --edition 2024 --check: clean"
  elif [[ $status -eq 1 ]]; then
    echo "rustfmt --edition 2024 --check: $(grep -c '^Diff in' "$OUT/rustfmt-check.diff") places differ ($OUT/rustfmt-check.diff)"
  else
    echo "rustfmt --edition 2024 --check: rustfmt failed (status $status; a whole-corpus file may be too big for it)"
  fi
fi

echo
echo "== (b) kopium, one process per CRD (one pass) =="
: >"$OUT/kopium-failures.txt"
mkdir -p "$OUT/kopium"
t0=$(now)
for f in "${FILES[@]}"; do
  rel=${f#"$CRDS"/}
  name=$(echo "$rel" | tr '/.-' '___')
  if ! "$KOPIUM" -f "$f" "${KOPIUM_FLAGS[@]}" >"$OUT/kopium/$name.rs" 2>"$OUT/kopium/$name.err"; then
    echo "$rel	$(grep -v '^\s*$' "$OUT/kopium/$name.err" | tail -n1)" >>"$OUT/kopium-failures.txt"
    rm -f "$OUT/kopium/$name.rs"
  fi
done
t1=$(now)
B=$(ms "$t0" "$t1")
NFAIL=$(wc -l <"$OUT/kopium-failures.txt")
echo "kopium, ${#FILES[@]} processes: ${B} ms  ($NFAIL failed; output $(cat "$OUT"/kopium/*.rs | wc -l) lines)"
echo "ratio kopium / crdgen = $(awk -v a="$B" -v b="$A" 'BEGIN { printf "%.2f", a / b }')x"
if [[ $NFAIL -gt 0 ]]; then
  echo "kopium failures:"; sed 's/^/  /' "$OUT/kopium-failures.txt"
fi

echo
echo "== (c) per CRD: crdgen (one CRD) vs kopium ($REPS runs each, alternating) =="
# benches/alternate.rs times the two commands in turn from Rust (spawn to wait), with
# no shell or `date` process between; standard output of both goes to /dev/null.
ALT=$OUT/alternate
rustc -O --edition 2021 "$REPO/benches/alternate.rs" -o "$ALT"
TSV=$OUT/per-crd.tsv
printf 'crd\tbytes\tcrdgen_min_ms\tcrdgen_median_ms\tkopium_min_ms\tkopium_median_ms\tratio_median\tratio_min\n' >"$TSV"
for f in "${FILES[@]}"; do
  rel=${f#"$CRDS"/}
  read -r cmin cmed kmin kmed _ kfail < <("$ALT" "$REPS" -- "$CRDGEN" generate "$f" \
    -- "$KOPIUM" -f "$f" "${KOPIUM_FLAGS[@]}")
  if [[ $kfail -gt 0 ]]; then
    rmed=NA; rmin=NA
  else
    rmed=$(awk -v a="$cmed" -v b="$kmed" 'BEGIN { printf "%.3f", a / b }')
    rmin=$(awk -v a="$cmin" -v b="$kmin" 'BEGIN { printf "%.3f", a / b }')
  fi
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$rel" "$(wc -c <"$f")" "$cmin" "$cmed" "$kmin" "$kmed" "$rmed" "$rmin" >>"$TSV"
done
awk -F'\t' 'NR > 1 && $7 != "NA" { n++; c += $4; k += $6; if ($7 > 1) slow++; if ($8 > 1) slowmin++
  if ($7 > 1 && $8 > 1) both++; if ($7 > worst) { worst = $7; w = $1 } if (best == "" || $7 < best) best = $7 }
  END { printf "CRDs compared: %d; sum of medians: crdgen %.0f ms, kopium %.0f ms\n", n, c, k
        printf "crdgen slower: %d by median, %d by minimum, %d by both\n", slow + 0, slowmin + 0, both + 0
        printf "worst median ratio crdgen/kopium: %.3f (%s); best: %.3f\n", worst, w, best }' "$TSV"
echo "median of the median ratios: $(awk -F'\t' 'NR > 1 && $7 != "NA" { print $7 }' "$TSV" | sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }')"
echo "worst 10 by median ratio (crd, bytes, crdgen min/median ms, kopium min/median ms, ratios):"
# (awk, not head: head would close the pipe early, and pipefail makes that an error)
awk -F'\t' 'NR > 1 && $7 != "NA"' "$TSV" | sort -t$'\t' -k7,7gr | awk 'NR <= 10 { print "  " $0 }'
echo "per-CRD table: $TSV"
