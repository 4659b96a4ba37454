// [test.metadata] (upstream v0.4), [test] with the keys directly, and [meta]
// (upstream v0.6). When several are present, [meta] wins, as upstream does.
#include <fmt/format.h>

#include "spec/host_paths.h"
#include "spec/key_tables.h"
#include "spec/sections.h"

namespace clnrm::spec_detail {
namespace {

struct Found {
  const toml::node* name = nullptr;
};

void read_metadata_table(ParseContext& ctx, const toml::table& table, TestSpec& spec,
                         Found& found) {
  if (const toml::node* n = table.get("name")) {
    if (auto name = read_string(ctx, *n, "name")) {
      if (name->find_first_not_of(" \t") == std::string::npos)
        ctx.error(pos_of(*n), "test 'name' must not be empty");
      spec.name = std::move(*name);
    }
    found.name = n;
  }
  if (const toml::node* n = table.get("description"))
    if (auto d = read_string(ctx, *n, "description")) spec.description = std::move(*d);
  if (const toml::node* n = table.get("timeout"))
    spec.timeout = read_duration(ctx, *n, "timeout", 1000);
  if (const toml::node* n = table.get("tags"))
    if (auto tags = read_string_list(ctx, *n, "tags")) spec.tags = std::move(*tags);
  if (const toml::node* n = table.get("version")) read_string(ctx, *n, "version");
  if (const toml::node* n = table.get("author")) read_string(ctx, *n, "author");
  if (const toml::node* n = table.get("image")) {
    // The test's default image (TestSpec::image): what it is checked for is
    // a service's `image` (services_reader.cpp); where it comes from is the
    // backend's business (docs/images.md).
    if (auto image = read_string(ctx, *n, "image")) {
      if (image->empty()) ctx.error(pos_of(*n), "the test's 'image' must not be empty");
      spec.image = std::move(*image);
      spec.image_pos = pos_of(*n);
    }
  }
  if (const toml::node* n = table.get("mount_test_dir")) {
    // The test file's directory, read-only, at one documented place on every
    // backend (a writable one is a volume with host_path = ".").
    if (auto on = read_bool(ctx, *n, "mount_test_dir")) {
      spec.test_dir_volume.reset();
      if (*on) {
        VolumeSpec v;
        v.host_path = host_path_in_test_dir(ctx, pos_of(*n), ".", {"mount_test_dir", false, true});
        v.container_path = std::string(kTestDirInCleanroom);
        v.read_only = true;
        v.pos = pos_of(*n);
        if (!v.host_path.empty()) spec.test_dir_volume = std::move(v);
      }
    }
  }
}

}  // namespace

void read_metadata(ParseContext& ctx, const toml::table& root, TestSpec& spec) {
  Found found;
  if (const toml::node* test = root.get("test")) {
    if (const toml::table* t = test->as_table()) {
      check_keys(ctx, *t, KeySchema{"[test]", kTestKeys, kUpstreamTestKeys});
      read_metadata_table(ctx, *t, spec, found);
      if (const toml::node* m = t->get("metadata")) {
        if (const toml::table* mt = m->as_table()) {
          check_keys(ctx, *mt, KeySchema{"[test.metadata]", kMetadataKeys});
          read_metadata_table(ctx, *mt, spec, found);
        } else {
          ctx.error(pos_of(*m),
                    fmt::format("'test.metadata' must be a table, not {}", type_name(*m)));
        }
      }
    } else {
      ctx.error(pos_of(*test),
                fmt::format("'test' must be a table ([test.metadata]), not {}", type_name(*test)));
    }
  }
  if (const toml::node* meta = root.get("meta")) {
    if (const toml::table* t = meta->as_table()) {
      check_keys(ctx, *t, KeySchema{"[meta]", kMetadataKeys});
      read_metadata_table(ctx, *t, spec, found);
    } else {
      ctx.error(pos_of(*meta), fmt::format("'meta' must be a table, not {}", type_name(*meta)));
    }
  }
  if (!found.name)
    ctx.error(SourcePos{1, 1},
              "missing test name: add [test.metadata] (or [meta]) with name = \"...\"");
}

}  // namespace clnrm::spec_detail
