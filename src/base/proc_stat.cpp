#include "base/proc_stat.h"

#include <fcntl.h>
#include <unistd.h>

#include <charconv>

#include "base/unique_fd.h"

namespace clnrm {
namespace {

template <typename T>
bool to_number(std::string_view s, T& out) {
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && end == s.data() + s.size();
}

}  // namespace

std::optional<ProcStat> parse_proc_stat(std::string_view line) {
  const auto open = line.find('(');
  const auto close = line.rfind(')');
  if (open == std::string_view::npos || close == std::string_view::npos || close < open)
    return std::nullopt;
  ProcStat stat;
  stat.command = std::string(line.substr(open + 1, close - open - 1));
  // Fields 3 to 22 after the ')', one space apart.
  std::string_view fields[20];
  std::string_view rest = line.substr(close + 1);
  for (auto& field : fields) {
    const auto begin = rest.find_first_not_of(" \n");
    if (begin == std::string_view::npos) return std::nullopt;
    rest.remove_prefix(begin);
    const auto end = rest.find_first_of(" \n");
    field = rest.substr(0, end);
    rest.remove_prefix(field.size());
  }
  if (fields[0].size() != 1 || !to_number(fields[1], stat.parent) ||
      !to_number(fields[3], stat.session) || !to_number(fields[19], stat.start_ticks))
    return std::nullopt;
  stat.state = fields[0][0];
  return stat;
}

std::optional<ProcStat> read_proc_stat(long pid) {
  const std::string path = "/proc/" + std::to_string(pid) + "/stat";
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return std::nullopt;
  std::string line;
  char buf[1024];
  for (ssize_t n; line.size() < 65536 && (n = ::read(fd.get(), buf, sizeof buf)) > 0;)
    line.append(buf, static_cast<std::size_t>(n));
  return parse_proc_stat(line);
}

}  // namespace clnrm
