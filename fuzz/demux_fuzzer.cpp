// Docker multiplexed-stream demultiplexer fed at arbitrary chunk boundaries.
// Input: byte 0 = number of cut points (mod 16), then that many cut bytes,
// then the stream. Feeding the stream whole and in those chunks must give
// the same stdout, stderr, dropped count and mid-frame state, with and
// without a per-stream limit and in merged (logs) mode.
#include "backend/docker/stream_demuxer.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "fuzz_check.h"

namespace clnrm::fuzz {

inline void demux_check(std::string_view stream, const std::vector<std::size_t>& cuts, std::size_t limit,
                        bool merge) {
  docker::StreamDemuxer whole(limit, merge);
  whole.feed(stream);
  docker::StreamDemuxer pieces(limit, merge);
  std::size_t at = 0;
  for (std::size_t cut : cuts) {
    pieces.feed(stream.substr(at, cut - at));
    at = cut;
  }
  pieces.feed(stream.substr(at));
  FUZZ_CHECK(whole.out() == pieces.out());
  FUZZ_CHECK(whole.err() == pieces.err());
  FUZZ_CHECK(whole.dropped_bytes() == pieces.dropped_bytes());
  FUZZ_CHECK(whole.mid_frame() == pieces.mid_frame());
  FUZZ_CHECK(whole.out().size() <= limit && whole.err().size() <= limit);
  FUZZ_CHECK(!merge || whole.err().empty());
  // Every payload byte is kept or counted as dropped; headers are neither.
  FUZZ_CHECK(whole.out().size() + whole.err().size() + whole.dropped_bytes() <= stream.size());
}

inline void demux_one_input(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return;
  std::size_t ncuts = data[0] % 16;
  std::size_t pos = 1;
  std::vector<std::size_t> raw;
  while (ncuts-- > 0 && pos < size) raw.push_back(data[pos++]);
  const std::string_view stream(reinterpret_cast<const char*>(data) + pos, size - pos);
  std::vector<std::size_t> cuts;
  for (std::size_t c : raw) cuts.push_back(std::min(c, stream.size()));
  std::sort(cuts.begin(), cuts.end());
  demux_check(stream, cuts, SIZE_MAX, false);
  demux_check(stream, cuts, 7, false);
  demux_check(stream, cuts, 0, true);
  demux_check(stream, cuts, 64, true);
}

}  // namespace clnrm::fuzz

CLNRM_FUZZ_ENTRY(clnrm::fuzz::demux_one_input)
