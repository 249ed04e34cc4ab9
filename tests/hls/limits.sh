#!/bin/sh
# `--emit hls` that cannot write hls/ exits 1 with the reason, unless the training program
# writes it later (docs/hls.md, "When hls/ cannot be written"):
#   - bit_exact, no weights, conservative types too wide: `--emit hls` exits 1 and writes
#     nothing; `--emit train,hls` writes the training program, warns that hls/ comes after
#     training, exits 0; with trained weights (--weights) hls/ is written;
#   - weight-independent limits (the 53-bit input, weight and bias types; conservative
#     types) are errors before training: the goldens tests/cli/hls_*.
. tests/lib.sh
test_workdir hls-limits
GW=$B/tests/prec/gen_weights
cat > "$W/m.aedl" <<'AEDL'
model m {
  input x[4] : fixed<16, 7, rnd, sat>
  dense a(4, weight=fixed<16, 2, rnd_conv, sat>, bias=fixed<16, 2, rnd_conv, sat>)
  dense b(4, weight=fixed<16, 2, rnd_conv, sat>, bias=fixed<16, 2, rnd_conv, sat>)
  dense c(4, weight=fixed<16, 2, rnd_conv, sat>, bias=fixed<16, 2, rnd_conv, sat>)
  dense d(4, weight=fixed<16, 2, rnd_conv, sat>, bias=fixed<16, 2, rnd_conv, sat>)
}

data dd {
  train = hdf5("nowhere.h5", "Particles")
}

train {
  model = m
  data = dd
}
AEDL

"$AEDLC" "$W/m.aedl" --emit hls -o "$W/o1" > "$W/o1.log" 2>&1; st=$?
check hls/limits/hls-alone-exits-1 "status $st, hls/ $(test -e "$W/o1/hls" && echo written || echo absent): $(tail -n 1 "$W/o1.log")" \
  sh -c "test $st -eq 1 && ! test -e '$W/o1/hls' &&
         grep -q '^aedlc: error: $W/o1/hls not written: without trained weights the conservative types are too wide; give the trained weights (--weights FILE.h5), or train with aedlc run' '$W/o1.log' &&
         grep -q \"^aedlc: error: layer 'c': its accum type fixed<73,22> has more than 64 bits\" '$W/o1.log'"

"$AEDLC" "$W/m.aedl" --emit train,hls -o "$W/o2" > "$W/o2.log" 2>&1; st=$?
check hls/limits/train-hls-warns "status $st, train/ $(ls "$W/o2/train" 2>/dev/null | head -n 1), hls/ $(test -e "$W/o2/hls" && echo written || echo absent): $(tail -n 1 "$W/o2.log")" \
  sh -c "test $st -eq 0 && test -f '$W/o2/train/m_model.c' && ! test -e '$W/o2/hls' &&
         grep -q '^aedlc: warning: $W/o2/hls not written now: without trained weights the conservative types are too wide; aedlc run writes it after training' '$W/o2.log' &&
         ! grep -q 'error' '$W/o2.log'"

"$GW" "$W/w.h5" 3 dense:a:4:4 dense:b:4:4 dense:c:4:4 dense:d:4:4
"$AEDLC" "$W/m.aedl" --emit hls --weights "$W/w.h5" -o "$W/o3" > "$W/o3.log" 2>&1; st=$?
check hls/limits/hls-with-weights "status $st: $(tail -n 2 "$W/o3.log" | tr '\n' ' ')" \
  sh -c "test $st -eq 0 && test -f '$W/o3/hls/firmware/m.cpp'"
