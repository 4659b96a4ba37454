#pragma once
// Side: runner (docs/SANDBOX.md, "Code by side").
//
// Services that run from an OCI image (PodSpec::service_images): each gets
// an image root, an overlayfs of the image's layers with a writable upper
// directory on the pod's scratch tmpfs, which pod init mounts when it builds
// the pod (mounts.cpp, ImageMount). The layers are shared directories of the
// pod (bound read-only at their host paths, like a service's `rootfs`), and
// a process enters its root the way a `rootfs` step does (enter_rootfs), so
// the service and every step naming it see one filesystem. The image's
// config decides what runs: Entrypoint + Cmd (args replace Cmd), Env under
// the test's, WorkingDir, User (image_user.h), ExposedPorts for readiness.

#include "backend/sandbox/exec_plan.h"
#include "backend/sandbox/pod_init_config.h"

#include <clnrm/backend.h>
#include <clnrm/image.h>
#include <clnrm/sandbox.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace clnrm::sandbox {

// ImageRoot::service of the test's default image (PodSpec::step_image):
// Pod::exec runs steps in it. No service is named "" (the parser refuses it).
inline constexpr std::string_view kStepImageRoot = "";

struct ImageRoot {
  std::string service;      // the service that runs in it, or kStepImageRoot
  ImageRootfs image;        // from SandboxOptions::resolve_image
  std::string mount_point;  // where pod init mounts it in the pod: /.clnrm/image/<n>
  int uid = -1;             // the image's User inside the pod; -1: root (no switch)
  int gid = -1;
};

// One root per PodSpec::service_images entry, and one for
// PodSpec::step_image (service kStepImageRoot), resolved with
// options.resolve_image. Throws Error(NotSupported) when the backend has no
// resolver or the pod has no user namespace (a root runner's level low: host
// root, while an image's files belong to the pod id range), Error(Config)
// for a layer path overlayfs cannot take, an image with a User the pod cannot
// be (not in its /etc/passwd, or not root when the runner is unprivileged),
// and whatever Error the resolver throws (another exception of it becomes
// Error(Backend) naming the service and the image).
std::vector<ImageRoot> resolve_image_roots(const SandboxOptions& options, const PodSpec& spec, bool user_namespace,
                                           bool root_runner);

// The layer directories of every root (to share with the pod), no duplicates.
std::vector<std::string> image_layer_dirs(const std::vector<ImageRoot>& roots);

// What pod init mounts for `root` (the layers top first).
ImageMount image_mount(const ImageRoot& root);

// The root of the service named `service`, or null.
const ImageRoot* find_image_root(const std::vector<ImageRoot>& roots, const std::string& service);

// `spec` as the image says to run it. The service's main process
// (`main_process`): Entrypoint + (spec.argv, or the image's Cmd when empty);
// a step inside the service: spec.argv. Env: the image's, then spec.env on
// top. Workdir: spec.workdir (relative to the image's WorkingDir), else the
// WorkingDir, else "/". Throws Error(Config) when nothing is left to run.
ProcessSpec image_process(const ImageRoot& root, const ProcessSpec& spec, bool main_process);

// make_exec_plan of image_process(), entering the image root as the image's
// User.
ExecPlan make_image_exec_plan(const ImageRoot& root, const ProcessSpec& spec, bool main_process,
                              const std::string& test_name, const std::string& pod_workdir);

// The image's ExposedPorts that are valid TCP ports.
std::vector<std::uint16_t> image_ready_ports(const ImageRoot& root);

// The text of `path` (relative, e.g. "etc/passwd") in the image whose layers
// are `layer_dirs` (lowest first), as the overlay shows it: the topmost
// layer that has it wins, a whiteout (character device 0/0) or an opaque
// directory above hides the lower ones. Only a regular file reached without
// any symbolic link counts (a layer must not point the runner at a host
// file); nullopt otherwise.
std::optional<std::string> read_image_file(const std::vector<std::string>& layer_dirs, const std::string& path);

}  // namespace clnrm::sandbox
