#!/bin/sh
# aedlc --emit hls: the generated project of a small model equals the goldens
# in tests/hls/golden (UPDATE_GOLDEN=1 rewrites them: tests/lib.sh); every example (random
# weights from hls_tool) and random small models compile with -Wall -Wextra
# -Werror and their C simulation equals the emulator bit for bit; a wrong
# expected value is caught; the dense kernel reads weights/LAYER.h (editing
# a weight there changes the C simulation as computed by hand); without
# --weights a zero-weight project with a note; re-emitting replaces aedlc's
# files, removes its stale ones and keeps the user's; io = stream and bad
# reuse factors are errors.
. tests/lib.sh
test_workdir hls-test
TOOL=$B/tests/hls/hls_tool

# csim DIR: make csim with -Werror; true when every event matched (and there were some).
csim() {
  make -s -C "$1" csim WERROR=1 > "$1/csim.out" 2>&1 || return 1
  grep -Eq '^csim: ([1-9][0-9]*) of \1 events matched bit for bit$' "$1/csim.out"
}
why_csim() { tail -n 4 "$1/csim.out" 2>/dev/null | tr '\n' ' '; }

# ---- the golden project ------------------------------------------------------------------
G=tests/hls/golden
"$TOOL" weights tests/hls/tiny.aedl "$W/tiny.h5" 42 || fail hls/tool "hls_tool weights failed"
"$AEDLC" tests/hls/tiny.aedl --emit hls --weights "$W/tiny.h5" -o "$W/tiny" > "$W/emit.log" 2>&1
check hls/emit-tiny "aedlc failed: $(cat "$W/emit.log")" test -s "$W/tiny/hls/firmware/tiny.cpp"
check hls/emit-quiet "aedlc printed: $(cat "$W/emit.log")" test ! -s "$W/emit.log"
P="$W/tiny/hls"
files=$(cd "$P" && find firmware tiny_test.cpp Makefile build_prj.tcl vivado_synth.tcl tb_data -type f \
          ! -path 'firmware/ap_types/*' | sort)
golden_tree hls/golden "$G" "$P" $files
check hls/ap-headers "the ap_fixed headers were not copied" \
  cmp -s lib/hls/ap_fixed.h "$P/firmware/ap_types/ap_fixed.h"
check hls/json "hls_config.json lacks the model, a layer or the target" \
  sh -c "grep -q '\"model\": \"tiny\"' '$P/hls_config.json' && grep -q '\"name\": \"enc\", \"op\": \"dense\"' '$P/hls_config.json' && grep -q '\"part\": \"xcu250-figd2104-2L-e\"' '$P/hls_config.json'"
check hls/csim-tiny "$(why_csim "$P")" csim "$P"
check hls/csim-log "no csim_results.log with 200 events" test "$(wc -l < "$P/tb_data/csim_results.log")" -eq 200

# A wrong expected value must be reported.
cp -r "$P" "$W/bad"
awk 'NR == 5 { $1 = $1 + 1 } { print }' "$P/tb_data/tb_output_predictions.dat" > "$W/bad/tb_data/tb_output_predictions.dat"
make -s -C "$W/bad" csim > "$W/bad/out" 2>&1; st=$?
check hls/csim-catches-mismatch "status $st: $(tail -n 2 "$W/bad/out" | tr '\n' ' ')" \
  sh -c "test $st -ne 0 && grep -q '^csim: 199 of 200 events matched' '$W/bad/out' && grep -q '^event 4: output 0' '$W/bad/out'"

# ---- the weights are data the kernel reads ----------------------------------------------------------
# dec has no bias and one non-zero weight per output column (y[2] = 0.5 x[0], y[1] = -0.5 x[2],
# both exact in dec_result_t).  Edit weights/dec.h: a pruned weight w[0][3] 0 -> -0.5 (the
# old emitter wrote no code for it) and the shift weight w[2][1] -0.5 -> -0.25.  Then, on
# every event, y[3] = -y[2] and y[1] = y[1] / 2 of the expected outputs, y[0] and y[2] stay.
cp -r "$P" "$W/edit"
make -s -C "$W/edit" clean > /dev/null 2>&1
sed -e 's|^    {0, 0, 0.5, 0},  // x\[0\]$|    {0, 0, 0.5, -0.5},  // x[0]|' \
    -e 's|^    {0.125, -0.5, 0, 0}  // x\[2\]$|    {0.125, -0.25, 0, 0}  // x[2]|' \
    "$P/firmware/weights/dec.h" > "$W/edit/firmware/weights/dec.h"
check hls/weights-edited "weights/dec.h is not as this test expects (2 lines differ): $(diff "$P/firmware/weights/dec.h" "$W/edit/firmware/weights/dec.h" | tr '\n' ' ')" \
  test "$(diff "$P/firmware/weights/dec.h" "$W/edit/firmware/weights/dec.h" | grep -c '^>')" -eq 2
make -s -C "$W/edit" csim WERROR=1 > "$W/edit/csim.out" 2>&1; st=$?
check hls/weights-edit-changes-csim "status $st: $(tail -n 2 "$W/edit/csim.out" | tr '\n' ' ')" \
  sh -c "test $st -ne 0 && grep -Eq '^csim: [0-9]+ of 200 events matched' '$W/edit/csim.out' && ! grep -q '^csim: 200 of' '$W/edit/csim.out'"
paste -d ' ' "$P/tb_data/tb_output_predictions.dat" "$W/edit/tb_data/csim_results.log" > "$W/edit/both"
bad=$(awk 'NF != 8 || $5 != $1 || $6 != $2 / 2 || $7 != $3 || $8 != -$3 { n++ } END { print n + 0 }' "$W/edit/both")
moved=$(awk '$2 != 0 && $3 != 0 { n++ } END { print n + 0 }' "$W/edit/both")
check hls/weights-edit-exact "$bad of 200 events differ from y[1] / 2 and y[3] = -y[2] (events with both non-zero: $moved)" \
  sh -c "test $bad -eq 0 && test $moved -gt 100"

# ---- re-emitting: aedlc's files replaced, stale ones removed, the user's kept -------------------
echo "// mine" > "$P/firmware/mine.h"
cp "$P/firmware/nnet/nnet_layers.h" "$W/nnet.before"
touch -d '2001-01-01' "$P/firmware/nnet/nnet_layers.h"
sed -e '/dense mid/d' -e '/leaky_relu/d' tests/hls/tiny.aedl > "$W/tiny.aedl"
"$AEDLC" "$W/tiny.aedl" --emit hls -o "$W/tiny" > "$W/emit2.log" 2>&1
check hls/reemit "aedlc failed: $(cat "$W/emit2.log")" test -s "$P/firmware/tiny.cpp"
check hls/stale-removed "weights/mid.h or weights/leaky_relu_1.h is still there" \
  sh -c "test ! -e '$P/firmware/weights/mid.h' && test ! -e '$P/firmware/weights/leaky_relu_1.h'"
check hls/user-file-kept "firmware/mine.h was removed" test -s "$P/firmware/mine.h"
check hls/manifest "the manifest still lists weights/mid.h or lacks weights/dec.h" \
  sh -c "! grep -q 'weights/mid.h' '$P/.aedlc-manifest' && grep -qx 'firmware/weights/dec.h' '$P/.aedlc-manifest'"
check hls/unchanged-not-rewritten "nnet_layers.h was rewritten although its text is the same" \
  sh -c "test \"\$(date -r '$P/firmware/nnet/nnet_layers.h' +%Y)\" = 2001"
check hls/no-weights-note "no note about the missing weights: $(cat "$W/emit2.log")" \
  grep -q 'note: no --weights: .* zero weights' "$W/emit2.log"
check hls/no-weights-comment "weights/enc.h does not say the weights are missing" \
  grep -q 'No trained weights were given' "$P/firmware/weights/enc.h"
check hls/csim-no-weights "$(why_csim "$P")" csim "$P"

# ---- errors -----------------------------------------------------------------------------------------
sed 's/precision    = bit_exact/precision = bit_exact\n  io = stream/' tests/hls/tiny.aedl > "$W/stream.aedl"
"$AEDLC" "$W/stream.aedl" --emit hls -o "$W/s" > "$W/s.log" 2>&1; st=$?
check hls/io-stream "status $st: $(cat "$W/s.log")" \
  sh -c "test $st -eq 1 && grep -q 'stream.aedl:.*error: io = stream is not supported yet by --emit hls' '$W/s.log'"
sed 's/precision    = bit_exact/precision = bit_exact\n  strategy = resource\n  reuse_factor = 5/' tests/hls/tiny.aedl > "$W/rf.aedl"
"$AEDLC" "$W/rf.aedl" --emit hls -o "$W/r" > "$W/r.log" 2>&1; st=$?
check hls/reuse-invalid "status $st: $(cat "$W/r.log")" \
  sh -c "test $st -eq 1 && grep -q \"reuse_factor = 5 is not valid for dense layer 'enc' (4 inputs, 3 outputs); valid ones: 1, 2, 4, 12\" '$W/r.log'"
check hls/io-no-files "files were written despite the error" test ! -e "$W/s/hls"

# Types wider than 64 bits (conservative rules on a chain of unquantized sums) with
# precision = conservative, which the weights do not change: an error at the layer's
# line, with or without weights, and no project (tests/hls/limits.sh: bit_exact).
cat > "$W/wide.aedl" <<'EOF2'
model wide {
  input x[8] : fixed<16, 7, rnd, sat>
  dense a(8, weight=fixed<16, 7>, bias=fixed<16, 7>)
  dense b(8, weight=fixed<16, 7>, bias=fixed<16, 7>)
  dense c(4, weight=fixed<16, 7>, bias=fixed<16, 7>)
}
target t {
  precision = conservative
}
EOF2
"$AEDLC" "$W/wide.aedl" --emit hls -o "$W/wide" > "$W/wide.log" 2>&1; st=$?
check hls/too-wide-no-weights "status $st: $(head -n 1 "$W/wide.log")" \
  sh -c "test $st -eq 1 && grep -q \"wide.aedl:5:3: error: layer 'c': its accum type fixed<.*> has [0-9]* bits; --emit hls supports at most 64 (precision = conservative\" '$W/wide.log' && test ! -e '$W/wide/hls'"
"$TOOL" weights "$W/wide.aedl" "$W/wide.h5" 3
"$AEDLC" "$W/wide.aedl" --emit hls --weights "$W/wide.h5" -o "$W/wide" > "$W/wide.log" 2>&1; st=$?
check hls/too-wide-error "status $st: $(head -n 1 "$W/wide.log")" \
  sh -c "test $st -eq 1 && grep -q \"wide.aedl:5:3: error: layer 'c': its accum type fixed<.*> has [0-9]* bits\" '$W/wide.log' && test ! -e '$W/wide/hls'"

# ---- every example, with random weights ---------------------------------------------------------------
for f in examples/*.aedl; do
  b=$(basename "$f" .aedl)
  "$TOOL" weights "$f" "$W/$b.h5" 7 > "$W/$b.tool" 2>&1 || { fail "hls/example/$b" "hls_tool: $(cat "$W/$b.tool")"; continue; }
  if ! "$AEDLC" "$f" --emit hls --weights "$W/$b.h5" -o "$W/$b" > "$W/$b.log" 2>&1; then
    fail "hls/example/$b" "aedlc: $(head -n 5 "$W/$b.log" | tr '\n' ' ')"; continue
  fi
  check "hls/example/$b" "$(why_csim "$W/$b/hls")" csim "$W/$b/hls"
done

# ---- clip: the bounds are data of weights/LAYER.h, the result type is the clamped range ----------------
"$TOOL" weights tests/hls/clip.aedl "$W/clip.h5" 7 > "$W/clip.tool" 2>&1 &&
  "$AEDLC" tests/hls/clip.aedl --emit hls --weights "$W/clip.h5" -o "$W/clip" > "$W/clip.log" 2>&1
check hls/clip-csim "$(cat "$W/clip.tool" "$W/clip.log") $(why_csim "$W/clip/hls")" csim "$W/clip/hls"
D="$W/clip/hls/firmware"
check hls/clip-bounds "weights/c2.h: $(grep c2_ "$D/weights/c2.h" | tr '\n' ' ')" \
  sh -c "grep -qx 'static const c2_bounds_t c2_lo = -0.2998046875;' '$D/weights/c2.h' && grep -qx 'static const c2_bounds_t c2_hi = 0.599609375;' '$D/weights/c2.h'"
check hls/clip-narrowed "defines.h: $(grep 'c_result_t' "$D/defines.h")" \
  grep -q '^typedef ap_fixed<12,2> c_result_t;  // bit_exact: no quantizer: the exact values \[-0.75, 1.5\]' "$D/defines.h"
check hls/clip-call "clip.cpp does not call nnet::clip with the bounds" \
  grep -q 'nnet::clip<.*>(.*, c2_lo, c2_hi);' "$D/cl.cpp"

# ---- bound: per feature relu, 3 * tanh, pi * tanh (k on the 2^-10 step: 3.1416015625) ---------------
"$TOOL" weights tests/hls/bound.aedl "$W/bound.h5" 7 > "$W/bound.tool" 2>&1 &&
  "$AEDLC" tests/hls/bound.aedl --emit hls --weights "$W/bound.h5" -o "$W/bound" > "$W/bound.log" 2>&1
check hls/bound-csim "$(cat "$W/bound.tool" "$W/bound.log") $(why_csim "$W/bound/hls")" csim "$W/bound/hls"
D="$W/bound/hls/firmware"
check hls/bound-factors "weights/out.h: $(grep -A 2 'out_k\[\|out_mode\[' "$D/weights/out.h" | tr '\n' ' ')" \
  sh -c "grep -A 1 'out_k\[6\]' '$D/weights/out.h' | grep -qx '    0, 3, 3.1416015625, 0, 3, 3.1416015625' &&
         grep -A 1 'out_mode\[6\]' '$D/weights/out.h' | grep -qx '    1, 2, 2, 1, 2, 2'"
check hls/bound-call "bd.cpp does not call nnet::bound with the table, factors and modes" \
  grep -q '^    nnet::bound<dec_result_t, out_result_t, config_out>(dec_out, y, out_table, out_k, out_mode);$' "$D/bd.cpp"
# the result type holds pi * tanh's largest entry: the exact range, no rounding
check hls/bound-exact "defines.h: $(grep 'out_result_t' "$D/defines.h")" \
  grep -q '^typedef ap_fixed<[0-9]*,[0-9]*> out_result_t;  // bit_exact: no quantizer: the exact values \[' "$D/defines.h"

# ---- abs: |-4| of the input type fixed<8,3> (the testbench's third event) needs ufixed<8,3> ------------
"$TOOL" weights tests/hls/abs.aedl "$W/abs.h5" 7 > "$W/abs.tool" 2>&1 &&
  "$AEDLC" tests/hls/abs.aedl --emit hls --weights "$W/abs.h5" -o "$W/abs" > "$W/abs.log" 2>&1
check hls/abs-csim "$(cat "$W/abs.tool" "$W/abs.log") $(why_csim "$W/abs/hls")" csim "$W/abs/hls"
D="$W/abs/hls/firmware"
check hls/abs-unsigned "defines.h: $(grep 'mag_result_t' "$D/defines.h")" \
  grep -q '^typedef ap_ufixed<8,3> mag_result_t;  // bit_exact: no quantizer: the exact values \[0, 4\]' "$D/defines.h"
check hls/abs-call "ab.cpp does not call nnet::abs on the input" \
  grep -q '^    nnet::abs<input_t, mag_result_t, config_mag>(x, mag_out);$' "$D/ab.cpp"

# The weight arrays are constant data, which no code initialises (with g++ -O0 that
# code was most of the compile time): no static initialiser in the firmware's object
# file, no writable data, and the kernels are read-only (what C++11 gives fails this).
o="$W/ae_qat/hls/obj/ae.o"
nm -C "$o" > "$W/nm.txt" 2>&1
check hls/weights-constant "$o: $(grep -E '_GLOBAL__sub_I| [bBdD] ' "$W/nm.txt" | head -n 3 | tr '\n' ' ')" \
  sh -c "! grep -Eq '_GLOBAL__sub_I| [bBdD] ' '$W/nm.txt' && grep -q ' r enc1_w\$' '$W/nm.txt' && grep -q ' r out_w\$' '$W/nm.txt'"

# Another compiler (clang++ is one of the project's packages): same results, no warning.
cp -r "$W/ae_qat/hls" "$W/ae_clang"
make -s -C "$W/ae_clang" clean > /dev/null 2>&1
make -s -C "$W/ae_clang" csim CXX=clang++ WERROR=1 > "$W/ae_clang/csim.out" 2>&1
check hls/csim-clang "$(why_csim "$W/ae_clang")" \
  grep -Eq '^csim: ([1-9][0-9]*) of \1 events matched bit for bit$' "$W/ae_clang/csim.out"

# ---- random small models, two at a time -------------------------------------------------------------------
cat > "$W/one.sh" <<EOF
s=\$1; d="$W/rnd\$s"; mkdir -p "\$d"
"$TOOL" model "\$d/rnd.aedl" \$s && "$TOOL" weights "\$d/rnd.aedl" "\$d/w.h5" \$s || { echo "FAIL hls/random/\$s: hls_tool"; exit 0; }
if ! "$AEDLC" "\$d/rnd.aedl" --emit hls --weights "\$d/w.h5" -o "\$d" > "\$d/log" 2>&1; then
  # widths can outgrow a double or 64 bits (conservative rules, or exact ranges on very fine
  # steps after chains of unquantized layers): documented limits, refused with these messages
  if grep -q "^aedlc: error: output '.*' has [0-9]* bits; --emit hls supports at most 53 yet" "\$d/log" ||
     grep -q "^aedlc: error: layer '.*': its .* type .* has more than 64 bits; --emit hls supports at most 64" "\$d/log" ||
     grep -q "rnd.aedl:[0-9]*:[0-9]*: error: layer '.*': its .* type .* has [0-9]* bits; --emit hls supports at most" "\$d/log" ||
     grep -q "error: the accumulator of layer '.*' needs more than 64 bits: exact range" "\$d/log"; then
    echo "PASS hls/random/\$s (refused clearly: \$(head -n 1 "\$d/log" | cut -c 1-60)...)"; exit 0
  fi
  echo "FAIL hls/random/\$s: aedlc: \$(head -n 3 "\$d/log" | tr '\n' ' ') (model in tests/hls/hls_tool model, seed \$s)"; exit 0
fi
if make -s -C "\$d/hls" csim WERROR=1 > "\$d/csim.out" 2>&1 && grep -Eq '^csim: ([1-9][0-9]*) of \1 events matched' "\$d/csim.out"; then
  echo "PASS hls/random/\$s"
else
  echo "FAIL hls/random/\$s: \$(tail -n 3 "\$d/csim.out" | tr '\n' ' ')"
fi
EOF
# Under the sanitizers (SAN=1) fewer random models: the csim builds are not sanitized anyway.
seq 1 "${HLS_RANDOM:-$([ "${SAN:-}" = 1 ] && echo 4 || echo 12)}" | xargs -P 2 -n 1 sh "$W/one.sh"
