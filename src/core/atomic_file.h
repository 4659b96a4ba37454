#pragma once
// Writing an output file (metrics, traces, digests) so that a reader never sees
// half of it: write to "<path>.tmp.<pid>", then rename over <path>.

#include <string>
#include <string_view>

namespace clnrm {

// Throws Error(Io) naming the path when the directory is missing or not writable.
void write_file_atomically(const std::string& path, std::string_view content);

}  // namespace clnrm
