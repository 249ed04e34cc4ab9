#!/bin/sh
# `make install PREFIX=...`: the installed aedlc finds its stdlib and its runtime
# (it compiles a training program) from anywhere.
B=${BUILD:-build}
T=$(mktemp -d /tmp/aedl-install.XXXXXX)
trap 'rm -rf "$T"' EXIT
if make --no-print-directory -s install BUILD="$B" PREFIX="$T/prefix" > "$T/install.log" 2>&1; then
  echo "PASS install/make-install"
else
  echo "FAIL install/make-install: $(tail -n 3 "$T/install.log" | tr '\n' ' ')"
  exit 1
fi
for f in bin/aedlc bin/aedl-gen bin/aedl-report share/aedl/stdlib/std/quantizers.aedl \
         share/aedl/runtime/libaedlrt.a share/aedl/runtime/train.h share/aedl/lib/hls/ap_fixed.h share/aedl/lib/fixed.h; do
  if [ -e "$T/prefix/$f" ]; then echo "PASS install/has/$f"; else echo "FAIL install/has/$f: missing"; fi
done
# A model importing the stdlib, compiled from a folder far from the source tree.
mkdir -p "$T/work"
cat > "$T/work/m.aedl" <<'AEDL'
import "std/quantizers"
model m {
  input x[4] : fixed<8, 3>
  dense d(4, weight=q8_3, bias=q8_3)
  relu(quant=relu8)
}
data d {
  train = csv("events.csv")
}
train {
  epochs = 1
}
AEDL
if (cd "$T/work" && env -u AEDL_STDLIB "$T/prefix/bin/aedlc" m.aedl --emit ir > ir.txt 2> err.txt) &&
   grep -q 'quantizer q8_3 = quantized_bits(8, 3, 1)' "$T/work/ir.txt"; then
  echo "PASS install/stdlib-found"
else
  echo "FAIL install/stdlib-found: $(cat "$T/work/err.txt" | head -n 3 | tr '\n' ' ')"
fi
if (cd "$T/work" && env -u AEDL_STDLIB "$T/prefix/bin/aedlc" m.aedl --emit train -o out > train.log 2>&1) &&
   [ -x "$T/work/out/train/m_train" ]; then
  echo "PASS install/runtime-found"
else
  echo "FAIL install/runtime-found: $(tail -n 3 "$T/work/train.log" | tr '\n' ' ')"
fi
# The generated Makefile names no folder: `make` finds the runtime from the
# aedlc on PATH (the installed one here).
if (cd "$T/work" && PATH="$T/prefix/bin:/usr/bin:/bin" make -s -B -C out/train > make.log 2>&1) &&
   [ -x "$T/work/out/train/m_train" ] && ! grep -q "$PWD" "$T/work/out/train/Makefile"; then
  echo "PASS install/train-rebuild-from-path"
else
  echo "FAIL install/train-rebuild-from-path: $(tail -n 3 "$T/work/make.log" | tr '\n' ' ')"
fi
