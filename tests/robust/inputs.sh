#!/bin/sh
# Bad inputs beyond the goldens of tests/golden.sh (which already cover every
# syntax and semantic error class in tests/errors/, an empty file, NUL bytes and
# bad UTF-8 in code and strings, a 900-byte line, 10,000 nested [ and f(, and a
# directory or a missing file as the input): a 1 MB line, a 100,000-character
# identifier, 10,000 nested { and ([{ and unclosed (, more kinds of bad UTF-8,
# a file of NUL bytes, a FIFO as the input, and output folders that cannot be
# written.  Each: exit status 1, a message saying what and where, no crash, no
# sanitizer report, no hang (timeout 20 s).
. tests/robust/common.sh
A="timeout 20 $AEDLC"
rep() { awk -v s="$1" -v n="$2" 'BEGIN { for (i = 0; i < n; i++) printf "%s", s }'; }
cd "$T" || exit 1

# ---- a 1 MB line: the error is found at its column, the quoted line is cut
{ printf 'data d {\n  train = hdf5("'; rep x 1048576; printf '", "P") @\n}\n'; } > long_line.aedl
expect_error robust/input/line-1MB "long_line.aedl:2:1048601: error: unexpected character '@'" $A long_line.aedl --emit ir
check robust/input/line-1MB-quote "the diagnostic quotes more than 400 bytes of the line" \
  sh -c "[ \$(wc -c < '$T/stderr') -lt 2000 ]"

# ---- a 100,000-character identifier, declared and misspelled by one character
id=$(rep a 100000)
printf 'quantizer %s = quantized_bits(8, 3, 1)\nmodel m {\n  input x[4] : fixed<8, 3>\n  dense d(4, weight=%sb)\n}\n' \
  "$id" "$id" > long_ident.aedl
expect_error robust/input/identifier-100k "long_ident.aedl:4:21: error: unknown quantizer 'aaaa" $A long_ident.aedl --emit ir
check robust/input/identifier-100k-quote "the quoted source line is not cut" \
  sh -c "! grep '^ *4 |' '$T/stderr' | grep -q '.\{1000\}'"

# ---- 10,000 nested brackets of the other kinds
{ printf 'model m '; rep '{' 10000; rep '}' 10000; printf '\n'; } > braces.aedl
expect_error robust/input/nested-braces-10000 "brackets nested too deeply (more than 256 levels)" $A braces.aedl --emit ir
{ printf 'quantizer q = '; rep '([{' 3334; rep '}])' 3334; printf '\n'; } > mixed.aedl
expect_error robust/input/nested-mixed-10000 "brackets nested too deeply (more than 256 levels)" $A mixed.aedl --emit ir
rep '(' 10000 > opens.aedl
expect_error robust/input/unclosed-10000 "brackets nested too deeply (more than 256 levels)" $A opens.aedl --emit ir

# ---- bytes that are not UTF-8 (or not UTF-8 text at all)
printf 'model m\300\200 {\n}\n' > overlong.aedl
expect_error robust/input/utf8-overlong "overlong.aedl:1:8: error: invalid UTF-8 byte 0xc0" $A overlong.aedl --emit ir
printf 'model m {\n}\n\342\202' > cut_utf8.aedl
expect_error robust/input/utf8-cut-at-eof "cut_utf8.aedl:3:1: error: invalid UTF-8 byte 0xe2" $A cut_utf8.aedl --emit ir
printf '\377\376m\000o\000d\000e\000l\000' > utf16.aedl
expect_error robust/input/utf16 "utf16.aedl:1:1: error: invalid UTF-8 byte 0xff" $A utf16.aedl --emit ir
head -c 65536 /dev/urandom > random.aedl
expect_error robust/input/random-bytes "random.aedl:" $A random.aedl --emit ir

# ---- a file of 64 KiB NUL bytes: reported, but not 65536 times
head -c 65536 /dev/zero > nul.aedl
expect_error robust/input/nul-only "nul.aedl:1:1: error: NUL byte in the source" $A nul.aedl --emit ir
check robust/input/nul-only-capped "more than 21 errors for one file: $(grep -c 'error:' "$T/stderr")" \
  sh -c "[ \$(grep -c 'error:' '$T/stderr') -le 21 ]"

# ---- a FIFO as the input (never opened: it could block)
mkfifo fifo.aedl
expect_error robust/input/fifo "fifo.aedl: is a FIFO, not a regular file" $A fifo.aedl --emit ir

# ---- output folders that cannot be written, for every emitter
cat > small.aedl <<'AEDL'
quantizer qw = quantized_bits(6, 2, 1)
model small {
  input x[4] : fixed<8, 3, rnd, sat>
  dense d1(5, weight=qw, bias=qw)
  relu(quant=quantized_relu(6, 1))
  dense out(4, weight=qw, bias=qw)
}
data d { train = hdf5("events.h5", "Particles") }
train { model = small
  data = d }
AEDL
touch regular
for e in train hls report; do
  expect_error "robust/output/$e-proc" "cannot create /proc/x/$e" $A small.aedl --emit "$e" -o /proc/x
  expect_error "robust/output/$e-below-file" "cannot create regular/sub/$e: Not a directory" \
    $A small.aedl --emit "$e" -o regular/sub
  expect_error "robust/output/$e-is-file" "cannot create regular/$e: Not a directory" \
    $A small.aedl --emit "$e" -o regular
done
# A generated file whose place is taken by a folder: an error, the folder kept.
mkdir -p busy/hls/firmware/small.cpp busy/report/precision.txt busy/train/Makefile
for e in train hls report; do
  case $e in train) f=train/Makefile ;; hls) f=hls/firmware/small.cpp ;; report) f=report/precision.txt ;; esac
  expect_error "robust/output/$e-file-is-folder" "cannot write busy/$f: Is a directory" \
    $A small.aedl --emit "$e" -o busy
  check "robust/output/$e-file-is-folder-kept" "busy/$f is gone" test -d "busy/$f"
done
exit 0
