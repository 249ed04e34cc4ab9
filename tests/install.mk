# `make install` into a temporary prefix, then the installed aedlc used from elsewhere.
TEST_SCRIPTS += tests/install.sh
