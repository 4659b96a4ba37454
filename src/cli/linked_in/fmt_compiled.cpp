// fmt's compiled part, linked into the clnrm executable only (CMakeLists.txt,
// CLNRM_STATIC_RUNTIME). Debian ships fmt as a shared library and headers;
// loading libfmt.so (and the libstdc++.so it needs) made the dynamic loader
// resolve ~2,100 symbols before main, most of `clnrm --version`'s start-up
// (issue 17). fmt's inline implementation header compiled here once, plus the
// two templates the library instantiates for char, lets the executable carry
// fmt without the shared library. The library target (libclnrm.a, tests,
// installed package) still links the system's libfmt.
#include <fmt/format-inl.h>

FMT_BEGIN_NAMESPACE
namespace detail {
template auto thousands_sep_impl<char>(locale_ref) -> thousands_sep_result<char>;
template auto decimal_point_impl<char>(locale_ref) -> char;
}  // namespace detail
FMT_END_NAMESPACE
