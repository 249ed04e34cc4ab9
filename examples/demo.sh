#!/bin/sh
# examples/demo.sh — `make demo`: the whole aedlc flow on generated data.
#
#   deps + build -> data (aedl-gen) -> compile (aedlc) -> train the float baseline
#   (its firmware: not guaranteed, types from the observed ranges)
#   -> train the quantized, pruned model (QAT) -> firmware C simulation
#   -> RTL (Verilog) simulation, yosys synthesis in the background -> jet compression
#   -> the FPGA-autoencoder paper's recipe as a trigger (the score in firmware, its C simulation)
#   -> summary table, plots (DIR/report/index.html)
#
# Sized to finish in about 10 minutes on 2 cores.  Settings (environment or
# `make demo VAR=...`):
#   DEMO_EPOCHS_FLOAT  epochs of the float baseline   (default: the file's 150, early stopping ends it)
#   DEMO_EPOCHS_QAT    epochs of the QAT model        (default: the file's 150, early stopping ends it)
#   DEMO_EPOCHS_JETS   epochs of the jet compressor   (default: the file's 40)
#   DEMO_EPOCHS_NMI    epochs of the paper's recipe   (default 30; early stopping usually ends it sooner)
#   DEMO_EPOCHS_VAE    epochs of the VAE (vae_l1t)    (default 20)
#   DEMO_THREADS       OpenBLAS threads               (default 2)
#   DATA_EVENTS, SIGNAL_EVENTS   the size of data/ (`make data`; default 1000000 and 100000)
# Early stopping may end a run sooner.  The outputs go to out/ (see the end).
MAKE=${MAKE:-make}
BUILD=${BUILD:-build}
EF=${DEMO_EPOCHS_FLOAT:-150}
EQ=${DEMO_EPOCHS_QAT:-150}
EJ=${DEMO_EPOCHS_JETS:-40}
EV=${DEMO_EPOCHS_VAE:-20}
TH=${DEMO_THREADS:-2}
DATA_EVENTS=${DATA_EVENTS:-1000000}
SIGNAL_EVENTS=${SIGNAL_EVENTS:-100000}
NSTEPS=10   # with the VAE's step
# Each run of the summary: its folder (aedl-report, --summary); each step that trains one adds it.
RUNS="out/ae_baseline out/ae_qat out/jet_compress"
EN=${DEMO_EPOCHS_NMI:-30}; NSTEPS=$((NSTEPS + 1))   # examples/ae_nmi.aedl
T0=$(date +%s)
step=0
LOG=out/demo-logs
mkdir -p "$LOG" || exit 1

elapsed() { s=$(( $(date +%s) - T0 )); printf '%d:%02d' $((s / 60)) $((s % 60)); }
header() {
  step=$((step + 1))
  printf '\n==> [%d/%d] %s   (%s elapsed)\n' "$step" "$NSTEPS" "$1" "$(elapsed)"
}
die() { printf '\ndemo: %s (after %s)\n' "$1" "$(elapsed)" >&2; exit 1; }
# Runs a command, output to the terminal and to $LOG/NAME.log.  Status in $rc.
run() {
  name=$1; shift
  { "$@" 2>&1; echo "$?" > "$LOG/$name.rc"; } | tee "$LOG/$name.log"
  rc=$(cat "$LOG/$name.rc")
}

printf 'aedlc demo: generated ADC2021-format data -> float baseline -> quantized + pruned\n'
printf 'autoencoder -> bit-exact firmware -> C simulation -> plots.  About 10 minutes on 2 cores.\n'
printf 'Epochs: float %s, QAT %s, jets %s at most (early stopping may end a run sooner; set\n' "$EF" "$EQ" "$EJ"
printf 'DEMO_EPOCHS_FLOAT, DEMO_EPOCHS_QAT, DEMO_EPOCHS_JETS to change them).  Logs: %s/\n' "$LOG"
printf "The paper's recipe (examples/ae_nmi.aedl): %s epochs at most (DEMO_EPOCHS_NMI).\n" "$EN"

header "Debian packages and build (make: .ci/deps installs what is missing)"
run build $MAKE --no-print-directory -j2 all "$BUILD/aedl-report"
[ "$rc" = 0 ] || die "the build failed"
for p in aedlc aedl-gen aedl-report; do [ -x "$BUILD/$p" ] || die "$BUILD/$p was not built"; done

header "Data: $DATA_EVENTS background events, $SIGNAL_EVENTS per signal, jets (aedl-gen -> data/)"
run data $MAKE --no-print-directory data DATA_EVENTS="$DATA_EVENTS" SIGNAL_EVENTS="$SIGNAL_EVENTS"
[ "$rc" = 0 ] || die "make data failed"
ls -l data/*.h5 | awk '{ printf "  %-48s %6.1f MB\n", $NF, $5 / 1e6 }'

header "Compile the three models (aedlc)"
# The float baseline gets a firmware too, rounded like hls4ml's and marked not
# guaranteed: after training its result types come from the ranges observed on
# the training data (docs/precision.md, "Float parts").  The QAT model's
# firmware is bit-exact: it is the one for the FPGA.
run compile-float "$BUILD/aedlc" examples/ae_baseline.aedl --emit train,hls -o out/ae_baseline
[ "$rc" = 0 ] || die "aedlc failed on examples/ae_baseline.aedl"
run compile-qat "$BUILD/aedlc" examples/ae_qat.aedl --emit train,hls -o out/ae_qat
[ "$rc" = 0 ] || die "aedlc failed on examples/ae_qat.aedl"
run compile-jets "$BUILD/aedlc" examples/jet_compress.aedl --emit train,hls -o out/jet_compress
[ "$rc" = 0 ] || die "aedlc failed on examples/jet_compress.aedl"
for d in ae_baseline ae_qat jet_compress; do echo "  out/$d/train/: $(cd out/$d/train && ls | tr '\n' ' ')"; done

header "Train the float baseline: up to $EF epoch(s) (examples/ae_baseline.aedl -> out/ae_baseline)"
# aedlc run drives each run: the training program (straight on the terminal: its
# progress bar needs one), then the firmware with the trained weights, then the
# evaluation; the options after -- are the training program's.
"$BUILD/aedlc" run examples/ae_baseline.aedl -o out/ae_baseline -- --epochs "$EF" --threads "$TH"; rc=$?
[ "$rc" = 0 ] || die "training the float baseline failed (status $rc)"

header "Train the quantized, pruned model: up to $EQ epoch(s) (examples/ae_qat.aedl -> out/ae_qat)"
"$BUILD/aedlc" run examples/ae_qat.aedl -o out/ae_qat -- --epochs "$EQ" --threads "$TH"; rc=$?
[ "$rc" = 0 ] || die "training the QAT model failed (status $rc)"

header "Firmware C simulation (make -C out/ae_qat/hls csim; g++ takes a few seconds)"
run csim $MAKE --no-print-directory -C out/ae_qat/hls csim
[ "$rc" = 0 ] || die "the C simulation failed"
CSIM=$(grep -o 'csim: [0-9]* of [0-9]* events matched bit for bit' "$LOG/csim.log" | tail -n 1)
[ -n "$CSIM" ] || CSIM="csim: no match count printed (see $LOG/csim.log)"

header "RTL: Verilog of the QAT model (aedlc --emit rtl), Icarus Verilog on the test events, yosys"
# The same plan as Verilog; the testbench reads the C simulation's events (hls/tb_data).
# yosys runs in the background while the jet compressor trains (docs/rtl.md).
run rtl-emit "$BUILD/aedlc" examples/ae_qat.aedl --emit rtl --weights out/ae_qat/ae.weights.h5 -o out/ae_qat
[ "$rc" = 0 ] || die "aedlc --emit rtl failed"
run rtl-sim $MAKE --no-print-directory -C out/ae_qat/rtl sim-iverilog
RTLSIM=$(sed -n 's/^iverilog: rtl sim: \([0-9]* of [0-9]* events matched bit for bit\)$/\1/p' "$LOG/rtl-sim.log" | tail -n 1)
[ -n "$RTLSIM" ] || RTLSIM="no match count printed (see $LOG/rtl-sim.log)"
SYNTH_PID=
if command -v yosys > /dev/null 2>&1; then
  rm -f out/ae_qat/rtl/resources.json
  setsid $MAKE --no-print-directory -j2 -C out/ae_qat/rtl synth > "$LOG/rtl-synth.log" 2>&1 &   # its own process group
  SYNTH_PID=$!
  echo "  yosys synth_xilinx runs in the background (log: $LOG/rtl-synth.log)"
fi

header "Jet compression: up to $EJ epoch(s) (examples/jet_compress.aedl -> out/jet_compress)"
"$BUILD/aedlc" run examples/jet_compress.aedl -o out/jet_compress -- --epochs "$EJ" --threads "$TH"; rc=$?
[ "$rc" = 0 ] || die "training the jet compressor failed (status $rc)"

# score_firmware NAME DIR: the C simulation of DIR's firmware, which outputs the
# anomaly score (target output = score), compares the score bit for bit; its line
# of the summary (that and the emulator's count) goes to $SCORE_LINES.
SCORE_LINES=
score_firmware() {
  run "csim-$1" $MAKE --no-print-directory -C "$2/hls" csim
  [ "$rc" = 0 ] || die "the C simulation of $2 failed"
  c=$(sed -n 's/^csim: \([0-9]* of [0-9]* events matched bit for bit\)$/\1/p' "$LOG/csim-$1.log" | tail -n 1)
  e=$(sed -n 's/.*"test_events": \([0-9]*\), "equal_to_quantized": \([0-9]*\),.*/\2 of \1/p' "$2/eval/summary.json")
  SCORE_LINES="$SCORE_LINES$(printf '  %-31s csim %s; emulator %s test events equal the quantized model' \
    "$1 (score output):" "${c:-no match count (see $LOG/csim-$1.log)}" "${e:-?}")
"
}

header "The paper's recipe as a trigger: up to $EN epoch(s) (examples/ae_nmi.aedl -> out/ae_nmi)"
# arXiv 2108.03986: pT alone scaled, masked loss, outputs bounded per feature
# (k * tanh for eta and phi, relu for pT), QAT; the firmware outputs the masked
# score and its count, and the evaluation sets the threshold for 1 kHz of 40 MHz.
"$BUILD/aedlc" run examples/ae_nmi.aedl -o out/ae_nmi -- --epochs "$EN" --threads "$TH"; rc=$?
[ "$rc" = 0 ] || die "training examples/ae_nmi.aedl failed (status $rc)"
score_firmware ae_nmi out/ae_nmi
RUNS="$RUNS out/ae_nmi"

header "The VAE trigger (AXOL1TL): up to $EV epoch(s), the encoder's mu2 in firmware (examples/vae_l1t.aedl -> out/vae_l1t)"
# CMS's anomaly trigger: a variational autoencoder trained with (1 - beta) * reco + beta * KL,
# deployed as the encoder alone; the firmware outputs mu2, the sum of the squared means.
"$BUILD/aedlc" run examples/vae_l1t.aedl -o out/vae_l1t -- --epochs "$EV" --threads "$TH"; rc=$?
[ "$rc" = 0 ] || die "training examples/vae_l1t.aedl failed (status $rc)"
score_firmware vae_l1t out/vae_l1t
RUNS="$RUNS out/vae_l1t"

header "Summary"
for d in $RUNS; do
  [ -s "$d/report/index.html" ] || "$BUILD/aedl-report" --quiet "$d" || die "aedl-report failed on $d"
done
echo
echo "Anomaly detection on the test split (background) and each signal:"
# One column per run and variant; trigger: the TPR at the firmware score's threshold for the trigger rate.
set -- "float baseline=out/ae_baseline:float" "float fw (not guar.)=out/ae_baseline:firmware" \
  "QAT+pruned (QI)=out/ae_qat:quantized" "firmware emulation=out/ae_qat:firmware"
set -- "$@" "paper recipe (fw)=out/ae_nmi:trigger"
set -- "$@" "VAE mu2 (fw)=out/vae_l1t:trigger"
"$BUILD/aedl-report" --compare "$@" || die "cannot read the evaluation summaries"
echo
echo "Firmware bit-exactness:"
echo "  C simulation (g++, ap_fixed):   $CSIM (out/ae_qat/hls/tb_data/csim_results.log)"
fw=$(grep -o '"equal_to_quantized": [0-9]*' out/ae_qat/eval/summary.json | grep -o '[0-9]*$')
tn=$(grep -o '"firmware": { "available": true, .*"test_events": [0-9]*' out/ae_qat/eval/summary.json | grep -o '[0-9]*$')
echo "  emulator (every test event):    ${fw:-?} of ${tn:-?} events equal the quantized model"
echo "  RTL simulation: $RTLSIM (Icarus Verilog, out/ae_qat/rtl)"
printf '%s' "$SCORE_LINES"
if [ -n "$SYNTH_PID" ] && kill -0 "$SYNTH_PID" 2> /dev/null; then
  echo "  RTL resources: yosys still running (the seed AE takes it 3-6 minutes on 2 cores); waiting for it"
  i=0; while [ $i -lt 600 ] && kill -0 "$SYNTH_PID" 2> /dev/null; do sleep 1; i=$((i + 1)); done
  if kill -0 "$SYNTH_PID" 2> /dev/null; then
    kill -- "-$SYNTH_PID" 2> /dev/null
    echo "  RTL resources: skipped (yosys took too long for the demo; make -C out/ae_qat/rtl synth)"
  fi
fi
if [ -s out/ae_qat/rtl/resources.json ]; then
  sed -n 's/^ *"total": {"lut": \([0-9]*\), "ff": \([0-9]*\), "dsp": \([0-9]*\).*/  RTL resources: \1 LUT, \2 FF, \3 DSP (yosys estimates, not vendor place-and-route; out\/ae_qat\/rtl\/resources.json)/p' \
    out/ae_qat/rtl/resources.json
elif [ -z "$SYNTH_PID" ]; then
  echo "  RTL resources: skipped (yosys is not installed)"
fi
lat=$(sed -n 's/^ *"latency_cycles": \([0-9]*\),/\1/p' out/ae_qat/rtl/design.json)
latns=$(sed -n 's/^ *"latency_ns": \([0-9.]*\),/\1/p' out/ae_qat/rtl/design.json)
echo "  RTL latency: ${lat:-?} cycles (${latns:-?} ns), one event per clock (the emitter's delay model)"
ferr=$(sed -n 's/.*"error_vs_float": { "max": \([^,]*\), "mean": \([^,]*\),.*"max_inputs_in_range": \([^,]*\),.*/max \1, mean \2 (max \3 on the events whose inputs fit the input type)/p' \
  out/ae_baseline/eval/summary.json)
echo "  float baseline's firmware:      not guaranteed (float parts); |firmware - float| ${ferr:-?}"
echo
echo "Per run (sparsity = share of zero weights per dense layer; EBOPs from report/precision.json;"
echo "trigger: the threshold of a firmware that outputs the score, as a value of its type and its bits):"
for d in $RUNS; do "$BUILD/aedl-report" --summary "$d" | sed 's/^/  /'; done
echo
cat <<EOF
Where everything is:
  out/ae_qat/report/index.html         plots + tables + precision report of the QAT model (open in a browser)
  out/ae_baseline/report/index.html    the same for the float baseline
  out/jet_compress/report/index.html   jet compression: residual histograms
  out/vae_l1t/report/index.html        the VAE: scores mse, kl, mu2; the latent means; its hls/ is the encoder only
  out/NAME/report/*.png                loss, scores_*, roc_*, weights, residuals (gnuplot; data in report/plots/)
  out/NAME/report/precision.html       every fixed-point width and why (also .txt, .json)
  out/NAME/eval/summary.json           AUC, TPR at FPR, firmware check; roc_*.csv, scores_hist.csv
  out/NAME/MODEL.weights.h5            trained weights, h5py-readable (ae.weights.h5, ae_float..., jet_ae...)
  out/NAME/history.csv                 loss, val_loss, learning rate, sparsity (per layer too) per epoch
  out/ae_qat/hls/                      the HLS project: firmware/, tb_data/, build_prj.tcl (Vitis/Vivado)
  out/ae_qat/rtl/                      the Verilog: make sim, make synth (yosys), resources.json, vivado_synth.tcl
  out/ae_baseline/hls/                 the float baseline's (not guaranteed; make -C out/ae_baseline/hls csim)
  out/ae_baseline/eval/observed_ranges.csv  the ranges its firmware types come from
  out/ae_nmi/                          the paper's recipe: report/index.html (the trigger threshold), hls/ (the score)
  $LOG/                      the output of every step
EOF
printf '\ndemo: done in %s\n' "$(elapsed)"
