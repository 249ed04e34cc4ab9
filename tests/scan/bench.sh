#!/bin/sh
# `make bench`: a 12-point scan of the seed autoencoder (weight bits x final
# sparsity, 100k generated events per point, BENCH_SCAN_EPOCHS epochs, default
# 3) run by `aedlc scan -j 2` (one training thread per point), against the same
# 12 trainings one after another (`aedlc run --point K`, with 1 and with 2
# training threads).  Also the scan's own overhead per point: `aedlc scan` once
# every point is done (checking the 12 points, the gather and its plots) / 12.
# Target on the 2-core machine: >= 1.8x faster than one after another; overhead
# < 0.5 s per point.
. tests/lib.sh
EPOCHS=${BENCH_SCAN_EPOCHS:-3}
test_workdir bench-scan
"$GEN" --all "$W/data" --events 100000 --signal-events 20000 --jet-count 100 --seed 11 --quiet || exit 1
sed -e 's|"\.\./data/|"data/|' -e "s|limit    = 1000000 .*|limit = 100000|" \
    -e "s|epochs    = 150|epochs = $EPOCHS|" examples/ae_qat.aedl > "$W/ae.aedl"
cat >> "$W/ae.aedl" <<'AEDL'
scan bits {
  qw.bits    = [2, 3, 4, 6, 8, 12]
  qw.integer = [0]
  half.final = [0.5, 0.8]
}
AEDL
load() { cut -d' ' -f1-3 /proc/loadavg; }
now() { date +%s.%N; }
seq_run() {   # threads -> wall seconds of the 12 runs one after another
  t0=$(now)
  for k in 0 1 2 3 4 5 6 7 8 9 10 11; do
    "$AEDLC" run "$W/ae.aedl" --scan bits --point $k -o "$W/seq$1/$k" -- --threads "$1" --quiet > "$W/seq$1.log" 2>&1 ||
      { echo "bench/scan: point $k failed: $(tail -3 "$W/seq$1.log")"; exit 1; }
  done
  echo "$(now) $t0" | awk '{ printf "%.1f", $1 - $2 }'
}
t0=$(now)
"$AEDLC" scan "$W/ae.aedl" -o "$W/scan" -j 2 > "$W/scan.log" 2>&1 || { echo "bench/scan: scan failed: $(tail -5 "$W/scan.log")"; exit 1; }
scan=$(echo "$(now) $t0" | awk '{ printf "%.1f", $1 - $2 }')
t0=$(now)
"$AEDLC" scan "$W/ae.aedl" -o "$W/scan" -j 2 > "$W/again.log" 2>&1
again=$(echo "$(now) $t0" | awk '{ printf "%.2f", $1 - $2 }')
s1=$(seq_run 1)
s2=$(seq_run 2)
echo "bench/scan: 12 points x 100k events x $EPOCHS epochs (load $(load)):"
echo "  aedlc scan -j 2 (1 thread each):           $scan s"
echo "  one after another, --threads 1:            $s1 s  (scan is $(echo "$s1 $scan" | awk '{ printf "%.2f", $1 / $2 }')x faster; target >= 1.8x)"
echo "  one after another, --threads 2:            $s2 s  (scan is $(echo "$s2 $scan" | awk '{ printf "%.2f", $1 / $2 }')x faster)"
echo "  scan overhead (all points done, rerun):    $again s = $(echo "$again" | awk '{ printf "%.3f", $1 / 12 }') s per point (target < 0.5 s)"
grep '^chosen' "$W/scan.log" | sed 's/^/  /'
