#include "backend/docker/stream_demuxer.h"

#include <gtest/gtest.h>

#include <string>

namespace clnrm::docker {
namespace {

std::string frame(unsigned char stream, const std::string& payload) {
  std::string f(8, '\0');
  f[0] = static_cast<char>(stream);
  const auto n = static_cast<std::uint32_t>(payload.size());
  f[4] = static_cast<char>((n >> 24) & 0xff);
  f[5] = static_cast<char>((n >> 16) & 0xff);
  f[6] = static_cast<char>((n >> 8) & 0xff);
  f[7] = static_cast<char>(n & 0xff);
  return f + payload;
}

// Three frames of each stream including an empty frame and a payload over
// 255 bytes (so the size uses more than one header byte).
std::string sample_stream() {
  return frame(1, "hello ") + frame(2, "warn: x\n") + frame(1, "") + frame(1, std::string(300, 'o')) +
         frame(2, std::string(1, '\0') + "bin") + frame(1, "world\n");
}
const std::string kOut = "hello " + std::string(300, 'o') + "world\n";
const std::string kErr = "warn: x\n" + std::string(1, '\0') + "bin";

TEST(StreamDemuxer, WholeStreamInOneChunk) {
  StreamDemuxer d;
  d.feed(sample_stream());
  EXPECT_EQ(d.out(), kOut);
  EXPECT_EQ(d.err(), kErr);
  EXPECT_FALSE(d.mid_frame());
}

TEST(StreamDemuxer, EverySingleSplitPoint) {
  const std::string s = sample_stream();
  for (std::size_t i = 0; i <= s.size(); ++i) {
    StreamDemuxer d;
    d.feed(std::string_view(s).substr(0, i));
    d.feed(std::string_view(s).substr(i));
    ASSERT_EQ(d.out(), kOut) << "split at " << i;
    ASSERT_EQ(d.err(), kErr) << "split at " << i;
    ASSERT_FALSE(d.mid_frame());
  }
}

TEST(StreamDemuxer, EveryPairOfSplitPoints) {
  // Two cuts cover a header split across three chunks as well.
  const std::string s = frame(1, "ab") + frame(2, "cde") + frame(1, "f");
  for (std::size_t i = 0; i <= s.size(); ++i) {
    for (std::size_t j = i; j <= s.size(); ++j) {
      StreamDemuxer d;
      d.feed(std::string_view(s).substr(0, i));
      d.feed(std::string_view(s).substr(i, j - i));
      d.feed(std::string_view(s).substr(j));
      ASSERT_EQ(d.out(), "abf") << i << "," << j;
      ASSERT_EQ(d.err(), "cde") << i << "," << j;
    }
  }
}

TEST(StreamDemuxer, ByteAtATime) {
  const std::string s = sample_stream();
  StreamDemuxer d;
  for (char c : s) d.feed(std::string_view(&c, 1));
  EXPECT_EQ(d.out(), kOut);
  EXPECT_EQ(d.err(), kErr);
}

TEST(StreamDemuxer, TruncatedStreamIsReported) {
  const std::string s = frame(1, "abcdef");
  StreamDemuxer d;
  d.feed(std::string_view(s).substr(0, s.size() - 2));
  EXPECT_TRUE(d.mid_frame());
  EXPECT_EQ(d.out(), "abcd");
  StreamDemuxer h;
  h.feed(std::string_view(s).substr(0, 3));
  EXPECT_TRUE(h.mid_frame());
}

TEST(StreamDemuxer, LimitKeepsThePrefixAndCountsTheRest) {
  StreamDemuxer d(4);
  d.feed(frame(1, "abc") + frame(1, "defg") + frame(2, "xy"));
  EXPECT_EQ(d.out(), "abcd");
  EXPECT_EQ(d.err(), "xy");
  EXPECT_EQ(d.dropped_bytes(), 3u);
}

TEST(StreamDemuxer, MergeModeInterleavesInArrivalOrder) {
  StreamDemuxer d(SIZE_MAX, true);
  d.feed(frame(1, "a") + frame(2, "b") + frame(1, "c"));
  EXPECT_EQ(d.out(), "abc");
  EXPECT_EQ(d.err(), "");
}

}  // namespace
}  // namespace clnrm::docker
