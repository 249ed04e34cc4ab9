#!/bin/sh
# `make bench`: training speed and memory of the seed autoencoder (domain.md)
# on 1M generated events, batch 1024: the float baseline, and QAT with pruning
# to 50%.  Prints seconds per epoch (training + validation, as Keras counts
# it), events/s, and the peak resident memory against the float32 dataset.
# Targets on the 2-core reference machine: float <= 0.35 s/epoch, QAT + pruning
# <= 0.5 s/epoch, peak memory <= 1.5x the dataset.
BUILD=${BUILD:-build}
AEDLC="$PWD/$BUILD/aedlc"
D="$PWD/$BUILD/bench-train"
EPOCHS=${BENCH_EPOCHS:-4}
mkdir -p "$D"
if [ ! -s "$D/background_for_training.h5" ]; then
  echo "bench/train: generating 1M background events in $D (once)"
  "$BUILD/aedl-gen" --process background --events 1000000 --seed 3 -o "$D/background_for_training.h5" --quiet || exit 1
fi
if [ ! -s "$D/Ato4l_lepFilter_13TeV.h5" ]; then
  "$BUILD/aedl-gen" --process Ato4l --events 20000 --seed 4 -o "$D/Ato4l_lepFilter_13TeV.h5" --quiet || exit 1
fi
W=$(mktemp -d "${TMPDIR:-/tmp}/aedl-bench.XXXXXX")
trap 'rm -rf "$W"' EXIT
one() {   # label example.aedl
  sed -e "s|\"\.\./data/background|\"$D/background|" -e "s|\"\.\./data/Ato4l|\"$D/Ato4l|" \
      -e '/signal *\(leptoquark\|hToTauTau\|hChToTauNu\)/d' "examples/$2" > "$W/$1.aedl"
  "$AEDLC" "$W/$1.aedl" --emit train -o "$W/$1" > "$W/$1.emit" 2>&1 || { cat "$W/$1.emit"; return 1; }
  exe=$(ls "$W/$1"/train/*_train)
  # A failure after training (e.g. regenerating the firmware) does not void the timing.
  "$exe" --epochs "$EPOCHS" --batch 1024 --limit 1000000 --quiet > "$W/$1.log" 2>&1 || grep -i error "$W/$1.log" | head -3
  [ -s "$W/$1/history.csv" ] || { tail -5 "$W/$1.log"; return 1; }
  # Epoch 1 warms caches and threads; report the median of the others.
  sec=$(tail -n +3 "$W/$1/history.csv" | cut -d, -f6 | sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }')
  ntrain=600000
  rss=$(sed -n 's/.*peak memory \([0-9.]*\) MB.*/\1/p' "$W/$1.log")
  cpu=$(sed -n 's/.*cpu \([0-9.]*\) s.*/\1/p' "$W/$1.log")
  data_mb=$(awk 'BEGIN { printf "%.1f", 1000000 * 57 * 4 / 1048576 }')
  awk -v l="$1" -v s="$sec" -v n=$ntrain -v r="$rss" -v d="$data_mb" -v t="$3" -v c="$cpu" -v e="$EPOCHS" 'BEGIN {
    printf "bench/train %-24s %.3f s/epoch (target <= %s)  %.0f events/s  peak %.0f MB = %.2fx the float32 data (%.0f MB; target <= 1.5x)  cpu %.1f s for %d epochs + load + eval\n",
           l, s, t, n / s, r, r / d, d, c, e }'
}
echo "bench/train: machine load: $(cut -d' ' -f1-3 /proc/loadavg) (other work on the machine slows these figures)"
one float-baseline ae_baseline.aedl 0.35
one qat-prune50 ae_qat.aedl 0.5
if python3 -c 'import torch' 2>/dev/null; then
  echo "bench/train: python3-torch is installed; no PyTorch comparison script yet"
else
  echo "bench/train: python3-torch not installed: no PyTorch comparison"
fi
