#!/bin/sh
# Benchmark of aedlc --emit hls on the seed autoencoder (examples/ae_qat.aedl,
# random weights from hls_tool): the time to write the project (target <= 1 s)
# and the time `make csim` takes to compile it (target <= 5 s; hls4ml needs
# about 4 s for the same model), then the C simulation's speed.  The compile is
# timed five times from clean (this machine's timings vary by +-30% from run to
# run); the median and the slowest are the figures.
. tests/lib.sh
test_workdir hls-bench
TOOL=$B/tests/hls/hls_tool
now() { date +%s.%N; }
"$TOOL" weights examples/ae_qat.aedl "$W/ae.h5" 1 || exit 1
t0=$(now)
"$AEDLC" examples/ae_qat.aedl --emit hls --weights "$W/ae.h5" -o "$W/out" || exit 1
t1=$(now)
awk -v a="$t0" -v b="$t1" 'BEGIN { printf "hls: write the seed AE project (--emit hls): %.2f s (target <= 1 s)\n", b - a }'
: > "$W/times"
for run in 1 2 3 4 5; do
  make -s -C "$W/out/hls" clean > /dev/null 2>&1
  t1=$(now)
  /usr/bin/time -f "%U %S" -o "$W/cpu" make -s -C "$W/out/hls" ae_csim > "$W/make.log" 2>&1 ||
    { echo "hls bench: make failed: $(tail -n 3 "$W/make.log")"; exit 1; }
  t2=$(now)
  echo "$t1 $t2 $(cat "$W/cpu")" >> "$W/times"
done
awk '{ w = $2 - $1; c = $3 + $4; printf "%.2f %.2f\n", w, c }' "$W/times" | sort -n > "$W/sorted"
awk -v nproc="$(nproc)" '{ w[NR] = $1; c[NR] = $2; list = list (NR > 1 ? ", " : "") $1 }
  END { printf "hls: make csim compile (g++ -O0, testbench and firmware in parallel on %d CPUs), 5 runs: %s s wall\n", nproc, list
        printf "hls: make csim compile: median %.2f s, slowest %.2f s wall (median CPU %.2f s) (target <= 5 s; hls4ml about 4 s)\n", w[3], w[5], c[3] }' "$W/sorted"
t2=$(now)
( cd "$W/out/hls" && ./ae_csim > "$W/csim.txt" ) || { echo "hls bench: csim failed"; exit 1; }
t3=$(now)
awk -v c="$t2" -v d="$t3" -v m="$(cat "$W/csim.txt")" 'BEGIN { printf "hls: csim run, 200 events: %.2f s (%s)\n", d - c, m }'
