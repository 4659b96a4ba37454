// Images exported from the local engine (engine_source.h).
#include "image/engine_source.h"

#include <clnrm/error.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "base/file_lock.h"
#include "base/http_client.h"
#include "base/unique_fd.h"
#include "image/file_sources.h"

namespace clnrm::image {
namespace {

http::Request engine_request(const ImageEngine& engine, const std::string& path) {
  http::Request r;
  r.url = engine.base_url + path;
  r.unix_socket = engine.unix_socket;
  r.connect_timeout = std::chrono::milliseconds(3000);
  return r;
}

}  // namespace

EngineImage inspect_engine_image(const ImageEngine& engine, const std::string& name) {
  EngineImage out;
  http::Request request = engine_request(engine, "/images/" + name + "/json");
  request.timeout = std::chrono::milliseconds(30'000);
  request.max_body = 4u << 20;
  try {
    const http::Response response = http::send(request);
    if (response.status == 404) {
      out.state = EngineImage::State::Absent;
      return out;
    }
    if (response.status != 200) {
      out.reason = fmt::format("HTTP {} {}", response.status, response.body.substr(0, 200));
      return out;
    }
    const auto j = nlohmann::json::parse(response.body, nullptr, false);
    if (j.is_object() && j.contains("Id") && j["Id"].is_string()) {
      out.state = EngineImage::State::Present;
      out.image_id = j["Id"].get<std::string>();
    } else {
      out.reason = "the engine's answer has no image Id";
    }
  } catch (const http::TransferError& e) {
    out.reason = e.what();
  }
  return out;
}

std::string export_engine_image(const Store& store, const ImageEngine& engine, const std::string& name) {
  const std::string what = fmt::format("image {} exported from the engine at {}", name, engine.describe);
  std::string temp = store.tmp_dir() + "/export-XXXXXX";
  UniqueFd fd(::mkostemp(temp.data(), O_CLOEXEC));
  if (!fd.valid()) throw_errno("cannot create a temp file in " + store.tmp_dir());
  lock_open_file(fd.get(), temp);  // in use: prune leaves it (store.h)
  struct Unlink {
    std::string path;
    ~Unlink() { ::unlink(path.c_str()); }
  } cleanup{temp};
  bool write_failed = false;
  const http::BodySink sink = [&](std::string_view chunk) {
    while (!chunk.empty()) {
      const ssize_t n = ::write(fd.get(), chunk.data(), chunk.size());
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        write_failed = true;
        return false;
      }
      chunk.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
  };
  http::Request request = engine_request(engine, "/images/" + name + "/get");
  http::Response response;
  try {
    response = http::send(request, &sink);
  } catch (const http::TransferError& e) {
    throw Error(ErrorKind::Backend, fmt::format("cannot export {}: {}", what, e.what()));
  }
  if (write_failed) throw_errno("cannot write the export of " + what + " to " + temp);
  if (response.status != 200 || response.outcome != http::Response::Outcome::Complete)
    throw Error(ErrorKind::Backend, fmt::format("cannot export {}: HTTP {} {}{}", what, response.status,
                                                response.body.substr(0, 300), response.error));
  return import_archive(store, temp, FileSource::Kind::DockerArchive, "", what);
}

}  // namespace clnrm::image
