file(REMOVE_RECURSE
  "CMakeFiles/test_archive_input.dir/unit/test_archive_input.c.o"
  "CMakeFiles/test_archive_input.dir/unit/test_archive_input.c.o.d"
  "test_archive_input"
  "test_archive_input.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/test_archive_input.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
