// The object that carries the test binaries' precompiled header
// (duban_test_pch, tests/CMakeLists.txt); it defines nothing.
