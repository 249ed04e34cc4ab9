# tests/front.mk — golden tests of aedlc: IR dumps, diagnostics, command line (tests/golden.sh).
TEST_SCRIPTS += tests/golden.sh
