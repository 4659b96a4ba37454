#pragma once
// Internal to src/spec: one reader per part of a *.clnrm.toml file. Each reads
// its tables from the parsed document into the TestSpec and reports problems
// to the ParseContext; none throws for a bad file.

#include <map>
#include <string>

#include <clnrm/parser.h>

#include "spec/parse_context.h"
#include "spec/table_keys.h"

namespace clnrm::spec_detail {

// [test.metadata] / [test] / [meta]: name, description, timeout, tags.
void read_metadata(ParseContext& ctx, const toml::table& root, TestSpec& spec);
// [services.X] and [service.X].
void read_services(ParseContext& ctx, const toml::table& root, TestSpec& spec);
// [[steps]]. Each step's table is emptied once read (nothing reads it
// again; the array of [[steps]] stays).
void read_steps(ParseContext& ctx, toml::table& root, TestSpec& spec);
// One step table (also used for the steps of a scenario) into `step`, a
// StepSpec{} in its list; false when the step has an error (the caller
// drops it).
bool read_step(ParseContext& ctx, const toml::table& table, std::string_view where,
               const TestSpec& spec, StepSpec& step);
// A step's expect_file, expect_json, expect_http and expected_output_file
// (src/spec/expectations_reader.cpp), from the keys of its table.
void read_step_expectations(ParseContext& ctx, const TableKeys& keys, StepSpec& step);
// Reports an error at `at` when the spec declares no service `name`.
void check_service_exists(ParseContext& ctx, const toml::node& at, const std::string& name,
                          const TestSpec& spec);
// [[scenario]] (the steps of each, or its upstream `run`).
void read_scenarios(ParseContext& ctx, const toml::table& root, TestSpec& spec);
// [assertions], [policy], [limits], [determinism], [report].
void read_settings(ParseContext& ctx, const toml::table& root, TestSpec& spec);
// Cross-references among services: depends_on names exist, no cycle; and at
// least one step or scenario.
void check_references(ParseContext& ctx, const toml::table& root, const TestSpec& spec);

// What {{ ... }} may name: variables as text by their flattened name
// ("port", "db.host" for a table's key, "hosts.0" for an array's element),
// and the runner's environment variables the runner allowed ({{ env.NAME }};
// nullopt: allowed but not set).
struct TemplateScope {
  std::map<std::string, std::string> vars;
  std::map<std::string, std::optional<std::string>> env;
};

// The scope of one file: cleanroom.toml's [vars], overridden by the file's
// own [vars], overridden by --var; plus the allowed environment.
TemplateScope template_scope(const ParseOptions& options,
                             const std::map<std::string, std::string>& file_vars);
// [vars] of a document: scalars as text, tables and arrays flattened to
// dotted names. Used for test files and cleanroom.toml alike.
std::map<std::string, std::string> read_vars(ParseContext& ctx, const toml::table& root);
// Replaces {{ name }} / {{ vars.name }} / {{ env.NAME }} in every string
// value of the document (except [vars] itself). Unknown names are errors at
// the string.
void substitute_vars(ParseContext& ctx, toml::table& root, const TemplateScope& scope);
// False when no string value of the document written as `text` can hold
// "{{" or "{%" (no such text and no escape that could make one), so
// substitute_vars would change nothing: a file without templates skips that
// walk over every node (a pass over the whole tree, most of it no longer in
// the cache for a large file). Errs on the side of true.
bool may_hold_templates(std::string_view text);
// Expands one string; on an unknown variable or unsupported template syntax
// sets `error` and returns nullopt.
std::optional<std::string> expand_template(std::string_view text, const TemplateScope& scope,
                                           std::string* error);
// For files whose templates sit outside strings (`max = {{ vars.n }}`), which
// are not TOML until rendered: reads [vars] with a line scan, then renders the
// whole text. Line numbers are preserved. Returns nullopt (error set, with the
// 1-based line) when rendering fails.
std::optional<std::string> render_text_templates(std::string_view text, const ParseOptions& options,
                                                 std::string* error, std::uint32_t* error_line);

}  // namespace clnrm::spec_detail
