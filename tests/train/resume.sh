#!/bin/sh
# Checkpoints: --resume continues bit for bit (after a normal stop, a SIGKILL and
# a SIGINT in the middle of an epoch; SIGINT writes a checkpoint there); a failed
# checkpoint write (simulated disk full) leaves the previous one intact.
. tests/train/common.sh
OUT="$W/out"
"$AEDLC" "$AEDL" --emit train -o "$OUT" > "$W/emit.log" 2>&1 || { echo "FAIL train/resume-emit: $(tail -5 "$W/emit.log")"; exit 1; }
T="$OUT/train/ae_train"
run() { "$T" --threads 2 --limit 10000 --no-eval --quiet "$@" > "$W/run.log" 2>&1; }

run --epochs 6 -o "$W/ref"
check train/resume-reference "the uninterrupted run failed: $(tail -3 "$W/run.log")" test -s "$W/ref/ae.weights.h5"

# 3 epochs, then --resume to 6.
run --epochs 3 -o "$W/a" && run --epochs 6 --resume -o "$W/a"
check train/resume-equal "3 + --resume to 6 epochs differs from 6 epochs" same_weights "$W/ref/ae.weights.h5" "$W/a/ae.weights.h5"
# every column but the 6th (seconds), per-layer sparsity included
check train/resume-history "history.csv differs after --resume" \
  sh -c "cut -d, -f1-5,7- '$W/ref/history.csv' > '$W/h1'; cut -d, -f1-5,7- '$W/a/history.csv' > '$W/h2'; cmp -s '$W/h1' '$W/h2'"

# Another thread count: the run continues, with a warning (results depend on it).
cp -r "$W/a" "$W/a1"
"$T" --threads 1 --limit 10000 --no-eval --quiet --epochs 7 --resume -o "$W/a1" > "$W/th.log" 2>&1; st=$?
check train/resume-threads-warning "status $st: $(tail -2 "$W/th.log")" \
  sh -c "test $st -eq 0 && grep -q 'made with --threads 2, this run has 1' '$W/th.log'"

# Signals at a point the program reports (AEDL_TEST_PAUSE_AT, tests/lib.sh):
# in the middle of epoch 2, after its first batch.
# SIGKILL: no checkpoint of epoch 2; --resume continues from the one of epoch 1.
start_paused epoch:2 "$T" --threads 2 --limit 10000 --no-eval --quiet --epochs 6 -o "$W/k" > /dev/null 2>&1
kill -KILL $PROG 2>/dev/null; ended
check train/sigkill-at-point "the run did not reach the middle of epoch 2 (status $ST)" test "$POINT_REACHED" = 1
run --epochs 6 --resume -o "$W/k"
check train/sigkill-resume "SIGKILL in epoch 2 + --resume differs: $(tail -3 "$W/run.log")" same_weights "$W/ref/ae.weights.h5" "$W/k/ae.weights.h5"

# SIGINT: a checkpoint in the middle of epoch 2; --resume continues from it.
start_paused epoch:2 "$T" --threads 2 --limit 10000 --no-eval --epochs 6 -o "$W/i" > /dev/null 2> "$W/int.log"
kill -INT $PROG 2>/dev/null; ended
check train/sigint-message "status $ST, no checkpoint message: $(tail -2 "$W/int.log")" \
  sh -c "test '$ST' = 130 && grep -q 'interrupted in epoch 2 after 1 batch(es); checkpoint written to .*--resume' '$W/int.log'"
run --epochs 6 --resume -o "$W/i"
check train/sigint-resume "SIGINT in epoch 2 + --resume differs" same_weights "$W/ref/ae.weights.h5" "$W/i/ae.weights.h5"

# Disk full while writing the checkpoint of epoch 4: the epoch-3 checkpoint stays.
run --epochs 3 -o "$W/f" && cp "$W/f/ae.ckpt" "$W/f.ckpt3"
AEDL_CKPT_FAIL_AFTER=1000 "$T" --threads 2 --limit 10000 --no-eval --epochs 4 --resume -o "$W/f" > "$W/full.log" 2>&1
check train/diskfull-message "no message about the failed write: $(tail -3 "$W/full.log")" \
  grep -q 'cannot write the checkpoint.*No space left on device; the previous checkpoint is left as it was' "$W/full.log"
check train/diskfull-intact "the previous checkpoint was changed" cmp -s "$W/f/ae.ckpt" "$W/f.ckpt3"
check train/diskfull-no-temp "a temporary file was left behind" sh -c "! ls '$W/f' | grep -q tmp"
# A damaged checkpoint is refused with a clear message.
head -c 5000 "$W/f.ckpt3" > "$W/f/ae.ckpt"
"$T" --threads 2 --limit 10000 --no-eval --epochs 4 --resume -o "$W/f" > "$W/bad.log" 2>&1; st=$?
check train/ckpt-truncated "a truncated checkpoint: status $st, $(cat "$W/bad.log")" sh -c "test $st -eq 1 && grep -q 'truncated' '$W/bad.log'"
# Different data under a checkpoint (same number of events): refused.
"$GEN" --process background --events 20000 --seed 99 -o "$W/data/background_for_training.h5" --quiet
"$T" --threads 2 --limit 10000 --no-eval --epochs 8 --resume -o "$W/a" > "$W/dd.log" 2>&1; st=$?
check train/resume-other-data "status $st: $(cat "$W/dd.log" | tail -2)" sh -c "test $st -eq 1 && grep -q 'training data differ' '$W/dd.log'"
