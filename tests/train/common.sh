# common.sh — sourced by the tests/train scripts: a small generated data set
# and a copy of the seed QAT autoencoder reading it.  Sets $AEDLC, $W (work
# folder), $AEDL (the .aedl file) and the helpers below.
BUILD=${BUILD:-build}
AEDLC="$PWD/$BUILD/aedlc"
GEN="$PWD/$BUILD/aedl-gen"
W=$(mktemp -d "${TMPDIR:-/tmp}/aedl-train-test.XXXXXX")
trap 'rm -rf "$W"' EXIT
pass() { echo "PASS $1"; }
fail() { echo "FAIL $1: $2"; }
check() { name=$1; why=$2; shift 2; if "$@"; then pass "$name"; else fail "$name" "$why"; fi; }

# 20k background and 5k events per signal: a few seconds of training.
"$GEN" --all "$W/data" --events 20000 --signal-events 5000 --jet-count 100 --seed 7 --quiet \
  || { echo "FAIL train/data: aedl-gen failed"; exit 1; }
AEDL="$W/ae.aedl"
sed -e 's|"\.\./data/|"data/|' -e 's|limit    = 1000000 .*|limit = 20000|' \
    -e 's|epochs    = 150|epochs = 3|' examples/ae_qat.aedl > "$AEDL"

# Same weights?  Every dataset and attribute, not the file name line.
same_weights() { h5dump "$1" | tail -n +2 > "$W/a.txt"; h5dump "$2" | tail -n +2 > "$W/b.txt"; cmp -s "$W/a.txt" "$W/b.txt"; }
