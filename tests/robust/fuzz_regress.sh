#!/bin/sh
# Replays every input the fuzzer ever found crashing (tests/fuzz/regress/*,
# minimised reproducers of `make fuzz` crashes) through the normal aedlc
# binary: exit status 0 or 1, never a crash, a sanitizer report or a hang, and
# on status 1 the output ends with a diagnostic.  `--emit ir` runs the whole
# front end (lexer, parser, resolution, shapes, the IR dump).  A reproducer of
# several files (lines "--- NAME", tests/fuzz/front_run.h) is written out as
# those files first, the text before the first such line as fuzz.aedl, and
# their folder is given with -I (in memory, every name is found from the top).
. tests/robust/common.sh
n=0
for f in "$ROOT"/tests/fuzz/regress/*; do
  [ -f "$f" ] || continue
  n=$((n + 1))
  name="robust/fuzz-regress/$(basename "$f")"
  in=$f
  if grep -q '^--- ' "$f"; then
    rm -rf "$T/files"; mkdir -p "$T/files"
    awk -v d="$T/files" 'BEGIN { out = d "/fuzz.aedl"; printf "" > out }
      /^--- / { name = substr($0, 5); if (name ~ /(^|\/)\.\.(\/|$)/ || name ~ /^\//) name = "bad-name";
                out = d "/" name; sub(/\/[^\/]*$/, "", name);
                if (index(substr($0, 5), "/")) system("mkdir -p \"" d "/" name "\"");
                printf "" > out; next }
      { print > out }' "$f"
    in="$T/files/fuzz.aedl -I $T/files"
  fi
  timeout 20 "$AEDLC" $in --emit ir > "$T/out" 2> "$T/err"
  st=$?
  why=""
  case $st in
    0) ;;
    1) ends_with_diag "$T/err" || why="exit 1 without a diagnostic at the end" ;;
    *) why="exit status $st" ;;
  esac
  insane "$T/err" && why="${why:+$why; }a crash or sanitizer report"
  if [ -z "$why" ]; then pass "$name"; else fail "$name" "$why"; tail -n 8 "$T/err" | sed 's/^/  stderr: /'; fi
done
check robust/fuzz-regress/count "no reproducers in tests/fuzz/regress" test "$n" -gt 0
exit 0
