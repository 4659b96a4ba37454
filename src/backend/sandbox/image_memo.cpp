// Side: runner (docs/SANDBOX.md, "Code by side"): one resolution per image
// and run (image_memo.h).
#include "backend/sandbox/image_memo.h"

#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <utility>

namespace clnrm::sandbox {
namespace {

class ImageMemo {
 public:
  explicit ImageMemo(ImageResolver resolve) : resolve_(std::move(resolve)) {}

  ImageRootfs get(const std::string& reference, const std::string& base_dir) {
    const Key key{reference, base_dir};
    std::promise<ImageRootfs> promise;
    std::shared_future<ImageRootfs> answer;
    bool mine = false;
    {
      std::lock_guard lock(mutex_);
      auto it = answers_.find(key);
      if (it == answers_.end()) {
        answer = promise.get_future().share();
        answers_.emplace(key, answer);
        mine = true;
      } else {
        answer = it->second;
      }
    }
    if (mine) {
      try {
        promise.set_value(resolve_(reference, base_dir));
      } catch (...) {
        // Those waiting get this failure; the next caller asks again.
        {
          std::lock_guard lock(mutex_);
          answers_.erase(key);
        }
        promise.set_exception(std::current_exception());
      }
    }
    return answer.get();
  }

 private:
  using Key = std::pair<std::string, std::string>;
  ImageResolver resolve_;
  std::mutex mutex_;
  std::map<Key, std::shared_future<ImageRootfs>> answers_;
};

}  // namespace

ImageResolver memoize_image_resolver(ImageResolver resolve) {
  if (!resolve) return resolve;
  auto memo = std::make_shared<ImageMemo>(std::move(resolve));
  return [memo](const std::string& reference, const std::string& base_dir) { return memo->get(reference, base_dir); };
}

}  // namespace clnrm::sandbox
