# The plan-draft parser's fuzz target (engine/plans/draft/).
#   cmake -S . -B build-fuzz -DCMAKE_C_COMPILER=clang-14 -DCMAKE_CXX_COMPILER=clang++-14 -DDUBAN_FUZZ=ON
#   cmake --build build-fuzz --target plan_draft_fuzz
#   mkdir -p build-fuzz/corpus-work
#   build-fuzz/tests/plan_draft_fuzz -max_total_time=120 -max_len=4096 -dict=tests/fuzz/plan_draft.dict \
#       -artifact_prefix=build-fuzz/ build-fuzz/corpus-work tests/fuzz/corpus/plan_draft
# New inputs go to the first folder (build-fuzz/corpus-work); a crashing input
# is written as build-fuzz/crash-*: add it to tests/fuzz/corpus/plan_draft.
# plan_draft.dict holds the words and marks of the forms rules.cc reads.
# Without DUBAN_FUZZ, plan_draft_replay runs the corpus through the same
# target under CTest.
# Included from tests/CMakeLists.txt and, for scripts/fuzz.sh, from
# tests/fuzz/CMakeLists.txt: once only.
include_guard(GLOBAL)
option(DUBAN_FUZZ "Build the libFuzzer targets (needs clang and libfuzzer-14-dev)" OFF)
set(_pd_dir ${CMAKE_SOURCE_DIR}/engine/plans/draft)
set(_pd_sources
  ${_pd_dir}/rules.cc ${_pd_dir}/text.cc ${_pd_dir}/directory.cc ${_pd_dir}/units.cc ${_pd_dir}/targets.cc
  ${_pd_dir}/mechanism.cc ${_pd_dir}/structure.cc ${_pd_dir}/writer.cc ${_pd_dir}/document.cc)
if(DUBAN_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    message(FATAL_ERROR "DUBAN_FUZZ needs clang: -DCMAKE_CXX_COMPILER=clang++-14")
  endif()
  add_executable(plan_draft_fuzz ${CMAKE_SOURCE_DIR}/tests/fuzz/plan_draft_fuzz.cc ${_pd_sources})
  target_compile_options(plan_draft_fuzz PRIVATE -fsanitize=fuzzer,address,undefined -fno-omit-frame-pointer -g)
  target_link_options(plan_draft_fuzz PRIVATE -fsanitize=fuzzer,address,undefined)
  target_include_directories(plan_draft_fuzz PRIVATE ${CMAKE_SOURCE_DIR})
  target_link_libraries(plan_draft_fuzz PRIVATE PkgConfig::RE2 absl::status absl::statusor absl::strings
                        absl::str_format yaml-cpp)
  if(DUBAN_BUILD_TESTS)
    add_test(NAME plan_draft_fuzz_corpus
             COMMAND plan_draft_fuzz -runs=0 ${CMAKE_SOURCE_DIR}/tests/fuzz/corpus/plan_draft)
  endif()
elseif(DUBAN_BUILD_TESTS)
  add_executable(plan_draft_replay ${CMAKE_SOURCE_DIR}/tests/fuzz/plan_draft_replay.cc
                 ${CMAKE_SOURCE_DIR}/tests/fuzz/plan_draft_fuzz.cc)
  target_link_libraries(plan_draft_replay PRIVATE duban_plan_draft)
  add_test(NAME plan_draft_fuzz_corpus
           COMMAND plan_draft_replay ${CMAKE_SOURCE_DIR}/tests/fuzz/corpus/plan_draft)
endif()
