# tests/sema.mk — the semantic front end: every ```aedl block of docs/language.md
# and every example and stdlib file compile.  (The goldens of tests/parse and
# tests/errors/sem_* run in tests/golden.sh.)
TEST_SCRIPTS += tests/docs_examples.sh tests/examples.sh
