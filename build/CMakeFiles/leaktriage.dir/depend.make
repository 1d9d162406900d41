# Empty dependencies file for leaktriage.
# This may be replaced when dependencies are built.
