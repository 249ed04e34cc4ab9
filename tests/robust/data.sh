#!/bin/sh
# Damaged files given to the training executable and to aedlc: an HDF5 data
# file cut off in the middle (training data and a signal), the weights of
# another model, a cut weights file, NaN, infinities and a negative variance in
# weights (tests/prec/run_cli.sh covers wrong shapes, a missing or extra layer
# and a NaN in a kernel; the loader's tests cover NaN in data).  Each: exit
# status 1, a message naming the file and the problem, no sanitizer report.
# Also: aedlc run, writing hls/ and report/ again after training, keeps the
# user's own files there.
. tests/robust/common.sh
cd "$T" || exit 1
"$GEN" --process background --events 3000 --seed 1 -o bg.h5 --quiet &&
"$GEN" --process Ato4l --events 500 --seed 2 -o sig.h5 --quiet || { echo "FAIL robust/data: aedl-gen failed"; exit 1; }
robust_model m.aedl 1 sig.h5
"$AEDLC" m.aedl --emit train -o out > emit.log 2>&1 || { echo "FAIL robust/data: aedlc --emit train: $(tail -3 emit.log)"; exit 1; }
TR=out/train/m_train

# ---- a good run first (the user's files in hls/ and report/ survive the regeneration)
mkdir -p out/hls/firmware out/report
echo mine > out/hls/firmware/my_kernel.h; echo mine > out/report/mine.txt
"$AEDLC" run m.aedl -o out -- --epochs 1 --quiet > run.log 2>&1
check robust/data/train-ok "status $?: $(tail -3 run.log)" test -s out/m.weights.h5 -a -f out/hls/firmware/m.cpp
check robust/data/train-keeps-user-files "the regeneration touched the user's files" \
  sh -c 'test "$(cat out/hls/firmware/my_kernel.h out/report/mine.txt)" = "mine
mine"'
cp out/m.weights.h5 good.h5

# ---- an empty output folder name (aedl_mkdirs read past the string)
expect_error robust/data/train-output-empty "cannot create" "$TR" --epochs 1 --quiet -o ""

# ---- HDF5 data files cut off in the middle
cp bg.h5 bg.full; cp sig.h5 sig.full
head -c $(($(wc -c < bg.full) / 2)) bg.full > bg.h5
expect_error robust/data/train-file-cut "$T/bg.h5: cannot open the HDF5 file: it is cut off (" "$TR" --epochs 1 --quiet -o cut1
check robust/data/train-file-cut-no-output "a weights file was written from a cut data file" test ! -e cut1/m.weights.h5
head -c 2000 bg.full > bg.h5
expect_error robust/data/train-file-cut-in-header "$T/bg.h5: cannot open the HDF5 file" "$TR" --epochs 1 --quiet -o cut2
cp bg.full bg.h5
head -c $(($(wc -c < sig.full) / 2)) sig.full > sig.h5
expect_error robust/data/signal-file-cut "$T/sig.h5: cannot open the HDF5 file: it is cut off (" "$TR" --epochs 1 --quiet -o cut3
cp sig.full sig.h5
: > bg.h5
expect_error robust/data/train-file-empty "$T/bg.h5: not an HDF5 file" "$TR" --epochs 1 --quiet -o cut4
cp bg.full bg.h5

# ---- the weights of another model: every difference listed
cat > other.aedl <<'AEDL'
quantizer qw = quantized_bits(6, 2, 1)
model small {
  input x[4] : fixed<8, 3, rnd, sat>
  dense enc(5, weight=qw, bias=qw)
  batchnorm
  relu(quant=quantized_relu(6, 1))
  dense d2(3, weight=qw, bias=qw)
  dense out(2, weight=qw, bias=qw)
}
AEDL
for e in report hls; do
  expect_error "robust/weights/other-model-$e" "good.h5: error: layer 'enc': kernel has shape (57,8), the model needs (4,5)" \
    "$AEDLC" other.aedl --emit "$e" -o other --weights good.h5
  missing=""
  for want in "layer 'enc': bias has shape (8,), the model needs (5,)" \
              "layer 'batchnorm_1': gamma has shape (8,), the model needs (5,)" \
              "layer 'd2' (dense) of model 'small' is missing" \
              "layer 'out': kernel has shape (8,57), the model needs (3,2)"; do
    grep -qF "good.h5: error: $want" "$T/stderr" || missing="$missing [$want]"
  done
  check "robust/weights/other-model-$e-all-listed" "not listed:$missing" test -z "$missing"
done
check robust/weights/other-model-nothing-written "files were written from the wrong weights" \
  sh -c '[ -z "$(find other -type f 2>/dev/null)" ]'

# ---- damaged weights files
head -c $(($(wc -c < good.h5) / 2)) good.h5 > cut.h5
expect_error robust/weights/file-cut "cut.h5: error: cannot open as an HDF5 weights file: it is cut off (" \
  "$AEDLC" m.aedl --emit report -o w1 --weights cut.h5
echo "not HDF5" > text.h5
expect_error robust/weights/not-hdf5 "text.h5: error: cannot open as an HDF5 weights file" \
  "$AEDLC" m.aedl --emit report -o w1 --weights text.h5
bad() {   # bad NAME DATASET INDEX VALUE MESSAGE
  cp good.h5 "$1.h5" && "$H5EDIT" "$1.h5" "$2" "$3" "$4" || { fail "robust/weights/$1" "h5edit failed"; return; }
  expect_error "robust/weights/$1" "$1.h5: error: $5" "$AEDLC" m.aedl --emit report,hls -o w2 --weights "$1.h5"
}
bad bias-inf /enc/bias 3 inf "layer 'enc': bias[3] is infinite"
bad kernel-minus-inf /out/kernel 10 -inf "layer 'out': kernel[0, 10] is infinite"
bad kernel-nan-last /out/kernel 455 nan "layer 'out': kernel[7, 56] is NaN"
bad bn-variance-nan /batchnorm_1/moving_variance 2 nan "layer 'batchnorm_1': moving_variance[2] is NaN"
bad bn-variance-negative /batchnorm_1/moving_variance 2 -5 "layer 'batchnorm_1': moving_variance[2] is negative (-5)"
bad bn-gamma-nan /batchnorm_1/gamma 0 nan "layer 'batchnorm_1': gamma[0] is NaN"
check robust/weights/damaged-nothing-written "files were written from damaged weights" \
  sh -c '[ -z "$(find w1 w2 -type f 2>/dev/null)" ]'
exit 0
