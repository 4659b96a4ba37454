// The null backend runs nothing and reports success. It exists to measure
// the framework's own overhead (runner, assertions, metrics) in benchmarks.
#include <clnrm/backend.h>

namespace clnrm {
namespace {

class NullService final : public ServiceInstance {
 public:
  explicit NullService(std::string id) : id_(std::move(id)) {}
  const std::string& id() const override { return id_; }
  bool running() override { return !stopped_; }
  std::optional<int> exit_code() override { return stopped_ ? std::optional<int>(0) : std::nullopt; }
  std::string logs(std::size_t) override { return {}; }
  ExecResult exec(const ProcessSpec&, const CancelToken&) override {
    ExecResult r;
    r.exit_code = 0;
    return r;
  }
  void stop(Duration) override { stopped_ = true; }

 private:
  std::string id_;
  bool stopped_ = false;
};

class NullPod final : public Pod {
 public:
  explicit NullPod(std::string id) : id_(std::move(id)) {}
  const std::string& id() const override { return id_; }
  ExecResult exec(const ProcessSpec&, const CancelToken&) override {
    ExecResult r;
    r.exit_code = 0;
    return r;
  }
  std::unique_ptr<ServiceInstance> start_service(const ProcessSpec& spec) override {
    return std::make_unique<NullService>(spec.name);
  }
  std::optional<int> connect_tcp(LoopbackIpv4, std::uint16_t) override { return std::nullopt; }
  void destroy() override {}

 private:
  std::string id_;
};

class NullBackend final : public Backend {
 public:
  std::string_view name() const override { return "null"; }
  Capabilities capabilities() const override {
    Capabilities c;
    c.runs_processes = false;
    return c;
  }
  std::unique_ptr<Pod> create_pod(const PodSpec& spec) override { return std::make_unique<NullPod>(spec.test_name); }
};

}  // namespace

std::unique_ptr<Backend> make_null_backend() { return std::make_unique<NullBackend>(); }

}  // namespace clnrm
