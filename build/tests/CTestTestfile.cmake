# CMake generated Testfile for 
# Source directory: /work/main/tests
# Build directory: /work/main/build/tests
# 
# This file includes the relevant testing commands required for 
# testing this directory and lists subdirectories to be tested as well.
add_test(test_archive_input "/work/main/build/tests/test_archive_input")
set_tests_properties(test_archive_input PROPERTIES  TIMEOUT "600" _BACKTRACE_TRIPLES "/work/main/tests/CMakeLists.txt;11;add_test;/work/main/tests/CMakeLists.txt;0;")
add_test(test_dominators "/work/main/build/tests/test_dominators")
set_tests_properties(test_dominators PROPERTIES  TIMEOUT "600" _BACKTRACE_TRIPLES "/work/main/tests/CMakeLists.txt;11;add_test;/work/main/tests/CMakeLists.txt;0;")
