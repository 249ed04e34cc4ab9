# tests/robust.mk — robustness across the components (issue 8): bad inputs of
# every kind, unwritable output folders, damaged data and weights files,
# emitting twice into a folder with the user's own files, and the replay of
# every input the fuzzer ever found crashing (tests/fuzz/regress/).
PROGRAMS     += $(BUILD)/tests/robust/h5edit
TEST_SCRIPTS += tests/robust/inputs.sh tests/robust/outdir.sh tests/robust/data.sh \
                tests/robust/fuzz_regress.sh tests/robust/interrupt.sh
