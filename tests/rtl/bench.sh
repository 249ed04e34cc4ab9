#!/bin/sh
# Benchmark of aedlc --emit rtl on the seed autoencoder (examples/ae_qat.aedl,
# random weights from hls_tool): yosys synth_xilinx (make synth) wall time and
# peak memory (target: under 3 min and 1.5 GB on 2 cores), LUT/FF/DSP per layer;
# then Verilator on 100,000 events (the 200 testbench events 500 times), bit for bit;
# then the delay model against yosys' logic depth (calibrate.sh, with the seed AE).
. tests/lib.sh
test_workdir rtl-bench
TOOL=$B/tests/hls/hls_tool
"$TOOL" weights examples/ae_qat.aedl "$W/ae.h5" 1 > /dev/null || exit 1
"$AEDLC" examples/ae_qat.aedl --emit rtl --weights "$W/ae.h5" -o "$W/out" || exit 1
R="$W/out/rtl"
grep -E '"latency_(cycles|ns)"' "$R/design.json" | tr -d ' ,' | sed 's/^/rtl: /'
J=$(nproc 2>/dev/null || echo 2)
/usr/bin/time -v make -s -j"$J" -C "$R" synth > "$W/synth.log" 2> "$W/time.log" ||
  { echo "rtl bench: make synth failed: $(tail -n 5 "$W/synth.log" "$W/time.log")"; exit 1; }
# make synth runs one yosys per group of modules, $J at once: the wall time of the whole; the
# peak memory of the largest yosys (time -v: the largest child), and the $J largest peaks of
# the yosys runs together (their logs' "MEM: ... peak"), a bound of the memory in use at once.
sum=$(cat "$R"/obj/*.log | sed -n 's/.*MEM: \([0-9.]*\) MB peak.*/\1/p' | sort -rn | head -n "$J" | awk '{ s += $1 } END { printf "%.2f", s / 1024 }')
runs=$(ls "$R"/obj/*.stat | wc -l)
awk -F': ' -v j="$J" -v sum="$sum" -v runs="$runs" '/Elapsed \(wall clock\)/ { w = $2 } /Maximum resident set size/ { m = $2 } /User time/ { u = $2 } /System time/ { y = $2 }
  END { n = split(w, p, ":"); s = n == 3 ? p[1] * 3600 + p[2] * 60 + p[3] : p[1] * 60 + p[2];
        printf "rtl: yosys synth_xilinx of the seed AE: %.0f s wall (%.0f s CPU; %d yosys runs, %d at once), %.2f GB peak of one yosys, %s GB the %d largest together (target: under 180 s, 1.5 GB)\n", s, u + y, runs, j, m / 1048576, sum, j }' "$W/time.log"
sed -n 's/^ *{"name": "\([^"]*\)", "module": "[^"]*", "lut": \([0-9]*\), "ff": \([0-9]*\), "dsp": \([0-9]*\), "carry": \([0-9]*\).*"logic_depth": \([0-9]*\)}.*/rtl:   \1: \2 LUT, \3 FF, \4 DSP, \5 CARRY, logic depth \6/p' "$R/resources.json"
sed -n 's/^ *"total": {"lut": \([0-9]*\), "ff": \([0-9]*\), "dsp": \([0-9]*\), "carry": \([0-9]*\).*/rtl: total: \1 LUT, \2 FF, \3 DSP, \4 CARRY (yosys estimates, not vendor place-and-route)/p' "$R/resources.json"
mkdir -p "$R/tb_100k"
for i in $(seq 500); do cat "$R/tb_data/tb_input_features.dat"; done > "$R/tb_100k/tb_input_features.dat"
for i in $(seq 500); do cat "$R/tb_data/tb_output_predictions.dat"; done > "$R/tb_100k/tb_output_predictions.dat"
t0=$(date +%s.%N)
make -s -C "$R" obj/verilator/ae_tb > "$W/vb.log" 2>&1 || { echo "rtl bench: verilator build failed: $(tail -n 5 "$W/vb.log")"; exit 1; }
t1=$(date +%s.%N)
make -s -C "$R" sim-verilator TB=tb_100k > "$W/vs.log" 2>&1
t2=$(date +%s.%N)
awk -v a="$t0" -v b="$t1" -v c="$t2" -v r="$(grep '^verilator: rtl sim' "$W/vs.log")" \
  'BEGIN { printf "rtl: %s (Verilator build %.0f s, simulation %.1f s)\n", r, b - a, c - b }'
sh tests/rtl/calibrate.sh "$R" | sed 's/^/rtl calibration: /'
