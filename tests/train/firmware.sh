#!/bin/sh
# THE guarantee: after training, the firmware emulation (the plan aedlc writes
# with the trained weights) equals the quantized model (QI) exactly on every
# test event; the testbench vectors are written from the test split.
. tests/train/common.sh
OUT="$W/out"
"$AEDLC" "$AEDL" --emit train -o "$OUT" > "$W/emit.log" 2>&1 || { echo "FAIL train/fw-emit: $(tail -5 "$W/emit.log")"; exit 1; }
"$AEDLC" run "$AEDL" -o "$OUT" -- --threads 2 --epochs 2 > "$W/run.log" 2>&1; st=$?
check train/fw-run "exit status $st: $(grep -i error "$W/run.log" | head -3)" test $st -eq 0
S="$OUT/eval/summary.json"
check train/fw-available "no firmware column: $(grep -o '"note": "[^"]*"' "$S")" grep -q '"firmware": { "available": true' "$S"
n=$(sed -n 's/.*"firmware": {.*"test_events": \([0-9]*\), "equal_to_quantized": \([0-9]*\).*/\1 \2/p' "$S")
set -- $n
check train/fw-equals-qi "firmware equals QI on ${2:-?} of ${1:-?} test events" sh -c "test -n '$1' && test '$1' -eq 4000 && test '$1' -eq '$2'"
TB="$OUT/hls/tb_data"
check train/fw-tb-input "tb_input_features.dat: 1000 lines of 57 values expected" \
  sh -c "test \$(wc -l < '$TB/tb_input_features.dat') -eq 1000 && awk 'NF != 57 { exit 1 }' '$TB/tb_input_features.dat'"
check train/fw-tb-output "tb_output_predictions.dat: 1000 lines of 57 values expected" \
  sh -c "test \$(wc -l < '$TB/tb_output_predictions.dat') -eq 1000 && awk 'NF != 57 { exit 1 }' '$TB/tb_output_predictions.dat'"

# Started by hand, the training program runs no aedlc (AEDLC names a stand-in that
# would leave a mark): it evaluates without a firmware column and says how to get one.
printf '#!/bin/sh\ntouch "%s/aedlc-ran"\n' "$W" > "$W/fake-aedlc"; chmod +x "$W/fake-aedlc"
AEDLC="$W/fake-aedlc" AEDL_NO_REPORT=1 "$OUT/train/ae_train" --threads 2 --epochs 1 -o "$W/hand" > "$W/hand.log" 2>&1; st=$?
check train/fw-hand-runs-no-aedlc "status $st; aedlc ran: $(test -e "$W/aedlc-ran" && echo yes || echo no); $(tail -n 2 "$W/hand.log" | tr '\n' ' ')" \
  sh -c "test $st -eq 0 && ! test -e '$W/aedlc-ran' && ! test -e '$W/hand/firmware.plan' && ! test -e '$W/hand/hls' &&
         grep -q '\"firmware\": { \"available\": false, \"note\": \"no firmware: aedlc makes it when it drives the run (aedlc run' '$W/hand/eval/summary.json'"

# equals_qi NAME FILE: emit FILE's training program into $W/NAME, train 2 epochs, and
# check train/fw-NAME-equals-qi (firmware == QI on all 4000 test events).  False when
# the program could not be written.
equals_qi() {
  "$AEDLC" "$2" --emit train -o "$W/$1" > "$W/$1.emit" 2>&1 ||
    { fail "train/fw-$1-equals-qi" "aedlc: $(tail -n 3 "$W/$1.emit")"; return 1; }
  "$AEDLC" run "$2" -o "$W/$1" -- --threads 2 --epochs 2 > "$W/$1.run" 2>&1; st=$?
  n=$(sed -n 's/.*"firmware": {.*"test_events": \([0-9]*\), "equal_to_quantized": \([0-9]*\).*/\1 \2/p' \
        "$W/$1/eval/summary.json" 2>/dev/null)
  set -- "$1" $n
  check "train/fw-$1-equals-qi" "status $st; firmware equals QI on ${3:-?} of ${2:-?} test events" \
    sh -c "test $st -eq 0 && test -n '$2' && test '$2' -eq 4000 && test '$2' -eq '$3'"
}

# leaky_relu with the default alpha (0.3, not a multiple of 2^-10): training and
# quantized inference use its fixed value too, so the guarantee holds.
sed -e 's/^quantizer qa = quantized_relu(8, 0)$/&\nquantizer ql = quantized_bits(10, 2)/' \
    -e '0,/  relu(quant=qa)/s//  leaky_relu(quant=ql)/' "$AEDL" > "$W/leaky.aedl"
R="$W/leaky/report/precision.txt"
if ! grep -q 'leaky_relu(quant=ql)' "$W/leaky.aedl"; then
  fail train/fw-leaky-equals-qi "the sed that writes the leaky_relu model changed nothing"
elif equals_qi leaky "$W/leaky.aedl"; then
  check train/fw-leaky-guaranteed "the report does not call leaky_relu_1 guaranteed with alpha 0.2998046875" \
    sh -c "grep -q 'alpha 0.3 is used as 0.2998046875' '$R' && ! grep -qi 'not guaranteed' '$R'"
fi

# clip, on a quantized relu (ufixed<8,0>; 0.1 is used as 0.099609375, on the 2^-10 step)
# and on an exact dense output: training, quantized inference, the emulator and the C
# simulation compute the same clamp, so the guarantee holds.
sed -e '0,/^  relu(quant=qa)$/s//&\n  clip(0.1, 0.7)/' -e 's/^  dense enc2(.*)$/&\n  clip mid(lo=-0.3, hi=0.5)/' "$AEDL" > "$W/clip.aedl"
R="$W/clip/report/precision.txt"
if [ "$(grep -c '^  clip' "$W/clip.aedl")" -ne 2 ]; then
  fail train/fw-clip-equals-qi "the sed that writes the clip model did not add two clip layers"
elif equals_qi clip "$W/clip.aedl"; then
  check train/fw-clip-guaranteed "the report calls a layer not guaranteed: $(grep -i 'not guaranteed' "$R" | head -n 2)" \
    sh -c "grep -q '^mid (clip, line' '$R' && ! grep -qi 'not guaranteed' '$R'"
  make -s -C "$W/clip/hls" csim WERROR=1 > "$W/csim5.out" 2>&1
  check train/fw-clip-csim "$(tail -n 2 "$W/csim5.out" | tr '\n' ' ')" grep -qx 'csim: 1000 of 1000 events matched bit for bit' "$W/csim5.out"
fi

# bound on the exact output, the paper's rule for the 57 ADC2021 features (pT >= 0,
# eta k * tanh with k by object type, phi pi * tanh): training, quantized inference
# (tanh's table times k on the 2^-10 step), the emulator and the C simulation agree.
sed -e 's/^  dense out(57, .*)$/&\n  bound ob([relu([0:57], every=3), tanh(3.0, [4:16], every=3), tanh(2.1, [16:28], every=3),\n            tanh(4.0, [28:57], every=3), tanh(pi, [2:57], every=3)])/' "$AEDL" > "$W/bound.aedl"
R="$W/bound/report/precision.txt"
if [ "$(grep -c '^  bound ob' "$W/bound.aedl")" -ne 1 ]; then
  fail train/fw-bound-equals-qi "the sed that writes the bound model did not add the bound layer"
elif equals_qi bound "$W/bound.aedl"; then
  check train/fw-bound-guaranteed "the report calls a layer not guaranteed: $(grep -i 'not guaranteed' "$R" | head -n 2)" \
    sh -c "grep -q '^ob (bound, line' '$R' && ! grep -qi 'not guaranteed' '$R'"
  make -s -C "$W/bound/hls" csim WERROR=1 > "$W/csim7.out" 2>&1
  check train/fw-bound-csim "$(tail -n 2 "$W/csim7.out" | tr '\n' ' ')" grep -qx 'csim: 1000 of 1000 events matched bit for bit' "$W/csim7.out"
  # the bounds hold on every expected firmware output: |eta| < k, |phi| < pi, pT >= 0
  check train/fw-bound-bounded "an output outside its bound in tb_output_predictions.dat" \
    awk '{ for (j = 1; j <= NF; j++) { f = j - 1; v = $j; a = v < 0 ? -v : v
             if (f % 3 == 0 && v < 0) exit 1
             if (f % 3 == 2 && a > 3.1416015625) exit 1
             if (f % 3 == 1 && f >= 4 && f < 16 && a > 3) exit 1
             if (f % 3 == 1 && f >= 16 && f < 28 && a > 2.099609375) exit 1
             if (f % 3 == 1 && f >= 28 && a > 4) exit 1 } }' "$W/bound/hls/tb_data/tb_output_predictions.dat"
fi

# Pinned types: enc2's result pinned to a narrow fixed<6, 1, rnd, sat> (it saturates
# often) and the output to fixed<12, 4, rnd, sat>: training quantizes there as the
# firmware does, so the guarantee holds; summary.json counts the saturations.
sed -e 's/^  dense enc2(16, weight=qw, bias=qw)$/  dense enc2(16, weight=qw, bias=qw, result=fixed<6, 1, rnd, sat>)/' \
    -e 's/^  dense out(57, weight=qo, bias=qo)$/&\n  output out : fixed<12, 4, rnd, sat>/' "$AEDL" > "$W/pin.aedl"
if [ "$(grep -c 'result=fixed<6, 1, rnd, sat>\|^  output out : ' "$W/pin.aedl")" -ne 2 ]; then
  fail train/fw-pin-equals-qi "the sed that writes the pinned model changed too little"
elif equals_qi pin "$W/pin.aedl"; then
  S="$W/pin/eval/summary.json"
  D="$W/pin/hls/firmware/defines.h"
  check train/fw-pin-types "defines.h: $(grep -E '(enc2|out)_result_result_t' "$D" | tr '\n' ' ')" \
    sh -c "grep -q '^typedef ap_fixed<6,1,AP_RND,AP_SAT> enc2_result_result_t;  // bit_exact: pinned to fixed<6,1,rnd,sat>' '$D' &&
           grep -q '^typedef ap_fixed<12,4,AP_RND,AP_SAT> out_result_result_t;' '$D' && grep -q '^typedef out_result_result_t result_t;' '$D'"
  e=$(sed -n 's/.*{ "layer": "enc2_result", "type": "fixed<6,1,rnd,sat>", "test_values": \([0-9]*\), "saturated": \([0-9]*\) }.*/\1 \2/p' "$S")
  set -- $e
  check train/fw-pin-saturations "enc2_result: ${2:-?} of ${1:-?} test values saturated (4000 events x 16 expected, some saturated): $(grep -A 3 '"pinned"' "$S" | tr '\n' ' ')" \
    sh -c "test -n '$1' && test '$1' -eq 64000 && test '$2' -gt 0 && test '$2' -lt '$1' &&
           grep -q '\"layer\": \"out_result\", \"type\": \"fixed<12,4,rnd,sat>\", \"test_values\": 228000' '$S'"
  check train/fw-pin-said "the run's line: $(grep '^pinned' "$W/pin.run" | head -n 1)" \
    grep -q "^pinned fixed<6,1,rnd,sat> of enc2_result: ${2:-?} of 64000 test values outside it (saturated)" "$W/pin.run"
  make -s -C "$W/pin/hls" csim WERROR=1 > "$W/csim8.out" 2>&1
  check train/fw-pin-csim "$(tail -n 2 "$W/csim8.out" | tr '\n' ' ')" grep -qx 'csim: 1000 of 1000 events matched bit for bit' "$W/csim8.out"
fi

# abs on an exact dense output and on the quantized input: |x| is exact in
# training's quantized inference, the emulator and the C simulation.
sed -e 's/^  dense enc2(.*)$/&\n  abs mid/' -e '0,/^  input x.*$/s//&\n  abs in_mag/' "$AEDL" > "$W/abs.aedl"
R="$W/abs/report/precision.txt"
if [ "$(grep -c '^  abs' "$W/abs.aedl")" -ne 2 ]; then
  fail train/fw-abs-equals-qi "the sed that writes the abs model did not add two abs layers"
elif equals_qi abs "$W/abs.aedl"; then
  check train/fw-abs-guaranteed "the report calls a layer not guaranteed: $(grep -i 'not guaranteed' "$R" | head -n 2)" \
    sh -c "grep -q '^mid (abs, line' '$R' && ! grep -qi 'not guaranteed' '$R'"
  make -s -C "$W/abs/hls" csim WERROR=1 > "$W/csim6.out" 2>&1
  check train/fw-abs-csim "$(tail -n 2 "$W/csim6.out" | tr '\n' ' ')" grep -qx 'csim: 1000 of 1000 events matched bit for bit' "$W/csim6.out"
fi

# sigmoid and tanh are tables (as hls4ml's), read the same way by training's quantized
# inference, the emulator and the C simulation: guaranteed too.
awk '/  relu\(quant=qa\)/ { n++; if (n == 2) { print "  tanh"; next } if (n == 3) { print "  sigmoid"; next } } { print }' \
  "$AEDL" > "$W/act.aedl"
R="$W/tables/report/precision.txt"
if ! grep -q '^  tanh$' "$W/act.aedl" || ! grep -q '^  sigmoid$' "$W/act.aedl"; then
  fail train/fw-tables-equals-qi "the awk that writes the tanh/sigmoid model changed nothing"
elif equals_qi tables "$W/act.aedl"; then
  check train/fw-tables-guaranteed "the report calls a layer not guaranteed: $(grep -i 'not guaranteed' "$R" | head -n 2)" \
    sh -c "grep -q 'tanh by a table of 1024 entries' '$R' && ! grep -qi 'not guaranteed' '$R'"
  make -s -C "$W/tables/hls" csim WERROR=1 > "$W/csim3.out" 2>&1
  check train/fw-tables-csim "$(tail -n 2 "$W/csim3.out" | tr '\n' ' ')" grep -qx 'csim: 1000 of 1000 events matched bit for bit' "$W/csim3.out"
fi

# A float part after quantized layers (27-64-64-32-27 in the report that found it; 57
# inputs here): q8_3 dense layers with unquantized leaky_relu between them add fraction
# bits until a later layer's exact type needs more than 64 bits and becomes a float part.
# The layers before it stay exact: their firmware weights are the trained ones rounded by
# q8_3 (half to even, not truncated), and each layer equals the exact quantized model on
# every test event (5000 events: the 1000 of the test split are the testbench's), checked
# by tests/train/float_part_check.py from the weights file and the emulator's layer values.
# Its conservative types pass 64 bits: `--emit train,hls` warns that hls/ comes after
# training (docs/hls.md), and aedlc run writes it after training.
{ sed -n '1p' "$AEDL"; cat <<'AEDL'; sed -n '/^# The ADC2021 files/,$p' "$AEDL" | sed 's/^  limit = .*/  limit = 5000/'; } > "$W/float_part.aedl"
import "std/quantizers"

model ae {
  input x[57] : fixed<16, 7, rnd, sat>
  dense enc1(64, weight=q8_3, bias=q8_3)
  leaky_relu
  dense enc2(64, weight=q8_3, bias=q8_3)
  leaky_relu
  dense latent(32, weight=q8_3, bias=q8_3)
  leaky_relu
  dense out(57, weight=q8_3, bias=q8_3)
}

AEDL
FP="$W/fp"
"$AEDLC" "$W/float_part.aedl" --emit train,hls -o "$FP" > "$W/fp.emit" 2>&1; st=$?
check train/fw-float-part-emit "status $st, hls/ $(test -e "$FP/hls" && echo written || echo absent): $(tail -n 2 "$W/fp.emit" | tr '\n' ' ')" \
  sh -c "test $st -eq 0 && ! test -e '$FP/hls' && grep -q '^aedlc: warning: $FP/hls not written now: without trained weights the conservative types are too wide; aedlc run writes it after training' '$W/fp.emit'"
"$AEDLC" run "$W/float_part.aedl" -o "$FP" -- --threads 2 --epochs 2 > "$W/fp.run" 2>&1; st=$?
check train/fw-float-part-run "status $st: $(tail -n 3 "$W/fp.run" 2>/dev/null | tr '\n' ' ')" \
  sh -c "test $st -eq 0 && grep -q 'firmware not guaranteed (float parts)' '$W/fp.run' && test -f '$FP/hls/firmware/ae.cpp'"
n_test=$(sed -n 's/^  "test_events": \([0-9]*\),$/\1/p' "$FP/eval/summary.json" 2>/dev/null)
n_tb=$(wc -l < "$FP/hls/tb_data/tb_input_features.dat" 2>/dev/null)
check train/fw-float-part-tb-is-test "test split ${n_test:-?} events, testbench ${n_tb:-?}" \
  sh -c "test -n '$n_test' && test '$n_test' -gt 0 && test '$n_test' = '$n_tb'"
python3 tests/train/float_part_check.py "$FP/firmware.plan" "$FP/ae.weights.h5" \
  "$FP/hls/tb_data/tb_input_features.dat" "$B/tests/prec/plan_layer" > "$W/fp.check" 2>&1
check train/fw-float-part-weights "$(grep -v '^exact' "$W/fp.check" | head -n 3 | tr '\n' ' ')" grep -q '^weights: ok' "$W/fp.check"
check train/fw-float-part-exact-before "$(grep -v '^weights: ok' "$W/fp.check" | head -n 3 | tr '\n' ' ')" grep -q '^exact: ok' "$W/fp.check"
check train/fw-float-part-defines "defines.h: $(grep 'enc1_weight_t' "$FP/hls/firmware/defines.h")" \
  grep -q '^typedef ap_fixed<[0-9]*,[-0-9]*> enc1_weight_t;  // bit_exact: quantizer fixed<8,4,rnd_conv,sat_sym>;' \
  "$FP/hls/firmware/defines.h"
make -s -C "$FP/hls" csim WERROR=1 > "$W/csim4.out" 2>&1
check train/fw-float-part-csim "$(tail -n 2 "$W/csim4.out" | tr '\n' ' ')" grep -qx 'csim: 1000 of 1000 events matched bit for bit' "$W/csim4.out"
