// *.clnrm.toml -> TestSpec: TOML parse (toml++), template variables, then one
// reader per section. All problems of a file are collected, sorted by position.
#include <clnrm/parser.h>
#include <fmt/format.h>

#include <algorithm>

#include "spec/key_tables.h"
#include "spec/sections.h"
#include "spec/source_file.h"
#include "spec/toml_limits.h"

namespace clnrm {
namespace {

using namespace spec_detail;

// Where the name that won is written: [meta] wins over [test] / [test.metadata].
SourcePos name_position(const toml::table& root) {
  for (const char* path : {"meta.name", "test.metadata.name", "test.name"})
    if (const toml::node* n = root.at_path(path).node(); n && n->is_string()) return pos_of(*n);
  return {};
}

void sort_diagnostics(std::vector<Diagnostic>& diags) {
  std::stable_sort(diags.begin(), diags.end(), [](const Diagnostic& a, const Diagnostic& b) {
    if (a.pos.line != b.pos.line) return a.pos.line < b.pos.line;
    return a.pos.column < b.pos.column;
  });
}

}  // namespace

ParseResult parse_test_text(std::string_view text, const std::string& file,
                            const ParseOptions& options) {
  ParseResult result;
  ParseContext ctx(file, result.diagnostics,
                   options.upstream ? UnactedKeys::WarnAll : UnactedKeys::WarnUpstream,
                   options.keep_patterns);
  // Too deep a document is refused before anything (toml++, the template
  // renderer) walks it.
  if (auto violation = scan_toml_limits(text).violation) {
    ctx.error(violation->pos, std::move(violation->message));
    return result;
  }
  std::optional<toml::table> root;
  {
    // Templates outside strings (`n = {{ vars.n }}`) make the file invalid
    // TOML until rendered; only then render the text first, as upstream does.
    std::vector<Diagnostic> first_try;
    ParseContext probe(file, first_try);
    root = parse_scanned_toml(probe, text);  // scanned above
    if (!root) {
      if (text.find("{{") != std::string_view::npos || text.find("{%") != std::string_view::npos) {
        std::string error;
        std::uint32_t line = 0;
        if (auto rendered = render_text_templates(text, options, &error, &line)) {
          root = parse_bounded_toml(ctx, *rendered);
        } else {
          // Both may be real: a syntax error elsewhere and a bad template.
          for (Diagnostic& d : first_try) result.diagnostics.push_back(std::move(d));
          ctx.error(SourcePos{line, 1}, error);
        }
      } else {
        result.diagnostics = std::move(first_try);
      }
    }
  }
  if (!root) {
    sort_diagnostics(result.diagnostics);
    return result;
  }

  TestSpec spec;
  spec.file = file;
  check_keys(ctx, *root, KeySchema{"the test file", kTopLevelKeys, kUpstreamTopLevelKeys});
  TemplateScope scope = template_scope(options, read_vars(ctx, *root));
  // A rendered text had "{{" or "{%", so `text` decides for it too.
  if (may_hold_templates(text)) substitute_vars(ctx, *root, scope);
  spec.vars = std::move(scope.vars);
  read_metadata(ctx, *root, spec);
  read_services(ctx, *root, spec);
  read_steps(ctx, *root, spec);
  read_scenarios(ctx, *root, spec);
  read_settings(ctx, *root, spec);
  check_references(ctx, *root, spec);

  result.name_pos = name_position(*root);
  sort_diagnostics(result.diagnostics);
  for (const Diagnostic& d : result.diagnostics)
    if (d.severity == Diagnostic::Severity::Warning) spec.warnings.push_back(d);
  if (!ctx.has_errors()) result.spec = std::move(spec);
  return result;
}

ParseResult parse_test_file(const std::string& path, const ParseOptions& options) {
  SourceText source = read_source_file(path);
  if (source.error.empty()) return parse_test_text(source.text, path, options);
  // An unreadable file is a diagnostic like any other: validate lists them all.
  ParseResult result;
  result.diagnostics.push_back(
      Diagnostic{Diagnostic::Severity::Error, path, {}, std::move(source.error)});
  return result;
}

}  // namespace clnrm
