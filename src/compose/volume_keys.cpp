// A compose service's `volumes` -> clnrm volumes (src/compose/translation.h).
// A bind mount of a path relative to the compose file becomes a volume whose
// host_path is relative to the test file's directory; whether the parser
// would accept it is asked of the parser itself (one rule for host paths:
// docs/test-file-reference.md, "volumes"), so an import never writes a
// volume `clnrm validate` refuses.
#include <clnrm/parser.h>
#include <fmt/format.h>

#include <filesystem>

#include "compose/interpolation.h"
#include "compose/toml_text.h"
#include "compose/translation.h"

namespace clnrm::compose {
namespace {

namespace fs = std::filesystem;

// Why the parser refuses `v` in a test file at ctx.test_path, or "".
std::string parser_refusal(const ImportContext& ctx, const TranslatedVolume& v) {
  const std::string text = fmt::format(
      "[test]\nname = \"volume_check\"\n[services.s]\nimage = \"i\"\n"
      "volumes = [{{ host_path = {}, container_path = {}, read_only = {} }}]\n"
      "[[steps]]\nname = \"s\"\ncommand = [\"true\"]\n",
      toml_string(v.host_path), toml_string(v.container_path), v.read_only ? "true" : "false");
  const ParseResult r = parse_test_text(text, ctx.test_path);
  for (const Diagnostic& d : r.diagnostics)
    if (d.severity == Diagnostic::Severity::Error) return d.message;
  return {};
}

class VolumeTranslator {
 public:
  VolumeTranslator(ImportContext& ctx, const std::string& service, std::vector<TranslatedVolume>& out)
      : ctx_(ctx), service_(service), out_(out) {}

  void short_form(const YamlNode& item) {
    std::string problem;
    const auto text = with_defaults(item.text, &problem);
    if (!text) return note(item.line, problem);
    std::vector<std::string> parts;
    std::size_t start = 0;
    while (true) {
      const std::size_t colon = text->find(':', start);
      parts.push_back(text->substr(start, colon == std::string::npos ? std::string::npos : colon - start));
      if (colon == std::string::npos) break;
      start = colon + 1;
    }
    if (parts.size() == 1)
      return note(item.line, fmt::format("'{}': an anonymous volume; clnrm has none: {} stays in the service's own "
                                         "filesystem, fresh in every test",
                                         *text, parts[0]));
    if (parts.size() > 3) return note(item.line, fmt::format("'{}' is not SOURCE:TARGET[:MODE]", *text));
    bool read_only = false;
    if (parts.size() == 3) {
      for (std::size_t s = 0, e = 0; s <= parts[2].size(); s = e + 1) {
        e = parts[2].find(',', s);
        if (e == std::string::npos) e = parts[2].size();
        const std::string option = parts[2].substr(s, e - s);
        if (option == "ro") {
          read_only = true;
        } else if (option != "rw" && option != "z" && option != "Z" && option != "cached" &&
                   option != "delegated" && option != "consistent" && option != "nocopy") {
          return note(item.line, fmt::format("'{}': unknown mode '{}'", *text, option));
        }
      }
    }
    mount(item.line, *text, parts[0], parts[1], read_only);
  }

  void long_form(const YamlNode& item) {
    const YamlNode* type = item.get("type");
    const YamlNode* source = item.get("source");
    const YamlNode* target = item.get("target");
    const std::string type_text = type && type->is_scalar() ? type->text : "";
    if (!target || !target->is_scalar()) return note(item.line, "a volume without `target`");
    if (type_text != "bind") {
      const std::string what = type_text.empty() ? "a volume without `type`" : "type " + type_text;
      return note(item.line, fmt::format("{} at {}: clnrm mounts only directories below the test file's; {} stays "
                                         "in the service's own filesystem, fresh in every test",
                                         what, target->text, target->text));
    }
    if (!source || !source->is_scalar()) return note(item.line, "a bind mount without `source`");
    bool read_only = false;
    for (const auto& [k, v] : item.entries) {
      if (k->text == "read_only") {
        read_only = v->is_scalar() && (v->text == "true" || v->text == "True");
      } else if (k->text != "type" && k->text != "source" && k->text != "target") {
        note(k->line, fmt::format("'{}' of the bind mount at {}: clnrm has no equivalent", k->text, target->text));
      }
    }
    std::string problem;
    const auto src = with_defaults(source->text, &problem);
    const auto dst = src ? with_defaults(target->text, &problem) : std::nullopt;
    if (!dst) return note(item.line, problem);
    mount(item.line, *src + ":" + *dst, *src, *dst, read_only);
  }

 private:
  void note(int line, std::string why) { ctx_.note(line, service_, "volumes", std::move(why)); }

  void mount(int line, const std::string& text, const std::string& source, const std::string& target, bool read_only) {
    const bool bind = source.starts_with(".") || source.starts_with("/") || source.starts_with("~");
    if (!bind)
      return note(line, fmt::format("'{}': named volume '{}'; clnrm has no named volumes: {} stays in the "
                                    "service's own filesystem, fresh in every test",
                                    text, source, target));
    if (source.starts_with("~"))
      return note(line, fmt::format("'{}': a path in the host's home directory; a test file mounts only files "
                                    "below its own directory",
                                    text));
    const fs::path test_dir = fs::path(ctx_.test_path).parent_path();
    const fs::path absolute = (fs::path(ctx_.compose_dir) / source).lexically_normal();
    const fs::path relative = absolute.lexically_relative(test_dir);
    if (relative.empty() || *relative.begin() == "..")
      return note(line, fmt::format("'{}': {} is outside the test file's directory {}; a test file mounts only "
                                    "files below its own directory (docs/test-file-reference.md, \"volumes\")",
                                    text, absolute.string(), test_dir.string()));
    TranslatedVolume v{relative.string(), target, read_only};
    if (v.host_path.ends_with("/") && v.host_path.size() > 1) v.host_path.pop_back();
    if (const std::string why = parser_refusal(ctx_, v); !why.empty())
      return note(line, fmt::format("'{}': {}", text, why));
    out_.push_back(std::move(v));
  }

  ImportContext& ctx_;
  const std::string& service_;
  std::vector<TranslatedVolume>& out_;
};

}  // namespace

void translate_volumes(ImportContext& ctx, const TranslatedService& service, const YamlNode& volumes,
                       std::vector<TranslatedVolume>& out) {
  VolumeTranslator t(ctx, service.name, out);
  for (const YamlPtr& item : volumes.items) {
    if (item->is_scalar())
      t.short_form(*item);
    else if (item->is_mapping())
      t.long_form(*item);
    else
      ctx.note(item->line, service.name, "volumes", "expected a string or a mapping, found a sequence");
  }
}

}  // namespace clnrm::compose
