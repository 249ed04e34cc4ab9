#!/bin/sh
# Golden tests of aedlc, run from the repository root (paths in messages are
# as given on the command line):
#   tests/parse/NAME.aedl   `aedlc FILE --emit ir` exits 0; stdout == NAME.ir
#   tests/dump/NAME.PASS.ir `aedlc NAME.aedl --dump-after=PASS` exits 0; stdout == it
#                           (with --weights from gen_weights $(cat NAME.weights)
#                           when that file exists)
#   tests/errors/NAME.aedl  exits 1 (or NAME.status); stderr == NAME.err
#   generated inputs        too big to commit (10,000 nested brackets); their
#                           expected stderr is in tests/errors/gen/NAME.err
#   tests/cli/NAME.args     the command line (shell words); stderr == NAME.err,
#                           stdout == NAME.out when it exists; status NAME.status (default 2)
# Prints PASS/FAIL per case, with a diff on failure.
# UPDATE_GOLDEN=1 rewrites the expected files from the current output
# (then review them with git diff).
. tests/lib.sh
BUILD=${BUILD:-build}
AEDLC=$BUILD/aedlc
# A fixed stdlib path, so that messages listing where imports were looked for
# are the same on every machine.
AEDL_STDLIB=stdlib
export AEDL_STDLIB
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

if [ ! -x "$AEDLC" ]; then
  echo "FAIL golden: $AEDLC not built"
  exit 1
fi

# run_case NAME STATUS_EXPECTED EXPECTED_STDERR EXPECTED_STDOUT(or "") CMD...
run_case() {
  name=$1 want=$2 experr=$3 expout=$4
  shift 4
  "$@" > "$tmp/out" 2> "$tmp/err"
  st=$?
  why=""
  [ "$st" -eq "$want" ] || why="exit status $st, expected $want"
  if [ -n "$experr" ] && golden_diff "$experr" "$tmp/err" stderr > "$tmp/diff.err"; then
    why="${why:+$why; }stderr differs"
  fi
  if [ -n "$expout" ] && golden_diff "$expout" "$tmp/out" stdout > "$tmp/diff.out"; then
    why="${why:+$why; }stdout differs"
  fi
  if [ -z "$why" ]; then
    echo "PASS $name"
  else
    echo "FAIL $name: $why"
    [ -n "$experr" ] && cat "$tmp/diff.err" 2>/dev/null
    [ -n "$expout" ] && cat "$tmp/diff.out" 2>/dev/null
    if [ "$st" -ne "$want" ]; then sed 's/^/  stderr: /' "$tmp/err" | head -n 10; fi
  fi
  rm -f "$tmp/diff.err" "$tmp/diff.out"
}

# ---- programs that compile: the IR dump ----
for f in tests/parse/*.aedl; do
  [ -f "$f" ] || continue
  n=$(basename "$f" .aedl)
  run_case "golden/parse/$n" 0 "" "tests/parse/$n.ir" "$AEDLC" "$f" --emit ir
done

# ---- the IR after a pass, with the precision results ----
for f in tests/dump/*.ir; do
  [ -f "$f" ] || continue
  base=$(basename "$f" .ir)
  n=${base%.*} pass=${base##*.}
  set -- "$AEDLC" "tests/dump/$n.aedl" --dump-after="$pass"
  if [ -f "tests/dump/$n.weights" ]; then
    # shellcheck disable=SC2046
    if ! "$BUILD/tests/prec/gen_weights" "$tmp/$n.h5" $(cat "tests/dump/$n.weights") > "$tmp/gen.log" 2>&1; then
      echo "FAIL golden/dump/$base: gen_weights: $(head -3 "$tmp/gen.log")"
      continue
    fi
    set -- "$@" --weights "$tmp/$n.h5"
  fi
  run_case "golden/dump/$base" 0 "" "$f" "$@"
done

# ---- programs with errors: the diagnostics ----
for f in tests/errors/*.aedl; do
  [ -f "$f" ] || continue
  n=$(basename "$f" .aedl)
  want=1
  [ -f "tests/errors/$n.status" ] && want=$(cat "tests/errors/$n.status")
  run_case "golden/errors/$n" "$want" "tests/errors/$n.err" "" "$AEDLC" "$f" --emit ir
done

# ---- generated inputs (run in the temporary folder, so paths are short) ----
python_free_repeat() {   # repeat STRING N
  awk -v s="$1" -v n="$2" 'BEGIN { for (i = 0; i < n; i++) printf "%s", s }'
}
mkdir -p "$tmp/gen"
{ printf 'data d {\n  features = '; python_free_repeat '[' 10000; python_free_repeat ']' 10000; printf '\n}\n'; } \
  > "$tmp/gen/syn_deep_brackets.aedl"
{ printf 'quantizer q = '; python_free_repeat 'f(' 10000; python_free_repeat ')' 10000; printf '\n'; } \
  > "$tmp/gen/syn_deep_calls.aedl"
here=$(pwd)
case "$AEDLC" in /*) abs=$AEDLC ;; *) abs=$here/$AEDLC ;; esac
for n in syn_deep_brackets syn_deep_calls; do
  run_case "golden/errors/gen/$n" 1 "$here/tests/errors/gen/$n.err" "" \
    sh -c 'cd "$1/gen" && exec "$2" "$3.aedl" --emit ir' sh "$tmp" "$abs" "$n"
done

# ---- the command line ----
for f in tests/cli/*.args; do
  [ -f "$f" ] || continue
  n=$(basename "$f" .args)
  want=2
  [ -f "tests/cli/$n.status" ] && want=$(cat "tests/cli/$n.status")
  out=""
  [ -f "tests/cli/$n.out" ] && out="tests/cli/$n.out"
  eval "set -- $(cat "$f")"
  run_case "golden/cli/$n" "$want" "tests/cli/$n.err" "$out" "$AEDLC" "$@"
done
exit 0
