#pragma once
// Shared by the libFuzzer targets and tests/unit/fuzz_regression_test.cpp,
// which compiles the same target bodies with gcc (CLNRM_FUZZ_NO_MAIN) and
// replays the seed corpora and every input a fuzzer ever crashed on.
//
// FUZZ_CHECK states a property of the code under test. Under libFuzzer a
// broken property aborts (the fuzzer saves the input); in the unit test it
// throws, so one bad input fails one test instead of killing the binary.

#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>

#ifdef CLNRM_FUZZ_NO_MAIN
#define FUZZ_CHECK(cond)                                                                      \
  do {                                                                                        \
    if (!(cond)) throw std::logic_error(std::string("fuzz property broken: ") + #cond);       \
  } while (0)
#define CLNRM_FUZZ_ENTRY(fn)
#else
#define FUZZ_CHECK(cond)                                                         \
  do {                                                                           \
    if (!(cond)) {                                                               \
      std::fprintf(stderr, "fuzz property broken: %s (%s:%d)\n", #cond, __FILE__, __LINE__); \
      std::abort();                                                              \
    }                                                                            \
  } while (0)
#define CLNRM_FUZZ_ENTRY(fn)                                                          \
  extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) { \
    fn(data, size);                                                                   \
    return 0;                                                                         \
  }
#endif
