# lib.sh — sourced by the test scripts (run from the repository root):
#   B                 the build folder, absolute ($BUILD, default build)
#   AEDLC, GEN        the compiler and the event generator in it
#   test_workdir NAME sets W to a fresh temporary folder, removed on exit
#   pass, fail, check the PASS/FAIL lines tests/run.sh counts
#   small_qat DIR EVENTS SIGNAL_EVENTS JETS EPOCHS SEED
#                     generated data in DIR/data and DIR/ae.aedl: the seed QAT
#                     autoencoder (examples/ae_qat.aedl) reading them
#   golden_diff EXPECTED ACTUAL [LABEL]
#                     true when the files differ (or EXPECTED is missing), printing
#                     the first 40 lines of `diff -u`, indented; false when equal
#   golden_tree NAME GOLDEN DIR FILE...
#                     PASS/FAIL NAME/FILE: DIR/FILE equals GOLDEN/FILE byte for byte,
#                     for each FILE; NAME/files: GOLDEN holds exactly these files
# Golden files have one update switch: with UPDATE_GOLDEN=1, golden_diff copies
# ACTUAL over EXPECTED and golden_tree replaces GOLDEN by DIR's FILEs (review the
# change with git diff before committing it).
BUILD=${BUILD:-build}
case "$BUILD" in /*) B=$BUILD ;; *) B=$PWD/$BUILD ;; esac
AEDLC=$B/aedlc
GEN=$B/aedl-gen

test_workdir() {
  W=$(mktemp -d "${TMPDIR:-/tmp}/aedl-$1.XXXXXX")
  trap 'rm -rf "$W"' EXIT INT TERM
}

pass() { echo "PASS $1"; }
fail() { echo "FAIL $1: $2"; }
check() { name=$1; why=$2; shift 2; if "$@"; then pass "$name"; else fail "$name" "$why"; fi; }

small_qat() {
  "$GEN" --all "$1/data" --events "$2" --signal-events "$3" --jet-count "$4" --seed "$6" --quiet \
    || { echo "FAIL data: aedl-gen failed"; exit 1; }
  sed -e 's|"\.\./data/|"data/|' -e "s|limit    = 1000000 .*|limit = $2|" \
      -e "s|epochs    = 150|epochs = $5|" examples/ae_qat.aedl > "$1/ae.aedl"
}

# Signals at a point the program reports, never after a sleep (the test hook
# AEDL_TEST_PAUSE_AT of lib/proc.h).  `start_paused POINT CMD...` runs CMD
# in the background with AEDL_TEST_PAUSE_AT=POINT and returns once the process
# that reached POINT waits there (a blocking read on a FIFO: no polling, no
# timing).  Sets PROG (CMD's process), PAUSED (the waiting process), PARENT (its
# parent) and POINT_REACHED (0 when CMD ended without reaching POINT: then ST
# is its status).  After signalling, `ended` waits for CMD and sets ST; `gone`
# returns once CMD and every process started under it have ended (their copy of
# fd 7, a FIFO's write end, is closed), within a generous bound of 120 s.
start_paused() {
  _pt=$1; shift
  _pf="$W/.pause.fifo"; _af="$W/.alive.fifo"
  rm -f "$_pf" "$_af"; mkfifo "$_pf" "$_af"
  exec 3<>"$_pf"
  timeout 120 cat "$_af" > /dev/null &
  _alive=$!
  ( AEDL_TEST_PAUSE_AT=$_pt AEDL_TEST_PAUSE_FIFO=$_pf "$@" 7>"$_af" &
    echo "pid $!" > "$_pf"; wait $!; echo "exit $?" > "$_pf" ) &
  _bg=$!
  PROG=; PAUSED=; PARENT=; POINT_REACHED=; ST=; _tries=0
  # A read the shell's SIGCHLD interrupts fails without a line: read again (the
  # FIFO is open for writing here too, so a read never sees an end of file).
  while [ -z "$PROG" ] || [ -z "$POINT_REACHED" ]; do
    read -r _a _b _c <&3 || { _tries=$((_tries + 1)); [ $_tries -lt 100 ] && continue; break; }
    case $_a in
      pid) PROG=$_b ;;
      exit) ST=$_b; POINT_REACHED=0 ;;
      *) PAUSED=$_a; PARENT=$_b; POINT_REACHED=1 ;;
    esac
  done
}
ended() {
  _tries=0; ST=
  while [ "$POINT_REACHED" = 1 ] && [ -z "$ST" ] && [ $_tries -lt 100 ]; do
    read -r _a ST <&3 || ST=
    _tries=$((_tries + 1))
  done
  wait $_bg
  exec 3<&-
}
gone() { wait $_alive; }
# Is process $1 running (not ended, not a zombie)?
running() { _s=$(cat "/proc/$1/stat" 2>/dev/null) && [ -n "$_s" ] && [ "$(echo "$_s" | sed 's/.*) \(.\).*/\1/')" != Z ]; }
# None of the processes $@ runs, after waiting for a process that closed its
# files to become a zombie (the last step of its exit): at most 2000 looks each.
none_running() {
  for _p in "$@"; do
    _i=0; while running "$_p" && [ $_i -lt 2000 ]; do _i=$((_i + 1)); done
    running "$_p" && return 1
  done
  return 0
}

golden_diff() {
  if [ "${UPDATE_GOLDEN:-0}" = 1 ]; then
    mkdir -p "$(dirname "$1")" && cp "$2" "$1"
    return 1
  fi
  if [ ! -f "$1" ]; then
    echo "  (no expected file $1)"
    return 0
  fi
  cmp -s "$1" "$2" && return 1
  diff -u --label "$1" --label "${3:-$2}" "$1" "$2" | head -n 40 | sed 's/^/  /'
  return 0
}

golden_tree() {
  _gn=$1 _gg=$2 _gd=$3
  shift 3
  if [ "${UPDATE_GOLDEN:-0}" = 1 ]; then
    rm -rf "$_gg"
    echo "PASS $_gn/updated: UPDATE_GOLDEN=1 rewrote $_gg"
  fi
  for _gf in "$@"; do
    if _gdiff=$(golden_diff "$_gg/$_gf" "$_gd/$_gf" "generated $_gf"); then
      fail "$_gn/$_gf" "differs from $_gg/$_gf (UPDATE_GOLDEN=1 rewrites it)"
      printf '%s\n' "$_gdiff"
    else
      pass "$_gn/$_gf"
    fi
  done
  _gwant=$(cd "$_gg" 2>/dev/null && find . -type f | sed 's|^\./||' | LC_ALL=C sort)
  _ghave=$(printf '%s\n' "$@" | LC_ALL=C sort)
  if [ "$_gwant" = "$_ghave" ]; then
    pass "$_gn/files"
  else
    fail "$_gn/files" "the generated files (+) are not those of $_gg (-)"
    { for _gf in $_gwant; do printf '%s\n' "$_ghave" | grep -qxF "$_gf" || echo "  -$_gf"; done
      for _gf in $_ghave; do printf '%s\n' "$_gwant" | grep -qxF "$_gf" || echo "  +$_gf"; done; } | head -n 40
  fi
}
