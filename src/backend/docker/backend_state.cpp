#include "backend/docker/backend_state.h"

#include <clnrm/error.h>
#include <fmt/format.h>
#include <signal.h>

#include <chrono>
#include <fstream>
#include <sstream>

#include "backend/docker/exit_signal.h"

namespace clnrm::docker {

std::pair<std::string, std::string> BackendState::resolve_image(const std::string& requested) {
  const std::string image = map_image(options.image_map, requested);
  {
    std::lock_guard lock(images_mutex);
    if (auto it = image_ids.find(image); it != image_ids.end()) return {image, it->second};
  }
  auto inspected = client->image_inspect(image);
  if (!inspected && options.pull_missing) {
    client->image_pull(image);
    inspected = client->image_inspect(image);
  }
  if (!inspected) {
    const std::string mapped = image == requested ? std::string() : fmt::format(" (mapped from '{}')", requested);
    throw Error(ErrorKind::Backend,
                fmt::format("image '{}'{} is not present in the engine{}: map it to a local image with "
                            "--image-map {}=clnrm-test/busybox (or an [images] table in cleanroom.toml), or build "
                            "the test images with scripts/make-test-images.sh",
                            image, mapped, options.pull_missing ? " and could not be pulled" : " (pulling is off; CLNRM_DOCKER_PULL=1 turns it on)",
                            requested),
                client->endpoint().describe());
  }
  const std::string id = inspected->value("Id", image);
  ImageCommand command;
  if (const auto config = inspected->find("Config"); config != inspected->end() && config->is_object()) {
    for (auto [key, out] : {std::pair{"Entrypoint", &command.entrypoint}, std::pair{"Cmd", &command.cmd}}) {
      if (const auto v = config->find(key); v != config->end() && v->is_array()) *out = v->get<std::vector<std::string>>();
    }
  }
  std::lock_guard lock(images_mutex);
  image_ids[image] = id;
  image_commands[image] = std::move(command);
  return {image, id};
}

BackendState::ImageCommand BackendState::image_command(const std::string& resolved_image) {
  std::lock_guard lock(images_mutex);
  if (auto it = image_commands.find(resolved_image); it != image_commands.end()) return it->second;
  return {};
}

ExecResult run_exec(DockerClient& client, const std::string& container, const ProcessSpec& spec,
                    const CancelToken& cancel, const std::function<void(const std::string&)>& on_abort,
                    const std::vector<std::string>& command_prefix) {
  if (spec.argv.empty()) throw Error(ErrorKind::Config, "empty command", "step '" + spec.name + "'");
  const auto started = std::chrono::steady_clock::now();
  nlohmann::json env = nlohmann::json::array();
  for (const auto& [k, v] : spec.env) env.push_back(k + "=" + v);
  if (!spec.name.empty()) env.push_back("CLNRM_STEP=" + spec.name);
  nlohmann::json cmd = spec.argv;
  if (spec.stdin_data) {
    // The exec API's stdin needs a hijacked connection; an environment
    // variable piped in by the image's shell is simpler and enough for test
    // input (up to 128 KiB, text).
    env.push_back("CLNRM_STDIN=" + *spec.stdin_data);
    cmd = nlohmann::json::array({"sh", "-c", "printf '%s' \"$CLNRM_STDIN\" | { unset CLNRM_STDIN; \"$@\"; }", "sh"});
    for (const auto& a : spec.argv) cmd.push_back(a);
  }
  if (!command_prefix.empty()) {
    nlohmann::json wrapped = command_prefix;
    for (const auto& a : cmd) wrapped.push_back(a);
    cmd = std::move(wrapped);
  }
  nlohmann::json body = {{"AttachStdin", false}, {"AttachStdout", true}, {"AttachStderr", true},
                         {"Tty", false},         {"Cmd", cmd},           {"Env", env}};
  if (!spec.workdir.empty()) body["WorkingDir"] = spec.workdir;
  const std::string exec_id = client.exec_create(container, body);
  const auto timeout = spec.timeout ? std::chrono::milliseconds(*spec.timeout) : std::chrono::milliseconds(0);
  ExecOutput out = client.exec_start(exec_id, spec.output_limit, timeout, &cancel);
  ExecResult r;
  r.stdout_data = std::move(out.out);
  r.stderr_data = std::move(out.err);
  if (out.timed_out || out.cancelled) {
    on_abort(exec_id);
    r.timed_out = out.timed_out;
    r.exit_code = 128 + SIGKILL;
    r.term_signal = SIGKILL;
  } else if (out.exit_code) {
    r.exit_code = *out.exit_code;
    r.term_signal = signal_of_exit_code(r.exit_code);  // 128+n, like a shell
  }
  r.usage.wall = std::chrono::steady_clock::now() - started;
  return r;
}

std::vector<long> host_child_processes(long pid) {
  std::vector<long> out;
  if (pid <= 0) return out;
  std::ifstream children(fmt::format("/proc/{}/task/{}/children", pid, pid));
  long child = 0;
  while (children >> child) out.push_back(child);
  return out;
}

void kill_host_process_tree(long pid) {
  if (pid <= 0) return;
  // Stop first so the tree cannot grow while we walk it, then kill all.
  std::vector<long> all{pid};
  for (std::size_t i = 0; i < all.size(); ++i) {
    ::kill(static_cast<pid_t>(all[i]), SIGSTOP);
    for (long child : host_child_processes(all[i])) all.push_back(child);
  }
  for (long p : all) ::kill(static_cast<pid_t>(p), SIGKILL);
}

std::string container_name_part(std::string_view text, std::size_t max_len) {
  std::string out;
  for (char c : text) {
    if (out.size() >= max_len) break;
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
                    c == '.' || c == '-';
    out += ok ? c : '_';
  }
  if (out.empty()) out.push_back('x');  // (not `= "x"`: g++ 12 -O3 warns falsely)
  return out;
}

}  // namespace clnrm::docker
