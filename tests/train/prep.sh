#!/bin/sh
# Per-feature preprocessing end to end on a small CSV file whose header names the
# features (pt, eta, m): log10 of pt (padded zeros stay 0), (eta - 1) / 2, m left alone,
# then only pt standardised; the fitted values are in scaler.h5 and the testbench
# vectors are preprocessed with them.  Bad data: a negative pt, a name the file lacks.
. tests/lib.sh
test_workdir prep-test
awk 'BEGIN { print "pt,eta,m"; for (i = 0; i < 600; i++) printf "%s,3,%g\n", (i % 3 == 0 ? 0 : i % 3 == 1 ? 10 : 1000), (i % 7 - 3) / 4 }' > "$W/t.csv"
cat > "$W/p.aedl" <<'AEDL'
model p {
  input x[3]
  dense enc(2)
  dense out(3)
}
data t {
  train = csv("t.csv")
  signed = [m]
  transform = [log10(pt), affine(eta, 1, 2)]
  scale = standard(pt)
}
train {
  epochs = 1
  batch = 64
}
AEDL
"$AEDLC" run "$W/p.aedl" -o "$W/out" -- --threads 1 > "$W/run.log" 2>&1; st=$?
check prep/run "status $st: $(tail -3 "$W/run.log")" test $st -eq 0
vals() { h5dump -d "/scaler/$1" -y -w 0 "$W/out/scaler.h5" | sed -n '/DATA {/,/}/p' | tr -d ' ' | tr ',' '\n' | grep -E '^-?[0-9]' | tr '\n' ' '; }
check prep/scaler-log10 "log10 flags: $(vals log10)" test "$(vals log10)" = "1 0 0 "
check prep/scaler-affine "offset $(vals offset), divisor $(vals divisor)" \
  test "$(vals offset)$(vals divisor)" = "0 1 0 1 2 1 "
names=$(h5dump -d /scaler/names "$W/out/scaler.h5" | sed -n '/DATA {/,/}/p' | grep -o '"[a-z]*' | tr -d '"' | xargs)
check prep/scaler-names "names: $names" test "$names" = "pt eta m"

set -- $(vals mean); mean=$1; m2=$2$3
set -- $(vals std); std=$1; s2=$2$3
# log10 of {0, 10, 1000} is {0, 1, 3}, equally often: mean 4/3 near, std near 1.25
check prep/standard-pt-only "mean $mean, std $std; eta and m: mean $m2, std $s2" \
  awk -v m="$mean" -v s="$std" -v m2="$m2" -v s2="$s2" 'BEGIN { exit !(m > 1.2 && m < 1.5 && s > 1.1 && s < 1.4 && m2 == "00" && s2 == "11") }'
# Every testbench event: pt is one of (v - mean) / std, v in {0, 1, 3}; eta (3 - 1) / 2 = 1; m raw.
bad=$(awk -v m="$mean" -v s="$std" '{
  ok = 0; for (v = 0; v <= 3; v++) if (v != 2 && ($1 - (v - m) / s) ^ 2 < 1e-8) ok = 1
  if (!ok || $2 != 1 || $3 < -0.75 || $3 > 0.75) n++ } END { print n + 0 }' "$W/out/hls/tb_data/tb_input_features.dat")
check prep/testbench-preprocessed "$bad testbench events are not preprocessed as the scaler says" \
  sh -c "test $bad -eq 0 && test -s '$W/out/hls/tb_data/tb_input_features.dat'"

# A negative pt: an error naming the file, the event and the feature.
sed '4s/^1000,/-2,/' "$W/t.csv" > "$W/neg.csv"
sed 's/"t.csv"/"neg.csv"/' "$W/p.aedl" > "$W/neg.aedl"
"$AEDLC" run "$W/neg.aedl" -o "$W/neg" -- --threads 1 > "$W/neg.log" 2>&1; st=$?
check prep/negative-log10 "status $st: $(grep error "$W/neg.log" | head -2)" \
  sh -c "test $st -ne 0 && grep -q 'neg.csv: event [0-9]*, feature 0 (pt) is -2: log10 needs values >= 0 (0, padding, stays 0); log10 at neg.aedl:9:22' '$W/neg.log'"
# A variable the file does not name (no `names` in the block: the CSV header counts).
sed 's/log10(pt)/log10(mass)/' "$W/p.aedl" > "$W/name.aedl"
"$AEDLC" run "$W/name.aedl" -o "$W/name" -- --threads 1 > "$W/name.log" 2>&1; st=$?
check prep/unknown-name "status $st: $(grep error "$W/name.log" | head -2)" \
  sh -c "test $st -ne 0 && grep -q \"log10 at name.aedl:9:22: no variable 'mass' among the names of the data (pt, eta, m)\" '$W/name.log'"
