// The content-addressed image store (src/image/store.cpp): verified blobs,
// layers unpacked once under a lock, a killed unpack never trusted.
#include "image/store.h"

#include <clnrm/error.h>
#include <clnrm/sha256.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <set>
#include <thread>
#include <vector>

#include "support/oci_layout_builder.h"
#include "support/tar_builder.h"

namespace clnrm::image {
namespace {

namespace fs = std::filesystem;

class ImageStore : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/clnrm-store-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    root_ = tmpl;
  }
  void TearDown() override { remove_tree(root_); }
  std::string root_;
};

TEST_F(ImageStore, BlobsAreVerifiedOnArrival) {
  Store store(root_ + "/cache");
  const std::string good = store.put_blob("hello", "", "greeting");
  EXPECT_EQ(good, "sha256:" + sha256_hex("hello"));
  EXPECT_EQ(store.read_blob(good, "greeting"), "hello");
  const std::string wrong = "sha256:" + sha256_hex("other");
  try {
    store.put_blob("hello!", wrong, "layer 1 of x");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("digest mismatch for layer 1 of x: expected " + wrong + ", but its bytes hash "
                                         "to sha256:" + sha256_hex("hello!")),
              std::string::npos)
        << e.what();
  }
  EXPECT_FALSE(store.has_blob(wrong));
  EXPECT_TRUE(fs::is_empty(store.tmp_dir())) << "no temp file left";
}

TEST_F(ImageStore, DigestsAreCheckedBeforeTheyBecomePaths) {
  Store store(root_ + "/cache");
  EXPECT_THROW(store.blob_path("sha256:../../etc/passwd"), Error);
  try {
    store.blob_path("sha512:abc");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("digest algorithm 'sha512' is not supported"), std::string::npos);
  }
}

TEST_F(ImageStore, AKilledUnpackIsDeletedAndNeverTrusted) {
  Store store(root_ + "/cache");
  testing::TarBuilder(root_ + "/l.tar").file("good", "yes").close();
  const std::string digest = store.put_blob(testing::read_whole(root_ + "/l.tar"), "", "layer");
  const LayerOwnership o{false, 0, 65536};
  // What a killed unpack leaves: a temp dir with half the files (and one
  // that is not in the layer).
  const std::string half = root_ + "/cache/layers/user/.tmp-" + digest.substr(7) + "-killed";
  fs::create_directories(half);
  testing::write_whole(half + "/planted", "x");
  const std::string dir = store.layer(digest, o, "layer 1");
  EXPECT_EQ(dir, root_ + "/cache/layers/user/" + digest.substr(7));
  EXPECT_TRUE(fs::exists(dir + "/good"));
  EXPECT_FALSE(fs::exists(dir + "/planted"));
  EXPECT_FALSE(fs::exists(half));
  // A failing unpack leaves nothing either.
  testing::TarBuilder(root_ + "/bad.tar").file("../x", "no").close();
  const std::string bad = store.put_blob(testing::read_whole(root_ + "/bad.tar"), "", "bad layer");
  EXPECT_THROW(store.layer(bad, o, "bad layer"), Error);
  // Only the good layer and its counts (Store::layer_bytes, layer_entries) are there.
  std::set<std::string> names;
  for (const auto& e : fs::directory_iterator(root_ + "/cache/layers/user")) names.insert(e.path().filename());
  EXPECT_EQ(names,
            (std::set<std::string>{digest.substr(7), digest.substr(7) + ".bytes", digest.substr(7) + ".entries"}));
  EXPECT_EQ(Store::layer_bytes(dir), 3u);
}

TEST_F(ImageStore, ConcurrentRunnersShareOneUnpack) {
  testing::TarBuilder tar(root_ + "/l.tar");
  for (int i = 0; i < 200; ++i) tar.file("f" + std::to_string(i), std::string(1000, 'x'));
  tar.close();
  const std::string content = testing::read_whole(root_ + "/l.tar");
  std::vector<std::string> dirs(4);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      Store store(root_ + "/cache");  // each "runner" opens the cache itself
      const std::string digest = store.put_blob(content, "", "layer");
      dirs[t] = store.layer(digest, {false, 0, 65536}, "layer");
    });
  for (auto& t : threads) t.join();
  for (const auto& d : dirs) EXPECT_EQ(d, dirs[0]);
  EXPECT_EQ(std::distance(fs::directory_iterator(dirs[0]), fs::directory_iterator()), 200);
  // One layer directory and its two count files.
  EXPECT_EQ(std::distance(fs::directory_iterator(root_ + "/cache/layers/user"), fs::directory_iterator()), 3);
  EXPECT_EQ(Store::layer_bytes(dirs[0]), 200u * 1000u);
}

TEST_F(ImageStore, ALayerWithoutItsSizeFileIsCountedOnce) {
  Store store(root_ + "/cache");
  testing::TarBuilder(root_ + "/l.tar").dir("d").file("d/a", "12345").file("b", "67").symlink("c", "d/a").close();
  const std::string digest = store.put_blob(testing::read_whole(root_ + "/l.tar"), "", "layer");
  const std::string dir = store.layer(digest, {false, 0, 65536}, "layer");
  // A layer unpacked before sizes were kept has no size file: counted from
  // its regular files (not following the symlink) and saved.
  fs::remove(dir + ".bytes");
  EXPECT_EQ(Store::layer_bytes(dir), 7u);
  EXPECT_EQ(testing::read_whole(dir + ".bytes"), "7");
}

TEST_F(ImageStore, ALayerKeepsItsEntryCountAndOneWithoutItIsCountedOnce) {
  Store store(root_ + "/cache");
  // Four tar entries; "d" is implied by "d/a" but written too.
  testing::TarBuilder(root_ + "/l.tar").dir("d").file("d/a", "12345").file("b", "67").symlink("c", "d/a").close();
  const std::string digest = store.put_blob(testing::read_whole(root_ + "/l.tar"), "", "layer");
  const std::string dir = store.layer(digest, {false, 0, 65536}, "layer");
  EXPECT_EQ(testing::read_whole(dir + ".entries"), "4");
  EXPECT_EQ(store.layer_entries(digest, dir, "layer"), 4u);
  // Unpacked by a clnrm that kept no entry count: counted from the blob's
  // tar headers and saved.
  fs::remove(dir + ".entries");
  EXPECT_EQ(store.layer_entries(digest, dir, "layer"), 4u);
  EXPECT_EQ(testing::read_whole(dir + ".entries"), "4");
  // Its blob gone too: counted from the directory.
  fs::remove(dir + ".entries");
  fs::permissions(store.blob_path(digest), fs::perms::owner_write, fs::perm_options::add);
  fs::remove(store.blob_path(digest));
  EXPECT_EQ(store.layer_entries(digest, dir, "layer"), 4u);
}

TEST_F(ImageStore, LayerFormsAreKeptApart) {
  EXPECT_EQ(Store::layer_form({true, 2000000000, 65536}), "uid2000000000");
  EXPECT_EQ(Store::layer_form({false, 0, 65536}), "user");
}

}  // namespace
}  // namespace clnrm::image
