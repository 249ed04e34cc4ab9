#!/bin/sh
# Hostile inputs to the front end: an import chain 20,000 files deep (and the
# same chain closed into a cycle), 100,000 declarations, 100,000 layers, long
# lists, imports that are directories, FIFOs, devices, symbolic link loops,
# dangling links or unreadable files, and -o naming the root or a system
# folder.  Each: the right exit status, a message saying what and where, no
# crash, no sanitizer report, no hang (timeout: a guard, not a measure; `make
# bench` times the big inputs, tests/robust/bench_front.sh).
. tests/robust/common.sh
A="timeout 300 $AEDLC"
cd "$T" || exit 1

# expect_ok NAME CMD...: CMD exits 0 with no crash; its stdout in $T/stdout.
expect_ok() {
  name=$1
  shift
  "$@" > "$T/stdout" 2> "$T/stderr"
  st=$?
  why=""
  [ "$st" -eq 0 ] || why="exit status $st, expected 0"
  insane "$T/stderr" && why="${why:+$why; }a crash or sanitizer report"
  if [ -z "$why" ]; then pass "$name"; else fail "$name" "$why"; head -n 12 "$T/stderr" | sed 's/^/  stderr: /'; fi
}

# ---- an import chain 20,000 files deep: c0 imports c1 ... imports c20000
mkdir chain
awk -v N=20000 'BEGIN {
  for (i = 0; i < N; i++) { f = sprintf("chain/c%d.aedl", i); printf "import \"c%d\"\n", i + 1 > f; close(f) }
  printf "quantizer deepest = quantized_bits(8, 3, 1)\n" > sprintf("chain/c%d.aedl", N) }'
expect_ok robust/front/import-chain-20000 $A chain/c0.aedl --emit ir
check robust/front/import-chain-20000-ir "the IR lacks the quantizer of the deepest file" \
  grep -q '^quantizer deepest = quantized_bits(8, 3, 1)' "$T/stdout"

# ---- the same chain closed into a cycle: one error, the chain's notes capped
printf 'import "c0"\n' > chain/c20000.aedl
expect_error robust/front/import-cycle-20000 'chain/c20000.aedl:1:8: error: import cycle: chain/c0.aedl imports itself through this import' \
  $A chain/c0.aedl --emit ir
check robust/front/import-cycle-20000-notes "not 16 notes and one '... more imports' line: $(grep -c 'note:' "$T/stderr")" \
  sh -c "[ \$(grep -c ': note: .* imports .* here' '$T/stderr') -eq 16 ] && grep -q 'note: \.\.\. 19984 more imports in the cycle' '$T/stderr'"

# ---- 100,000 declarations, then 100,000 layers (named and unnamed)
awk 'BEGIN { for (i = 0; i < 100000; i++) printf "quantizer q%d = quantized_bits(8, 3, 1)\n", i
  print "model m {\n  input x[4] : fixed<8, 3>\n  dense d(4, weight=q99999)\n}" }' > decls.aedl
expect_ok robust/front/declarations-100000 $A decls.aedl --emit ir
check robust/front/declarations-100000-ir "the IR does not hold 100000 quantizers and the dense using the last" \
  sh -c "[ \$(grep -c '^quantizer q' '$T/stdout') -eq 100000 ] && grep -q 'weight=q99999' '$T/stdout'"

awk 'BEGIN { print "model m {\n  input x[4] : fixed<8, 3>"
  for (i = 0; i < 50000; i++) printf "  dense d%d(4)\n  relu\n", i
  print "  output d49999, relu_50000, d0\n}" }' > layers.aedl
expect_ok robust/front/layers-100000 $A layers.aedl --emit ir
check robust/front/layers-100000-ir "the IR does not hold 100000 layers with the three outputs" \
  sh -c "[ \$(grep -Ec '^  (dense|relu) ' '$T/stdout') -eq 100000 ] && grep -q '^  relu relu_50000 .*<- d49999' '$T/stdout' &&
         grep -q '^  output d49999, relu_50000, d0' '$T/stdout'"

# 100,000 layers naming a quantizer that does not exist: 20 errors, then stop
awk 'BEGIN { print "quantizer qw = quantized_bits(8, 3, 1)\nmodel m {\n  input x[4] : fixed<8, 3>"
  for (i = 0; i < 100000; i++) printf "  dense d%d(4, weight=q%d)\n", i, i
  print "}" }' > unknown.aedl
expect_error robust/front/unknown-names-100000 "unknown.aedl:4:22: error: unknown quantizer 'q0'" $A unknown.aedl --emit ir
check robust/front/unknown-names-100000-capped "more than 20 errors: $(grep -c 'error:' "$T/stderr")" \
  sh -c "[ \$(grep -c 'error:' '$T/stderr') -eq 20 ] && grep -q 'too many errors' '$T/stderr'"

# a duplicate layer name after 100,000 others: found, with a note at the first
{ cat layers.aedl | sed '$d'; printf '  dense d777(4)\n}\n'; } > dup.aedl
expect_error robust/front/duplicate-layer-100000 "duplicate layer name 'd777' in model 'm'" $A dup.aedl --emit ir

# long lists: every feature index, 20,000 tpr_at_fpr (one twice)
mkdir -p data
cat > lists.aedl <<'AEDL'
model m {
  input x[65536] : fixed<8, 3>
  dense d(4)
}
data d {
  train = hdf5("data/x.h5", "X")
  features = [0:65536]
}
AEDL
awk 'BEGIN { printf "train {\n  model = m\n  data = d\n  metrics = ["
  for (i = 1; i <= 20000; i++) printf "tpr_at_fpr(%d.0e-6), ", i
  print "tpr_at_fpr(7.0e-6)]\n}" }' >> lists.aedl
expect_error robust/front/list-20000-repeat "error: tpr_at_fpr(7e-06) given twice" $A lists.aedl --emit ir
check robust/front/list-20000-one-error "not exactly one error: $(grep -c 'error:' "$T/stderr")" \
  sh -c "[ \$(grep -c 'error:' '$T/stderr') -eq 1 ] && grep -q '^lists.aedl:12:' '$T/stderr'"

# nesting at the limit of 256 brackets: an error about the value, no crash
{ printf 'quantizer q = '; awk 'BEGIN { for (i = 0; i < 256; i++) printf "["; for (i = 0; i < 256; i++) printf "]"; print "" }'; } > nest256.aedl
expect_error robust/front/nested-lists-256 "nest256.aedl:1:15: error:" $A nest256.aedl --emit ir
{ printf 'quantizer q = '; awk 'BEGIN { for (i = 0; i < 256; i++) printf "f("; for (i = 0; i < 256; i++) printf ")"; print "" }'; } > calls256.aedl
expect_error robust/front/nested-calls-256 "calls256.aedl:1:" $A calls256.aedl --emit ir

# ---- imports that exist but are not regular files: refused by name, never read
mkdir kinds kinds/folder
mkfifo kinds/fifo.aedl
ln -s loop_b.aedl kinds/loop_a.aedl
ln -s loop_a.aedl kinds/loop_b.aedl
ln -s /dev/zero kinds/zero.aedl
ln -s missing.aedl kinds/dangling.aedl
imp() { printf 'quantizer q = quantized_bits(8, 3, 1)\nimport "%s"\n' "$1" > "kinds/use_$2.aedl"; }
imp folder folder
expect_error robust/front/import-directory 'kinds/use_folder.aedl:2:8: error: cannot import "folder": kinds/folder is a directory' \
  $A kinds/use_folder.aedl --emit ir
imp fifo fifo
expect_error robust/front/import-fifo 'kinds/use_fifo.aedl:2:8: error: cannot import "fifo": kinds/fifo.aedl is a FIFO, not a regular file' \
  $A kinds/use_fifo.aedl --emit ir
imp loop_a loop
expect_error robust/front/import-symlink-loop 'cannot import "loop_a": kinds/loop_a.aedl: Too many levels of symbolic links (a symbolic link loop)' \
  $A kinds/use_loop.aedl --emit ir
imp zero zero
expect_error robust/front/import-dev-zero 'cannot import "zero": kinds/zero.aedl is a symbolic link to /dev/zero, a character device, not a regular file' \
  $A kinds/use_zero.aedl --emit ir
imp /dev/zero abs_zero
expect_error robust/front/import-dev-zero-absolute 'cannot import "/dev/zero": /dev/zero is a character device, not a regular file' \
  $A kinds/use_abs_zero.aedl --emit ir
imp dangling dangling
expect_error robust/front/import-dangling-link 'cannot import "dangling": kinds/dangling.aedl is a symbolic link to a file that does not exist' \
  $A kinds/use_dangling.aedl --emit ir
# the same as the file given to aedlc
expect_error robust/front/input-dev-zero "kinds/zero.aedl: is a symbolic link to /dev/zero, a character device, not a regular file" \
  $A kinds/zero.aedl --emit ir
expect_error robust/front/input-symlink-loop "kinds/loop_a.aedl: Too many levels of symbolic links" $A kinds/loop_a.aedl --emit ir

# unreadable: a file without read permission, a folder without search
# permission (as root, run as nobody: root may read anything)
mkdir perm perm/shut
printf 'quantizer q = quantized_bits(8, 3, 1)\n' > perm/secret.aedl
cp perm/secret.aedl perm/shut/x.aedl
printf 'import "secret"\n' > perm/use_secret.aedl
printf 'import "shut/x"\n' > perm/use_shut.aedl
chmod 000 perm/secret.aedl perm/shut
as_user=""
if [ "$(id -u)" = 0 ]; then
  chmod 755 "$T" "$T/perm"
  as_user="setpriv --reuid=65534 --regid=65534 --clear-groups"
fi
expect_error robust/front/import-no-read-permission 'perm/use_secret.aedl:1:8: error: cannot import "secret": perm/secret.aedl: Permission denied' \
  $as_user $A perm/use_secret.aedl --emit ir
expect_error robust/front/import-no-search-permission 'perm/use_shut.aedl:1:8: error: cannot import "shut/x": perm/shut/x.aedl: Permission denied' \
  $as_user $A perm/use_shut.aedl --emit ir
chmod 755 perm/shut

# ---- -o: the root and the system folders are refused before anything is
# written (the input has a syntax error, so no version of aedlc writes there)
printf 'model m {\n  input x[4] : fixed<8, 3>\n  dense d(4\n}\n' > bad.aedl
ln -s / to_root
expect_usage() {
  name=$1 pat=$2
  shift 2
  "$@" > "$T/stdout" 2> "$T/stderr"
  st=$?
  why=""
  [ "$st" -eq 2 ] || why="exit status $st, expected 2 (a usage error)"
  grep -qF -- "$pat" "$T/stderr" || why="${why:+$why; }no '$pat' in the message"
  grep -q '^usage: aedlc' "$T/stderr" || why="${why:+$why; }no usage text"
  insane "$T/stderr" && why="${why:+$why; }a crash or sanitizer report"
  if [ -z "$why" ]; then pass "$name"; else fail "$name" "$why"; head -n 4 "$T/stderr" | sed 's/^/  stderr: /'; fi
}
expect_usage robust/front/out-root "aedlc: error: -o /: / is a system folder" $A bad.aedl -o /
expect_usage robust/front/out-root-dotdot "-o $T/../../../../../../../..: / is a system folder" \
  $A bad.aedl -o "$T/../../../../../../../.."
expect_usage robust/front/out-root-link "-o to_root: / is a system folder" $A bad.aedl --emit train,hls -o to_root
expect_usage robust/front/out-etc "-o to_root/etc/: /etc is a system folder" $A bad.aedl -o to_root/etc/
expect_usage robust/front/out-usr "-o /usr: /usr is a system folder" $A bad.aedl -o=/usr
expect_usage robust/front/out-new-dotdot "/usr/lib is a system folder" $A bad.aedl -o new/../../../../../../../../usr/lib/
# a folder of one's own below them is the user's choice: the syntax error is reported
expect_error robust/front/out-below-tmp "bad.aedl:4:1: error: expected ')' or" $A bad.aedl -o "$T/out"
exit 0
