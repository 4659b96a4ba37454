# The phase probe of bench/peers/run_phases.sh: writes a clock reading to
# stderr ("PHASE <name> <ms>") at each phase of `clnrm run` in a copy of the
# sources (never in the repository's own tree). Each mark is a piece of code
# the probe goes after; when the code there changes, the probe stops with
# the file and the mark, to be updated here.
#
# Usage: python3 phase_probe.py SOURCE_TREE
import os
import shutil
import sys
here = os.path.dirname(os.path.abspath(__file__))
repo=sys.argv[1]
shutil.copy(here+'/phase_clock.h', repo+'/src/base/phase_tmp.h')
def patch(p, pairs):
    p=repo+'/'+p
    s=open(p).read()
    s='#include "base/phase_tmp.h"\n'+s
    for old,new in pairs:
        if old not in s:
            sys.exit(f"phase_probe.py: the code at this mark changed, update the probe: {p}: {old[:70]!r}")
        s=s.replace(old,new,1)
    open(p,'w').write(s)
patch('src/cli/main.cpp',[('  clnrm::exit_130_on_early_signals();\n','  clnrm_phase("start-up: exec, loader, static init");\n  clnrm::exit_130_on_early_signals();\n'),
  ('  try {\n    app.parse(argc, argv);','  clnrm_phase("CLI set-up");\n  try {\n    app.parse(argc, argv);'),
  ('  return ctx.exit_code;\n}','  clnrm_phase("report printed, main() returns");\n  return ctx.exit_code;\n}')])
patch('src/suite/suite.cpp',[
 ('  SuiteObserver& observer = observer_or_null ? *observer_or_null : silent_observer();\n','  clnrm_phase("CLI parse, project settings");\n  SuiteObserver& observer = observer_or_null ? *observer_or_null : silent_observer();\n'),
 ('  outcome.invalid_files = parsed.invalid.size();\n','  clnrm_phase("test file parsed");\n  outcome.invalid_files = parsed.invalid.size();\n'),
 ('  observer.backend_chosen(chosen.backend->name(), chosen.reason);\n','  clnrm_phase("backend chosen");\n  observer.backend_chosen(chosen.backend->name(), chosen.reason);\n'),
 ('  CancelToken own_cancel;\n','  clnrm_phase("plan made");\n  CancelToken own_cancel;\n'),
 ('  expect_first_pod(env, tests, plan);\n','  clnrm_phase("signal handlers");\n  expect_first_pod(env, tests, plan);\n  clnrm_phase("first pod asked for: groups, seccomp, walk");\n'),
 ('  run_options.cancel = &cancel;\n','  clnrm_phase("history opened, run row written");\n  run_options.cancel = &cancel;\n'),
 ('  RunResult run = run_plan(env, tests, plan, run_options);\n','  clnrm_phase("observers set");\n  RunResult run = run_plan(env, tests, plan, run_options);\n  clnrm_phase("run finished");\n'),
 ('  if (recorder) recorder->finish(run);\n','  if (recorder) recorder->finish(run);\n  clnrm_phase("history written");\n'),
])
patch('src/backend/sandbox/sandbox_pod.cpp',[('  core.releases = std::move(releases);\n','  clnrm_phase("run_plan, create_pod");\n  core.releases = std::move(releases);\n'),
('  core.host_network = policy.network == NetworkMode::Host;\n','  clnrm_phase("pod: shared directories");\n  core.host_network = policy.network == NetworkMode::Host;\n'),
('  core.init_config = std::make_unique<PodInitConfig>();\n','  clnrm_phase("pod: limits, scratch size");\n  core.init_config = std::make_unique<PodInitConfig>();\n'),

('  std::unique_ptr<EarlyPodInit> early = take_early_pod_init(clone_flags, share_memory);\n','  std::unique_ptr<EarlyPodInit> early = take_early_pod_init(clone_flags, share_memory);\n  clnrm_phase("pod: the early pod init taken (its clone awaited)");\n'),
('  pid_t pid = -1;\n  if (early) {\n','  clnrm_phase("pod: channels, config");\n  pid_t pid = -1;\n  if (early) {\n'),
('  if (pid < 0) {\n    auto missing','  clnrm_phase("pod: clone with namespaces (groups beside), or the early one taken");\n  if (pid < 0) {\n    auto missing'),
('    if (after_clone) take_view();\n','    clnrm_phase("pod: pidfd, groups sent (an unprivileged runner: namespace fds)");\n    if (after_clone) take_view();\n'),
('      write_user_namespace_maps(pid, options.pod_id_base);\n','      write_user_namespace_maps(pid, options.pod_id_base);\n      clnrm_phase("pod: view taken, uid/gid maps");\n'),
('    if (late_ending) {\n      if (early) {\n','    clnrm_phase("pod: go");\n    if (late_ending) {\n      if (early) {\n'),
('    if (core.root_runner) open_namespaces();\n    describe_isolation','    if (core.root_runner) open_namespaces();\n    clnrm_phase("pod: namespace fds (root runner)");\n    describe_isolation'),
('    channels.go.reset();\n    // After the ending','    clnrm_phase("pod: the ending (late: groups of an early pod init, the walk, the security plan) handed over");\n    channels.go.reset();\n    // After the ending'),
('    config.cgroup_count = static_cast<int>(core.cgroups.tasks_fds().size());\n','    config.cgroup_count = static_cast<int>(core.cgroups.tasks_fds().size());\n    clnrm_phase("pod: (runner) groups made");\n'),
('    const auto system = system_view->covered();\n','    const auto system = system_view->covered();\n    clnrm_phase("pod: (runner) the walk for the paths to cover");\n'),
('    core.security = make_security_plan(policy);\n','    core.security = make_security_plan(policy);\n    clnrm_phase("pod: (runner) security plan made");\n'),
('    if (destroyed.exchange(true)) return;\n','    if (destroyed.exchange(true)) return;\n    clnrm_phase("verdict, teardown starts");\n'),
('    init_pid = -1;\n  }\n  std::unique_lock guard(spawn_guard);','    init_pid = -1;\n  }\n  clnrm_phase("teardown: pod init killed, reaped");\n  std::unique_lock guard(spawn_guard);'),
('  if (!releases->hand_over(left)) left.release();\n  groups.remove();\n}','  if (!releases->hand_over(left)) left.release();\n  groups.remove();\n  clnrm_phase("teardown: namespaces handed over, groups given back");\n}'),
('ExecResult SandboxPod::exec(const ProcessSpec& spec, const CancelToken& cancel) {\n','ExecResult SandboxPod::exec(const ProcessSpec& spec, const CancelToken& cancel) {\n  clnrm_phase("pod: mounts, ready; step starts");\n  struct P { ~P() { clnrm_phase("step /bin/true ran"); } } p_;\n'),
])
patch('src/run/backend_choice.cpp',[('''  sandbox.resolve_image = image_resolver(options, sandbox);
  return {make_sandbox_backend(sandbox), ""};''','''  sandbox.resolve_image = image_resolver(options, sandbox);
  auto b = make_sandbox_backend(sandbox);
  clnrm_phase("sandbox backend made");
  return {std::move(b), ""};''')])
# Pod init's side (clnrm_phase_raw: async-signal-safe), marked "(pod init)".
patch('src/backend/sandbox/pod_init_main.cpp',[
 ('  if (cfg.go_fd >= 0 && !wait_for_go(cfg.go_fd, cfg.keeper_fd)) ::_exit(1);\n','  clnrm_phase_raw("pod: (pod init) waits for its go");\n  if (cfg.go_fd >= 0 && !wait_for_go(cfg.go_fd, cfg.keeper_fd)) ::_exit(1);\n  clnrm_phase_raw("pod: (pod init) go read");\n'),
 ('  if (cfg.become_namespace_root) {\n','  clnrm_phase_raw("pod: (pod init) hostname, shared directories opened");\n  if (cfg.become_namespace_root) {\n'),
 ('  if (cfg.late_ending) {\n    if (!wait_for_go','  clnrm_phase_raw("pod: (pod init) in the network namespace made beside");\n  if (cfg.late_ending) {\n    if (!wait_for_go'),
 ('    join_cgroups_or_exit(cfg);\n  }\n','    clnrm_phase_raw("pod: (pod init) second token read");\n    join_cgroups_or_exit(cfg);\n  }\n  clnrm_phase_raw("pod: (pod init) groups joined");\n'),
 ('  // Made long since, most likely;','  clnrm_phase_raw("pod: (pod init) root assembled, pivoted, host detached");\n  // Made long since, most likely;'),
 ('  if (cfg.control_fd >= 0) {\n    // Once for every','  clnrm_phase_raw("pod: (pod init) covered (sealed)");\n  if (cfg.control_fd >= 0) {\n    // Once for every'),
 ('  report_pod_init(cfg.report_fd, 0, nullptr);\n  ::dup2(null_fd, 0);','  clnrm_phase_raw("pod: (pod init) reports ready");\n  report_pod_init(cfg.report_fd, 0, nullptr);\n  ::dup2(null_fd, 0);'),
])
# A pod's leftovers after pod init is reaped: each namespace descriptor's
# close (the mount namespace's last close tears its mounts down), then the
# groups.
patch('src/backend/sandbox/pod_releases.cpp',[
 ('  for (UniqueFd& fd : namespaces) fd.reset();\n  cgroups.remove();','  const char* const closed[] = {"release: user ns closed", "release: ipc ns closed", "release: uts ns closed",\n                                "release: net ns closed", "release: pid ns closed", "release: mnt ns closed"};\n  int k = 0;\n  for (UniqueFd& fd : namespaces) {\n    fd.reset();\n    clnrm_phase(closed[k++]);\n  }\n  cgroups.remove();\n  clnrm_phase("release: groups given back");'),
])
# The runner's walk of /etc and /opt for sockets, split: its memo read, then
# the stat of each directory the memo records (other walks are not marked).
patch('src/backend/host_sockets.cpp',[
 ('  const SocketWalkMemo memo = memoised ? SocketWalkMemo::load(memo_file, dir) : SocketWalkMemo{};\n','  const char* const walk_mark = dir == "/etc" ? "walk /etc:" : dir == "/opt" ? "walk /opt:" : nullptr;\n  auto walk_phase = [&](const char* what) {\n    if (walk_mark) clnrm_phase((std::string("pod: (runner) ") + walk_mark + what).c_str());\n  };\n  walk_phase(" starts");\n  const SocketWalkMemo memo = memoised ? SocketWalkMemo::load(memo_file, dir) : SocketWalkMemo{};\n  walk_phase(" memo read");\n'),
 ('  if (memoised) memo.save(memo_file, dir, started, walked, out.dirs_read > 0);\n','  walk_phase(" directories checked");\n  if (memoised) memo.save(memo_file, dir, started, walked, out.dirs_read > 0);\n'),
])
