#!/bin/sh
# On a fresh machine the first `make` installs the Debian packages; a compiler
# flag that the Makefiles ask pkg-config for must be computed after that, never
# while the Makefiles are read (it would stay empty for the whole run: hdf5.h
# not found on the first `make demo`).  A stand-in pkg-config that knows its
# packages only once a stand-in install step has run, and logs any earlier call.
T=$(mktemp -d "${TMPDIR:-/tmp}/aedl-deps.XXXXXX")
trap 'rm -rf "$T"' EXIT INT TERM
mkdir -p "$T/bin"
cat > "$T/bin/pkg-config" <<PKG
#!/bin/sh
for a; do pkg=\$a; done
if [ ! -f "$T/installed" ]; then echo "pkg-config \$*" >> "$T/too-early"; exit 1; fi
case "\$1" in --cflags) echo "-DSTANDIN_CFLAGS_\$pkg" ;; --libs) echo "-lstandin_\$pkg" ;; esac
PKG
printf '#!/bin/sh\ntouch "%s/installed"\n' "$T" > "$T/deps"
chmod +x "$T/bin/pkg-config" "$T/deps"
PATH="$T/bin:$PATH" make -s --no-print-directory BUILD="$T/b" DEPS_SCRIPT="$T/deps" \
  --eval 'deps-flags-print: ; @echo "CFLAGS $(CFLAGS)"; echo "LDLIBS $(LDLIBS)"' \
  deps-flags-print > "$T/out" 2>&1
st=$?
if [ $st -ne 0 ]; then
  echo "FAIL deps/flags-make: status $st: $(tail -3 "$T/out")"
elif [ -f "$T/too-early" ]; then
  echo "FAIL deps/flags-after-install: pkg-config was asked before the packages were installed: $(tr "\n" ";" < "$T/too-early")"
else
  echo "PASS deps/flags-after-install"
fi
for want in "CFLAGS.*-DSTANDIN_CFLAGS_hdf5" "CFLAGS.*-DSTANDIN_CFLAGS_openblas" \
            "LDLIBS.*-lstandin_hdf5" "LDLIBS.*-lstandin_openblas"; do
  if grep -q -- "$want" "$T/out"; then echo "PASS deps/flags/$want"
  else echo "FAIL deps/flags/$want: not in the flags of the build: $(cat "$T/out")"; fi
done
