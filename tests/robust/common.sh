# common.sh — sourced by the tests/robust scripts (run from the repository root).
# Sets $AEDLC, $GEN, $H5EDIT (absolute paths into $BUILD), $ROOT, $T (a
# temporary folder, removed on exit) and the helpers below.
. tests/lib.sh
ROOT=$(pwd)
H5EDIT=$B/tests/robust/h5edit
AEDL_STDLIB=$ROOT/stdlib
export AEDL_STDLIB
# (Under the sanitizers the Makefile makes a report exit with 86, never 1.)
test_workdir robust
T=$W

for p in "$AEDLC" "$GEN" "$H5EDIT"; do
  [ -x "$p" ] || { echo "FAIL robust: $p not built"; exit 1; }
done

# A sanitizer report, an internal error or a crash message in FILE?
insane() { grep -Eq 'Sanitizer|runtime error:|internal error|Segmentation|Aborted|core dumped' "$1"; }

# The last line of FILE is part of a diagnostic: an error or note line, the
# quoted source line / caret under it, or the "too many errors" line.
ends_with_diag() {
  last=$(tail -n 1 "$1")
  printf '%s\n' "$last" | grep -Eq '(error|note|warning): |^ +[0-9]* \| |too many errors'
}

# expect_error NAME PATTERN CMD...: CMD exits 1, its stderr contains PATTERN
# (fixed string), names no sanitizer report and ends with a diagnostic.
expect_error() {
  name=$1 pat=$2
  shift 2
  "$@" > "$T/stdout" 2> "$T/stderr"
  st=$?
  why=""
  [ "$st" -eq 1 ] || why="exit status $st, expected 1"
  grep -qF -- "$pat" "$T/stderr" || why="${why:+$why; }no '$pat' in the message"
  insane "$T/stderr" && why="${why:+$why; }a crash or sanitizer report"
  ends_with_diag "$T/stderr" || why="${why:+$why; }the output does not end with a diagnostic"
  if [ -z "$why" ]; then pass "$name"; else fail "$name" "$why"; head -c 1500 "$T/stderr" | head -n 12 | sed 's/^/  stderr: /'; fi
}

# robust_model FILE EPOCHS [SIGNAL]: FILE is model m (dense, batchnorm, relu,
# dense; 57 inputs) trained on bg.h5 for EPOCHS, and when SIGNAL is given it
# is also scored on that HDF5 file (signal s).
robust_model() {
  sig=""
  [ -n "${3:-}" ] && sig="  signal s = hdf5(\"$3\", \"Particles\")
"
  cat > "$1" <<AEDL
quantizer qw = quantized_bits(8, 3, 1)
model m {
  input x[57] : fixed<16, 7, rnd, sat>
  dense enc(8, weight=qw, bias=qw)
  batchnorm
  relu(quant=quantized_relu(8, 2))
  dense out(57, weight=qw, bias=qw)
}
data d {
  train = hdf5("bg.h5", "Particles")
${sig}  features = [0:3]
  flatten = true
  validation = 0.2
  test = 0.2
}
train {
  model = m
  data = d
  epochs = $2
  batch = 256
}
AEDL
}
