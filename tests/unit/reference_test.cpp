// Image references (src/image/reference.cpp).
#include "image/reference.h"

#include <gtest/gtest.h>

namespace clnrm::image {
namespace {

TEST(ImageReference, NamesSplitIntoRegistryRepositoryTag) {
  auto r = parse_name_reference("redis:7");
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ(r->registry, "");
  EXPECT_EQ(r->repository, "library/redis");
  EXPECT_EQ(r->tag, "7");
  EXPECT_EQ(r->name, "redis:7");
  r = parse_name_reference("localhost:5000/clnrm-test/busybox");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->registry, "localhost:5000");
  EXPECT_EQ(r->repository, "clnrm-test/busybox");
  EXPECT_EQ(r->tag, "latest");
  EXPECT_EQ(r->name, "localhost:5000/clnrm-test/busybox:latest");
  r = parse_name_reference("clnrm-test/busybox");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->repository, "clnrm-test/busybox");
  EXPECT_EQ(r->name, "clnrm-test/busybox:latest");
  const std::string d = "sha256:" + std::string(64, 'a');
  r = parse_name_reference("docker.io/library/alpine@" + d);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->digest, d);
  EXPECT_EQ(r->tag, "");
  EXPECT_EQ(r->name, "alpine@" + d);
}

TEST(ImageReference, RefusesWhatIsNotAReference) {
  EXPECT_FALSE(parse_name_reference(""));
  EXPECT_FALSE(parse_name_reference("a b"));
  EXPECT_FALSE(parse_name_reference("x/../y"));
  EXPECT_FALSE(parse_name_reference("x@sha256:abc"));
  EXPECT_EQ(parse_name_reference("x@md5:abc").error(), "digest algorithm 'md5' is not supported (clnrm verifies sha256 only)");
}

TEST(ImageReference, FileSources) {
  auto f = parse_file_source("oci:images/busybox:1.36");
  ASSERT_TRUE(f);
  EXPECT_EQ(f->kind, FileSource::Kind::OciLayout);
  EXPECT_EQ(f->path, "images/busybox");
  EXPECT_EQ(f->tag, "1.36");
  f = parse_file_source("docker-archive:x.tar");
  ASSERT_TRUE(f);
  EXPECT_EQ(f->kind, FileSource::Kind::DockerArchive);
  EXPECT_EQ(f->tag, "");
  f = parse_file_source("docker-archive:x.tar:clnrm-test/redis:latest");
  ASSERT_TRUE(f);
  EXPECT_EQ(f->tag, "clnrm-test/redis:latest");
  EXPECT_TRUE(parse_file_source("oci-archive:a.tar"));
  EXPECT_FALSE(parse_file_source("redis:7"));
}

}  // namespace
}  // namespace clnrm::image
