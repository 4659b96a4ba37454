#pragma once
// What `clnrm run --list` and `clnrm run --dry-run` print: the plan
// run_suite made without running (SuiteOptions::plan_only), as text or JSON
// (docs/running-tests.md, "Listing and dry runs").

#include <clnrm/duration.h>
#include <clnrm/suite.h>

#include <optional>
#include <string>

namespace clnrm::cli {

// --list: one FILE::NAME per line (test_identity), in plan order.
std::string list_text(const SuitePlan& plan);
// --list --format json: [{file, name, tags, services: [{name, plugin, image}]}].
std::string list_json(const SuitePlan& plan);

// What the dry run says beside the plan: settings of the run as a whole.
struct DryRunFacts {
  std::string backend_from;  // why the backend was named: "--backend", "default", ...
  std::string order = "file";
  std::string shard;  // empty: every selected test
  bool rerun_failed = false;
  int repeat = 1;
  int retries = 0;
  std::optional<Duration> default_timeout;  // tests without their own
};

// --dry-run: the backend and why, lanes and order, and per test its
// services (plugin, image, args, depends_on) and steps (name, command,
// service), scenarios included.
std::string dry_run_text(const SuitePlan& plan, const DryRunFacts& facts);
// --dry-run --format json: the same as one object (schema clnrm.plan.v1).
std::string dry_run_json(const SuitePlan& plan, const DryRunFacts& facts);

}  // namespace clnrm::cli
