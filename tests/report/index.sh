#!/bin/sh
# tests/report/index.sh — the report of a small training run: the training
# executable writes report/index.html through aedl-report; every PNG is there;
# headless Chromium loads the page and every image in it; a missing PNG is
# caught; aedl-report survives empty and broken inputs.  About 20-40 s.
. tests/lib.sh
test_workdir report-test
REPORT=$B/aedl-report

# Tiny data: 12k background, 2k per signal, 3k jets; 2 epochs each.
small_qat "$W" 12000 2000 3000 2 3
sed -e 's|"\.\./data/|"data/|' -e 's|epochs    = 40|epochs = 2|' examples/jet_compress.aedl > "$W/jet.aedl"

"$AEDLC" run "$W/ae.aedl" -o "$W/ae" -- --threads 2 > "$W/ae.log" 2>&1
st=$?
check report/train-run "status $st: $(grep -i error "$W/ae.log" | head -3)" test $st -eq 0
R="$W/ae/report"
check report/index-from-training "the training executable wrote no report/index.html" test -s "$R/index.html"
for p in loss roc_Ato4l roc_leptoquark roc_hToTauTau roc_hChToTauNu scores_float scores_quantized \
         scores_firmware score_features weights; do
  check "report/png/$p" "no $R/$p.png, or not a PNG" sh -c "head -c 8 '$R/$p.png' | od -c | grep -q 'P   N   G'"
done
check report/gnuplot-data "no plots/roc_Ato4l.dat and .gp" test -s "$R/plots/roc_Ato4l.dat" -a -s "$R/plots/roc_Ato4l.gp"
check report/precision-linked "index.html does not link precision.html" grep -q 'href="precision.html"' "$R/index.html"
check report/summary-table "index.html has no AUC table row for Ato4l" grep -q '<tr><td>Ato4l</td>' "$R/index.html"

# The plots people expect: the weight histogram counts the zeros in a bar at 0 on a log
# axis; the loss plot marks where pruning starts (and, below, the restored epoch).
zeros=$(awk '/^# enc1: the zeros/ { getline; print $2 }' "$R/plots/weights.dat")
check report/weights-zero-bar "enc1's zero bar holds '$zeros' weights; log y: $(grep -c 'set logscale y' "$R/plots/weights.gp")" \
  sh -c "test -n '$zeros' && test '$zeros' -gt 0 && grep -q 'set logscale y' '$R/plots/weights.gp'"
check report/loss-pruning "loss.gp does not mark where pruning starts" grep -q "pruning starts" "$R/plots/loss.gp"
# The score per feature, named by Particles_Names with the object index: 57 features x
# (background + 4 signals) in the CSV; the plot's axis names them.
n=$(awk -F, 'NR > 1 && $4 > 0 { n++ } END { print n + 0 }' "$W/ae/eval/score_features.csv" 2>/dev/null)
check report/score-features "score_features.csv: $n positive rows (285 expected); axis: $(grep -o '"Pt\[0\]" 0\|.Pt\[0\]. 0' "$R/plots/score_features.gp" | head -1)" \
  sh -c "test '$n' -eq 285 && grep -q '^background,9,Pt\[3\],' '$W/ae/eval/score_features.csv' &&
         grep -q \"'Eta\[1\]' 4\" '$R/plots/score_features.gp' && head -c 8 '$R/score_features.png' | od -c | grep -q 'P   N   G'"
# The features' mean squared errors average to the background's mean score (mse).
mean=$(sed -n 's/.*"background_mean_score": {[^}]*"quantized": \([0-9.e+-]*\).*/\1/p' "$W/ae/eval/summary.json")
avg=$(awk -F, '$1 == "background" { s += $4; n++ } END { if (n) printf "%.9g", s / n }' "$W/ae/eval/score_features.csv")
check report/score-features-sum "mean over features $avg, summary.json's background mean score $mean" \
  awk -v a="$avg" -v b="$mean" 'BEGIN { exit !(b > 0 && (a - b) ^ 2 < 1e-12 * b * b) }'

# Headless Chromium: the page's script writes data-images-loaded="OK/ALL" on <body>.
CHROME=$(command -v chromium || command -v chromium-browser || command -v google-chrome)
loaded() {   # prints OK/ALL for $1 (an index.html)
  "$CHROME" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$W/chrome-profile" --virtual-time-budget=5000 --dump-dom "file://$1" 2>/dev/null |
    grep -o 'data-images-loaded="[0-9]*/[0-9]*"' | head -n 1 | grep -o '[0-9]*/[0-9]*'
}
if [ -z "$CHROME" ]; then
  fail report/chromium "chromium is not installed (Debian: chromium; .ci/deps installs it)"
else
  n_img=$(grep -o '<img ' "$R/index.html" | wc -l)
  got=$(loaded "$R/index.html")
  check report/chromium-images "Chromium loaded '$got' images, the page has $n_img" \
    test -n "$got" -a "$got" = "$n_img/$n_img" -a "$n_img" -ge 9
  # The check can fail: the same page with one PNG gone.
  mkdir "$W/broken" && cp "$R"/*.png "$R/index.html" "$W/broken/" && rm "$W/broken/weights.png"
  got=$(loaded "$W/broken/index.html")
  check report/chromium-broken-image "with weights.png removed Chromium says '$got'" \
    test "$got" = "$((n_img - 1))/$n_img"
fi

# Compression: residual histograms.
"$AEDLC" run "$W/jet.aedl" -o "$W/jet" -- --threads 2 > "$W/jet.log" 2>&1
st=$?
check report/jet-run "status $st: $(grep -i error "$W/jet.log" | head -3)" test $st -eq 0
check report/residuals-csv "no eval/residuals_hist.csv" test -s "$W/jet/eval/residuals_hist.csv"
check report/residuals-png "no residuals.png" test -s "$W/jet/report/residuals.png"
# Histogram counts: each variant's rows add up to the test events x features with in != 0.
n=$(awk -F, '$1 == "float" && $2 == 0 { s += $5 } END { print s + 0 }' "$W/jet/eval/residuals_hist.csv" 2>/dev/null)
m=$(awk -F, '$1 == "float" && $2 == 0 { print $3 }' "$W/jet/eval/residuals.csv" 2>/dev/null)
check report/residuals-count "feature 0: histogram holds $n entries, residuals.csv says $m" test "$n" -gt 0 -a "$n" = "$m"

# Panels named after the features (jets.h5's jets_names), and the latent values'
# correlation with the inputs: 3 latent x 4 features, each r in [-1, 1].
check report/residuals-named "residuals.gp titles: $(grep -o "set title '[^']*'" "$W/jet/report/plots/residuals.gp" | head -4 | tr '\n' ' ')" \
  sh -c "grep -q \"set title 'pT (output 0)\" '$W/jet/report/plots/residuals.gp' && grep -q \"set title 'E (output 3)\" '$W/jet/report/plots/residuals.gp'"
rows=$(awk -F, 'NR > 1 && $4 >= -1 && $4 <= 1 && $4 != "" { n++ } END { print n + 0 }' "$W/jet/eval/latent_corr.csv" 2>/dev/null)
check report/latent-corr "latent_corr.csv: $rows rows with r in [-1, 1] (12 expected); png: $(ls "$W/jet/report/latent_corr.png" 2>&1)" \
  sh -c "test '$rows' -eq 12 && head -c 8 '$W/jet/report/latent_corr.png' | od -c | grep -q 'P   N   G' && grep -q '^latent_0,0,pT,' '$W/jet/eval/latent_corr.csv'"

restored=$(sed -n 's/.*"restored_epoch": \([0-9]*\).*/\1/p' "$W/jet/eval/summary.json")
check report/loss-restored-epoch "summary.json restored_epoch '$restored'; loss.gp: $(grep -o "restored: epoch [0-9]*" "$W/jet/report/plots/loss.gp")" \
  sh -c "test -n '$restored' && grep -q \"set arrow from $restored, graph 0\" '$W/jet/report/plots/loss.gp' &&
         grep -q 'restored: epoch $restored' '$W/jet/report/plots/loss.gp'"

# --summary and --compare.
"$REPORT" --summary "$W/ae" > "$W/sum.txt" 2>&1
check report/summary "--summary: $(head -3 "$W/sum.txt")" \
  sh -c "grep -q 'sparsity: enc1' '$W/sum.txt' && grep -q 'EBOPs [0-9]' '$W/sum.txt'"
"$REPORT" --compare "f=$W/ae:float" "q=$W/ae:quantized" > "$W/cmp.txt" 2>&1
check report/compare "--compare: $(head -3 "$W/cmp.txt")" grep -q '^Ato4l  *| *0\.[0-9]' "$W/cmp.txt"
"$REPORT" --compare "bad" > "$W/o.txt" 2>&1; st=$?
check report/compare-usage "--compare bad: status $st" test $st -eq 2

# Missing and broken inputs: notes, never a crash.
mkdir -p "$W/empty" "$W/junk/eval"
"$REPORT" "$W/empty" > "$W/o.txt" 2>&1; st=$?
check report/empty-dir "status $st on an empty folder: $(tail -2 "$W/o.txt")" \
  sh -c "test $st -eq 0 && grep -q 'No eval/summary.json' '$W/empty/report/index.html'"
printf '{"model": "x", "signals": {"a": [1, 2,' > "$W/junk/eval/summary.json"
printf 'model,sample,lo,hi,count\nfloat,background,1,2\nquantized,x,nan,inf,-3\n' > "$W/junk/eval/scores_hist.csv"
printf 'epoch,loss,val_loss,lr\n' > "$W/junk/history.csv"
printf 'not hdf5' > "$W/junk/x.weights.h5"
"$REPORT" "$W/junk" > "$W/o.txt" 2>&1; st=$?
check report/junk-inputs "status $st on broken inputs: $(tail -3 "$W/o.txt")" \
  sh -c "test $st -eq 0 && grep -q 'line 1: unexpected end' '$W/junk/report/index.html'"
"$REPORT" "$W/nothing-here" > "$W/o.txt" 2>&1; st=$?
check report/no-dir "status $st for a missing folder" sh -c "test $st -eq 1 && grep -q 'is not a folder' '$W/o.txt'"
