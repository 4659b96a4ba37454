// YAML text -> YamlNode tree, bounded (src/compose/yaml_tree.h).
#include "compose/yaml_tree.h"

#include <clnrm/error.h>
#include <fmt/format.h>

#include <map>

#include "compose/yaml_library.h"

namespace clnrm::compose {
namespace {

std::string where(const std::string& file, const yaml_mark_t& mark) {
  return fmt::format("{}:{}:{}", file, mark.line + 1, mark.column + 1);
}

std::string where(const std::string& file, const YamlNode& node) {
  return fmt::format("{}:{}:{}", file, node.line, node.column);
}

// One parser and its current event, freed on every path out.
class EventParser {
 public:
  EventParser(const YamlLibrary& lib, std::string_view text) : lib_(lib) {
    if (lib_.parser_initialize(&parser_) == 0) throw Error(ErrorKind::Internal, "cannot initialise libyaml's parser");
    lib_.set_input_string(&parser_, reinterpret_cast<const unsigned char*>(text.data()), text.size());
  }
  ~EventParser() {
    release();
    lib_.parser_delete(&parser_);
  }
  EventParser(const EventParser&) = delete;
  EventParser& operator=(const EventParser&) = delete;

  // The next event, or throws naming libyaml's problem and where.
  const yaml_event_t& next(const std::string& file) {
    release();
    if (lib_.parse(&parser_, &event_) == 0) {
      const std::string problem = parser_.problem ? parser_.problem : "invalid YAML";
      const std::string context = parser_.context ? std::string(" ") + parser_.context : "";
      throw Error(ErrorKind::Config, fmt::format("YAML: {}{}", problem, context), where(file, parser_.problem_mark));
    }
    has_event_ = true;
    return event_;
  }

 private:
  void release() {
    if (has_event_) lib_.event_delete(&event_);
    has_event_ = false;
  }
  const YamlLibrary& lib_;
  yaml_parser_t parser_{};
  yaml_event_t event_{};
  bool has_event_ = false;
};

// A sequence or mapping being read.
struct Frame {
  std::shared_ptr<YamlNode> node;
  std::string anchor;
  YamlPtr pending_key;        // a mapping's key waiting for its value
  bool pending_merge = false; // that key is `<<`
  std::vector<YamlPtr> merges;
};

class TreeBuilder {
 public:
  TreeBuilder(const std::string& file, const YamlLimits& limits) : file_(file), limits_(limits) {}

  YamlPtr root() const { return root_; }

  void scalar(const yaml_event_t& e) {
    auto node = std::make_shared<YamlNode>();
    node->kind = YamlNode::Kind::Scalar;
    node->text.assign(reinterpret_cast<const char*>(e.data.scalar.value), e.data.scalar.length);
    node->plain = e.data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
    place(*node, e.start_mark);
    count(1, *node);
    finish(node, anchor_of(e.data.scalar.anchor));
  }

  void alias(const yaml_event_t& e) {
    const std::string name = reinterpret_cast<const char*>(e.data.alias.anchor);
    const auto it = anchors_.find(name);
    if (it == anchors_.end())
      throw Error(ErrorKind::Config, fmt::format("YAML: unknown alias '*{}'", name), where(file_, e.start_mark));
    YamlNode at;
    place(at, e.start_mark);
    count(it->second->expanded_size, at);
    finish(it->second, {});
  }

  void start(const yaml_event_t& e, YamlNode::Kind kind) {
    auto node = std::make_shared<YamlNode>();
    node->kind = kind;
    place(*node, e.start_mark);
    count(1, *node);
    if (frames_.size() >= limits_.max_depth)
      throw Error(ErrorKind::Config,
                  fmt::format("YAML: sequences and mappings nest more than {} levels deep here", limits_.max_depth),
                  where(file_, *node));
    const yaml_char_t* anchor =
        kind == YamlNode::Kind::Mapping ? e.data.mapping_start.anchor : e.data.sequence_start.anchor;
    frames_.push_back({node, anchor_of(anchor), nullptr, false, {}});
  }

  void end() {
    Frame f = std::move(frames_.back());
    frames_.pop_back();
    if (f.node->is_mapping()) merge(f);
    finish(f.node, f.anchor);
  }

 private:
  static std::string anchor_of(const yaml_char_t* a) { return a ? reinterpret_cast<const char*>(a) : ""; }

  static void place(YamlNode& n, const yaml_mark_t& m) {
    n.line = static_cast<int>(m.line) + 1;
    n.column = static_cast<int>(m.column) + 1;
  }

  void count(std::size_t n, const YamlNode& at) {
    total_ += n;
    if (total_ > limits_.max_nodes)
      throw Error(ErrorKind::Config,
                  fmt::format("YAML: the document holds more than {} nodes once its aliases are expanded; the limit "
                              "is {} (a file of nested aliases, a \"billion laughs\"?)",
                              limits_.max_nodes, limits_.max_nodes),
                  where(file_, at));
  }

  static bool has_key(const YamlNode& mapping, const std::string& key) {
    for (const auto& [k, v] : mapping.entries)
      if (k->text == key) return true;
    return false;
  }

  // `<<: *a` / `<<: [*a, *b]`: the keys of those mappings that this one does
  // not set itself; the first source wins among them.
  void merge(Frame& f) {
    YamlNode& node = *f.node;
    for (const YamlPtr& source : f.merges) {
      std::vector<const YamlNode*> maps;
      if (source->is_mapping()) {
        maps.push_back(source.get());
      } else {
        for (const YamlPtr& item : source->items) maps.push_back(item.get());
      }
      for (const YamlNode* m : maps) {
        if (!m->is_mapping())
          throw Error(ErrorKind::Config, "YAML: a merge key '<<' takes a mapping or a sequence of mappings",
                      where(file_, *m));
        for (const auto& entry : m->entries)
          if (!has_key(node, entry.first->text)) node.entries.push_back(entry);
      }
    }
    node.expanded_size = 1;
    for (const auto& [k, v] : node.entries) node.expanded_size += k->expanded_size + v->expanded_size;
  }

  void finish(YamlPtr node, const std::string& anchor) {
    if (!anchor.empty()) anchors_[anchor] = node;
    if (frames_.empty()) {
      root_ = std::move(node);
      return;
    }
    Frame& parent = frames_.back();
    YamlNode& p = *parent.node;
    if (p.is_sequence()) {
      p.expanded_size += node->expanded_size;
      p.items.push_back(std::move(node));
      return;
    }
    if (!parent.pending_key) {
      if (!node->is_scalar())
        throw Error(ErrorKind::Config, "YAML: a mapping key must be a scalar", where(file_, *node));
      if (node->plain && node->text == "<<") {
        parent.pending_merge = true;
      } else if (has_key(p, node->text)) {
        throw Error(ErrorKind::Config, fmt::format("YAML: duplicate key '{}'", node->text), where(file_, *node));
      }
      parent.pending_key = std::move(node);
      return;
    }
    if (parent.pending_merge) {
      parent.merges.push_back(std::move(node));
    } else {
      p.expanded_size += parent.pending_key->expanded_size + node->expanded_size;
      p.entries.emplace_back(std::move(parent.pending_key), std::move(node));
    }
    parent.pending_key = nullptr;
    parent.pending_merge = false;
  }

  const std::string& file_;
  const YamlLimits& limits_;
  std::vector<Frame> frames_;
  std::map<std::string, YamlPtr> anchors_;
  YamlPtr root_;
  std::size_t total_ = 0;
};

}  // namespace

bool YamlNode::is_null() const {
  return kind == Kind::Scalar && plain && (text.empty() || text == "~" || text == "null" || text == "Null" || text == "NULL");
}

const YamlNode* YamlNode::get(std::string_view key) const {
  for (const auto& [k, v] : entries)
    if (k->text == key) return v.get();
  return nullptr;
}

YamlPtr parse_yaml(std::string_view text, const std::string& file, const YamlLimits& limits) {
  if (text.size() > limits.max_bytes)
    throw Error(ErrorKind::Config,
                fmt::format("the file has {} bytes; the limit for a YAML file is {} bytes", text.size(), limits.max_bytes),
                file);
  EventParser parser(yaml_library(), text);
  TreeBuilder tree(file, limits);
  int documents = 0;
  while (true) {
    const yaml_event_t& e = parser.next(file);
    switch (e.type) {
      case YAML_STREAM_END_EVENT:
        if (tree.root()) return tree.root();
        return std::make_shared<YamlNode>(YamlNode{YamlNode::Kind::Mapping, {}, false, 1, 1, {}, {}, 1});
      case YAML_DOCUMENT_START_EVENT:
        if (++documents > 1)
          throw Error(ErrorKind::Config, "YAML: a second document ('---'); a compose file is one document",
                      where(file, e.start_mark));
        break;
      case YAML_SCALAR_EVENT: tree.scalar(e); break;
      case YAML_ALIAS_EVENT: tree.alias(e); break;
      case YAML_SEQUENCE_START_EVENT: tree.start(e, YamlNode::Kind::Sequence); break;
      case YAML_MAPPING_START_EVENT: tree.start(e, YamlNode::Kind::Mapping); break;
      case YAML_SEQUENCE_END_EVENT:
      case YAML_MAPPING_END_EVENT: tree.end(); break;
      default: break;
    }
  }
}

}  // namespace clnrm::compose
