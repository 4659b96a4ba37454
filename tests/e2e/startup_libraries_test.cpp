// Which shared libraries the clnrm process loads (issue 17, whole-process
// speed). libcurl and the ~30 libraries under it are opened only by a command
// that speaks HTTP (src/base/curl_library.h): `--version`, `validate` and a
// sandbox `run` must not load it; a docker run loads it and passes.
// libarchive and what it brings (libxml2, ICU, nettle, ...) are opened only
// when the image store reads a tar (src/image/archive_library.h): linking it
// into the binary again fails the first test. The dynamic loader itself says
// what it loads (LD_DEBUG=libs, on stderr). The executable carries its C++
// runtime, fmt, toml++, RE2 and libseccomp (CMakeLists.txt,
// CLNRM_STATIC_RUNTIME): a shared library added to its start-up fails
// VersionValidateAndSandboxRunDoNotLoadLibcurl.
#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "e2e/run_process.h"

namespace {

using run_e2e::Child;
using run_e2e::CliScratch;
using run_e2e::Outcome;

constexpr const char* kSandboxTest = R"([test.metadata]
name = "one_step"
[[steps]]
name = "true"
command = ["/bin/true"]
)";

constexpr const char* kDockerTest = R"([test.metadata]
name = "in_container"
[services.box]
plugin = "generic_container"
image = "clnrm-test/busybox"
args = ["sleep", "300"]
[[steps]]
name = "echo"
service = "box"
command = ["echo", "inside"]
expected_output_regex = "inside"
)";

// clnrm with the loader reporting every library it opens.
struct Dir : CliScratch {
  Outcome clnrm(const std::vector<std::string>& args) const { return CliScratch::clnrm(args, {"LD_DEBUG=libs"}); }
};

// The loader reports running each library's initialisers as
// "calling init: /lib/.../NAME" (a needed library and a dlopen'ed one alike).
// Every library whose initialisers ran: the file names after
// "calling init: ".
std::vector<std::string> initialised(const Outcome& o) {
  std::vector<std::string> names;
  std::size_t at = 0;
  while ((at = o.err.find("calling init: ", at)) != std::string::npos) {
    const std::size_t end = o.err.find('\n', at);
    const std::string path = o.err.substr(at + 14, end == std::string::npos ? std::string::npos : end - at - 14);
    names.push_back(path.substr(path.rfind('/') + 1));
    at += 1;
  }
  return names;
}

bool loaded(const Outcome& o, const std::string& soname_prefix) {
  for (const std::string& name : initialised(o))
    if (name.rfind(soname_prefix, 0) == 0) return true;
  return false;
}

}  // namespace

TEST(StartupLibraries, VersionValidateAndSandboxRunDoNotLoadLibcurl) {
  Dir d;
  const std::string file = d.add("one_step", kSandboxTest);
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"--version"}, {"validate", "--no-config", file},
        {"run", "--no-history", "--no-config", file}}) {
    const Outcome o = d.clnrm(args);
    EXPECT_EQ(o.exit_code, 0) << args[0] << "\n" << o.out << o.err;
    // The loader did report (the C library is always there) ...
    EXPECT_TRUE(loaded(o, "libc.so.6")) << args[0] << "\n" << o.err;
    // ... and libcurl was not among what it opened, nor what libcurl brings.
    EXPECT_FALSE(loaded(o, "libcurl.so")) << args[0];
    EXPECT_FALSE(loaded(o, "libssl.so")) << args[0];
    EXPECT_FALSE(loaded(o, "libgssapi_krb5.so")) << args[0];
    // Nor libarchive and the libraries under it.
    EXPECT_FALSE(loaded(o, "libarchive.so")) << args[0];
    EXPECT_FALSE(loaded(o, "libxml2.so")) << args[0];
    EXPECT_FALSE(loaded(o, "libicuuc.so")) << args[0];
    EXPECT_FALSE(loaded(o, "libnettle.so")) << args[0];
    // Nor libyaml: only `clnrm import compose` reads YAML (src/compose/yaml_library.h).
    EXPECT_FALSE(loaded(o, "libyaml-0.so")) << args[0];
#if CLNRM_STATIC_RUNTIME
    // The executable carries its C++ runtime and libraries: nothing but the
    // C library (and the loader) starts with it.
    for (const std::string& name : initialised(o))
      EXPECT_TRUE(name == "libc.so.6" || name == "libm.so.6" || name.rfind("ld-linux", 0) == 0)
          << args[0] << " loaded " << name;
#endif
  }
}

TEST(StartupLibraries, ImportComposeOpensLibyamlWhenItReadsTheFile) {
  Dir d;
  d.files.write("docker-compose.yml", "services:\n  db:\n    image: clnrm-test/redis\n");
  const Outcome o = d.clnrm({"import", "compose", "docker-compose.yml"});
  EXPECT_EQ(o.exit_code, 0) << o.err.substr(o.err.size() > 4000 ? o.err.size() - 4000 : 0);
  EXPECT_TRUE(loaded(o, "libyaml-0.so.2"));
  EXPECT_FALSE(loaded(o, "libcurl.so"));
}

TEST(StartupLibraries, DockerRunOpensLibcurlWhenItFirstSpeaksHttp) {
  Dir d;
  d.add("in_container", kDockerTest);
  const Outcome o = d.clnrm({"run", "--backend", "docker", "--no-history", "--no-config", "."});
  EXPECT_EQ(o.exit_code, 0) << o.out << o.err.substr(o.err.size() > 4000 ? o.err.size() - 4000 : 0);
  EXPECT_NE(o.out.find("PASS"), std::string::npos) << o.out;
  EXPECT_TRUE(loaded(o, "libcurl.so.4"));
}
