#!/bin/sh
# Hostile data files given to the training executable (HDF5 and CSV) and
# hostile weights files given to aedlc --weights: nothing blocks, nothing is
# read in silence as something else, and each message names the real cause.
#   special files (a FIFO, a folder) refused before any read that could block;
#   a file without read permission; a chunked dataset declared larger than its
#   stored chunks (fill-value zeros are never trained on); soft links that
#   dangle or loop and external links; float64 values beyond float32; too few
#   events for the validation and test splits; CSV: the header rule (a line
#   with no numbers; a BOM, quotes, a typo), CR-only and CR LF line ends, NUL
#   bytes, UTF-16, empty fields, NaN and overflow by file line and field.
. tests/robust/common.sh
cd "$T" || exit 1
chmod 755 "$T"

cat > m.aedl <<'AEDL'
quantizer qw = quantized_bits(8, 3, 1)
model m {
  input x[57] : fixed<16, 7, rnd, sat>
  dense enc(8, weight=qw, bias=qw)
  relu(quant=quantized_relu(8, 2))
  dense out(57, weight=qw, bias=qw)
}
data d {
  train = hdf5("bg.h5", "Particles")
  features = [0:3]
  flatten = true
  validation = 0.2
  test = 0.2
}
train {
  model = m
  data = d
  epochs = 1
  batch = 256
}
AEDL
cat > c.aedl <<'AEDL'
quantizer qw = quantized_bits(8, 3, 1)
model c {
  input x[3] : fixed<16, 7, rnd, sat>
  dense enc(2, weight=qw, bias=qw)
  relu(quant=quantized_relu(8, 2))
  dense out(3, weight=qw, bias=qw)
}
data d {
  train = csv("bg.csv")
  validation = 0.2
  test = 0.2
}
train {
  model = c
  data = d
  epochs = 1
  batch = 4
}
AEDL
"$AEDLC" m.aedl --emit train -o mo > emit.log 2>&1 &&
"$AEDLC" c.aedl --emit train -o co >> emit.log 2>&1 || { echo "FAIL robust/hostile: aedlc --emit train: $(tail -3 emit.log)"; exit 1; }
TR=$T/mo/train/m_train
CT=$T/co/train/c_train
"$H5EDIT" make good.h5 Particles f32 3000x19x4 || { echo "FAIL robust/hostile: h5edit make failed"; exit 1; }

# fresh NAME: removes bg.h5 (whatever it is) and the run's output folder.
fresh() { rm -rf bg.h5 bg.csv "$T/o"; }
# trains NAME EVENTS PROGRAM [ARGS]: exit 0 and "data: EVENTS events" reported.
trains() {
  name=$1 n=$2
  shift 2
  "$@" --no-eval -o "$T/o" > "$T/stdout" 2> "$T/stderr"
  st=$?
  why=""
  [ "$st" -eq 0 ] || why="exit status $st: $(tail -n 2 "$T/stderr")"
  grep -q "^data: $n events" "$T/stdout" "$T/stderr" ||
    why="${why:+$why; }not 'data: $n events': $(grep -h '^data:' "$T/stdout" "$T/stderr")"
  if [ -z "$why" ]; then pass "$name"; else fail "$name" "$why"; fi
}

# ---- special files: refused by name, before any read (a FIFO never blocks; the
# timeout only turns a regression into a failure instead of a hung suite)
fresh; mkfifo bg.h5
expect_error robust/hostile/h5-fifo "$T/bg.h5: not a regular file (a FIFO)" timeout 120 "$TR" --quiet -o "$T/o"
fresh; mkdir bg.h5
expect_error robust/hostile/h5-folder "$T/bg.h5: not a regular file (a directory)" "$TR" --quiet -o "$T/o"
fresh; mkfifo bg.csv
expect_error robust/hostile/csv-fifo "$T/bg.csv: not a regular file (a FIFO)" timeout 120 "$CT" --quiet -o "$T/o"
fresh; ln -s /dev/zero bg.csv
expect_error robust/hostile/csv-char-device "$T/bg.csv: not a regular file (a character device)" \
  timeout 120 "$CT" --quiet -o "$T/o"

# ---- no read permission: the real cause, not "not an HDF5 file" (as root, the
# program runs as nobody: root may read any file)
fresh; cp good.h5 bg.h5; chmod 000 bg.h5
mkdir -m 777 pub
if [ "$(id -u)" = 0 ]; then
  expect_error robust/hostile/h5-permission "$T/bg.h5: cannot open: Permission denied" \
    setpriv --reuid=65534 --regid=65534 --clear-groups "$TR" --quiet -o "$T/pub/o"
else
  expect_error robust/hostile/h5-permission "$T/bg.h5: cannot open: Permission denied" "$TR" --quiet -o "$T/pub/o"
fi
chmod 644 bg.h5

# ---- a chunked dataset declaring 1e9 events of which 3000 are written: refused,
# with or without a limit, saying how many are stored
fresh; "$H5EDIT" make bg.h5 Particles f32 1000000000x19x4 100 3000
pat="$T/bg.h5: dataset 'Particles' declares 1000000000 events, but only the first 3000 are stored (30 of its 10000000 chunks)"
expect_error robust/hostile/h5-unwritten-chunks-limit "$pat" "$TR" --quiet --limit 3000 -o "$T/o"
check robust/hostile/h5-unwritten-chunks-no-output "a weights file was written" test ! -e "$T/o/m.weights.h5"
expect_error robust/hostile/h5-unwritten-chunks "$pat" "$TR" --quiet -o "$T/o"
fresh; "$H5EDIT" make bg.h5 Particles f32 3000x19x4 100 0
expect_error robust/hostile/h5-never-written "$T/bg.h5: dataset 'Particles' declares 3000 events but stores none" \
  "$TR" --quiet -o "$T/o"
fresh; "$H5EDIT" make bg.h5 Particles f32 3000x19x4 100 3000
trains robust/hostile/h5-chunked-complete-trains 3000 "$TR"

# ---- links
fresh; "$H5EDIT" link bg.h5 Particles soft /x
expect_error robust/hostile/h5-dangling-link "$T/bg.h5: \"Particles\" is a dangling soft link to \"/x\"" \
  "$TR" --quiet -o "$T/o"
fresh; "$H5EDIT" link bg.h5 a soft /b && "$H5EDIT" link bg.h5 b soft /a && "$H5EDIT" link bg.h5 Particles soft /a
expect_error robust/hostile/h5-link-loop "$T/bg.h5: \"Particles\" is a soft link in a loop: Particles -> /a -> /b -> /a" \
  "$TR" --quiet -o "$T/o"
fresh; "$H5EDIT" link bg.h5 Particles soft Particles
expect_error robust/hostile/h5-link-to-itself "$T/bg.h5: \"Particles\" is a soft link in a loop: Particles -> Particles" \
  "$TR" --quiet -o "$T/o"
fresh; "$H5EDIT" link bg.h5 Particles external good.h5 /Particles
expect_error robust/hostile/h5-external-link \
  "$T/bg.h5: \"Particles\" is an external link to \"/Particles\" in the file \"good.h5\"; external links are not followed" \
  "$TR" --quiet -o "$T/o"
fresh; "$H5EDIT" make bg.h5 real/events f32 3000x19x4 && "$H5EDIT" link bg.h5 Particles soft /real/events
trains robust/hostile/h5-good-soft-link-trains 3000 "$TR"

# ---- float64 beyond float32 (not "an infinite value"); a stored infinity still is one
fresh; "$H5EDIT" make bg.h5 Particles f64 100x19x4 && "$H5EDIT" bg.h5 /Particles 1000 1e300
expect_error robust/hostile/h5-f64-overflow "$T/bg.h5: Particles[13, 3, 0] = 1e+300 overflows float32" \
  "$TR" --quiet -o "$T/o"
"$H5EDIT" bg.h5 /Particles 1000 inf
expect_error robust/hostile/h5-f64-inf "$T/bg.h5: dataset 'Particles' has an infinite value at event 13 (element [3, 0]" \
  "$TR" --quiet -o "$T/o"

# ---- too few events for the splits: an error saying how many are needed
fresh; "$H5EDIT" make bg.h5 Particles f32 2x19x4
expect_error robust/hostile/h5-two-events \
  "$T/bg.h5: the data give 2 events: the validation split (0.2) and test split (0.2) need at least 3 events (at least one each" \
  "$TR" --quiet -o "$T/o"
fresh; cp good.h5 bg.h5
expect_error robust/hostile/limit-one-event "$T/bg.h5: the data give 1 event (limit 1 of 3000): the validation split" \
  "$TR" --quiet --limit 1 -o "$T/o"
trains robust/hostile/three-events-train 3 "$TR" --limit 3

# ---- CSV: which line is a header, and never a lost event
rows() { i=1; while [ $i -le 20 ]; do printf '%s.5,%s,-%s\n' $i $i $i; i=$((i + 1)); done; }
fresh; { printf '\357\273\2771,2,3\n'; rows; } > bg.csv
trains robust/hostile/csv-bom-number-line-is-data 21 "$CT"
check robust/hostile/csv-bom-no-header-note "a header was reported: $(cat "$T/stderr")" \
  sh -c "! grep -q header '$T/stderr'"
fresh; { echo 'pt,eta,phi'; rows; } > bg.csv
trains robust/hostile/csv-header 20 "$CT"
check robust/hostile/csv-header-is-said "stderr: $(cat "$T/stderr")" \
  grep -qF "$T/bg.csv: line 1 (pt,eta,phi) is taken as a header, not as an event" "$T/stderr"
fresh; { printf '\357\273\277# jets\n'; echo; echo '"pt" "eta" "phi"'; rows; } > bg.csv
trains robust/hostile/csv-quoted-header-after-comment 20 "$CT"
check robust/hostile/csv-header-line-counted "stderr: $(cat "$T/stderr")" \
  grep -qF "$T/bg.csv: line 3 (\"pt\" \"eta\" \"phi\") is taken as a header" "$T/stderr"
fresh; { echo '"1","2","3"'; rows; } > bg.csv
trains robust/hostile/csv-quoted-numbers-are-data 21 "$CT"
fresh; { echo '1,2.O,3'; rows; } > bg.csv
expect_error robust/hostile/csv-typo-first-line \
  "$T/bg.csv:1: field 2, '2.O', is not a number (the line is not a header either: its other fields are numbers)" \
  "$CT" --quiet -o "$T/o"
fresh; { echo 'pt,eta,phi'; rows; echo '4,5,x6'; } > bg.csv
expect_error robust/hostile/csv-word-later "$T/bg.csv:22: field 3, 'x6', is not a number" "$CT" --quiet -o "$T/o"
fresh; rows | tr '\n' '\r' > bg.csv
trains robust/hostile/csv-cr-line-ends 20 "$CT"
fresh; { echo 'pt,eta,phi'; rows; } | sed 's/$/\r/' > bg.csv
trains robust/hostile/csv-crlf-line-ends 20 "$CT"
fresh; { printf 'pt,eta,phi\r# c\r1,2,3\r4,5,six\r'; } > bg.csv
expect_error robust/hostile/csv-cr-line-counted "$T/bg.csv:4: field 3, 'six', is not a number" "$CT" --quiet -o "$T/o"
fresh; { rows; printf '4,\0005,6\n'; } > bg.csv
expect_error robust/hostile/csv-nul "$T/bg.csv: a NUL byte at line 21" "$CT" --quiet -o "$T/o"
fresh; printf '\377\3761\000,\0002\000\n\000' > bg.csv
expect_error robust/hostile/csv-utf16 "$T/bg.csv: the file is UTF-16 text" "$CT" --quiet -o "$T/o"
fresh; { echo 'pt,eta,phi'; rows; echo '4,,5'; } > bg.csv
expect_error robust/hostile/csv-empty-field "$T/bg.csv:22: field 2 is empty" "$CT" --quiet -o "$T/o"
fresh; { echo '# a comment'; echo 'pt,eta,phi'; rows; echo '4,nan,5'; } > bg.csv
expect_error robust/hostile/csv-nan-file-line "$T/bg.csv:23: field 2 is a NaN" "$CT" --quiet -o "$T/o"
fresh; { echo 'pt,eta,phi'; echo '1,2,3'; echo '4,5,1e300'; rows; } > bg.csv
expect_error robust/hostile/csv-overflow "$T/bg.csv:3: field 3, 1e300, overflows float32" "$CT" --quiet -o "$T/o"
fresh; { echo 'pt,eta,phi'; echo '1,2,3'; echo '4,5,6'; } > bg.csv
expect_error robust/hostile/csv-two-events "$T/bg.csv: the data give 2 events: the validation split (0.2) and test split (0.2) need at least 3 events" \
  "$CT" --quiet -o "$T/o"

# ---- weights files given to aedlc --weights
W() { "$H5EDIT" make w.h5 enc/kernel "$1" 3x2 && "$H5EDIT" make w.h5 enc/bias f32 2 &&
      "$H5EDIT" make w.h5 out/kernel f32 2x3 && "$H5EDIT" make w.h5 out/bias f32 3; }
rm -f w.h5; W f32
"$AEDLC" c.aedl --emit report -o wr --weights w.h5 > w.log 2>&1
check robust/hostile/weights-crafted-ok "status $?: $(tail -3 w.log)" test -s wr/firmware.plan
rm -f w.h5; W f64; "$H5EDIT" w.h5 /enc/kernel 3 1e300
expect_error robust/hostile/weights-f64-overflow "w.h5: error: layer 'enc': kernel[1, 1] = 1e+300 overflows float32" \
  "$AEDLC" c.aedl --emit report -o w1 --weights w.h5
rm -f w.h5; W f32; "$H5EDIT" link w.h5 out/mask soft /nowhere
expect_error robust/hostile/weights-dangling-link "w.h5: error: layer 'out': \"mask\" is a dangling soft link to \"/nowhere\"" \
  "$AEDLC" c.aedl --emit report -o w1 --weights w.h5
rm -f w.h5; mkfifo w.h5
expect_error robust/hostile/weights-fifo "w.h5: error: the weights file is not a regular file (a FIFO)" \
  timeout 120 "$AEDLC" c.aedl --emit report -o w1 --weights w.h5
rm -f w.h5; W f32; chmod 000 w.h5
if [ "$(id -u)" = 0 ]; then
  expect_error robust/hostile/weights-permission "$T/w.h5: error: cannot open the weights file: Permission denied" \
    setpriv --reuid=65534 --regid=65534 --clear-groups "$AEDLC" "$T/c.aedl" --emit report -o "$T/pub/w" --weights "$T/w.h5"
else
  expect_error robust/hostile/weights-permission "$T/w.h5: error: cannot open the weights file: Permission denied" \
    "$AEDLC" "$T/c.aedl" --emit report -o "$T/pub/w" --weights "$T/w.h5"
fi
check robust/hostile/weights-nothing-written "files were written from bad weights" \
  sh -c '[ -z "$(find w1 pub/w -type f 2>/dev/null)" ]'
exit 0
