#!/bin/sh
# quantized_relu(bits, integer, negative_slope=s) in .aedl (QKeras' quantized
# relu with a negative side): the IR is a clip at +-2^integer whose gradient
# passes unchanged, then leaky_relu(s) quantized to fixed<bits, integer+1,
# rnd_conv, sat>; an autoencoder with it trains 2 epochs, the firmware equals
# the quantized model on every test event and the C simulation equals the
# emulator, bit for bit.  (Its values against numpy's QKeras formula:
# tests/import/keras.sh, import/family.)
. tests/lib.sh
. tests/import/blocks.sh
test_workdir qrelu_slope

"$GEN" --all "$W/data" --events 3000 --signal-events 500 --jet-count 100 --seed 5 --quiet \
  || { echo "FAIL import/qrelu-slope/data: aedl-gen failed"; exit 1; }
cat > "$W/ls.aedl" <<'AEDL'
model ls {
  input x[57] : fixed<16, 7, rnd, sat>
  dense enc(16, weight=quantized_bits(8, 1), bias=quantized_bits(8, 2))
  relu act1(quant=quantized_relu(6, 1, negative_slope=0.25))
  dense latent(3, weight=quantized_bits(8, 1), bias=quantized_bits(8, 2))
  dense dec(16, weight=quantized_bits(8, 1), bias=quantized_bits(8, 2))
  relu act2(quant=quantized_relu(8, 2, negative_slope=0.0625))
  dense out(57, weight=quantized_bits(8, 1), bias=quantized_bits(8, 2))
}
AEDL
blocks ls >> "$W/ls.aedl"
"$AEDLC" "$W/ls.aedl" --emit ir > "$W/ls.ir" 2>&1; st=$?
check import/qrelu-slope/ir "status $st: $(cat "$W/ls.ir")" sh -c "test $st -eq 0 &&
  grep -q '^  clip act1_clip(lo=-2, hi=2) <- enc ' '$W/ls.ir' &&
  grep -q '^  leaky_relu act1(alpha=0.25, quant=quantized_relu(6, 1, negative_slope=0.25)) <- act1_clip .*quant fixed<6, 2, rnd_conv, sat>\$' '$W/ls.ir' &&
  grep -q '^  clip act2_clip(lo=-4, hi=4) <- dec ' '$W/ls.ir' &&
  grep -q '^  leaky_relu act2(alpha=0.0625, quant=quantized_relu(8, 2, negative_slope=0.0625)) <- act2_clip .*quant fixed<8, 3, rnd_conv, sat>\$' '$W/ls.ir'"
(cd "$W" && AEDL_NO_REPORT=1 "$AEDLC" run ls.aedl -o out -- --threads 2 > train.log 2>&1); st=$?
check import/qrelu-slope/train "status $st: $(tail -n 3 "$W/train.log")" \
  sh -c "test $st -eq 0 && grep -q 'firmware == quantized model on \([0-9]*\)/\1 test events' '$W/train.log'"
grep -o 'firmware == quantized model on [0-9/]* test events' "$W/train.log" | sed 's/^/    qrelu-slope: /'
# QKeras' gradient: 1 through the clip (s below 0 from the leaky relu, 0 above the top value from the quantizer)
C=$(ls "$W"/out/train/*.c | head -n 1)
check import/qrelu-slope/gradient "$(grep -n 'act1_clip' "$C" | head -n 5)" sh -c "
  sed -n '/^static void ls_act1_clip_backward/,/^}/p' '$C' | grep -q 'aedl_linear_backward(' &&
  ! sed -n '/^static void ls_act1_clip_backward/,/^}/p' '$C' | grep -q 'aedl_clip_backward('"
make -s -C "$W/out/hls" csim WERROR=1 > "$W/csim.out" 2>&1
check import/qrelu-slope/csim "$(tail -n 3 "$W/csim.out" | tr '\n' ' ')" grep -q '^csim: \([0-9]*\) of \1 events matched bit for bit$' "$W/csim.out"
grep '^csim:' "$W/csim.out" | sed 's/^/    qrelu-slope: /'
