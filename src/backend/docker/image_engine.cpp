// The engine the image store exports images from (include/clnrm/docker.h,
// docker_image_engine): the endpoint of the one resolver
// (src/backend/docker/endpoint.cpp), handed to src/image/, which sits below
// this backend and may not include it.
#include <clnrm/docker.h>
#include <clnrm/error.h>

#include "backend/docker/endpoint.h"

namespace clnrm {

ImageEngine docker_image_engine(std::string_view explicit_host) {
  try {
    const docker::EngineAddress address = docker::locate_engine(explicit_host);
    return {address.endpoint.unix_socket, address.endpoint.base_url, docker::describe_with_origin(address)};
  } catch (const Error& e) {
    // No engine named and no default socket: none to ask. A malformed
    // address (--docker-host bogus://x, DOCKER_HOST=tcp://) is the user's
    // mistake and says so, rather than "the local engine was not consulted".
    if (e.kind() == ErrorKind::NotSupported) return {};
    throw;
  }
}

}  // namespace clnrm
