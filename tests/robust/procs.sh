#!/bin/sh
# Processes and output folders.  Every signal lands at a point the program
# reports (AEDL_TEST_PAUSE_AT, lib/proc.h; start_paused in tests/lib.sh).
#  - one run per output folder: a second run, aedlc and aedl-report into a
#    folder `aedlc run` holds are refused, naming the holder;
#  - SIGINT during the evaluation and SIGTERM during the report end the run
#    with its temporary files removed and its children ended;
#  - SIGKILL of aedlc run while the training program, the firmware step,
#    aedl-report or gnuplot runs: they end too (PR_SET_PDEATHSIG), leaving no
#    temporary file; the temporary
#    of a killed checkpoint write is removed by the next run into the folder;
#  - a write that fails (the file size limit, as a full disk) in aedlc's
#    emitters and in the testbench writer leaves no temporary file.
. tests/robust/common.sh
cd "$T" || exit 1
"$GEN" --process background --events 10000 --seed 1 -o bg.h5 --quiet || { echo "FAIL robust/procs: aedl-gen failed"; exit 1; }
robust_model m.aedl 3
"$AEDLC" m.aedl --emit train -o out > emit.log 2>&1 || { echo "FAIL robust/procs: aedlc --emit train: $(tail -3 emit.log)"; exit 1; }
# the flow: aedlc run m.aedl -o DIR -- OPTIONS (aedlc holds DIR; the training program,
# its aedlc and aedl-report run under it)
printf '#!/bin/sh\nd=$1; shift; exec "%s" run m.aedl -o "$d" -- "$@"\n' "$AEDLC" > run_in && chmod +x run_in
TR=out/train/m_train
temps() { find "$@" -name '*tmp*' 2>/dev/null | tr '\n' ' '; }

# ---- one run per output folder
start_paused epoch:2 ./run_in run --threads 1 > /dev/null 2> run.log
holder=$PROG
check robust/procs/lock-holder-paused "the first run did not reach epoch 2 (status $ST): $(tail -2 run.log)" test "$POINT_REACHED" = 1
expect_error robust/procs/lock-second-run "run: in use by process $holder (aedlc, started " ./run_in run --threads 1
grep -q "one run per output folder" "$T/stderr" && pass robust/procs/lock-second-run-says-why || fail robust/procs/lock-second-run-says-why "$(cat "$T/stderr")"
expect_error robust/procs/lock-aedlc "aedlc: error: run: in use by process $holder (aedlc, started " \
  "$AEDLC" m.aedl --emit hls,report -o run
check robust/procs/lock-aedlc-wrote-nothing "aedlc wrote into the held folder: $(ls run)" test ! -e run/hls -a ! -e run/report
expect_error robust/procs/lock-report "aedl-report: error: run: in use by process $holder (aedlc" "$B/aedl-report" run
kill -INT $holder; ended
check robust/procs/lock-holder-interrupted "status $ST: $(tail -2 run.log)" test "$ST" = 130
./run_in run --threads 1 --quiet --resume > run2.log 2>&1
check robust/procs/lock-released "a run after the holder ended: status $?: $(tail -2 run2.log)" test -s run/eval/summary.json
# the run's own training program, firmware step and aedl-report wrote into its folder
check robust/procs/lock-own-children "no firmware or report from the run's own aedlc/aedl-report: $(grep -i 'in use' run2.log)" \
  test -s run/hls/firmware/m.cpp -a -s run/report/index.html

# ---- SIGINT during the evaluation (summary.json being written)
start_paused write:summary.json ./run_in ev --threads 1 > /dev/null 2> ev.log
check robust/procs/eval-paused "the run did not reach eval/summary.json (status $ST): $(tail -2 ev.log)" test "$POINT_REACHED" = 1
check robust/procs/eval-temp-exists "the hook paused without the temporary (the check below would prove nothing): $(ls ev/eval)" \
  sh -c "ls ev/eval | grep -q '^summary.json.tmp.'"
kill -INT $PROG; ended; gone
check robust/procs/eval-sigint-status "status $ST, expected 130: $(tail -2 ev.log)" test "$ST" = 130
check robust/procs/eval-sigint-message "no message: $(tail -2 ev.log)" \
  grep -q 'interrupted after training; run again with --resume (checkpoint ev/m.ckpt) to write the weights and the evaluation' ev.log
check robust/procs/eval-sigint-no-temp "temporary files left: $(temps ev)" test -z "$(temps ev)"
./run_in ev --threads 1 --quiet --resume > ev2.log 2>&1
check robust/procs/eval-resume "--resume after the interrupted evaluation: status $?: $(tail -2 ev2.log)" test -s ev/eval/summary.json

# ---- SIGTERM to aedlc run while aedl-report (under the training program) writes index.html
start_paused write:index.html ./run_in rep --threads 1 > /dev/null 2> rep.log
check robust/procs/report-paused "aedl-report did not reach index.html (status $ST): $(tail -2 rep.log)" \
  test "$POINT_REACHED" = 1 -a "$(cat /proc/$PAUSED/comm 2>/dev/null)" = aedl-report
report=$PAUSED
kill -TERM $PROG; ended; gone
check robust/procs/report-sigterm-status "status $ST, expected 143: $(tail -2 rep.log)" test "$ST" = 143
check robust/procs/report-sigterm-child-ended "aedl-report ($report) still runs" none_running $report
none_running $report || kill -KILL $report 2>/dev/null
check robust/procs/report-sigterm-no-temp "temporary files left: $(temps rep)" test -z "$(temps rep)"

# ---- SIGKILL of aedlc run while its children (the training program, the firmware step) and
# theirs run
for child in m_train aedlc aedl-report gnuplot; do
  rm -rf k
  start_paused "child:$child" ./run_in k --threads 1 > /dev/null 2> k.log
  check "robust/procs/sigkill-$child-paused" "no $child was started (status $ST): $(tail -2 k.log)" test "$POINT_REACHED" = 1
  kill -KILL $PROG; ended; gone; st=$?
  check "robust/procs/sigkill-$child-all-ended" "after SIGKILL of aedlc run, a process under it still runs" test $st -eq 0
  check "robust/procs/sigkill-$child-ended" "after SIGKILL of aedlc run, $child ($PAUSED) or its parent ($PARENT) still runs" \
    none_running $PAUSED $PARENT
  none_running $PAUSED $PARENT || kill -KILL $PAUSED $PARENT 2>/dev/null   # no survivor left waiting
  check "robust/procs/sigkill-$child-no-temp" "temporary files left: $(temps k)" test -z "$(temps k)"
done

# ---- SIGKILL while the checkpoint is written: its temporary stays (a killed process removes
# nothing); the next run into the folder removes it and says so
start_paused write:m.ckpt "$TR" --threads 1 --no-eval -o kc > /dev/null 2> kc.log
kill -KILL $PROG; ended
check robust/procs/sigkill-ckpt-temp-left "the hook paused without the temporary: $(ls kc)" sh -c "ls kc | grep -q '^m.ckpt.tmp.'"
"$TR" --threads 1 --no-eval -o kc > kc2.log 2>&1; st=$?
check robust/procs/stale-temp-removed "status $st; temporary files left: $(temps kc)" test $st -eq 0 -a -z "$(temps kc)"
check robust/procs/stale-temp-warning "no warning: $(head -3 kc2.log)" \
  grep -q "m_train: warning: kc: removed 1 temporary file(s) of an earlier run that was killed" kc2.log

# ---- failing writes (a file size limit; SIGXFSZ ignored, so write() fails with EFBIG as on a full disk)
limited() { _blocks=$1; shift; sh -c 'trap "" XFSZ; ulimit -f "$0"; exec "$@"' "$_blocks" "$@"; }
# aedlc, 8 KiB: the model's C (20 KiB) does not fit
limited 16 "$AEDLC" m.aedl --emit train,hls -o full > full.log 2>&1; st=$?
check robust/procs/emit-full-status "status $st, expected 1: $(tail -3 full.log)" test $st -eq 1
check robust/procs/emit-full-message "no message naming the file: $(tail -3 full.log)" \
  grep -q 'aedlc: error: cannot write full/train/m_model.c: File too large' full.log
check robust/procs/emit-full-no-temp "temporary files left: $(temps full)" test -z "$(temps full)"
# the training program, 200 KiB: every file fits (aedlc's testbench of 200 events:
# 141 KiB) but the training program's testbench vectors of 1000 events (241 KiB and more)
"$AEDLC" m.aedl --emit train -o tb > tb0.log 2>&1   # built without the limit (the executable is larger)
limited 400 "$AEDLC" run m.aedl -o tb -- --threads 1 --quiet > tb.log 2>&1; st=$?
check robust/procs/tb-full-status "status $st, expected 1: $(tail -3 tb.log)" test $st -eq 1
check robust/procs/tb-full-message "no message naming the file: $(tail -3 tb.log)" \
  grep -q 'm_train: error: cannot write the testbench vectors tb/hls/tb_data/tb_input_features.dat: File too large' tb.log
check robust/procs/tb-full-no-temp "temporary files left: $(temps tb)" test -z "$(temps tb)"
check robust/procs/tb-full-rest-written "the other results are missing" test -s tb/eval/summary.json -a -s tb/report/index.html
exit 0
