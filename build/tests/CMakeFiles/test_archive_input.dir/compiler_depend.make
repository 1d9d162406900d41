# Empty compiler generated dependencies file for test_archive_input.
# This may be replaced when dependencies are built.
