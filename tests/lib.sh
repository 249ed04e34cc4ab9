# lib.sh — sourced by the test scripts (run from the repository root):
#   B                 the build folder, absolute ($BUILD, default build)
#   AEDLC, GEN        the compiler and the event generator in it
#   test_workdir NAME sets W to a fresh temporary folder, removed on exit
#   pass, fail, check the PASS/FAIL lines tests/run.sh counts
#   small_qat DIR EVENTS SIGNAL_EVENTS JETS EPOCHS SEED
#                     generated data in DIR/data and DIR/ae.aedl: the seed QAT
#                     autoencoder (examples/ae_qat.aedl) reading them
BUILD=${BUILD:-build}
case "$BUILD" in /*) B=$BUILD ;; *) B=$PWD/$BUILD ;; esac
AEDLC=$B/aedlc
GEN=$B/aedl-gen

test_workdir() {
  W=$(mktemp -d "${TMPDIR:-/tmp}/aedl-$1.XXXXXX")
  trap 'rm -rf "$W"' EXIT INT TERM
}

pass() { echo "PASS $1"; }
fail() { echo "FAIL $1: $2"; }
check() { name=$1; why=$2; shift 2; if "$@"; then pass "$name"; else fail "$name" "$why"; fi; }

small_qat() {
  "$GEN" --all "$1/data" --events "$2" --signal-events "$3" --jet-count "$4" --seed "$6" --quiet \
    || { echo "FAIL data: aedl-gen failed"; exit 1; }
  sed -e 's|"\.\./data/|"data/|' -e "s|limit    = 1000000 .*|limit = $2|" \
      -e "s|epochs    = 150|epochs = $5|" examples/ae_qat.aedl > "$1/ae.aedl"
}
