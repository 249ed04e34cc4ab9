#!/bin/sh
# Interruptions beyond tests/train/resume.sh (which covers --resume after a
# stop, a SIGKILL and a SIGINT in the middle of an epoch, and a simulated disk full
# through AEDL_CKPT_FAIL_AFTER): a SIGTERM in the middle of an epoch stops cleanly
# with a checkpoint and --resume ends with the weights of an uninterrupted run;
# a real failing write (the file size limit: write() fails with EFBIG, as on a
# full disk, with no test hook) leaves the previous checkpoint and weights
# intact, says so, exits 1 without a crash, and --resume then still ends with
# the uninterrupted run's weights.
. tests/robust/common.sh
cd "$T" || exit 1
"$GEN" --process background --events 10000 --seed 1 -o bg.h5 --quiet || { echo "FAIL robust/interrupt: aedl-gen failed"; exit 1; }
robust_model m.aedl 60
"$AEDLC" m.aedl --emit train -o out > emit.log 2>&1 || { echo "FAIL robust/interrupt: aedlc --emit train: $(tail -3 emit.log)"; exit 1; }
TR=out/train/m_train
same_weights() { h5dump "$1" | tail -n +2 > a.txt; h5dump "$2" | tail -n +2 > b.txt; cmp -s a.txt b.txt; }
"$TR" --threads 1 --quiet -o ref > ref.log 2>&1
check robust/interrupt/reference "the uninterrupted run failed: $(tail -3 ref.log)" test -s ref/m.weights.h5

# ---- SIGTERM in the middle of epoch 3 (a point the program reports: AEDL_TEST_PAUSE_AT)
start_paused epoch:3 "$TR" --threads 1 -o term > /dev/null 2> term.log
kill -TERM $PROG 2>/dev/null; ended
check robust/interrupt/sigterm-message "status $ST, no checkpoint message: $(tail -2 term.log)" \
  sh -c "test '$ST' = 130 && grep -q 'interrupted in epoch 3 after 1 batch(es); checkpoint written to term/m.ckpt; continue with --resume' term.log"
insane term.log && fail robust/interrupt/sigterm-sane "a crash or sanitizer report: $(head -3 term.log)"
"$TR" --threads 1 --quiet --resume -o term > resume.log 2>&1
check robust/interrupt/sigterm-resume "SIGTERM in epoch 3 + --resume differs from the uninterrupted run: $(tail -2 resume.log)" \
  same_weights ref/m.weights.h5 term/m.weights.h5

# ---- a real failing write: a file size limit of 4 KiB (SIGXFSZ ignored, so write() fails)
"$TR" --threads 1 --quiet --epochs 10 -o full > /dev/null 2>&1
cp full/m.ckpt ckpt10; cp full/m.weights.h5 weights10
sh -c 'trap "" XFSZ; ulimit -f 8; exec "$@"' sh "$TR" --threads 1 --quiet --epochs 12 --resume -o full > full.log 2>&1
st=$?
check robust/interrupt/write-fails-status "status $st, expected 1: $(tail -3 full.log)" test $st -eq 1
check robust/interrupt/write-fails-sane "a crash or sanitizer report: $(grep -m 3 -E 'Sanitizer|runtime error|Segmentation' full.log)" \
  sh -c '! grep -Eq "Sanitizer|runtime error:|Segmentation|core dumped" full.log'
check robust/interrupt/write-fails-ckpt-message "no message about the checkpoint: $(tail -3 full.log)" \
  grep -q 'cannot write the checkpoint full/m.ckpt: File too large; the previous checkpoint is left as it was' full.log
check robust/interrupt/write-fails-weights-message "no message about the weights: $(tail -3 full.log)" \
  grep -q 'cannot write the weights file full/m.weights.h5: File too large' full.log
check robust/interrupt/write-fails-ckpt-intact "the previous checkpoint was changed" cmp -s ckpt10 full/m.ckpt
check robust/interrupt/write-fails-weights-intact "the previous weights file was changed" cmp -s weights10 full/m.weights.h5
check robust/interrupt/write-fails-no-temp "temporary files left: $(ls full | grep tmp | tr '\n' ' ')" \
  sh -c "! ls full | grep -q tmp"
"$TR" --threads 1 --quiet --resume -o full > resume2.log 2>&1
check robust/interrupt/write-fails-resume "--resume after the failed writes differs from the uninterrupted run: $(tail -2 resume2.log)" \
  same_weights ref/m.weights.h5 full/m.weights.h5
exit 0
