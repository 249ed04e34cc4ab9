#!/bin/sh
# Emitting into an existing output folder: every emitter (train, hls, report)
# replaces the files it generated there and never touches a file it did not
# write, also when a smaller model leaves some of its earlier files stale.
. tests/robust/common.sh
cd "$T" || exit 1
cat > m.aedl <<'AEDL'
quantizer qw = quantized_bits(6, 2, 1)
model m {
  input x[6] : fixed<8, 3, rnd, sat>
  dense enc(4, weight=qw, bias=qw)
  relu(quant=quantized_relu(6, 1))
  dense mid(3, weight=qw, bias=qw)
  dense out(6, weight=qw, bias=qw)
}
data d { train = hdf5("events.h5", "Particles") }
train { model = m
  data = d }
AEDL
D=out
USER="train/notes.txt hls/firmware/my_kernel.h hls/firmware/weights/mine.h hls/my_tb.cpp report/mine.txt mine.txt"
mkdir -p $D/train $D/hls/firmware/weights $D/report
for f in $USER; do echo "the user's own $f" > "$D/$f"; done
users_intact() {
  for f in $USER; do
    [ "$(cat "$D/$f" 2>/dev/null)" = "the user's own $f" ] || { echo "  $f changed or removed"; return 1; }
  done
}
generated() { find $D -type f | sort | grep -v -F "$(for f in $USER; do echo "$D/$f"; done)"; }

"$AEDLC" m.aedl --emit train,hls,report -o $D > run1.log 2>&1
check robust/outdir/first-run "status $?: $(tail -3 run1.log)" test -x $D/train/m_train -a -f $D/hls/firmware/m.cpp -a -f $D/report/precision.txt
check robust/outdir/first-run-user-files "a file aedlc did not write was touched" users_intact
generated > gen1.txt
# Mark every generated file; the second run must replace each one.
while read -r f; do echo "STALE-MARKER" >> "$f"; done < gen1.txt
"$AEDLC" m.aedl --emit train,hls,report -o $D > run2.log 2>&1
check robust/outdir/second-run "status $?: $(tail -3 run2.log)" test -x $D/train/m_train
check robust/outdir/second-run-user-files "a file aedlc did not write was touched" users_intact
generated > gen2.txt
check robust/outdir/second-run-same-files "the generated files differ: $(diff gen1.txt gen2.txt | tr '\n' ' ')" cmp -s gen1.txt gen2.txt
check robust/outdir/second-run-replaced "not replaced: $(grep -l STALE-MARKER $(cat gen2.txt) | tr '\n' ' ')" \
  sh -c "! grep -q STALE-MARKER \$(cat gen2.txt)"
check robust/outdir/second-run-builds "the training program was not rebuilt" sh -c "$D/train/m_train --help > /dev/null 2>&1"

# A smaller model into the same folder: its stale layer files go, the user's stay.
sed -e '/dense mid/d' m.aedl > m.aedl.new && mv m.aedl.new m.aedl
"$AEDLC" m.aedl --emit hls,report -o $D > run3.log 2>&1
check robust/outdir/smaller-model "status $?: $(tail -3 run3.log)" test -f $D/hls/firmware/m.cpp
check robust/outdir/smaller-model-user-files "a file aedlc did not write was touched" users_intact
check robust/outdir/smaller-model-stale-removed "the files of layer 'mid' are still there: $(find $D/hls -name 'mid*' | tr '\n' ' ')" \
  sh -c "[ -z \"\$(find $D/hls -name 'mid*')\" ]"
check robust/outdir/no-temporary-files "temporary files left: $(find $D -name '*tmp*' | tr '\n' ' ')" \
  sh -c "[ -z \"\$(find $D -name '*tmp*')\" ]"
exit 0
