// Tests of one name in different files (find_duplicate_names, parser.h).
#include <clnrm/parser.h>

#include <map>

namespace clnrm {

std::vector<DuplicateName> find_duplicate_names(const std::vector<TestNameUse>& tests) {
  std::map<std::string, std::vector<std::size_t>> by_name;
  for (std::size_t i = 0; i < tests.size(); ++i) by_name[tests[i].name].push_back(i);
  std::vector<DuplicateName> out;
  for (auto& [name, uses] : by_name)
    if (uses.size() > 1) out.push_back(DuplicateName{name, std::move(uses)});
  return out;
}

}  // namespace clnrm
