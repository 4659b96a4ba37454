#!/usr/bin/env python3
"""scripts/gen_baseline_metrics.py on the fixture result set in
tests/data/baseline_metrics/set: the "Peers, side by side" section, its ratios
against the issues' targets, and every way a comparison can be missing.

Run by ctest (scripts.gen_baseline_metrics) or directly: python3 <this file>.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
GENERATOR = os.path.join(ROOT, "scripts", "gen_baseline_metrics.py")
FIXTURE = os.path.join(ROOT, "tests", "data", "baseline_metrics", "set")


def generate(result_set):
    done = subprocess.run([sys.executable, GENERATOR, result_set], capture_output=True, text=True)
    if done.returncode != 0:
        raise AssertionError(f"generator failed ({done.returncode}): {done.stderr}")
    return done.stdout


def row(markdown, starts_with):
    """The one table row whose first cell starts with `starts_with`."""
    rows = [line for line in markdown.splitlines() if line.startswith("| " + starts_with)]
    if len(rows) != 1:
        raise AssertionError(f"{len(rows)} rows start with {starts_with!r}")
    return [cell.strip() for cell in rows[0].strip("|").split("|")]


class PeersSection(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.md = generate(FIXTURE)

    def test_comes_before_the_suite_tables_and_after_the_machine(self):
        machine = self.md.index("Fixture CPU @ 2.00GHz")
        peers = self.md.index("## Peers, side by side")
        suite = self.md.index("## sandbox_benchmarks")
        self.assertLess(machine, peers)
        self.assertLess(peers, suite)
        self.assertNotIn("## Peer ratios", self.md)

    def test_isolated_step_against_the_raw_floor(self):
        # medians of real_time over the iterations: 1100 µs / 1000 µs; the
        # aggregate entry (99999 µs) is not a sample
        self.assertEqual(row(self.md, "isolated step (fresh pod"),
                         ["isolated step (fresh pod, `/bin/true`) vs the raw floor", "1.1 ms",
                          "bare `clone()`, same namespace flags + exec + wait: 1 ms", "1.1×", "≤ 1.3×", "met"])

    def test_isolated_step_against_unshare_in_other_units(self):
        cells = row(self.md, "isolated step vs `unshare")
        self.assertEqual(cells[1:], ["1.1 ms", "`unshare` (util-linux): 4.4 ms", "0.25×", "– (reference)", "–"])

    def test_a_skipped_peer_benchmark_is_not_run_with_its_reason(self):
        cells = row(self.md, "isolated step vs `bwrap`")
        self.assertEqual(cells[1], "not run: bwrap not installed (scripts/setup-deps.sh installs bubblewrap)")
        self.assertEqual(cells[3], "–")
        self.assertEqual(cells[5], "–")

    def test_the_cold_variant_missing_from_the_set_is_not_run(self):
        cells = row(self.md, "same, every pod made on the measured path (no standby pod)")
        self.assertEqual(cells[1], "not run: `IsolatedStep_FreshPodCold` has no result in this set")

    def test_sandbox_command_reproduces_with_the_sets_settings(self):
        self.assertIn("build/release/bench/sandbox_benchmarks --benchmark_filter='^(IsolatedStep_FreshPod|"
                      "IsolatedStep_FreshPodCold|RawFloor_AllNamespaces|Peer_Unshare|Peer_Bwrap)/real_time$' "
                      "--benchmark_repetitions=3 "
                      "--benchmark_min_time=0.01 --benchmark_enable_random_interleaving=true", self.md)

    def test_bats(self):
        self.assertIn("Command: `bench/peers/bats/compare.sh build/release/clnrm 3`", self.md)
        cells = row(self.md, "100 one-step tests")
        self.assertEqual(cells[1:], ["400 ms", "bats: 5 s", "0.08×", "≤ 0.25×", "met"])

    def test_testcontainers_lower_is_better_rows(self):
        self.assertIn("Command: `bench/peers/testcontainers-node/compare.sh 1`", self.md)
        self.assertEqual(row(self.md, "fresh: pod")[3:], ["0.7×", "≤ 0.6×", "**not met**"])
        self.assertEqual(row(self.md, "warm: 1 step in a running")[3:], ["0.04×", "≤ 0.5×", "met"])
        self.assertEqual(row(self.md, "warm: 1 step via the engine")[3:], ["0.9×", "–", "–"])

    def test_reuse_rows_are_speedups_at_least_the_target(self):
        self.assertEqual(row(self.md, "service reuse: 10-step test, steps = redis")[1:],
                         ["80 ms", "clnrm, fresh service: 480 ms", "6× faster", "≥ 10×", "**not met**"])
        self.assertEqual(row(self.md, "service reuse: 10-step test, steps = true")[3:],
                         ["15× faster", "≥ 10×", "met"])


class MissingComparisons(unittest.TestCase):
    """A comparison that did not run says so and why; nothing is filled in."""

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="gen-baseline-test.")
        self.set = os.path.join(self.dir, "set")
        shutil.copytree(FIXTURE, self.set)

    def tearDown(self):
        shutil.rmtree(self.dir)

    def test_not_run_records_missing_files_and_missing_suite(self):
        with open(os.path.join(self.set, "peers", "testcontainers-node.json"), "w") as f:
            json.dump({"comparison": "testcontainers-node", "status": "not run",
                       "command": "bench/peers/testcontainers-node/compare.sh 2",
                       "reason": "exit 1: npm ERR! network request to registry failed"}, f)
        os.remove(os.path.join(self.set, "peers", "bats.json"))
        # another suite only: the sandbox ratios have nothing to come from
        os.rename(os.path.join(self.set, "sandbox_benchmarks.json"),
                  os.path.join(self.set, "memory_benchmarks.json"))
        md = generate(self.set)
        peers = md[md.index("## Peers, side by side"):md.index("## memory_benchmarks")]
        self.assertIn("not run: exit 1: npm ERR! network request to registry failed", peers)
        self.assertIn("Command: `bench/peers/testcontainers-node/compare.sh 2`", peers)
        self.assertIn("not run: this result set has no peers/bats.json", peers)
        self.assertIn("Command: `bench/peers/bats/compare.sh build/release/clnrm 10`", peers)
        self.assertIn("not run: sandbox_benchmarks is not in this result set", peers)
        self.assertNotIn("| met |", peers)
        self.assertNotIn("not met", peers)


if __name__ == "__main__":
    unittest.main(verbosity=2)
