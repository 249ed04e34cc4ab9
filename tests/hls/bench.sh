#!/bin/sh
# Benchmark of aedlc --emit hls on the seed autoencoder (examples/ae_qat.aedl,
# random weights from hls_tool): the time to write the project (target <= 1 s)
# and the time `make csim` takes to compile it (target <= 5 s; hls4ml needs
# about 4 s for the same model), then the C simulation's speed.
. tests/lib.sh
test_workdir hls-bench
TOOL=$B/tests/hls/hls_tool
now() { date +%s.%N; }
"$TOOL" weights examples/ae_qat.aedl "$W/ae.h5" 1 || exit 1
t0=$(now)
"$AEDLC" examples/ae_qat.aedl --emit hls --weights "$W/ae.h5" -o "$W/out" || exit 1
t1=$(now)
/usr/bin/time -f "%U %S" -o "$W/cpu" make -s -C "$W/out/hls" ae_csim > /dev/null 2>&1 || { echo "hls bench: make failed"; exit 1; }
t2=$(now)
( cd "$W/out/hls" && ./ae_csim > "$W/csim.txt" ) || { echo "hls bench: csim failed"; exit 1; }
t3=$(now)
awk -v a="$t0" -v b="$t1" -v c="$t2" -v d="$t3" -v m="$(cat "$W/csim.txt")" -v cpu="$(cat "$W/cpu")" 'BEGIN {
  split(cpu, u, " ")
  printf "hls: write the seed AE project (--emit hls): %.2f s (target <= 1 s)\n", b - a
  printf "hls: make csim compile (g++ -O0): %.2f s wall, %.2f s CPU (target <= 5 s; hls4ml about 4 s)\n", c - b, u[1] + u[2]
  printf "hls: csim run, 200 events: %.2f s (%s)\n", d - c, m }'
