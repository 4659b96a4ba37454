#pragma once
// A random marker a program in the cleanroom cannot predict: 16 hex digits
// from the kernel's generator (getrandom). Framing that a
// test's own output must not be able to fake (the docker step agent's end
// marker, expect_file's section ends) ends with one.

#include <string>

namespace clnrm {

std::string make_nonce();

}  // namespace clnrm
