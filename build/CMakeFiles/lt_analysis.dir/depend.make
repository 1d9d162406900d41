# Empty dependencies file for lt_analysis.
# This may be replaced when dependencies are built.
