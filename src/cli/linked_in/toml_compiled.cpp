// toml++'s compiled part, linked into the clnrm executable only (CMakeLists.txt,
// CLNRM_STATIC_RUNTIME): toml++ compiles its implementation into the one
// translation unit that defines TOML_IMPLEMENTATION, so the executable does
// not load libtomlplusplus.so (and the libstdc++.so it needs) at start-up
// (issue 17; fmt_compiled.cpp says why that matters). The library target
// still links the system's shared toml++.
#define TOML_IMPLEMENTATION
#include <toml++/toml.h>
