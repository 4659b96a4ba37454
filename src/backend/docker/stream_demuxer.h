#pragma once
// Demultiplexes Docker's attach/exec/logs stream (non-TTY): frames of an
// 8-byte header [stream, 0, 0, 0, size (4 bytes, big endian)] followed by
// `size` payload bytes. Stream 1 is stdout, 2 is stderr (0, stdin, is treated
// as stdout). Input arrives in arbitrary chunks: a header or payload may be
// split anywhere, so the demuxer keeps its position between feed() calls.

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace clnrm::docker {

class StreamDemuxer {
 public:
  // Keeps at most `limit` bytes per stream; the rest is counted, not stored.
  explicit StreamDemuxer(std::size_t limit = SIZE_MAX, bool merge = false) : limit_(limit), merge_(merge) {}

  void feed(std::string_view chunk);

  // True when the input ended in the middle of a frame (a truncated stream).
  bool mid_frame() const noexcept { return header_have_ != 0 || payload_left_ != 0; }

  std::string& out() noexcept { return out_; }
  std::string& err() noexcept { return err_; }
  std::uint64_t dropped_bytes() const noexcept { return dropped_; }

 private:
  void append(std::string_view data);

  std::size_t limit_;
  bool merge_;  // logs: both streams into out(), in arrival order
  std::array<unsigned char, 8> header_{};
  std::size_t header_have_ = 0;
  std::uint32_t payload_left_ = 0;
  int stream_ = 1;
  std::string out_;
  std::string err_;
  std::uint64_t dropped_ = 0;
};

}  // namespace clnrm::docker
