file(REMOVE_RECURSE
  "CMakeFiles/test_dominators.dir/unit/test_dominators.c.o"
  "CMakeFiles/test_dominators.dir/unit/test_dominators.c.o.d"
  "test_dominators"
  "test_dominators.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/test_dominators.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
