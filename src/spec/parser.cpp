// *.clnrm.toml -> TestSpec: TOML parse (toml++), template variables, then one
// reader per section. All problems of a file are collected, sorted by position.
#include <clnrm/parser.h>
#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "sections.h"

namespace clnrm {
namespace {

using namespace spec_detail;

const std::initializer_list<std::string_view> kTopLevelKeys = {
    "test",       "meta",   "services", "service",     "steps",  "scenario",
    "assertions", "policy", "limits",   "determinism", "report", "vars"};
// Sections upstream clnrm knows that clnrm does not implement (yet).
const std::initializer_list<std::string_view> kUpstreamTopLevelKeys = {
    "otel",    "otel_validation", "expect", "matrix",   "otel_headers", "otel_propagators",
    "weaver",  "performance",     "chaos",  "template", "timeouts",     "output",
    "metadata"};

std::optional<toml::table> parse_toml(ParseContext& ctx, std::string_view text,
                                      const std::string& file) {
  try {
    return toml::parse(text, std::string_view(file));
  } catch (const toml::parse_error& e) {
    ctx.error(pos_of(e.source()), fmt::format("invalid TOML: {}", e.description()));
    return std::nullopt;
  }
}

void sort_diagnostics(std::vector<Diagnostic>& diags) {
  std::stable_sort(diags.begin(), diags.end(), [](const Diagnostic& a, const Diagnostic& b) {
    if (a.pos.line != b.pos.line) return a.pos.line < b.pos.line;
    return a.pos.column < b.pos.column;
  });
}

}  // namespace

ParseResult parse_test_text(std::string_view text, const std::string& file) {
  ParseResult result;
  ParseContext ctx(file, result.diagnostics);
  std::optional<toml::table> root;
  {
    // Templates outside strings (`n = {{ vars.n }}`) make the file invalid
    // TOML until rendered; only then render the text first, as upstream does.
    std::vector<Diagnostic> first_try;
    ParseContext probe(file, first_try);
    root = parse_toml(probe, text, file);
    if (!root) {
      if (text.find("{{") != std::string_view::npos || text.find("{%") != std::string_view::npos) {
        std::string error;
        std::uint32_t line = 0;
        if (auto rendered = render_text_templates(text, &error, &line)) {
          root = parse_toml(ctx, *rendered, file);
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
  spec.vars = read_vars(ctx, *root);
  substitute_vars(ctx, *root, spec.vars);
  read_metadata(ctx, *root, spec);
  read_services(ctx, *root, spec);
  read_steps(ctx, *root, spec);
  read_scenarios(ctx, *root, spec);
  read_settings(ctx, *root, spec);
  check_references(ctx, *root, spec);

  sort_diagnostics(result.diagnostics);
  for (const Diagnostic& d : result.diagnostics)
    if (d.severity == Diagnostic::Severity::Warning) spec.warnings.push_back(d);
  if (!ctx.has_errors()) result.spec = std::move(spec);
  return result;
}

ParseResult parse_test_file(const std::string& path) {
  auto fail = [&path](std::string message) {
    ParseResult result;
    result.diagnostics.push_back(
        Diagnostic{Diagnostic::Severity::Error, path, {}, std::move(message)});
    return result;
  };
  // Only regular files of sane size: `clnrm validate /dev/zero` or a FIFO
  // must end with an error, not hang or exhaust memory.
  constexpr std::uintmax_t kMaxBytes = 16u << 20;
  std::error_code ec;
  const auto status = std::filesystem::status(path, ec);
  if (ec) return fail(fmt::format("cannot read file: {}", ec.message()));
  if (!std::filesystem::is_regular_file(status))
    return fail("cannot read file: not a regular file");
  const std::uintmax_t size = std::filesystem::file_size(path, ec);
  if (!ec && size > kMaxBytes)
    return fail(fmt::format("file is too large ({} bytes; the limit is 16 MiB)", size));
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail(fmt::format("cannot read file: {}", std::strerror(errno)));
  std::string text;
  text.resize(static_cast<std::size_t>(ec ? 0 : size));
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<std::size_t>(in.gcount()));
  if (in.bad()) return fail("cannot read file: I/O error");
  return parse_test_text(text, path);
}

}  // namespace clnrm
