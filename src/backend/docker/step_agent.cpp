#include "backend/docker/step_agent.h"

#include <clnrm/error.h>
#include <fmt/format.h>
#include <signal.h>

#include <algorithm>
#include <thread>

#include "backend/docker/exit_signal.h"
#include "base/nonce.h"

namespace clnrm::docker {

// One step per input line: "<nonce> <shell text>". The agent forks a
// subshell that evaluates the text, which ends in `clnrm_run <argv>`:
// `exec setsid <argv>`, one exec that makes the step a session leader (its
// pgid is its pid $p, so a timeout next to other steps can kill its whole
// session) and runs the program. The older `setsid sh -c <text>` cost a
// second exec (of the shell) per step. The agent resolves setsid and sh
// once, so a step that changes PATH still finds them. Newlines inside the
// text arrive as references to clnrm_nl (a newline). The agent's variables
// are not exported: programs never see them.
//
// "<nonce> clnrm_sweep" (never a step's text: those start with cd, export
// or clnrm_run) kills everything but the agent: `kill -9 -1` from PID 1
// signals every other process of the PID namespace, also orphans that
// escaped their session and engine execs. It then reaps until /proc lists
// only PID 1 (each `: & wait $!` makes the shell reap every exited child,
// also orphans it never started), at most ~1000 rounds for a process stuck
// in uninterruptible sleep, which dies when its I/O ends. It does nothing
// unless the agent is PID 1: kill -1 outside a PID namespace of its own
// would reach the whole host, and in a service container, where the agent
// is an engine exec (service_agent.h), the service's own processes.
//
// SIGUSR1 / SIGUSR2 (engine kill API) end a running step: a trapped signal
// interrupts `wait`, the trap kills, and the second `wait` collects the
// step. A signal that came before the step's pid was known (the agent was
// slow to read the line) kills the step's session right after the fork;
// the pod's sweep after the step does the rest. A trapped signal also interrupts `read`: the loop then reads again
// (no line is ever in flight while a signal is sent: the pod writes the
// next line only after the current one's marker arrived).
const char* const kStepAgentScript =
    "clnrm_nl='\n'; clnrm_setsid=$(command -v setsid); clnrm_sh=$(command -v sh); "
    "clnrm_run() { exec ${clnrm_setsid:+\"$clnrm_setsid\"} \"$@\"; }; "
    "clnrm_sweep() { [ $$ = 1 ] || return; kill -9 -1 2>/dev/null; clnrm_i=0; "
    "while set -- /proc/[0-9]*; [ $# -gt 1 ] && [ $clnrm_i -lt 1000 ]; do clnrm_i=$((clnrm_i+1)); : & wait $!; done; }; "
    "clnrm_own() { [ -n \"$p\" ] && { kill -9 -$p 2>/dev/null || { kill -9 $p; kill -9 -$p; } 2>/dev/null; }; }; "
    "trap 'clnrm_t=1; clnrm_sweep' USR1; "
    "trap 'clnrm_t=1; clnrm_own' USR2; "
    "while :; do IFS= read -r l || { [ $? -gt 128 ] && continue; break; }; "
    "n=${l%% *}; "
    "if [ \"${l#* }\" = clnrm_sweep ]; then clnrm_sweep; r=0; else "
    "clnrm_t=; p=; (eval \"${l#* }\") </dev/null & p=$!; "
    "if [ -n \"$clnrm_t\" ]; then clnrm_own; fi; "
    "wait \"$p\"; r=$?; if [ -n \"$clnrm_t\" ]; then wait \"$p\" 2>/dev/null; r=$?; fi; fi; "
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

std::string step_script(const ProcessSpec& spec, const std::vector<std::string>& command_prefix) {
  // A single line: the agent reads one line per step.
  std::string s;
  if (!spec.workdir.empty()) s += "cd " + shell_quote(spec.workdir) + " || exit 126; ";
  for (const auto& [k, v] : spec.env) s += "export " + k + "=" + shell_quote(v) + "; ";
  if (!spec.name.empty()) s += "export CLNRM_STEP=" + shell_quote(spec.name) + "; ";
  std::string prefix;
  for (const auto& a : command_prefix) prefix += shell_quote(a) + " ";
  std::string argv;
  for (const auto& a : spec.argv) {
    if (!argv.empty()) argv += ' ';
    argv += shell_quote(a);
  }
  // Stdin needs a pipeline, and the whole pipeline belongs in the session.
  // (Without setsid in the image clnrm_run runs the step in the agent's
  // process group; kill_session() then kills it by pid.)
  if (spec.stdin_data)
    return s + "clnrm_run " + prefix + "\"$clnrm_sh\" -c 'printf %s \"$1\" | { shift; exec \"$@\"; }' sh " +
           shell_quote(*spec.stdin_data) + " " + argv;
  return s + "clnrm_run " + prefix + argv;
}

namespace {

// Finds "\x1e<nonce>:<rest>\n" in `s`; returns <rest> and erases the marker.
std::optional<std::string> take_marker(std::string& s, const std::string& prefix) {
  const auto at = s.find(prefix);
  if (at == std::string::npos) return std::nullopt;
  const auto nl = s.find('\n', at);
  if (nl == std::string::npos) return std::nullopt;
  std::string rest = s.substr(at + prefix.size(), nl - at - prefix.size());
  s.erase(at, nl - at + 1);
  return rest;
}

}  // namespace

StepAgent::StepAgent(DockerClient& client, std::string container_id)
    : client_(client), id_(std::move(container_id)) {
  stream_ = std::make_unique<AttachStream>(
      client_.endpoint(),
      api_prefix(client_.info().api) + "/containers/" + id_ + "/attach?stream=1&stdin=1&stdout=1&stderr=1");
}

StepAgent::StepAgent(DockerClient& client, std::string container_id, std::unique_ptr<AttachStream> stream,
                     std::vector<std::string> command_prefix)
    : client_(client), id_(std::move(container_id)), stream_(std::move(stream)),
      command_prefix_(std::move(command_prefix)) {}

bool StepAgent::read_until_done(const std::string& marker, std::chrono::steady_clock::time_point deadline,
                                const CancelToken* cancel) {
  // Where each stream's marker search goes on from: only what arrived since
  // the last look (less the marker's length, which may straddle two
  // chunks). Searching the whole buffer per chunk made a step that prints
  // 16 MiB cost seconds of CPU (quadratic).
  std::size_t out_from = 0, err_from = 0;
  const auto ended = [&marker](const std::string& s, std::size_t& from) {
    from = std::min(from, s.size());
    const auto at = s.find(marker, from);
    if (at != std::string::npos && s.find('\n', at) != std::string::npos) return true;
    // Not there yet, or its line not complete: look again from the marker's start.
    from = at != std::string::npos ? at : (s.size() > marker.size() ? s.size() - marker.size() : 0);
    return false;
  };
  for (;;) {
    // Both streams end with the marker: each stream is ordered, but the
    // engine copies them independently, so one may lag the other.
    const bool out_ended = ended(demux_.out(), out_from);
    if (ended(demux_.err(), err_from) && out_ended) return true;
    const auto now = std::chrono::steady_clock::now();
    if (now >= deadline) return false;
    if (cancel && cancel->cancelled()) return false;
    const auto wait = std::min(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now),
                               std::chrono::milliseconds(cancel ? 50 : 1000));
    auto chunk = stream_->read_some(wait);
    if (!chunk) continue;
    if (chunk->empty()) {
      broken_ = true;
      throw Error(ErrorKind::Backend, "the step agent exited (does the image have sh and setsid? "
                                      "set CLNRM_DOCKER_STEP_AGENT=0 to use engine execs)",
                  "container " + id_.substr(0, 12));
    }
    demux_.feed(*chunk);
    // Keep memory bounded for chatty steps: the head (what is reported) and
    // a tail long enough to hold the end marker.
    // A cut moves the tail: what is kept of it is searched again.
    for (auto [s, from] : {std::pair{&demux_.out(), &out_from}, std::pair{&demux_.err(), &err_from}}) {
      if (s->size() > limit_ + (1u << 20)) {
        s->erase(limit_, s->size() - limit_ - 4096);
        *from = std::min(*from, limit_);
      }
    }
  }
}

void StepAgent::interrupt(bool everything) {
  // The agent traps both signals (kStepAgentScript). The engine signals the
  // container's PID 1, which is the agent: no exec, one request.
  try {
    client_.container_kill(id_, everything ? "SIGUSR1" : "SIGUSR2");
  } catch (const Error&) {
    // The container is gone: so is the step; read_until_done() notices.
  }
}

bool StepAgent::round_trip(const std::string& text, std::chrono::milliseconds timeout) {
  if (broken_) return false;
  const std::string nonce = make_nonce();
  const std::string prefix = "\x1e" + nonce + ":";
  demux_.out().clear();
  demux_.err().clear();
  stream_->write_all(nonce + " " + text + "\n");
  if (!read_until_done(prefix, std::chrono::steady_clock::now() + timeout, nullptr)) broken_ = true;
  demux_.out().clear();
  demux_.err().clear();
  return !broken_;
}

void StepAgent::sweep() { round_trip("clnrm_sweep", std::chrono::seconds(10)); }

bool StepAgent::ping(std::chrono::milliseconds timeout) {
  // `:` is a step's text that runs nothing: the subshell evaluates it and
  // the loop prints the marker.
  try {
    return round_trip(":", timeout);
  } catch (const Error&) {
    broken_ = true;
    return false;
  }
}

ExecResult StepAgent::run(const ProcessSpec& spec, const CancelToken& cancel, const std::function<void()>& on_abort) {
  if (broken_) throw Error(ErrorKind::Backend, "step agent is gone", "container " + id_.substr(0, 12));
  if (spec.argv.empty()) throw Error(ErrorKind::Config, "empty command", "step '" + spec.name + "'");
  const auto started = std::chrono::steady_clock::now();
  const std::string nonce = make_nonce();
  const std::string prefix = "\x1e" + nonce + ":";
  demux_.out().clear();
  demux_.err().clear();
  limit_ = spec.output_limit;
  stream_->write_all(nonce + " " + step_script(spec, command_prefix_) + "\n");

  ExecResult r;
  const auto deadline = spec.timeout ? started + *spec.timeout : std::chrono::steady_clock::time_point::max();
  bool done = read_until_done(prefix, deadline, &cancel);
  if (!done) {
    r.timed_out = !cancel.cancelled();
    on_abort();
    done = read_until_done(prefix, std::chrono::steady_clock::now() + std::chrono::seconds(10), nullptr);
    if (!done) broken_ = true;
  }
  auto status = take_marker(demux_.out(), prefix);
  take_marker(demux_.err(), prefix);
  r.exit_code = status ? std::atoi(status->c_str()) : 128 + SIGKILL;
  if (r.timed_out || !done) r.exit_code = 128 + SIGKILL;
  r.term_signal = signal_of_exit_code(r.exit_code);
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
