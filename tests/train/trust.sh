#!/bin/sh
# Nothing silently wrong: under aedlc run, the training program shows the
# firmware step's warnings and lists them in eval/summary.json; early stopping
# restores an epoch at the pruning schedule's final sparsity, or says plainly
# that the model is less sparse; the generated files name no folder of the
# machine (only the data files the user named), and an output folder still
# works after it is moved.
. tests/lib.sh
test_workdir train-trust
W=$(cd "$W" && pwd -P)
ROOT=$PWD
export AEDL_NO_REPORT=1
small_qat "$W" 20000 5000 100 3 7       # $W/data, $W/ae.aedl (3 epochs)

# summary.json's "warnings" (python3 as an independent reader of the JSON).
warnings_of() { python3 -c 'import json, sys; print("\n".join(json.load(open(sys.argv[1]))["warnings"]))' "$1"; }

# ---- aedlc's warnings: a chain of unquantized dense layers whose exact type
# needs more than 64 bits (tests/prec/run_cli.sh) makes aedlc warn.
cat > "$W/wide.aedl" <<'AEDL'
model m {
  input x[57] : fixed<16, 7, rnd, sat>
  dense a(8, weight=fixed<16, 2, rnd_conv, sat>, bias=fixed<16, 2, rnd_conv, sat>)
  dense b(8, weight=fixed<16, 2, rnd_conv, sat>, bias=fixed<16, 2, rnd_conv, sat>)
  dense c(8, weight=fixed<16, 2, rnd_conv, sat>, bias=fixed<16, 2, rnd_conv, sat>)
  dense d(57, weight=fixed<16, 2, rnd_conv, sat>, bias=fixed<16, 2, rnd_conv, sat>)
}
data dd {
  train  = hdf5("data/background_for_training.h5", "Particles")
  signal Ato4l = hdf5("data/Ato4l_lepFilter_13TeV.h5", "Particles")
  features = [0:3]
  flatten = true
  limit = 5000
  scale = standard
}
train {
  model = m
  data = dd
  epochs = 2
  batch = 256
}
AEDL
"$AEDLC" "$W/wide.aedl" --emit train -o "$W/wide" > "$W/wide.emit" 2>&1
"$AEDLC" run "$W/wide.aedl" -o "$W/wide" -- --threads 2 > "$W/wide.out" 2> "$W/wide.err"; st=$?
warn="wide.aedl:5:3: warning: layer 'c': its exact type needs more than 64 bits, so it gets the float-part rules"
check train/aedlc-warning-shown "status $st; stderr: $(head -c 600 "$W/wide.err")" \
  sh -c "test $st -eq 0 && test \$(grep -c \"$warn\" '$W/wide.err') -eq 1 &&
         grep -q '^    5 |   dense c(8' '$W/wide.err' && grep -q 'note: every unquantized layer before it' '$W/wide.err'"
warnings_of "$W/wide/eval/summary.json" > "$W/wide.warnings" 2>&1
check train/aedlc-warning-summary "summary.json warnings: $(cat "$W/wide.warnings")" \
  sh -c "test \$(wc -l < '$W/wide.warnings') -eq 1 && grep -q \"^$W/wide.aedl:5:3: warning: layer 'c'\" '$W/wide.warnings'"
check train/aedlc-warning-quiet "--quiet final line: $(cat "$W/wide.out")" grep -q '; 1 warning(s) (eval/summary.json)' "$W/wide.out"

# ---- pruning and early stopping.  12 batches an epoch.
# Pruning that begins after the run ends (step 2000): restore_best cannot
# undo it in silence; the output and summary.json say the model is less sparse.
sed -e 's|^pruning half = .*|pruning half = constant_sparsity(0.75, begin=2000)|' "$W/ae.aedl" > "$W/late.aedl"
"$AEDLC" "$W/late.aedl" --emit train -o "$W/late" > "$W/late.emit" 2>&1
"$AEDLC" run "$W/late.aedl" -o "$W/late" -- --threads 2 > "$W/late.out" 2> "$W/late.err"; st=$?
msg="pruning: the model is less sparse than its pruning schedule (sparsity 0.00): layer enc1 has sparsity 0.00; its schedule 'half' reaches 0.75 at step 2000; the run ended at step 36; no epoch reached the final sparsity, so early_stopping restored none"
printf 'ae_train: warning: %s\n' "$msg" > "$W/late.want"
check train/pruning-short-said "status $st; stderr: $(grep -v '^epoch' "$W/late.err" | head -c 600)" \
  sh -c "test $st -eq 0 && grep -qF -f '$W/late.want' '$W/late.err' && ! grep -q 'early_stopping: restored' '$W/late.err'"
warnings_of "$W/late/eval/summary.json" > "$W/late.warnings" 2>&1
check train/pruning-short-summary "summary.json warnings: $(cat "$W/late.warnings")" grep -qF "$msg" "$W/late.warnings"
check train/pruning-short-final-line "final line: $(cat "$W/late.out")" \
  grep -q '; less sparse than its pruning schedule (sparsity 0.00); 1 warning(s)' "$W/late.out"

# Pruning from step 20 (epoch 2): min_delta=100 means nothing ever improves, so
# Keras would keep epoch 1 (not pruned); the best epoch is the first one at the
# final sparsity instead, and the run stops 2 epochs after it.
sed -e 's|^pruning half = .*|pruning half = constant_sparsity(0.75, begin=20, frequency=10)|' \
    -e 's|epochs = 3|epochs = 8|' \
    -e 's|early_stopping(monitor=val_loss, patience=10, restore_best=true)|early_stopping(monitor=val_loss, patience=2, min_delta=100, restore_best=true)|' \
    "$W/ae.aedl" > "$W/early.aedl"
"$AEDLC" "$W/early.aedl" --emit train -o "$W/early" > "$W/early.emit" 2>&1
"$AEDLC" run "$W/early.aedl" -o "$W/early" -- --threads 2 > "$W/early.out" 2> "$W/early.err"; st=$?
check train/pruning-best-final "status $st; $(grep -E 'early_stopping|warning' "$W/early.err" | head -c 600)" \
  sh -c "test $st -eq 0 && grep -q '^early_stopping: restored the weights of epoch 2 (sparsity 0.75' '$W/early.err' &&
         grep -q 'early_stopping: no improvement for 2 epochs (best epoch 2)' '$W/early.err' && ! grep -q 'warning' '$W/early.err'"
h5dump -d /enc1/mask -y -w 0 "$W/early/ae.weights.h5" | sed -n '/DATA {/,/}/p' | tr ', ' '\n\n' | grep -E '^-?[0-9]' > "$W/m.txt"
zeros=$(awk '$1 == 0' "$W/m.txt" | wc -l); all=$(wc -l < "$W/m.txt")
check train/pruning-best-mask "enc1's mask in the weights file: $zeros zeros of $all" test "$zeros" -eq 1368 -a "$all" -eq 1824
check train/pruning-best-summary "summary.json warnings: $(warnings_of "$W/early/eval/summary.json" 2>&1)" \
  test -z "$(warnings_of "$W/early/eval/summary.json" 2>&1)"

# ---- no path of the machine in the generated files (train/ and hls/ of the
# runs above): not the work folder, the repository, $HOME, nor any /tmp/,
# except on the lines that name the user's data files.
: > "$W/paths.txt"
for d in "$W"/wide "$W"/late "$W"/early; do
  for p in "$W" "$ROOT" /tmp/ ${HOME:+"$HOME/"}; do
    grep -rIF -- "$p" "$d/train" "$d/hls" | grep -v 'AEDL_SRC_HDF5\|AEDL_SRC_CSV' >> "$W/paths.txt"
  done
done
check train/no-machine-paths "$(head -c 600 "$W/paths.txt")" test ! -s "$W/paths.txt"
check train/data-paths-kept "the data files are not named in the generated C" \
  grep -qF "$W/data/background_for_training.h5" "$W/early/train/ae_model.c"

# ---- a moved output folder keeps working.  The project (.aedl and output
# folder) moves to another depth, the data stay: aedlc run ... -- --resume
# continues and writes the firmware.
mkdir -p "$W/p" "$W/far/away"
sed -e "s|\"data/|\"$W/data/|" "$W/ae.aedl" > "$W/p/ae.aedl"
"$AEDLC" "$W/p/ae.aedl" --emit train -o "$W/p/out" > "$W/p.emit" 2>&1
"$AEDLC" run "$W/p/ae.aedl" -o "$W/p/out" -- --threads 2 --epochs 2 > "$W/p.log" 2>&1; st=$?
check train/move-first-run "status $st: $(tail -3 "$W/p.log")" test $st -eq 0 -a -s "$W/p/out/hls/firmware/ae.cpp"
mv "$W/p" "$W/far/away/p"
M="$W/far/away/p/out"
rm -rf "$M/hls" "$M/eval"
"$AEDLC" run "$W/far/away/p/ae.aedl" -o "$M" -- --threads 2 --epochs 3 --resume > "$W/m.log" 2>&1; st=$?
check train/move-resume "status $st: $(grep -E 'resumed|error|firmware' "$W/m.log" | head -c 600)" \
  sh -c "test $st -eq 0 && grep -q '^resumed from $M/ae.ckpt: 2 epoch(s) done' '$W/m.log' &&
         grep -q 'firmware: aedlc writes firmware.plan, hls/ and report/ with $M/ae.weights.h5' '$W/m.log' &&
         grep -q '^firmware emulation equals the quantized model on 4000 of 4000' '$W/m.log' &&
         test -s '$M/hls/firmware/ae.cpp' && test \$(wc -l < '$M/history.csv') -eq 4"
# The output folder alone, elsewhere: rebuilt there with make (aedlc given, or
# a plain message without it), then --aedl names the model file.
mv "$M" "$W/solo"
env PATH=/usr/bin:/bin make -s -B -C "$W/solo/train" > "$W/mk0.log" 2>&1; st=$?
check train/move-make-no-aedlc "status $st: $(cat "$W/mk0.log")" \
  sh -c "test $st -ne 0 && grep -q 'cannot find aedlc (.aedlc.) or its runtime; run make AEDLC=/path/to/aedlc' '$W/mk0.log'"
make -s -B -C "$W/solo/train" AEDLC="$AEDLC" > "$W/mk.log" 2>&1; st=$?
check train/move-make "status $st: $(tail -3 "$W/mk.log")" test $st -eq 0 -a -x "$W/solo/train/ae_train"
rm -rf "$W/solo/hls"
"$AEDLC" run "$W/far/away/p/ae.aedl" -o "$W/solo" -- --threads 2 --epochs 4 --resume > "$W/s.log" 2>&1; st=$?
check train/move-resume-aedl "status $st: $(grep -E 'resumed|error|firmware' "$W/s.log" | head -c 600)" \
  sh -c "test $st -eq 0 && grep -q '^resumed from $W/solo/ae.ckpt: 3 epoch(s) done' '$W/s.log' &&
         grep -q '^firmware emulation equals the quantized model on 4000 of 4000' '$W/s.log' && test -s '$W/solo/hls/firmware/ae.cpp'"
