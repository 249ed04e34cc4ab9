#!/bin/sh
# tests/prec/run_cli.sh — `aedlc --emit report`: the golden report of a small
# trained model, the JSON/HTML/plan files, weights files that do not fit the
# model, and the report without weights (conservative inference).
. tests/lib.sh
B=${BUILD:-build}
ROOT=$(pwd)
AEDLC="$ROOT/$B/aedlc"
GEN="$ROOT/$B/tests/prec/gen_weights"
SRC="$ROOT/tests/prec/small.aedl"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
check() { if [ "$2" = 0 ]; then echo "PASS $1"; else echo "FAIL $1: $3"; fi; }

cd "$T" || exit 1
"$GEN" w.h5 7 dense:d1:4:5:0.5 bn:batchnorm_1:5 dense:d2:5:3:0.6 dense:out:3:2
"$AEDLC" "$SRC" --emit report -o out --weights w.h5 > stdout.txt 2> stderr.txt
rc=$?
check "report: aedlc --emit report --weights exits 0" "$rc" "status $rc: $(head -3 stderr.txt)"
golden_diff "$ROOT/tests/prec/small.report.txt" out/report/precision.txt > diff.txt
check "report: precision.txt equals the golden file" "$(($? == 0))" \
  "differs from tests/prec/small.report.txt (UPDATE_GOLDEN=1 rewrites it)
$(cat diff.txt)"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["precision"]=="bit_exact" and len(d["layers"])==7 and d["totals"]["ebops"] < d["totals"]["conservative_ebops"]' \
  out/report/precision.json 2>err.txt
check "report: precision.json is valid JSON with 7 layers and bit_exact EBOPs below conservative" "$?" "$(tail -2 err.txt)"
grep -q '<table>' out/report/precision.html
check "report: precision.html has the table" "$?" "no <table>"
head -1 out/firmware.plan 2>/dev/null | grep -q '^aedl_fw_plan 1$'
check "report: firmware.plan written with trained weights" "$?" "missing or wrong header"
ls out/report | grep -q tmp
[ $? -ne 0 ]
check "report: no temporary files left" "$?" "$(ls out/report)"

"$GEN" bad.h5 7 dense:d1:4:6 bn:batchnorm_1:5 nan:out:3:2 dense:bogus:2:2
"$AEDLC" "$SRC" --emit report -o outbad --weights bad.h5 > /dev/null 2> bad.txt
rc=$?
[ "$rc" = 1 ]
check "weights: a file that does not fit exits 1" "$?" "status $rc"
missing=""
for want in "layer 'd1': kernel has shape (4,6), the model needs (4,5)" \
            "layer 'd1': bias has shape (6,), the model needs (5,)" \
            "layer 'd2' (dense) of model 'small' is missing" \
            "layer 'out': kernel[1, 0] is NaN" \
            "layer 'bogus' is in the weights file but not in model 'small'"; do
  grep -qF "bad.h5: error: $want" bad.txt || missing="$missing [$want]"
done
[ -z "$missing" ]
check "weights: every difference is listed (shape, missing, extra layer, NaN with index)" "$?" "missing:$missing; got: $(cat bad.txt)"
[ ! -e outbad/report/precision.txt ]
check "weights: no report from a bad weights file" "$?" "a report was written"
"$AEDLC" "$SRC" --emit report -o outbad --weights nowhere.h5 > /dev/null 2> none.txt
rc=$?
[ "$rc" = 1 ] && grep -q "nowhere.h5: error: cannot open the weights file" none.txt
check "weights: a missing file is an error naming it" "$?" "status $rc: $(cat none.txt)"

"$AEDLC" "$SRC" --emit report -o outnow > /dev/null 2> nw.txt
rc=$?
[ "$rc" = 0 ] && grep -q "^weights: none" outnow/report/precision.txt && grep -q "fixed<17,9>" outnow/report/precision.txt \
  && [ ! -e outnow/firmware.plan ]
check "report: without weights, the conservative inference and no plan" "$?" "status $rc: $(head -5 outnow/report/precision.txt 2>&1)"

# A chain of unquantized sums whose exact range needs more than 64 bits: that layer
# gets the float-part rules (not guaranteed), with a warning naming it and the advice.
cat > wide.aedl <<'AEDL'
model m {
  input x[4] : fixed<16, 7, rnd, sat>
  dense a(4, weight=fixed<16, 2, rnd_conv, sat>, bias=fixed<16, 2, rnd_conv, sat>)
  dense b(4, weight=fixed<16, 2, rnd_conv, sat>, bias=fixed<16, 2, rnd_conv, sat>)
  dense c(4, weight=fixed<16, 2, rnd_conv, sat>, bias=fixed<16, 2, rnd_conv, sat>)
  dense d(2, weight=fixed<16, 2, rnd_conv, sat>, bias=fixed<16, 2, rnd_conv, sat>)
}
AEDL
"$GEN" wide.h5 3 dense:a:4:4 dense:b:4:4 dense:c:4:4 dense:d:4:2
"$AEDLC" wide.aedl --emit report --weights wide.h5 -o wide > /dev/null 2> wide.err
rc=$?
[ $rc -eq 0 ] && grep -q "^wide.aedl:6:3: warning: layer 'd': its exact type needs more than 64 bits, so it gets the float-part rules" wide.err &&
  grep -q "note: every unquantized layer before it adds fraction bits; a quantizer on an earlier output" wide.err &&
  grep -q "^guarantee: 1 layer(s) NOT guaranteed" wide/report/precision.txt &&
  grep -q "^d  *dense .*fixed<64,13> .*(not guaranteed)" wide/report/precision.txt && [ -s wide/firmware.plan ]
check "report: an exact range beyond 64 bits makes that layer a float part, with a warning" "$?" "status $rc: $(head -4 wide.err)"
