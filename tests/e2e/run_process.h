#pragma once
// Runs the built clnrm binary for e2e tests: captures stdout/stderr, waits
// with a deadline (kills it after), and inspects /proc for leftovers.
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "support/temp_dir.h"

namespace run_e2e {

inline std::string source_path(const std::string& rel) {
  return std::string(CLNRM_SOURCE_DIR) + "/" + rel;
}

inline std::string read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

using clnrm::testing::TempDir;

struct Outcome {
  int exit_code = -1;  // 128+sig when killed
  std::string out;
  std::string err;
};

// A running clnrm; stdout/stderr go to files in `dir`.
class Child {
 public:
  // Runs in `cwd` (default: the source tree); `env` entries are "NAME=VALUE".
  Child(const std::vector<std::string>& args, const std::string& dir,
        const std::vector<std::string>& env = {}, const std::string& cwd = CLNRM_SOURCE_DIR) {
    out_path_ = dir + "/stdout";
    err_path_ = dir + "/stderr";
    pid_ = ::fork();
    if (pid_ == 0) {
      ::setpgid(0, 0);
      const int out = ::open(out_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      const int err = ::open(err_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      ::dup2(out, 1);
      ::dup2(err, 2);
      const int devnull = ::open("/dev/null", O_RDONLY);
      ::dup2(devnull, 0);
      if (::chdir(cwd.c_str()) != 0) ::_exit(126);
      for (const std::string& e : env) ::putenv(const_cast<char*>(e.c_str()));
      std::vector<char*> argv;
      argv.push_back(const_cast<char*>(CLNRM_BINARY));
      for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
      argv.push_back(nullptr);
      ::execv(CLNRM_BINARY, argv.data());
      ::_exit(127);
    }
  }
  ~Child() {
    if (pid_ > 0 && !reaped_) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  pid_t pid() const { return pid_; }
  void signal(int sig) { ::kill(pid_, sig); }
  // Waits up to `limit`; kills it (and reports 128+9) when it takes longer.
  Outcome wait(std::chrono::milliseconds limit = std::chrono::seconds(120)) {
    Outcome o;
    const auto until = std::chrono::steady_clock::now() + limit;
    int status = 0;
    for (;;) {
      const pid_t r = ::waitpid(pid_, &status, WNOHANG);
      if (r == pid_) break;
      if (std::chrono::steady_clock::now() > until) {
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, &status, 0);
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    reaped_ = true;
    o.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    o.out = read_file(out_path_);
    o.err = read_file(err_path_);
    return o;
  }
  std::string stdout_so_far() const { return read_file(out_path_); }

 private:
  pid_t pid_ = -1;
  bool reaped_ = false;
  std::string out_path_, err_path_;
};

inline Outcome run_clnrm(const std::vector<std::string>& args,
                         std::chrono::milliseconds limit = std::chrono::seconds(180)) {
  TempDir dir;
  Child c(args, dir.path());
  return c.wait(limit);
}

// Pids whose command line contains `needle` (NUL separators become spaces).
// Test files written into one temp dir, clnrm run from there with its
// stdout/stderr captured in another.
struct CliScratch {
  TempDir files{"clnrm-e2e-files"}, out{"clnrm-e2e-out"};
  // Writes NAME.clnrm.toml; returns its path.
  std::string add(const std::string& name, const std::string& text) const {
    return files.write(name + ".clnrm.toml", text);
  }
  Outcome clnrm(const std::vector<std::string>& args, const std::vector<std::string>& env = {}) const {
    Child c(args, out.path(), env, files.path());
    return c.wait(std::chrono::seconds(120));
  }
};

inline std::vector<int> processes_matching(const std::string& needle) {
  std::vector<int> pids;
  DIR* d = ::opendir("/proc");
  if (!d) return pids;
  while (dirent* e = ::readdir(d)) {
    const int pid = std::atoi(e->d_name);
    if (pid <= 0 || pid == ::getpid()) continue;
    std::string cmd = read_file("/proc/" + std::string(e->d_name) + "/cmdline");
    for (char& c : cmd)
      if (c == '\0') c = ' ';
    if (cmd.find(needle) != std::string::npos) pids.push_back(pid);
  }
  ::closedir(d);
  return pids;
}

// Polls until no process matches (true) or `limit` passes (false).
inline bool no_process_left(const std::string& needle,
                            std::chrono::milliseconds limit = std::chrono::seconds(10)) {
  const auto until = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < until) {
    if (processes_matching(needle).empty()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return processes_matching(needle).empty();
}

inline bool wait_for_process(const std::string& needle,
                             std::chrono::milliseconds limit = std::chrono::seconds(30)) {
  const auto until = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < until) {
    if (!processes_matching(needle).empty()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

}  // namespace run_e2e
