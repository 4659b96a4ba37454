// The docker benchmark workload with testcontainers-node, against the same
// engine and image as bench/docker_benchmarks.cpp:
//   fresh: start a container, one exec, stop+remove it
//   warm:  one exec in a running container
// Prints one JSON object per workload: {"name", "iterations", "median_ms", "mean_ms", "min_ms"}.
// Usage: node bench.mjs [fresh_iterations=10] [warm_iterations=50]
import { GenericContainer } from "testcontainers";

process.env.TESTCONTAINERS_RYUK_DISABLED ??= "true";     // no reaper side-car (it needs a bridge)
process.env.TESTCONTAINERS_HOST_OVERRIDE ??= "127.0.0.1"; // the engine has no bridge network

const image = process.env.CLNRM_BENCH_IMAGE ?? "clnrm-test/busybox";
const freshIterations = Number(process.argv[2] ?? 10);
const warmIterations = Number(process.argv[3] ?? 50);

function container() {
  return new GenericContainer(image).withCommand(["sleep", "2147483647"]).withNetworkMode("none");
}

function summary(name, samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  const median = sorted.length % 2 ? sorted[(sorted.length - 1) / 2]
                                   : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
  const mean = samples.reduce((a, b) => a + b, 0) / samples.length;
  return { name, iterations: samples.length, median_ms: +median.toFixed(2), mean_ms: +mean.toFixed(2),
           min_ms: +sorted[0].toFixed(2) };
}

async function check(result) {
  if (result.exitCode !== 0) throw new Error(`exec failed: ${JSON.stringify(result)}`);
}

async function fresh() {
  const samples = [];
  for (let i = 0; i < freshIterations + 1; i++) {
    const t0 = performance.now();
    const c = await container().start();
    await check(await c.exec(["true"]));
    await c.stop({ timeout: 0 });  // kill + remove, like clnrm's teardown
    if (i > 0) samples.push(performance.now() - t0);  // the first one warms up the client
  }
  return summary("fresh", samples);
}

async function warm() {
  const c = await container().start();
  try {
    await check(await c.exec(["true"]));
    const samples = [];
    for (let i = 0; i < warmIterations; i++) {
      const t0 = performance.now();
      await check(await c.exec(["true"]));
      samples.push(performance.now() - t0);
    }
    return summary("warm", samples);
  } finally {
    await c.stop({ timeout: 0 });
  }
}

const which = process.env.CLNRM_BENCH_ONLY;
if (!which || which === "fresh") console.log(JSON.stringify(await fresh()));
if (!which || which === "warm") console.log(JSON.stringify(await warm()));
