#pragma once
// Helpers shared by the history module's files (not a public API).

#include <clnrm/history.h>

#include <optional>
#include <string_view>

#include "base/sqlite.h"

namespace clnrm::history {

struct Store::Impl {
  Impl(const std::string& path, const StoreOptions& options);
  StoreOptions options;
  sql::Connection conn;
};

std::optional<Status> status_from_text(std::string_view text) noexcept;
// Passed / failed / error / timed_out count as outcomes; skipped and
// cancelled (the user pressed ^C) say nothing about the test.
bool is_outcome(Status s) noexcept;
std::int64_t to_unix_ns(SystemTime t) noexcept;

// Applies the schema migrations up to schema_version(); each file owning a
// table keeps its SQL, this lists them in order.
void migrate(sql::Connection& conn, int retries);

}  // namespace clnrm::history
