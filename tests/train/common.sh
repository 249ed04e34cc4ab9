# common.sh — sourced by the tests/train scripts: a small generated data set
# and a copy of the seed QAT autoencoder reading it.  Sets $AEDLC, $W (work
# folder), $AEDL (the .aedl file) and the helpers below.
. tests/lib.sh
test_workdir train-test

# 20k background and 5k events per signal: a few seconds of training.
small_qat "$W" 20000 5000 100 3 7
AEDL="$W/ae.aedl"

# Same weights?  Every dataset and attribute, not the file name line.
same_weights() { h5dump "$1" | tail -n +2 > "$W/a.txt"; h5dump "$2" | tail -n +2 > "$W/b.txt"; cmp -s "$W/a.txt" "$W/b.txt"; }
