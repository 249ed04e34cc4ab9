#!/bin/sh
# Golden tests of the generated code.  For two small models, tests/emit/qat.aedl
# (quantized, batchnorm, pruning) and tests/emit/flt.aedl (float: leaky_relu,
# dropout, concat, add, linear, softmax), `aedlc --emit train,hls` with fixed
# weights (hls_tool weights, seeded) writes DIR/train/ and DIR/hls/ equal byte
# for byte to tests/emit/golden/MODEL/ (UPDATE_GOLDEN=1 rewrites them:
# tests/lib.sh).  Not compared: the trainer executable, the copied ap_types
# headers and the nnet/ kernels (the same text in every project:
# tests/hls/hls.sh compares them in its golden project) and tb_data/ (events and the outputs
# of the weights on them, checked bit for bit by the C simulations of tests/hls).
# No generated file names a folder of this machine, except the data files in the
# training program (README: "they name no folder of your machine but the data
# files"), whose folder the goldens show as <aedl folder>; aedlc run from
# another folder, with absolute paths, writes the same files.
. tests/lib.sh
test_workdir emit-golden
TOOL=$B/tests/hls/hls_tool
WR=$(cd "$W" && pwd -P)
REPO=$(pwd -P)
REPO_AS_GIVEN=$PWD
case ${HOME:-/} in /) HOME_DIR= ;; *) HOME_DIR=$HOME ;; esac

# sed_escape TEXT: TEXT as a basic regular expression, for s|...|...|
sed_escape() { printf '%s' "$1" | sed 's/[][\\.*^$|]/\\&/g'; }

# copy_normalised FROM TO FILE...: the FILEs of FROM into TO, the data files'
# folder (the .aedl file's, resolved) written as <aedl folder>.  An aedlc built
# with the sanitizers (SAN=1) gives the trainer's Makefile its flags: the
# goldens hold the line of the plain build.
copy_normalised() {
  _from=$1 _to=$2
  shift 2
  _san='s|^SANFLAGS ?= -fsanitize=address,undefined .*|SANFLAGS ?=|'
  [ "${SAN:-}" = 1 ] || _san=
  for _f in "$@"; do
    mkdir -p "$_to/$(dirname "$_f")"
    sed -e "s|\(\.path = \"\)$(sed_escape "$WR")/|\1<aedl folder>/|" ${_san:+-e "$_san"} "$_from/$_f" > "$_to/$_f"
  done
}

# machine_paths DIR FILE...: the lines of the FILEs naming a folder of this
# machine (the work folder, the repository, the build folder, $HOME) or an
# absolute path under a usual top folder.
machine_paths() {
  _d=$1
  shift
  (cd "$_d" && for _f in "$@"; do
     grep -nF -e "$WR" -e "$W" -e "$REPO" -e "$REPO_AS_GIVEN" -e "$B" ${HOME_DIR:+-e "$HOME_DIR"} "$_f" /dev/null
     grep -nE '(^|[^A-Za-z0-9_.~-])/(tmp|home|root|work|usr|opt|var|mnt|srv|Users)/' "$_f" /dev/null
   done) | sort -u | head -n 5
}

for m in qat flt; do
  cp "tests/emit/$m.aedl" "$W/$m.aedl"
  if ! "$TOOL" weights "$W/$m.aedl" "$W/$m.h5" 1 > "$W/$m.tool" 2>&1; then
    fail "emit/$m/weights" "hls_tool weights: $(head -n 3 "$W/$m.tool")"
    continue
  fi
  (cd "$W" && "$AEDLC" "$m.aedl" --emit train,hls --weights "$m.h5" -o "$m") > "$W/$m.log" 2>&1; st=$?
  if [ "$st" -ne 0 ]; then
    fail "emit/$m/aedlc" "status $st: $(head -n 5 "$W/$m.log" | tr '\n' ' ')"
    continue
  fi
  pass "emit/$m/aedlc"
  files=$(cd "$W/$m" && find train hls -type f ! -path "train/${m}_train" ! -path 'hls/firmware/ap_types/*' \
            ! -path 'hls/firmware/nnet/*' ! -path 'hls/tb_data/*' | LC_ALL=C sort)
  copy_normalised "$W/$m" "$W/cmp/$m" $files

  golden_tree "emit/$m" "tests/emit/golden/$m" "$W/cmp/$m" $files

  # Again from the repository root, every path absolute: the same files.
  rm -rf "${W:?}/$m"
  "$AEDLC" "$W/$m.aedl" --emit train,hls --weights "$W/$m.h5" -o "$W/$m" > "$W/$m.log2" 2>&1; st=$?
  copy_normalised "$W/$m" "$W/cmp2/$m" $files
  d=$(for f in $files; do
         cmp -s "$W/cmp/$m/$f" "$W/cmp2/$m/$f" ||
           diff -u --label "$f (aedlc $m.aedl -o $m)" --label "$f (aedlc \$W/$m.aedl -o \$W/$m)" \
             "$W/cmp/$m/$f" "$W/cmp2/$m/$f"
       done 2>&1 | head -n 40)
  if [ "$st" -eq 0 ] && [ -z "$d" ]; then
    pass "emit/$m/same-from-elsewhere"
  else
    fail "emit/$m/same-from-elsewhere" "aedlc exited with $st${d:+, the files differ}: $(head -n 3 "$W/$m.log2" | tr '\n' ' ')"
    printf '%s\n' "$d" | sed 's/^/  /'
  fi

  found=$(machine_paths "$W/cmp/$m" $files; machine_paths "$W/cmp2/$m" $files)
  if [ -z "$found" ]; then
    pass "emit/$m/no-machine-path"
  else
    fail "emit/$m/no-machine-path" "generated files name folders of this machine:"
    printf '%s\n' "$found" | sed 's/^/  /' | head -n 10
  fi
done
