#!/bin/sh
# Every ```aedl block of docs/language.md is a complete file: each must compile
# with `aedlc --emit ir` (exit 0, an IR on standard output, nothing on stderr).
BUILD=${BUILD:-build}
aedlc="$BUILD/aedlc"
# The source tree's standard library, wherever BUILD is.
AEDL_STDLIB=stdlib
export AEDL_STDLIB
doc=docs/language.md
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
awk -v dir="$tmp" '
  /^```aedl[ \t]*$/ { n++; file = sprintf("%s/block%02d.aedl", dir, n); inblock = 1; next }
  /^```/ && inblock { inblock = 0; close(file); next }
  inblock { print > file }
' "$doc"
count=0
for f in "$tmp"/block*.aedl; do
  [ -e "$f" ] || break
  count=$((count + 1))
  name="docs_examples $(basename "$f" .aedl)"
  "$aedlc" "$f" --emit ir > "$tmp/out" 2> "$tmp/err"; st=$?
  if [ "$st" -eq 0 ] && [ -s "$tmp/out" ] && [ ! -s "$tmp/err" ]; then
    echo "PASS $name"
  else
    echo "FAIL $name: exit $st; first lines of the block and of stderr:"
    head -n 3 "$f" | sed 's/^/    /'
    head -n 8 "$tmp/err" | sed 's/^/    /'
  fi
done
# The page must have examples at all (a broken extraction would pass silently).
if [ "$count" -ge 10 ]; then echo "PASS docs_examples count ($count blocks)"
else echo "FAIL docs_examples count: found $count aedl blocks in $doc, expected at least 10"; fi
