#!/bin/sh
# The training program of the seed QAT autoencoder: generated, built (also with
# -Werror), trained a few epochs on generated data; the loss falls, A->4l is
# found, every output file is there with the documented layout; bad options.
. tests/train/common.sh
OUT="$W/out"
"$AEDLC" "$AEDL" --emit train -o "$OUT" > "$W/emit.log" 2>&1
check train/emit "aedlc --emit train failed: $(tail -5 "$W/emit.log")" test -x "$OUT/train/ae_train"
check train/source-comments "no layer comment with the source line" \
  grep -q '/\* enc1: dense(32, weight=qw, bias=qw) .* ae.aedl:14 \*/' "$OUT/train/ae_model.c"
check train/named-blocks "raw offsets into the blocks in the generated C: $(grep -nE '(params|grads|buffers) \+ [0-9]' "$OUT/train/ae_model.c" | head -3)" \
  sh -c "! grep -qE '(params|grads|buffers) \+ [0-9]' '$OUT/train/ae_model.c' && grep -q 'grad->enc1_kernel' '$OUT/train/ae_model.c'"
check train/no-empty-fused "relu_1 (computed by batchnorm_1) has a function or a call of its own" \
  sh -c "! grep -q 'ae_relu_1_forward\|ae_relu_1_backward' '$OUT/train/ae_model.c' && grep -q 'ae_batchnorm_1_forward(m, p, x, mode)' '$OUT/train/ae_model.c'"
check train/werror "the generated C does not compile with -Wall -Wextra -Werror" \
  make -s -B -C "$OUT/train" WERROR=1 AEDLC="$AEDLC"

"$OUT/train/ae_train" --threads 2 > "$W/train.log" 2>&1; st=$?
check train/run "exit status $st: $(tail -5 "$W/train.log")" test $st -eq 0
for f in ae.weights.h5 history.csv scaler.h5 eval/summary.json eval/roc_Ato4l.csv ae.ckpt; do
  check "train/output/$f" "missing $OUT/$f" test -s "$OUT/$f"
done
first=$(sed -n 2p "$OUT/history.csv" | cut -d, -f2); last=$(tail -n 1 "$OUT/history.csv" | cut -d, -f2)
check train/loss-falls "loss $first -> $last" awk -v a="$first" -v b="$last" 'BEGIN { exit !(b < a) }'
check train/history-rows "history.csv should have a header and 3 rows" test "$(wc -l < "$OUT/history.csv")" -eq 4
check train/history-header "history.csv header: $(head -n 1 "$OUT/history.csv")" \
  test "$(head -n 1 "$OUT/history.csv")" = "epoch,loss,val_loss,lr,sparsity,seconds,sparsity_enc1,sparsity_enc2,sparsity_dec1,sparsity_dec2,sparsity_out"
auc=$(sed -n '/"Ato4l"/,/"firmware"/s/.*"quantized": { "auc": \([0-9.e-]*\).*/\1/p' "$OUT/eval/summary.json")
check train/auc-Ato4l "AUC of the quantized model on A->4l is '$auc'" awk -v a="$auc" 'BEGIN { exit !(a > 0.75) }'
check train/tpr-null "tpr_at_fpr(1e-5) on 4000 test events should be null with a reason" \
  grep -q '"fpr": 1e-05, "tpr": null, "background_events": 0, "reason": "the test split has 4000' "$OUT/eval/summary.json"
h5ls -r "$OUT/ae.weights.h5" > "$W/ls.txt"
check train/weights-kernel "no /enc1/kernel {57, 32}" grep -q '^/enc1/kernel *Dataset {57, 32}' "$W/ls.txt"
check train/weights-mask "no /enc1/mask" grep -q '^/enc1/mask *Dataset {57, 32}' "$W/ls.txt"
check train/weights-nomask-latent "latent is not pruned but has a mask" sh -c "! grep -q '^/latent/mask' '$W/ls.txt'"
check train/weights-bn "no batchnorm moving_variance" grep -q '^/batchnorm_1/moving_variance *Dataset {32}' "$W/ls.txt"
check train/weights-attr "no model attribute" sh -c "h5dump -a /model '$OUT/ae.weights.h5' | grep -q '\"ae\"'"
# Pruned weights are exactly zero where the mask is 0.
h5dump -d /enc1/kernel -y -w 0 "$OUT/ae.weights.h5" | tr ', ' '\n\n' | grep -E '^-?[0-9]' > "$W/k.txt"
h5dump -d /enc1/mask -y -w 0 "$OUT/ae.weights.h5" | tr ', ' '\n\n' | grep -E '^-?[0-9]' > "$W/m.txt"
bad=$(paste -d' ' "$W/k.txt" "$W/m.txt" | awk '$2 == 0 && $1 != 0' | wc -l)
zeros=$(awk '$1 == 0' "$W/m.txt" | wc -l)
check train/masked-zero "$bad masked weights are not zero" test "$bad" -eq 0 -a "$zeros" -gt 0
# The last epoch's sparsity_enc1 is the share of zeros in the saved mask.
sp=$(tail -n 1 "$OUT/history.csv" | cut -d, -f7)
check train/history-layer-sparsity "sparsity_enc1 $sp, mask: $zeros zeros of 57 x 32" \
  awk -v s="$sp" -v z="$zeros" 'BEGIN { exit !(s > 0 && (s - z / 1824) ^ 2 < 1e-12) }'

# Not a terminal: one line per epoch, no progress bar; --quiet: only the summary.
check train/progress-lines "expected 3 epoch lines and no carriage return" \
  sh -c "test \$(grep -c '^epoch [1-3]/3  loss' '$W/train.log') -eq 3 && ! grep -q \"\$(printf '\\r')\" '$W/train.log'"
"$OUT/train/ae_train" --quiet --epochs 1 --no-eval -o "$W/q" > "$W/q.out" 2> "$W/q.err"; st=$?
check train/quiet "status $st, stderr: $(head -c 300 "$W/q.err")" \
  sh -c "test $st -eq 0 && test ! -s '$W/q.err' && test \$(wc -l < '$W/q.out') -eq 1 && grep -q '^ae: 1 epoch' '$W/q.out'"

# Options: bad ones exit 2 with a message; --help exits 0.
"$OUT/train/ae_train" --epochs x > "$W/o.txt" 2>&1; st=$?
check train/bad-option-value "--epochs x: status $st, $(cat "$W/o.txt")" sh -c "test $st -eq 2 && grep -q 'needs a whole number' '$W/o.txt'"
"$OUT/train/ae_train" --bogus > "$W/o.txt" 2>&1; st=$?
check train/bad-option "--bogus: status $st" sh -c "test $st -eq 2 && grep -q \"unknown option '--bogus'\" '$W/o.txt'"
"$OUT/train/ae_train" --help > "$W/o.txt" 2>&1; st=$?
check train/help "--help: status $st" sh -c "test $st -eq 0 && grep -q -- '--resume' '$W/o.txt'"
"$OUT/train/ae_train" --resume -o "$W/nothing" > "$W/o.txt" 2>&1; st=$?
check train/resume-missing "--resume without a checkpoint: status $st" sh -c "test $st -eq 1 && grep -q 'cannot open' '$W/o.txt'"

# Every layer kind (dropout, concat, add, softmax, sigmoid, tanh, quantized
# leaky_relu/linear/batchnorm, no bias, inline types), masked_mse.
cp tests/train/allops.aedl "$W/allops.aedl"
"$AEDLC" "$W/allops.aedl" --emit train -o "$W/all" > "$W/all.log" 2>&1
check train/allops-emit "aedlc failed: $(tail -3 "$W/all.log")" test -x "$W/all/train/every_train"
check train/allops-werror "does not compile with -Werror" make -s -B -C "$W/all/train" WERROR=1 AEDLC="$AEDLC"
"$W/all/train/every_train" --epochs 1 --threads 2 > "$W/all.run" 2>&1; st=$?
# Its float layers may be too wide for the firmware: then aedlc refuses the hls
# project and the program says so (status 1) after training and evaluating.
if [ $st -ne 0 ] && grep -q 'error: regenerating the firmware' "$W/all.run"; then st=0; fi
check train/allops-run "status $st: $(grep error "$W/all.run" | head -3)" test $st -eq 0 -a -s "$W/all/eval/summary.json"
check train/allops-residuals "no residuals.csv" test -s "$W/all/eval/residuals.csv"

# Layers with nothing trainable before them (an input dropout; a model without
# parameters) have no backward: they trained to a crash before.
for v in "input-dropout:dropout(0.1)
  dense d1(8)
  relu
  dense out(57)" "no-parameters:relu"; do
  name=${v%%:*}
  awk -v body="${v#*:}" '/^model ae \{/ { print "model ae {\n  input x[57]\n  " body "\n}"; skip = 1; next }
                         skip && /^\}/ { skip = 0; next } !skip' "$AEDL" > "$W/$name.aedl"
  "$AEDLC" "$W/$name.aedl" --emit train -o "$W/$name" > "$W/$name.log" 2>&1 &&
    make -s -B -C "$W/$name/train" WERROR=1 AEDLC="$AEDLC" >> "$W/$name.log" 2>&1 &&
    "$W/$name/train/ae_train" --epochs 2 --threads 2 --no-eval >> "$W/$name.log" 2>&1; st=$?
  check "train/$name" "status $st: $(tail -3 "$W/$name.log")" test $st -eq 0 -a "$(cat "$W/$name/history.csv" 2>/dev/null | wc -l)" -eq 3
done
