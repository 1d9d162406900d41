
# Consider dependencies only in project.
set(CMAKE_DEPENDS_IN_PROJECT_ONLY OFF)

# The set of languages for which implicit dependencies are needed:
set(CMAKE_DEPENDS_LANGUAGES
  )

# The set of dependency files which are needed:
set(CMAKE_DEPENDS_DEPENDENCY_FILES
  "/work/main/analysis/analysis.c" "CMakeFiles/lt_analysis.dir/analysis/analysis.c.o" "gcc" "CMakeFiles/lt_analysis.dir/analysis/analysis.c.o.d"
  "/work/main/analysis/archive_input.c" "CMakeFiles/lt_analysis.dir/analysis/archive_input.c.o" "gcc" "CMakeFiles/lt_analysis.dir/analysis/archive_input.c.o.d"
  "/work/main/analysis/classes.c" "CMakeFiles/lt_analysis.dir/analysis/classes.c.o" "gcc" "CMakeFiles/lt_analysis.dir/analysis/classes.c.o.d"
  "/work/main/analysis/distances.c" "CMakeFiles/lt_analysis.dir/analysis/distances.c.o" "gcc" "CMakeFiles/lt_analysis.dir/analysis/distances.c.o.d"
  "/work/main/analysis/dom_state.c" "CMakeFiles/lt_analysis.dir/analysis/dom_state.c.o" "gcc" "CMakeFiles/lt_analysis.dir/analysis/dom_state.c.o.d"
  "/work/main/analysis/dominators.c" "CMakeFiles/lt_analysis.dir/analysis/dominators.c.o" "gcc" "CMakeFiles/lt_analysis.dir/analysis/dominators.c.o.d"
  "/work/main/analysis/graph.c" "CMakeFiles/lt_analysis.dir/analysis/graph.c.o" "gcc" "CMakeFiles/lt_analysis.dir/analysis/graph.c.o.d"
  "/work/main/analysis/interfaces.c" "CMakeFiles/lt_analysis.dir/analysis/interfaces.c.o" "gcc" "CMakeFiles/lt_analysis.dir/analysis/interfaces.c.o.d"
  "/work/main/analysis/lt_error.c" "CMakeFiles/lt_analysis.dir/analysis/lt_error.c.o" "gcc" "CMakeFiles/lt_analysis.dir/analysis/lt_error.c.o.d"
  "/work/main/analysis/report.c" "CMakeFiles/lt_analysis.dir/analysis/report.c.o" "gcc" "CMakeFiles/lt_analysis.dir/analysis/report.c.o.d"
  "/work/main/analysis/retention.c" "CMakeFiles/lt_analysis.dir/analysis/retention.c.o" "gcc" "CMakeFiles/lt_analysis.dir/analysis/retention.c.o.d"
  "/work/main/analysis/shallow_sizes.c" "CMakeFiles/lt_analysis.dir/analysis/shallow_sizes.c.o" "gcc" "CMakeFiles/lt_analysis.dir/analysis/shallow_sizes.c.o.d"
  "/work/main/analysis/snapshot_reader.c" "CMakeFiles/lt_analysis.dir/analysis/snapshot_reader.c.o" "gcc" "CMakeFiles/lt_analysis.dir/analysis/snapshot_reader.c.o.d"
  "/work/main/analysis/text_index.c" "CMakeFiles/lt_analysis.dir/analysis/text_index.c.o" "gcc" "CMakeFiles/lt_analysis.dir/analysis/text_index.c.o.d"
  "/work/main/analysis/u32map.c" "CMakeFiles/lt_analysis.dir/analysis/u32map.c.o" "gcc" "CMakeFiles/lt_analysis.dir/analysis/u32map.c.o.d"
  "/work/main/analysis/weakmap_edges.c" "CMakeFiles/lt_analysis.dir/analysis/weakmap_edges.c.o" "gcc" "CMakeFiles/lt_analysis.dir/analysis/weakmap_edges.c.o.d"
  )

# Targets to which this target links.
set(CMAKE_TARGET_LINKED_INFO_FILES
  )

# Fortran module output directory.
set(CMAKE_Fortran_TARGET_MODULE_DIR "")
