// Libraries opened on first use (shared_library.h).
#include "base/shared_library.h"

namespace clnrm {

SharedLibrary::SharedLibrary(const char* soname) : soname_(soname) {
  handle_ = ::dlopen(soname, RTLD_NOW | RTLD_LOCAL);
  if (handle_ == nullptr) {
    const char* reason = ::dlerror();
    open_error_ = reason ? reason : soname_ + ": cannot be opened";
  }
}

SharedLibrary::~SharedLibrary() {
  if (handle_ != nullptr && !missing_.empty()) ::dlclose(handle_);
}

std::string SharedLibrary::problem() const {
  if (handle_ == nullptr) return open_error_;
  if (!missing_.empty()) return soname_ + " has no " + missing_;
  return {};
}

}  // namespace clnrm
