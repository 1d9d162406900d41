file(REMOVE_RECURSE
  "CMakeFiles/leaktriage.dir/server/cli_analyze.c.o"
  "CMakeFiles/leaktriage.dir/server/cli_analyze.c.o.d"
  "CMakeFiles/leaktriage.dir/server/main.c.o"
  "CMakeFiles/leaktriage.dir/server/main.c.o.d"
  "leaktriage"
  "leaktriage.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/leaktriage.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
