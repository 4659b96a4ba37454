#include "backend/docker/step_agent.h"

#include <clnrm/error.h>
#include <fmt/format.h>
#include <signal.h>

#include <algorithm>
#include <random>
#include <thread>

namespace clnrm::docker {

// One step per input line: "<nonce> <shell text>". The agent forks a
// subshell that evaluates the text, which ends in `clnrm_run <argv>`:
// `exec setsid <argv>`, one exec that makes the step a session leader (its
// pgid is the pid the agent reports, so a timeout kills its whole tree) and
// runs the program. The older `setsid sh -c <text>` cost a second exec (of
// the shell) per step. The agent resolves setsid and sh once, so a step that
// changes PATH still finds them. Newlines inside the text arrive as
// references to clnrm_nl (a newline). The agent's variables are not
// exported: programs never see them.
const char* const kStepAgentScript =
    "clnrm_nl='\n'; clnrm_setsid=$(command -v setsid); clnrm_sh=$(command -v sh); "
    "clnrm_run() { exec ${clnrm_setsid:+\"$clnrm_setsid\"} \"$@\"; }; "
    "while IFS= read -r l; do "
    "n=${l%% *}; "
    "(eval \"${l#* }\") </dev/null & p=$!; "
    "printf '\\036%s:pid:%s\\n' \"$n\" \"$p\" >&2; "
    "wait \"$p\"; r=$?; "
    "printf '\\036%s:%s\\n' \"$n\" \"$r\"; printf '\\036%s:%s\\n' \"$n\" \"$r\" >&2; "
    "done";

std::string shell_quote(std::string_view s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') out += "'\\''";
    else if (c == '\n') out += "'\"$clnrm_nl\"'";  // defined by the agent
    else out += c;
  }
  return out + "'";
}

std::string step_script(const ProcessSpec& spec) {
  // A single line: the agent reads one line per step.
  std::string s;
  if (!spec.workdir.empty()) s += "cd " + shell_quote(spec.workdir) + " || exit 126; ";
  for (const auto& [k, v] : spec.env) s += "export " + k + "=" + shell_quote(v) + "; ";
  if (!spec.name.empty()) s += "export CLNRM_STEP=" + shell_quote(spec.name) + "; ";
  std::string argv;
  for (const auto& a : spec.argv) {
    if (!argv.empty()) argv += ' ';
    argv += shell_quote(a);
  }
  // Stdin needs a pipeline, and the whole pipeline belongs in the session.
  // (Without setsid in the image clnrm_run runs the step in the agent's
  // process group; kill_session() then kills it by pid.)
  if (spec.stdin_data)
    return s + "clnrm_run \"$clnrm_sh\" -c 'printf %s \"$1\" | { shift; exec \"$@\"; }' sh " +
           shell_quote(*spec.stdin_data) + " " + argv;
  return s + "clnrm_run " + argv;
}

namespace {

std::string make_nonce() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  return fmt::format("{:016x}", rng());
}

// Finds "\x1e<nonce>:<rest>\n" in `s`; returns <rest> and erases the marker.
std::optional<std::string> take_marker(std::string& s, const std::string& prefix, bool pid_marker) {
  std::size_t from = 0;
  for (;;) {
    const auto at = s.find(prefix, from);
    if (at == std::string::npos) return std::nullopt;
    const auto nl = s.find('\n', at);
    if (nl == std::string::npos) return std::nullopt;
    std::string rest = s.substr(at + prefix.size(), nl - at - prefix.size());
    if (rest.starts_with("pid:") == pid_marker) {
      s.erase(at, nl - at + 1);
      return pid_marker ? rest.substr(4) : rest;
    }
    from = nl;
  }
}

}  // namespace

StepAgent::StepAgent(DockerClient& client, std::string container_id)
    : client_(client), id_(std::move(container_id)) {
  stream_ = std::make_unique<AttachStream>(
      client_.endpoint(),
      api_prefix(client_.info().api) + "/containers/" + id_ + "/attach?stream=1&stdin=1&stdout=1&stderr=1");
}

bool StepAgent::read_until_done(const std::string& marker, std::chrono::steady_clock::time_point deadline,
                                const CancelToken* cancel) {
  for (;;) {
    if (pid_.empty()) {
      if (auto pid = take_marker(demux_.err(), marker, true)) pid_ = *pid;
    }
    // Both streams end with the marker: each stream is ordered, but the
    // engine copies them independently, so one may lag the other.
    const auto out_at = demux_.out().rfind(marker);
    const auto err_at = demux_.err().rfind(marker);
    if (out_at != std::string::npos && err_at != std::string::npos &&
        demux_.out().find('\n', out_at) != std::string::npos && demux_.err().find('\n', err_at) != std::string::npos)
      return true;
    const auto now = std::chrono::steady_clock::now();
    if (now >= deadline) return false;
    if (cancel && cancel->cancelled()) return false;
    const auto wait = std::min(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now),
                               std::chrono::milliseconds(cancel ? 50 : 1000));
    auto chunk = stream_->read_some(wait);
    if (!chunk) continue;
    if (chunk->empty()) {
      broken_ = true;
      throw Error(ErrorKind::Backend, "the step container's agent exited (does the image have sh and setsid? "
                                      "set CLNRM_DOCKER_STEP_AGENT=0 to use engine execs)",
                  "container " + id_.substr(0, 12));
    }
    demux_.feed(*chunk);
    // Keep memory bounded for chatty steps: the head (what is reported) and
    // a tail long enough to hold the end marker.
    for (std::string* s : {&demux_.out(), &demux_.err()}) {
      if (s->size() > limit_ + (1u << 20)) s->erase(limit_, s->size() - limit_ - 4096);
    }
  }
}

void StepAgent::kill_session(const std::string& nonce, std::chrono::steady_clock::time_point deadline) {
  // The pid marker comes right after the agent started the step.
  const std::string prefix = "\x1e" + nonce + ":";
  while (pid_.empty()) {
    if (auto pid = take_marker(demux_.err(), prefix, true)) {
      pid_ = *pid;
      break;
    }
    if (std::chrono::steady_clock::now() >= deadline) return;
    auto chunk = stream_->read_some(std::chrono::milliseconds(50));
    if (chunk && chunk->empty()) return;
    if (chunk) demux_.feed(*chunk);
  }
  const std::string* pid = &pid_;
  if (pid->empty() || pid->find_first_not_of("0123456789") != std::string::npos) return;
  // Kill the step's session (its process group) from inside the container.
  // Until the step's `exec setsid` has run, that group does not exist yet:
  // then kill the step's process itself and, in case setsid happened in
  // between, the group once more.
  const std::string kill = fmt::format("kill -9 -{0} 2>/dev/null || {{ kill -9 {0}; kill -9 -{0}; }} 2>/dev/null; true", *pid);
  nlohmann::json body = {{"AttachStdout", true}, {"AttachStderr", true}, {"Cmd", {"sh", "-c", kill}}};
  try {
    const std::string exec_id = client_.exec_create(id_, body);
    client_.exec_start(exec_id, 4096, std::chrono::seconds(10), nullptr);
  } catch (const Error&) {
  }
}

ExecResult StepAgent::run(const ProcessSpec& spec, const CancelToken& cancel) {
  if (broken_) throw Error(ErrorKind::Backend, "step agent is gone", "container " + id_.substr(0, 12));
  if (spec.argv.empty()) throw Error(ErrorKind::Config, "empty command", "step '" + spec.name + "'");
  const auto started = std::chrono::steady_clock::now();
  const std::string nonce = make_nonce();
  const std::string prefix = "\x1e" + nonce + ":";
  demux_.out().clear();
  demux_.err().clear();
  pid_.clear();
  limit_ = spec.output_limit;
  stream_->write_all(nonce + " " + step_script(spec) + "\n");

  ExecResult r;
  const auto deadline = spec.timeout ? started + *spec.timeout : std::chrono::steady_clock::time_point::max();
  bool done = read_until_done(prefix, deadline, &cancel);
  if (!done) {
    r.timed_out = !cancel.cancelled();
    kill_session(nonce, std::chrono::steady_clock::now() + std::chrono::seconds(5));
    done = read_until_done(prefix, std::chrono::steady_clock::now() + std::chrono::seconds(10), nullptr);
    if (!done) broken_ = true;
  }
  take_marker(demux_.err(), prefix, true);
  auto status = take_marker(demux_.out(), prefix, false);
  take_marker(demux_.err(), prefix, false);
  r.exit_code = status ? std::atoi(status->c_str()) : 128 + SIGKILL;
  if (r.timed_out || !done) r.exit_code = 128 + SIGKILL;
  if (r.exit_code > 128 && r.exit_code < 128 + 65) r.term_signal = r.exit_code - 128;
  r.stdout_data = std::move(demux_.out());
  r.stderr_data = std::move(demux_.err());
  demux_.out().clear();
  demux_.err().clear();
  if (r.stdout_data.size() > spec.output_limit) r.stdout_data.resize(spec.output_limit);
  if (r.stderr_data.size() > spec.output_limit) r.stderr_data.resize(spec.output_limit);
  r.usage.wall = std::chrono::steady_clock::now() - started;
  return r;
}

}  // namespace clnrm::docker
