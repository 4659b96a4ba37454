// One resolution per image and run (src/backend/sandbox/image_memo.h).
#include "backend/sandbox/image_memo.h"

#include <gtest/gtest.h>

#include <atomic>
#include <stdexcept>
#include <thread>
#include <vector>

namespace clnrm::sandbox {
namespace {

TEST(ImageMemo, AsksOncePerImageAndBaseDirectory) {
  std::atomic<int> asked{0};
  auto resolve = memoize_image_resolver([&](const std::string& reference, const std::string& base_dir) {
    ++asked;
    ImageRootfs image;
    image.reference = reference;
    image.layer_dirs = {base_dir + "/layer"};
    return image;
  });
  EXPECT_EQ(resolve("a", "/d").layer_dirs.at(0), "/d/layer");
  EXPECT_EQ(resolve("a", "/d").reference, "a");
  EXPECT_EQ(asked.load(), 1);
  resolve("a", "/e");  // a file reference means another file elsewhere
  resolve("b", "/d");
  EXPECT_EQ(asked.load(), 3);
}

TEST(ImageMemo, ConcurrentCallersShareOneAnswer) {
  std::atomic<int> asked{0};
  auto resolve = memoize_image_resolver([&](const std::string& reference, const std::string&) {
    ++asked;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    ImageRootfs image;
    image.reference = reference;
    return image;
  });
  std::vector<std::thread> lanes;
  for (int i = 0; i < 8; ++i) lanes.emplace_back([&] { EXPECT_EQ(resolve("a", "").reference, "a"); });
  for (auto& t : lanes) t.join();
  EXPECT_EQ(asked.load(), 1);
}

TEST(ImageMemo, AFailureIsNotKept) {
  int asked = 0;
  auto resolve = memoize_image_resolver([&](const std::string&, const std::string&) -> ImageRootfs {
    if (++asked == 1) throw std::runtime_error("engine not answering");
    return {};
  });
  EXPECT_THROW(resolve("a", ""), std::runtime_error);
  EXPECT_NO_THROW(resolve("a", ""));
  EXPECT_EQ(asked, 2);
}

TEST(ImageMemo, NoResolverStaysNone) { EXPECT_FALSE(memoize_image_resolver({})); }

}  // namespace
}  // namespace clnrm::sandbox
