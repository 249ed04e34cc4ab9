#!/bin/sh
# Every file of examples/ and stdlib/ compiles (`aedlc --emit ir`: exit 0,
# nothing on stderr), and each example has a model and a train block.
BUILD=${BUILD:-build}
aedlc="$BUILD/aedlc"
# The source tree's standard library, wherever BUILD is.
AEDL_STDLIB=stdlib
export AEDL_STDLIB
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for f in examples/*.aedl stdlib/*.aedl; do
  "$aedlc" "$f" --emit ir > "$tmp/out" 2> "$tmp/err"; st=$?
  if [ "$st" -ne 0 ] || [ -s "$tmp/err" ]; then
    echo "FAIL examples $f: exit $st"; sed 's/^/    /' "$tmp/err" | head -n 10; continue
  fi
  case "$f" in
    examples/*)
      if grep -q '^model ' "$tmp/out" && grep -q '^train ' "$tmp/out"; then echo "PASS examples $f"
      else echo "FAIL examples $f: the IR has no model or no train block"; fi ;;
    *) echo "PASS examples $f" ;;
  esac
  # a file with a scan block: every point checks (nothing runs: --on htcondor only writes files)
  if grep -q '^scan ' "$f"; then
    "$aedlc" scan "$f" --on htcondor -o "$tmp/scan" > "$tmp/out" 2> "$tmp/err"; st=$?
    if [ "$st" -eq 0 ] && grep -q 'condor_submit_dag' "$tmp/out"; then echo "PASS examples $f: every scan point"
    else echo "FAIL examples $f: scan points: exit $st"; sed 's/^/    /' "$tmp/err" | head -n 10; fi
  fi
done
