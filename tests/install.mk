# `make install` into a temporary prefix, then the installed aedlc used from elsewhere;
# the package flags computed only after the packages are installed.
TEST_SCRIPTS += tests/install.sh tests/deps_flags.sh
