#!/bin/sh
# aedlc scan on this machine: every point trained, evaluated and gathered;
# points checked before anything runs; a failed point recorded while the others
# go on; an interrupted scan resumes; HTCondor files written and well formed.
. tests/scan/common.sh

"$AEDLC" scan "$AEDL" -o "$W/local" -j 2 > "$W/local.log" 2>&1; st=$?
R="$W/local/scan/results.csv"
check scan/local-runs "status $st: $(tail -n 5 "$W/local.log")" test $st -eq 0
check scan/local-progress "a progress line per point expected: $(grep -c '^scan bits: \[' "$W/local.log")" \
  test "$(grep -c '^scan bits: \[[1-4]/4\] point [0-3] (qw.bits=[48] half.final=0.[59]): done in' "$W/local.log")" -eq 4
check scan/local-rows "results.csv: a header and 4 rows of status ok expected" \
  sh -c "test \$(grep -c ',ok,' '$R') -eq 4 && test \$(wc -l < '$R') -eq 5"
# each row is its point's own summary and report (read here with Python's json and csv)
cat > "$W/rowcheck.py" <<'PY'
import csv, json, sys
d = sys.argv[1]
rows = list(csv.DictReader(open(d + "/scan/results.csv")))
bad = []
for r in rows:
    s = json.load(open("%s/points/%03d/eval/summary.json" % (d, int(r["point"]))))
    p = json.load(open("%s/points/%03d/report/precision.json" % (d, int(r["point"]))))
    for sig, v in s["signals"].items():
        for var in ("float", "quantized", "firmware"):
            if abs(float(r["auc_%s_%s" % (var, sig)]) - v[var]["auc"]) > 1e-6:
                bad.append("point %s auc_%s_%s" % (r["point"], var, sig))
    if float(r["ebops"]) != p["totals"]["ebops"]: bad.append("point %s ebops" % r["point"])
    if int(r["firmware_equal"]) != s["firmware"]["equal_to_quantized"]: bad.append("point %s firmware_equal" % r["point"])
e = {r["qw.bits"]: r["ebops"] for r in rows}
if e.get("4") == e.get("8"): bad.append("qw.bits=4 and 8 have the same EBOPs")
print(" ".join(bad) or "ok")
PY
out=$(python3 "$W/rowcheck.py" "$W/local" 2>&1)
check scan/local-rows-are-points "$out" test "$out" = ok
check scan/local-json "results.json: 4 points, the chosen one named" \
  sh -c "test \$(grep -c '\"point\": ' '$W/local/scan/results.json') -eq 4 && grep -q '\"chosen\": [0-3],' '$W/local/scan/results.json'"
check scan/local-index "index.html with the axis and Pareto plots expected" \
  sh -c "grep -q 'auc_vs_axis0.png' '$W/local/scan/index.html' && grep -q 'pareto.png' '$W/local/scan/index.html' &&
         test -s '$W/local/scan/auc_vs_axis0.png' && test -s '$W/local/scan/pareto.png'"
"$B/aedl-report" --summary "$W/local" > "$W/summary.log" 2>&1
check scan/summary-table "aedl-report --summary prints the table: $(head -3 "$W/summary.log")" \
  sh -c "grep -q '^scan results' '$W/summary.log' && test \$(grep -c '^ *[0-3]  .* ok ' '$W/summary.log') -eq 4"

# run again: every point is done, nothing is trained
rm -f "$W/local/points/001/scan_status"
"$AEDLC" scan "$AEDL" -o "$W/local" -j 2 > "$W/again.log" 2>&1; st=$?
check scan/resume "status $st; 3 points done before and point 1 run again expected: $(grep '^scan bits: \[' "$W/again.log" | tr '\n' ' ')" \
  sh -c "test $st -eq 0 && test \$(grep -c 'done before' '$W/again.log') -eq 3 && grep -q 'point 1 (qw.bits=4 half.final=0.9): done in' '$W/again.log'"

# a point that fails (its data file is missing: found only when it runs) is
# recorded with its error; the other point runs
cat > "$W/broken.aedl" <<'AEDL'
import "ae.aedl"
scan broken {
  adc2021.train = [hdf5("data/background_for_training.h5", "Particles"), hdf5("data/nosuch.h5", "Particles")]
}
AEDL
"$AEDLC" scan "$W/broken.aedl" --scan broken -o "$W/fail" -j 2 > "$W/fail.log" 2>&1; st=$?
R="$W/fail/scan/results.csv"
check scan/failed-point-recorded "status $st (1 expected); $(grep FAILED "$W/fail.log")" \
  sh -c "test $st -eq 1 && grep -q 'point 1 (adc2021.train=hdf5(\"data/nosuch.h5\", \"Particles\")): FAILED' '$W/fail.log' &&
         grep -q '^0,.*,ok,' '$R' && grep '^1,' '$R' | grep -q ',failed,.*nosuch.h5'"

# every point is checked before anything runs: an invalid value names its point
cat > "$W/bad.aedl" <<EOF2
import "ae.aedl"
scan bad {
  qw.bits = [6, 0]
}
EOF2
"$AEDLC" scan "$W/bad.aedl" -o "$W/bad" > "$W/bad.log" 2>&1; st=$?
check scan/invalid-point "status $st; $(head -3 "$W/bad.log")" \
  sh -c "test $st -eq 1 && grep -q 'bad.aedl:3:.*error' '$W/bad.log' && grep -q \"scan 'bad', point 1 (qw.bits=0): invalid\" '$W/bad.log' &&
         grep -q '1 of the 2 points' '$W/bad.log' && ! test -e '$W/bad/points'"

# the errors of a scan block itself
scan_error() {  # NAME BODY EXPECTED-MESSAGE
  printf 'import "ae.aedl"\nscan s {\n%b\n}\n' "$2" > "$W/$1.aedl"
  "$AEDLC" scan "$W/$1.aedl" -o "$W/$1" > "$W/$1.log" 2>&1; st=$?
  check "scan/error-$1" "status $st; expected '$3' in: $(head -2 "$W/$1.log")" \
    sh -c "test $st -eq 1 && grep -q \"$1.aedl:[0-9]*:[0-9]*: error: $3\" '$W/$1.log' && ! test -e '$W/$1/points'"
}
scan_error unknown-name '  qv.bits = [4, 8]' "no quantizer, pruning schedule, layer, model or block named 'qv'; did you mean 'qw'?"
scan_error unknown-arg '  qw.bitz = [4, 8]' "quantized_bits takes no argument 'bitz'; did you mean 'bits'?"
scan_error empty-axis '  qw.bits = []' "axis 'qw.bits' has no values"
scan_error not-a-list '  qw.bits = 4' "the values of axis 'qw.bits' are a list"
scan_error zip-lengths '  qw.bits = [4, 8]\n  enc1.units = [8]\n  mode = zip' "mode = zip takes value k of every axis"
scan_error layer-value '  enc1.units = [8, 0]' "units"

# --on slurm without Slurm's commands: a message naming sbatch
mkdir -p "$W/nobin"
PATH="$W/nobin" "$AEDLC" scan "$AEDL" -o "$W/noslurm" --on slurm > "$W/noslurm.log" 2>&1; st=$?
check scan/slurm-missing "status $st; $(cat "$W/noslurm.log")" \
  sh -c "test $st -eq 1 && grep -q \"'sbatch' is not on PATH\" '$W/noslurm.log'"

# --on htcondor: a submit file per step and a DAG whose gather runs after any outcome
"$AEDLC" scan "$AEDL" -o "$W/condor" --on htcondor > "$W/condor.log" 2>&1; st=$?
H="$W/condor/scan/htcondor"
check scan/htcondor-written "status $st; $(cat "$W/condor.log")" \
  sh -c "test $st -eq 0 && grep -q 'condor_submit_dag' '$W/condor.log'"
check scan/htcondor-points "points.txt: the 4 points, one per line" sh -c "test \"\$(cat '$H/points.txt' | tr '\n' ' ')\" = '0 1 2 3 '"
check scan/htcondor-dag "scan.dag: two JOBs, the POST script, the order" \
  sh -c "grep -qx 'JOB points points.sub' '$H/scan.dag' && grep -qx 'JOB gather gather.sub' '$H/scan.dag' &&
         grep -qx 'SCRIPT POST points /bin/true' '$H/scan.dag' && grep -qx 'PARENT points CHILD gather' '$H/scan.dag'"
# the submit files: every line a comment or `key = value`, the queue statement last
check scan/htcondor-submit-format "a line of points.sub/gather.sub is neither a comment, key = value nor queue" \
  awk 'FNR == 1 { last = "" } /^#/ || /^$/ { next } /^[a-z_]+ *= / { next } /^queue( point from points.txt)?$/ { next } { bad = 1 } END { exit bad }' \
  "$H/points.sub" "$H/gather.sub"
# the files themselves, against goldens (the work folder and aedlc's path replaced)
mkdir -p "$W/condor_norm"
for f in points.sub gather.sub scan.dag points.txt point.sh gather.sh; do
  sed -e "s|$W|WORK|g" -e "s|$AEDLC|AEDLC|g" "$H/$f" > "$W/condor_norm/$f"
done
golden_tree scan/htcondor tests/scan/golden "$W/condor_norm" points.sub gather.sub scan.dag points.txt point.sh gather.sh
check scan/htcondor-point-script "point.sh runs one point with the task index" \
  sh -c "grep -q 'scan .* --task \"\$1\"' '$H/point.sh' && sh -n '$H/point.sh' && sh -n '$H/gather.sh'"

# --rtl: each point's Verilog synthesised; LUT figures in the results (plain run:
# yosys is not sanitized).  A small model on the same data, two points.
if [ "${SAN:-}" != 1 ]; then
  sed -n '/^data adc2021/,/^}/p' "$W/ae.aedl" > "$W/small_data.aedl"
  cat > "$W/small.aedl" <<'AEDL'
import "small_data.aedl"
quantizer qw = quantized_bits(4, 0, 1)
model small {
  input x[57] : fixed<10, 4, rnd, sat>
  dense enc(2, weight=qw, bias=qw)
  relu(quant=quantized_relu(4, 0))
  dense out(57, weight=qw, bias=qw)
}
train {
  model = small
  data = adc2021
  loss = mse
  epochs = 1
  metrics = [auc]
}
scan bits {
  qw.bits = [3, 4]
}
AEDL
  "$AEDLC" scan "$W/small.aedl" -o "$W/rtl" --rtl > "$W/rtl.log" 2>&1; st=$?
  check scan/rtl-figures "status $st; $(tail -n 3 "$W/rtl.log" | tr '\n' ' ')" \
    sh -c "test $st -eq 0 && test -s '$W/rtl/points/000/rtl/resources.json' && test -s '$W/rtl/points/001/rtl/resources.json' &&
           test \$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if (\$i == \"lut\") c = i } NR > 1 && \$c > 0' '$W/rtl/scan/results.csv' | wc -l) -eq 2"
fi
