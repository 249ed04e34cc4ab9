#!/bin/sh
# `make bench`: training speed and memory of the seed autoencoder (domain.md)
# on 1M generated events, batch 1024: the float baseline (ae_baseline.aedl) and
# QAT with pruning to 50% (ae_qat.aedl), each with --threads 1 and 2.
#
# An epoch = one pass over the TRAINING split: 1M events minus the validation
# and test fractions (0.2 + 0.2) = 600000 events, 586 batches.  "s/epoch" is the
# wall time of those batches only (gather, forward, loss, backward, Adam,
# pruning); the validation pass (200000 events, forward only) is printed apart,
# as are the one-time costs (loading + scaling the data, evaluation and
# firmware after training).  Each figure is the median over epochs 2..N (the
# first warms caches).  cpu = CPU seconds of all threads (the machine may be
# shared: judge by cpu; the load average is printed with every line).
#
# Targets on the 2-core reference machine: float <= 0.35 s/epoch, QAT + pruning
# <= 0.5 s/epoch, peak resident memory <= 1.5x the float32 dataset.
# Reference (same machine): PyTorch 1.13, one thread: 1.05 s/epoch float,
# 1.78 s/epoch with fake quantization.
#
#   BENCH_EPOCHS=N (default 5)   BENCH_THREADS="1 2" (default)
. tests/lib.sh
D=$B/bench-train
EPOCHS=${BENCH_EPOCHS:-5}
THREADS=${BENCH_THREADS:-"1 2"}
mkdir -p "$D"
if [ ! -s "$D/background_for_training.h5" ]; then
  echo "bench/train: generating 1M background events in $D (once)"
  "$GEN" --process background --events 1000000 --seed 3 -o "$D/background_for_training.h5" --quiet || exit 1
fi
if [ ! -s "$D/Ato4l_lepFilter_13TeV.h5" ]; then
  "$GEN" --process Ato4l --events 20000 --seed 4 -o "$D/Ato4l_lepFilter_13TeV.h5" --quiet || exit 1
fi
test_workdir bench
load() { cut -d' ' -f1-3 /proc/loadavg; }
data_mb=$(awk 'BEGIN { printf "%.1f", 1000000 * 57 * 4 / 1048576 }')

# median of column $1 of stdin (numbers, one per line)
median() { sort -g | awk '{ a[NR] = $1 } END { if (NR) print a[int((NR + 1) / 2)]; else print "nan" }'; }

one() {   # label example.aedl target-s threads
  label=$1 ex=$2 target=$3 nt=$4
  if [ ! -e "$W/$label.ok" ]; then
    sed -e "s|\"\.\./data/background|\"$D/background|" -e "s|\"\.\./data/Ato4l|\"$D/Ato4l|" \
        -e '/signal *\(leptoquark\|hToTauTau\|hChToTauNu\)/d' "examples/$ex" > "$W/$label.aedl"
    "$AEDLC" "$W/$label.aedl" --emit train -o "$W/$label" > "$W/$label.emit" 2>&1 || { cat "$W/$label.emit"; return 1; }
    touch "$W/$label.ok"
  fi
  exe=$(ls "$W/$label"/train/*_train)
  out="$W/$label-t$nt"
  l0=$(load)
  # not a terminal: one line per epoch.  A failure after training (e.g.
  # regenerating the firmware) does not void the timing.
  "$exe" --epochs "$EPOCHS" --batch 1024 --limit 1000000 --threads "$nt" -o "$out" > "$W/log" 2>&1 ||
    grep -i error "$W/log" | head -3
  l1=$(load)
  grep -q '^epoch 2/' "$W/log" || { tail -5 "$W/log"; return 1; }
  ev=$(sed -n 's/^data: [0-9]* events (\([0-9]*\) train.*/\1/p' "$W/log")
  load_s=$(sed -n 's/^data: .*; \([0-9.]*\) s$/\1/p' "$W/log")
  ep() { grep '^epoch [0-9]*/' "$W/log" | tail -n +2 | sed -n "s/.*$1.*/\\1/p" | median; }
  tr_s=$(ep '(training \([0-9.]*\) s')
  tr_c=$(ep 'training [0-9.]* s, cpu \([0-9.]*\) s')
  va_s=$(ep 'validation \([0-9.]*\) s')
  va_c=$(ep 'validation [0-9.]* s, cpu \([0-9.]*\) s')
  eval_s=$(sed -n 's/^evaluation: .*(\([0-9.]*\) s)$/\1/p' "$W/log")
  rss=$(sed -n 's/.*peak memory \([0-9.]*\) MB.*/\1/p' "$W/log")
  awk -v l="$label" -v nt="$nt" -v ev="$ev" -v s="$tr_s" -v c="$tr_c" -v vs="$va_s" -v vc="$va_c" \
      -v t="$target" -v ls="$load_s" -v es="${eval_s:-?}" -v r="$rss" -v d="$data_mb" -v l0="$l0" -v l1="$l1" 'BEGIN {
    printf "bench/train %-14s threads %d  %d events/epoch  %.3f s/epoch (target <= %s)  cpu %.3f s/epoch  %.0f events/s (%.0f per cpu-s)\n",
           l, nt, ev, s, t, c, ev / s, ev / c
    printf "bench/train %-14s threads %d  validation %.3f s (cpu %.3f)  once: loading %s s, evaluation %s s  peak RSS %.0f MB = %.2fx the float32 data (%.0f MB; target <= 1.5x)  load avg %s -> %s\n",
           l, nt, vs, vc, ls, es, r, r / d, d, l0, l1 }'
}
echo "bench/train: $EPOCHS epochs each, batch 1024; load average $(load) (other work on the machine slows the wall times)"
for nt in $THREADS; do
  one float-baseline ae_baseline.aedl 0.35 "$nt"
  one qat-prune50 ae_qat.aedl 0.5 "$nt"
done
echo "bench/train: reference PyTorch 1.13, one thread, this machine: 1.05 s/epoch float, 1.78 s/epoch fake-quantized"
