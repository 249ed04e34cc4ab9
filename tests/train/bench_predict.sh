#!/bin/sh
# `make bench`: aedlc predict on 1M generated events (the seed QAT autoencoder,
# examples/ae_qat.aedl, trained one short epoch and pruned to its final 50 %, so that it
# has weights, a scaler and a firmware plan as the emulator benchmark's model has its
# sparsity): reading, scoring (float model, quantized model, firmware emulation)
# and writing the HDF5 file, each timed.  The plan is exact by construction, so the
# quantized model's columns come from the emulation (QI runs on the first 4096 events);
# --check-quantized (QI on every event too) is timed beside.  Compared with the emulator benchmark on 1M
# events (tests/prec/bench_emu, one thread): the target is scoring <= 2x the emulator
# plus the file I/O (reading and writing), for the default mode (all three scores, the
# outputs and the latent values) and for --firmware-only.  The trained model's plan is not the
# benchmark's (other weights and sparsity), so the ratio to this model's own emulation
# time inside predict is printed too.
#   BENCH_THREADS=N (default 1)
. tests/lib.sh
D=$B/bench-train
NT=${BENCH_THREADS:-1}
mkdir -p "$D"
if [ ! -s "$D/background_for_training.h5" ]; then
  echo "bench/predict: generating 1M background events in $D (once)"
  "$GEN" --process background --events 1000000 --seed 3 -o "$D/background_for_training.h5" --quiet || exit 1
fi
test_workdir bench-predict
sed -e "s|\"\.\./data/background|\"$D/background|" -e '/signal /d' -e 's|limit    = 1000000 .*|limit = 20000|' \
    -e 's|epochs    = 150|epochs = 1|' -e 's|begin=0, end=1000, frequency=100|begin=0, end=8, frequency=2|' examples/ae_qat.aedl > "$W/ae.aedl"
"$AEDLC" run "$W/ae.aedl" -o "$W/out" -- --threads "$NT" --quiet > "$W/run.log" 2>&1 || { tail -5 "$W/run.log"; exit 1; }
l0=$(cut -d' ' -f1-3 /proc/loadavg)
emu=$("$B/tests/prec/bench_emu" 1000000 2>&1 | sed -n 's/^bench emu: 1 thread: \([0-9.]*\)M events\/s wall.*/\1/p')
for mode in all firmware-only check-quantized; do
  opt=; [ $mode != all ] && opt=--$mode
  "$AEDLC" predict "$W/ae.aedl" "$D/background_for_training.h5" -o "$W/out" --out "$W/p.h5" $opt -- --threads "$NT" \
    > "$W/p.log" 2>&1 || { tail -5 "$W/p.log"; exit 1; }
  line=$(grep '^predict: [0-9]* events' "$W/p.log")
  echo "bench predict ($mode): ${line#predict: }; output $(du -m "$W/p.h5" | cut -f1) MB"
  q=$(grep '^predict: score_quantized' "$W/p.log") && echo "bench predict ($mode): ${q#predict: }"
  score=$(echo "$line" | sed -n 's/.*score \([0-9.]*\) s.*/\1/p')
  fw=$(echo "$line" | sed -n 's/.*the firmware emulation \([0-9.]*\) s.*/\1/p')
  awk -v s="$score" -v f="$fw" -v m="$mode" 'BEGIN { if (f > 0) printf "bench predict (%s): scoring = %.2fx this model'"'"'s own firmware emulation (%.3f s)\n", m, s / f, f }'
  awk -v e="$emu" -v s="$score" -v m="$mode" -v nt="$NT" 'BEGIN {
    if (e == "" || s == "") { print "bench predict: could not read the timings"; exit 1 }
    t = 1 / e; printf "bench predict (%s, %d thread(s)): scoring 1M events %.3f s = %.1fx the emulator benchmark'"'"'s 1M (%.3f s, one thread); target <= 2x: %s\n", m, nt, s, s / t, t,
      s <= 2 * t ? "met" : "NOT met" }'
done
echo "bench predict: load average before: $l0"
