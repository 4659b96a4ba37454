#pragma once
// Internal to src/spec: host paths that a test file names (a service's
// `rootfs`, `volumes`, `mount_test_dir`, image files). A test file is
// untrusted input, so the host paths it may hand to its cleanroom are those
// of its own directory tree: the one rule of src/base/host_path.h, which the
// image store applies to the same files. Both backends get the result
// (absolute and canonical) from here: one resolver.

#include <optional>
#include <string>
#include <string_view>

#include "base/host_path.h"  // HostPathRule, resolve_host_path: the rule itself
#include "spec/parse_context.h"

namespace clnrm::spec_detail {

// The canonical directory of the file being parsed; nullopt (error at `at`)
// when it cannot be resolved.
std::optional<std::string> test_file_dir(ParseContext& ctx, SourcePos at);

// `value` resolved against the test file's directory under the rules above;
// "" after an error reported at `at`.
std::string host_path_in_test_dir(ParseContext& ctx, SourcePos at, const std::string& value,
                                  const HostPathRule& rule);

// Why `path` (absolute) may not be a mount target in a cleanroom: "/", the
// pod's own /proc, /sys, /dev and scratch directories (/tmp, /run, /var/tmp,
// /var), or a whole system directory. nullopt when it may be.
std::optional<std::string> why_not_mount_target(std::string_view path);

// `path` without repeated or trailing slashes ("/a//b/" -> "/a/b"); nullopt
// when it is not absolute or has a '.' or '..' component.
std::optional<std::string> normal_absolute_path(std::string_view path);

}  // namespace clnrm::spec_detail
