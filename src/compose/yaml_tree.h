#pragma once
// A YAML document as a tree that remembers where each node is written, read
// with libyaml's event parser (src/compose/yaml_library.h). A compose file
// is untrusted input, so the reader is bounded: the text's size, the nesting
// depth, and the number of nodes the tree holds once every alias is
// expanded (a "billion laughs" file of nested aliases is refused, not
// walked). Anchors, aliases and merge keys (`<<: *defaults`, which compose
// files use for shared settings) are resolved here; an alias shares the
// anchored node rather than copying it.

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace clnrm::compose {

struct YamlNode;
using YamlPtr = std::shared_ptr<const YamlNode>;

struct YamlNode {
  enum class Kind { Scalar, Sequence, Mapping };
  Kind kind = Kind::Scalar;
  std::string text;    // a scalar's value
  bool plain = false;  // a plain (unquoted) scalar: only those can be null, booleans, numbers
  int line = 0;        // 1-based, where the node starts
  int column = 0;
  std::vector<YamlPtr> items;                          // a sequence's
  std::vector<std::pair<YamlPtr, YamlPtr>> entries;    // a mapping's, keys are scalars, in order
  std::size_t expanded_size = 1;                       // nodes below and including this one, aliases expanded

  bool is_scalar() const { return kind == Kind::Scalar; }
  bool is_sequence() const { return kind == Kind::Sequence; }
  bool is_mapping() const { return kind == Kind::Mapping; }
  // A plain `~`, `null`, `Null`, `NULL` or nothing at all.
  bool is_null() const;
  // A mapping's value for `key`, or nullptr.
  const YamlNode* get(std::string_view key) const;
};

struct YamlLimits {
  std::size_t max_bytes = 4u << 20;        // a compose file is a few KiB
  std::size_t max_nodes = 100000;          // aliases expanded
  std::size_t max_depth = 64;              // nested sequences and mappings
};

// Parses one YAML document. An empty text is an empty mapping. Throws
// Error(Config) with `file:line:col` as its context for a syntax error, a
// second document, a duplicate or non-scalar key, an unknown alias, or a
// limit exceeded (naming the limit).
YamlPtr parse_yaml(std::string_view text, const std::string& file, const YamlLimits& limits = {});

}  // namespace clnrm::compose
