# tests/floatfw.mk — a float model (examples/ae_baseline.aedl) gets a firmware:
# observed ranges, error against the float model, C simulation bit for bit.
TEST_SCRIPTS += tests/prec/float_fw.sh
