// Which machine a result came from, so baselines are only compared with
// results of the same OS, arch, compiler, build type and CPU model.
#include <clnrm/error.h>
#include <clnrm/perf.h>

#include <fmt/format.h>
#include <sys/utsname.h>

#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "base/atomic_file.h"

namespace clnrm::perf {

namespace {

std::string cpu_model() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("model name", 0) == 0) {
      auto colon = line.find(':');
      if (colon != std::string::npos) {
        auto value = line.substr(colon + 1);
        value.erase(0, value.find_first_not_of(" \t"));
        return value;
      }
    }
  }
  return "unknown-cpu";
}

std::string compiler() {
#if defined(__clang__)
  return fmt::format("clang-{}.{}.{}", __clang_major__, __clang_minor__, __clang_patchlevel__);
#elif defined(__GNUC__)
  return fmt::format("gcc-{}.{}.{}", __GNUC__, __GNUC_MINOR__, __GNUC_PATCHLEVEL__);
#else
  return "unknown-compiler";
#endif
}

std::string slug_part(const std::string& s) {
  std::string out;
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) || c == '.' || c == '_') {
      out += static_cast<char>(std::tolower(u));
    } else if (!out.empty() && out.back() != '-') {
      out += '-';
    }
  }
  while (!out.empty() && out.back() == '-') out.pop_back();
  return out.empty() ? "unknown" : out;
}

}  // namespace

std::string Platform::slug() const {
  return fmt::format("{}-{}-{}-{}-{}", slug_part(os), slug_part(arch), slug_part(compiler), slug_part(build_type),
                     slug_part(cpu_model));
}

Platform this_platform() {
  Platform p;
  struct utsname u {};
  if (::uname(&u) == 0) {
    p.os = u.sysname;
    p.arch = u.machine;
  }
  p.compiler = compiler();
#ifdef NDEBUG
  p.build_type = "release";
#else
  p.build_type = "debug";
#endif
  p.cpu_model = cpu_model();
  return p;
}

Platform platform_of(const BenchmarkResults& results) {
  Platform p = this_platform();
  auto take = [&](const char* key, std::string& field) {
    auto it = results.context.find(key);
    if (it != results.context.end() && !it->second.empty()) field = it->second;
  };
  take("clnrm_os", p.os);
  take("clnrm_arch", p.arch);
  take("clnrm_compiler", p.compiler);
  take("clnrm_build_type", p.build_type);
  take("clnrm_cpu_model", p.cpu_model);
  return p;
}

std::string baseline_path(const std::string& dir, const std::string& name, const Platform& platform) {
  if (name.empty() || name.find('/') != std::string::npos || name == "." || name == "..")
    throw Error(ErrorKind::Usage, fmt::format("'{}' is not a valid baseline name", name), "--baseline");
  return (std::filesystem::path(dir) / name / (platform.slug() + ".json")).string();
}

std::string save_baseline(const std::string& results_path, const std::string& dir, const std::string& name,
                          const Platform& platform) {
  const std::filesystem::path target = baseline_path(dir, name, platform);
  std::error_code ec;
  std::filesystem::create_directories(target.parent_path(), ec);
  if (ec) throw Error(ErrorKind::Io, "cannot create the baseline directory: " + ec.message(), target.parent_path());
  std::ifstream in(results_path, std::ios::binary);
  std::stringstream content;
  if (!in || !(content << in.rdbuf())) throw Error(ErrorKind::Io, "cannot read the results", results_path);
  // Atomically, so a crash never leaves half a baseline (the temporary name
  // is per process and removed on failure: src/base/atomic_file.cpp).
  write_file_atomically(target.string(), content.str());
  return target.string();
}

}  // namespace clnrm::perf
