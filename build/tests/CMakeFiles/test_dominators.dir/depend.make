# Empty dependencies file for test_dominators.
# This may be replaced when dependencies are built.
