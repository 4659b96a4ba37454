#pragma once
// What the docker backend, its pods and its services share: the options, the
// client and a cache of images known to be present.

#include <clnrm/backend.h>
#include <clnrm/docker.h>

#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <set>
#include <string>

#include "backend/docker/docker_client.h"
#include "backend/docker/remover.h"
#include "backend/docker/seccomp_helper.h"
#include "backend/docker/standby_pool.h"

namespace clnrm::docker {

struct BackendState {
  DockerOptions options;
  std::unique_ptr<DockerClient> client;
  std::unique_ptr<Remover> remover;  // after client: destroyed (drained) first
  StandbyPool standby;
  std::mutex images_mutex;
  std::map<std::string, std::string> image_ids;  // mapped name -> image id
  struct ImageCommand {
    std::vector<std::string> entrypoint, cmd;  // the image's Config.Entrypoint / Config.Cmd
  };
  std::map<std::string, ImageCommand> image_commands;  // mapped name -> its command
  SeccompHelper seccomp_helper;  // clnrm's filter in containers at level high
  // The engine runs containers in their own user namespace (user_namespace.h);
  // asked in the background when the backend is made.
  std::shared_future<bool> userns_remap;
  std::mutex sessions_mutex;
  std::set<std::string> sessions;  // every session a pod was made for (final sweep)

  // Maps `image` through the image map, makes sure the engine has it (pulls
  // when allowed) and returns {name to run, image id}. Throws Error(Backend)
  // naming the image and the --image-map / make-test-images.sh remedies.
  std::pair<std::string, std::string> resolve_image(const std::string& image);
  // The Entrypoint and Cmd of an image resolve_image returned.
  ImageCommand image_command(const std::string& resolved_image);
};

// Runs `spec` as an exec in `container`. `on_abort` is called with the exec
// id when the exec timed out or was cancelled, to kill what it started.
// `command_prefix` goes before the command (clnrm-seccomp-exec at level high).
ExecResult run_exec(DockerClient& client, const std::string& container, const ProcessSpec& spec,
                    const CancelToken& cancel, const std::function<void(const std::string&)>& on_abort,
                    const std::vector<std::string>& command_prefix = {});

// The children of a host process (/proc/<pid>/task/<pid>/children); empty
// when it is gone or not visible here.
std::vector<long> host_child_processes(long pid);

// SIGKILLs a host process and all its descendants (exec'd processes of a
// local engine are host processes). Best effort: gone processes are skipped.
void kill_host_process_tree(long pid);

// A Docker-legal container name fragment from a test or service name.
std::string container_name_part(std::string_view text, std::size_t max_len = 40);

}  // namespace clnrm::docker
