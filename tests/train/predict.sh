#!/bin/sh
# aedlc predict: a trained quantized model applied to a data file.  The firmware
# outputs it writes for the testbench's input events equal the testbench's expected
# outputs (what C simulation checks bit for bit); each score is the mean squared
# difference of its outputs and the input; HDF5 and CSV hold the same values; the
# preprocessing training fitted is applied; bad input gets a message naming the cause.
. tests/lib.sh
test_workdir predict-test
awk 'BEGIN { srand(5); print "a,b,c,d,e,f"
  for (i = 0; i < 2000; i++) { u = rand(); printf "%.4f,%.4f,%.4f,%.4f,%.4f,%.4f\n", u, 2 * u, rand(), u * u, rand() - 0.5, 1 - u } }' > "$W/t.csv"
cat > "$W/p.aedl" <<'AEDL'
model p {
  input x[6] : fixed<16, 6, rnd, sat>
  dense enc(4, weight=quantized_bits(8, 2, 1), bias=quantized_bits(8, 2, 1))
  relu(quant=quantized_relu(8, 2))
  dense code(2, weight=quantized_bits(8, 2, 1), bias=quantized_bits(8, 2, 1))
  dense out(6, weight=quantized_bits(8, 2, 1), bias=quantized_bits(8, 2, 1))
}
data t {
  train = csv("t.csv")
  transform = [affine(b, 0, 2)]
  scale = standard(c)
}
train {
  epochs = 2
  batch = 64
}
AEDL
"$AEDLC" run "$W/p.aedl" -o "$W/out" -- --threads 1 > "$W/run.log" 2>&1; st=$?
check predict/train "status $st: $(tail -3 "$W/run.log")" test $st -eq 0

# The testbench events (preprocessed already) as a data file of a model without
# preprocessing: the same .aedl with the preprocessing lines dropped, same weights.
TB="$W/out/hls/tb_data"
sed '/transform\|scale/d' "$W/p.aedl" > "$W/raw.aedl"
"$AEDLC" predict "$W/raw.aedl" "$TB/tb_input_features.dat" --format csv -o "$W/raw" --weights "$W/out/p.weights.h5" \
  --out "$W/tb.csv" > "$W/tb.log" 2>&1; st=$?
check predict/tb-run "status $st: $(tail -3 "$W/tb.log")" test $st -eq 0
check predict/no-temporary-plan "the temporary plan folder is left: $(ls -a "$W/raw/predict" 2>&1 | tr '\n' ' ')" \
  sh -c "! ls -a '$W/raw/predict' 2>/dev/null | grep -q plan"
# columns: event, 3 scores, 2 + 2 latent values, 6 outputs (the firmware's)
bad=$(tail -n +2 "$W/tb.csv" | tr ',' ' ' | paste -d' ' - "$TB/tb_output_predictions.dat" | awk '{
  for (j = 0; j < 6; j++) if ($(9 + j) != $(15 + j)) { n++; break } } END { print n + 0 }')
check predict/firmware-equals-testbench "$bad of $(wc -l < "$TB/tb_output_predictions.dat") events differ from tb_output_predictions.dat" \
  sh -c "test $bad -eq 0 && test \$(tail -n +2 '$W/tb.csv' | wc -l) -eq \$(wc -l < '$TB/tb_output_predictions.dat')"
bad=$(tail -n +2 "$W/tb.csv" | tr ',' ' ' | paste -d' ' - "$TB/tb_input_features.dat" | awk '{
  s = 0; for (j = 0; j < 6; j++) s += ($(9 + j) - $(15 + j)) ^ 2; s /= 6
  if ((s - $4) ^ 2 > 1e-20 + 1e-18 * s * s || $3 != $4) n++ } END { print n + 0 }')
check predict/score-is-mse "$bad events: score_firmware is not the mean squared error of the outputs, or differs from score_quantized" test "$bad" -eq 0

# The model with its preprocessing on the raw file: HDF5 by default, CSV on request.
"$AEDLC" predict "$W/p.aedl" "$W/t.csv" -o "$W/out" > "$W/h5.log" 2>&1; st=$?
H="$W/out/predict/t.h5"
check predict/h5-run "status $st: $(tail -3 "$W/h5.log")" sh -c "test $st -eq 0 && test -s '$H'"
check predict/progress "no final progress line: $(tail -2 "$W/h5.log" | tr '\n' ' ')" \
  grep -q 'predict \[#*\] 2000/2000 events' "$W/h5.log"
h5ls "$H" > "$W/ls.txt"
check predict/h5-datasets "$(tr '\n' ' ' < "$W/ls.txt")" sh -c "grep -q 'score_float *Dataset {2000}' '$W/ls.txt' &&
  grep -q 'score_firmware *Dataset {2000}' '$W/ls.txt' && grep -q 'output *Dataset {2000, 6}' '$W/ls.txt' &&
  grep -q 'latent_quantized *Dataset {2000, 2}' '$W/ls.txt' && grep -q 'output_names *Dataset {6}' '$W/ls.txt'"
"$AEDLC" predict "$W/p.aedl" "$W/t.csv" -o "$W/out" --out "$W/t.csv.out.csv" -- --quiet > "$W/csv.log" 2>&1; st=$?
h5dump -m '%.17g' -d /score_quantized -y -w 0 "$H" | sed -n '/DATA {/,/}/p' | tr -d ' ' | tr ',' '\n' | grep -E '^-?[0-9]' > "$W/sq.h5.txt"
tail -n +2 "$W/t.csv.out.csv" | cut -d, -f3 > "$W/sq.csv.txt"
bad=$(paste -d' ' "$W/sq.h5.txt" "$W/sq.csv.txt" | awk '{ d = $1 - $2; if (d * d > 1e-12 * ($2 * $2 + 1e-30)) n++ } END { print n + 0 }')
check predict/csv-equals-h5 "status $st; $bad of $(wc -l < "$W/sq.csv.txt") quantized scores differ" \
  sh -c "test $st -eq 0 && test $bad -eq 0 && test \$(wc -l < '$W/sq.csv.txt') -eq 2000"
# Preprocessed as in training: each testbench event is a row of t.csv, so its expected
# firmware outputs appear among the outputs predicted for t.csv.
bad=$(awk -F'[ ,]' 'NR == FNR { if (FNR > 1) { k = $9; for (j = 10; j <= 14; j++) k = k " " $j; seen[k] = 1 }; next }
  { k = $1; for (j = 2; j <= 6; j++) k = k " " $j; if (!(k in seen)) n++ } END { print n + 0 }' \
  "$W/t.csv.out.csv" "$TB/tb_output_predictions.dat")
check predict/preprocessed-as-training "$bad testbench events have no equal row in the predictions for t.csv" test "$bad" -eq 0
check predict/quiet "--quiet printed: $(head -c 200 "$W/csv.log")" test ! -s "$W/csv.log"

# Bad input: every message names the file and the cause; nothing is left behind.
"$AEDLC" predict "$W/p.aedl" "$W/missing.csv" -o "$W/out" > "$W/e1.log" 2>&1; st=$?
check predict/missing-data "status $st: $(cat "$W/e1.log")" sh -c "test $st -ne 0 && grep -q 'missing.csv: cannot open: No such file' '$W/e1.log'"
cut -d, -f1-5 "$W/t.csv" > "$W/five.csv"
"$AEDLC" predict "$W/p.aedl" "$W/five.csv" -o "$W/out" > "$W/e2.log" 2>&1; st=$?
check predict/wrong-shape "status $st: $(cat "$W/e2.log")" sh -c "test $st -ne 0 && grep -q 'five.csv: events have shape (5)' '$W/e2.log'"
"$AEDLC" predict "$W/p.aedl" "$W/t.csv" -o "$W/untrained" > "$W/e3.log" 2>&1; st=$?
check predict/untrained "status $st: $(tail -2 "$W/e3.log")" sh -c "test $st -ne 0 && grep -q 'p.weights.h5: the weights file: cannot open' '$W/e3.log'"
"$AEDLC" predict "$W/p.aedl" "$W/t.csv" -o "$W/out" --weights "$W/t.csv" > "$W/e4.log" 2>&1; st=$?
check predict/weights-not-hdf5 "status $st: $(tail -2 "$W/e4.log")" sh -c "test $st -ne 0 && grep -q 't.csv' '$W/e4.log'"
check predict/no-temporaries "left in out/predict: $(ls -a "$W/out/predict" | tr '\n' ' ')" \
  sh -c "test \$(ls -a '$W/out/predict' | grep -c 'tmp\|plan') -eq 0"

# ADC2021-format HDF5 (aedl-gen): features, flatten, pT standardised by its name in
# Particles_Names, masked score; the quantized model's score and the firmware's agree
# on every event of a signal file (the firmware is exact by construction).
"$GEN" --all "$W/adc" --events 3000 --signal-events 5000 --jet-count 10 --seed 9 --quiet
cat > "$W/adc.aedl" <<'AEDL'
model m {
  input x[57] : fixed<16, 7, rnd, sat>
  dense enc(8, weight=quantized_bits(8, 3, 1), bias=quantized_bits(8, 3, 1))
  relu(quant=quantized_relu(8, 3))
  dense out(57, weight=quantized_bits(8, 3, 1), bias=quantized_bits(8, 3, 1))
}
data adc {
  train = hdf5("adc/background_for_training.h5", "Particles")
  features = [0:3]
  flatten = true
  signed = [Eta, Phi]
  scale = standard(Pt)
}
train {
  loss = masked_mse
  score = masked_mse
  epochs = 1
  batch = 256
}
AEDL
"$AEDLC" run "$W/adc.aedl" -o "$W/adc-out" -- --threads 1 > "$W/adc.log" 2>&1; st=$?
"$AEDLC" predict "$W/adc.aedl" "$W/adc/Ato4l_lepFilter_13TeV.h5" -o "$W/adc-out" --out "$W/ato4l.csv" -- --quiet \
  > "$W/adc-p.log" 2>&1; st2=$?
bad=$(awk -F, 'NR > 1 && $3 != $4 { n++ } END { print n + 0 }' "$W/ato4l.csv" 2>/dev/null)
check predict/hdf5-masked "status $st/$st2: $(tail -2 "$W/adc-p.log"); $bad events with score_quantized != score_firmware; $(($(wc -l < "$W/ato4l.csv") - 1)) rows" \
  sh -c "test $st -eq 0 && test $st2 -eq 0 && test $bad -eq 0 && test \$(wc -l < '$W/ato4l.csv') -eq 5001 &&
         head -1 '$W/ato4l.csv' | grep -q '^event,score_float,score_quantized,score_firmware,latent_float_0,' &&
         head -1 '$W/ato4l.csv' | grep -q ',output_Pt\[0\],output_Eta\[0\],output_Phi\[0\],output_Pt\[1\],'"
# The plan is exact by construction, so the quantized model's columns are read from the
# emulation (QI runs on the first 4096 events only and agrees); --check-quantized runs
# QI on every event: the same file, and it says on how many the two agree.
"$AEDLC" predict "$W/adc.aedl" "$W/adc/Ato4l_lepFilter_13TeV.h5" -o "$W/adc-out" --out "$W/ato4l.h5" \
  > "$W/adc-d.log" 2>&1; st=$?
check predict/quantized-from-emulation "status $st: $(tail -2 "$W/adc-d.log")" sh -c "test $st -eq 0 &&
  grep -q '^predict: score_quantized, latent_quantized: the firmware emulation (the plan is exact by construction; QI equalled it on the first 4096 events)' '$W/adc-d.log' &&
  h5dump -A '$W/ato4l.h5' | grep -q 'QI equalled it on the first 4096 events'"
"$AEDLC" predict "$W/adc.aedl" "$W/adc/Ato4l_lepFilter_13TeV.h5" -o "$W/adc-out" --out "$W/ato4l-qi.csv" \
  --check-quantized > "$W/adc-c.log" 2>&1; st=$?
check predict/check-quantized "status $st: $(tail -2 "$W/adc-c.log"); $(cmp "$W/ato4l.csv" "$W/ato4l-qi.csv" 2>&1)" \
  sh -c "test $st -eq 0 && cmp -s '$W/ato4l.csv' '$W/ato4l-qi.csv' &&
  grep -q 'the quantized model (QI), equal to the firmware emulation on 5000 of 5000 events' '$W/adc-c.log'"
# A plan of other weights (the same model trained with another seed): QI differs from
# the emulation on the first events, so QI runs on every event (a warning says why), and
# --check-quantized fails naming the plan.
"$AEDLC" run "$W/adc.aedl" -o "$W/adc-seed2" -- --threads 1 --seed 2 > "$W/adc2.log" 2>&1
"$W/adc-out/train/m_train" -o "$W/adc-out" --predict "$W/adc/Ato4l_lepFilter_13TeV.h5" --plan "$W/adc-seed2/firmware.plan" \
  --predict-out "$W/stale.csv" > "$W/stale.log" 2>&1; st=$?
cut -d, -f3 "$W/ato4l.csv" > "$W/sq-good.txt"
bad=$(cut -d, -f3 "$W/stale.csv" | cmp - "$W/sq-good.txt" 2>&1)
check predict/plan-of-other-weights "status $st: $(tail -2 "$W/stale.log"); quantized scores: ${bad:-the same}" \
  sh -c "test $st -eq 0 && test -z '$bad' &&
  grep -q 'warning: the quantized model (QI) differs from the firmware emulation (.*adc-seed2/firmware.plan) on [0-9]* of the first [0-9]* events: is the plan of other weights? QI ran on every event' '$W/stale.log'"
"$W/adc-out/train/m_train" -o "$W/adc-out" --predict "$W/adc/Ato4l_lepFilter_13TeV.h5" --plan "$W/adc-seed2/firmware.plan" \
  --predict-out "$W/stale2.csv" --check-quantized > "$W/stale2.log" 2>&1; st=$?
check predict/check-quantized-fails "status $st: $(tail -2 "$W/stale2.log")" \
  sh -c "test $st -eq 1 && grep -q 'error: the quantized model (QI) differs from the firmware emulation (.*adc-seed2/firmware.plan) on [0-9]* of 5000 events' '$W/stale2.log'"
"$W/adc-out/train/m_train" -o "$W/adc-out" --predict "$W/t.csv" --firmware-only --check-quantized > "$W/e6.log" 2>&1; st=$?
check predict/check-quantized-firmware-only "status $st: $(cat "$W/e6.log")" \
  sh -c "test $st -eq 2 && grep -q 'firmware-only runs no quantized model' '$W/e6.log'"
# Another model's firmware plan is refused by name.
"$W/out/train/p_train" -o "$W/out" --predict "$W/t.csv" --plan "$W/adc-out/firmware.plan" --predict-out "$W/x.h5" \
  > "$W/e5.log" 2>&1; st=$?
check predict/plan-of-another-model "status $st: $(tail -1 "$W/e5.log")" \
  sh -c "test $st -ne 0 && grep -q \"firmware.plan: the firmware plan of model 'm' (57 inputs, 57 outputs), not of 'p' (6, 6)\" '$W/e5.log' && test ! -e '$W/x.h5'"
# Threads: the same numbers with 1 and 3 threads (each event is scored on its own).
"$AEDLC" predict "$W/p.aedl" "$W/t.csv" -o "$W/out" --out "$W/t1.csv" -- --quiet --threads 1 > /dev/null 2>&1
"$AEDLC" predict "$W/p.aedl" "$W/t.csv" -o "$W/out" --out "$W/t3.csv" -- --quiet --threads 3 > /dev/null 2>&1
check predict/threads-same "1 and 3 threads differ: $(cmp "$W/t1.csv" "$W/t3.csv" 2>&1)" \
  sh -c "test -s '$W/t1.csv' && cmp -s '$W/t1.csv' '$W/t3.csv'"
