#include "backend/docker/stream_demuxer.h"

#include <algorithm>

namespace clnrm::docker {

void StreamDemuxer::append(std::string_view data) {
  std::string& target = (stream_ == 2 && !merge_) ? err_ : out_;
  const std::size_t room = target.size() < limit_ ? limit_ - target.size() : 0;
  const std::size_t keep = std::min(room, data.size());
  target.append(data.data(), keep);
  dropped_ += data.size() - keep;
}

void StreamDemuxer::feed(std::string_view chunk) {
  while (!chunk.empty()) {
    if (payload_left_ == 0) {
      const std::size_t take = std::min(chunk.size(), header_.size() - header_have_);
      std::copy_n(chunk.data(), take, header_.data() + header_have_);
      header_have_ += take;
      chunk.remove_prefix(take);
      if (header_have_ < header_.size()) return;
      header_have_ = 0;
      stream_ = header_[0] == 2 ? 2 : 1;
      payload_left_ = (std::uint32_t{header_[4]} << 24) | (std::uint32_t{header_[5]} << 16) |
                      (std::uint32_t{header_[6]} << 8) | std::uint32_t{header_[7]};
      continue;  // a zero-length frame is legal: read the next header
    }
    const std::size_t take = std::min<std::size_t>(chunk.size(), payload_left_);
    append(chunk.substr(0, take));
    payload_left_ -= static_cast<std::uint32_t>(take);
    chunk.remove_prefix(take);
  }
}

}  // namespace clnrm::docker
