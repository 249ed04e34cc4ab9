# common.sh — sourced by the tests/scan scripts: small generated data and the
# seed QAT autoencoder with a scan block of four points (two weight widths,
# two sparsities), 1 epoch each.  Sets $W, $AEDL and the helpers of tests/lib.sh.
. tests/lib.sh
test_workdir scan-test
small_qat "$W" 4000 1000 100 1 5
cat >> "$W/ae.aedl" <<'AEDL'

scan bits {
  qw.bits    = [4, 8]
  half.final = [0.5, 0.9]
}
AEDL
AEDL="$W/ae.aedl"

# The rows of a results.csv without the seconds columns (times vary).
rows() { awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) { if ($i == "seconds") s = i; if ($i == "train_seconds") t = i } }
                  { $s = ""; $t = ""; print }' OFS=, "$1"; }
