#!/bin/sh
# End to end: `aedlc run` trains the seed QAT autoencoder for 2 epochs on
# generated data, writes hls/ again with the trained weights and writes tb_data/ from real test events; `make csim`
# then matches the emulator on every one of them, bit for bit.
. tests/lib.sh
test_workdir hls-train

small_qat "$W" 10000 1000 100 2 7
"$AEDLC" "$W/ae.aedl" --emit train -o "$W/out" > "$W/emit.log" 2>&1
check hls/train/emit "aedlc --emit train failed: $(tail -n 3 "$W/emit.log")" test -x "$W/out/train/ae_train"
(cd "$W" && "$AEDLC" run ae.aedl -o out -- --threads 2 > train.log 2>&1); st=$?
check hls/train/run "status $st: $(tail -n 3 "$W/train.log")" test $st -eq 0
P="$W/out/hls"
check hls/train/regenerated "no trained weights in hls/ (hls_config.json)" grep -q '"weights": "ae.weights.h5"' "$P/hls_config.json"
n=$(wc -l < "$P/tb_data/tb_input_features.dat")
check hls/train/tb-events "tb_data has $n events, expected the 1000 real test events" test "$n" -eq 1000
make -s -C "$P" csim WERROR=1 > "$W/csim.out" 2>&1
check hls/train/csim "$(tail -n 3 "$W/csim.out" | tr '\n' ' ')" grep -qx 'csim: 1000 of 1000 events matched bit for bit' "$W/csim.out"
