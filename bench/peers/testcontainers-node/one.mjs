// One fresh container, one exec, stop + remove: the testcontainers-node side
// of whole_process_docker.sh, run as a whole process (`node one.mjs`), as a
// user runs a test file. Same image, network mode none, no Ryuk (as bench.mjs).
import { GenericContainer } from "testcontainers";

process.env.TESTCONTAINERS_RYUK_DISABLED ??= "true";
process.env.TESTCONTAINERS_HOST_OVERRIDE ??= "127.0.0.1";

const image = process.env.CLNRM_BENCH_IMAGE ?? "clnrm-test/busybox";
const c = await new GenericContainer(image).withCommand(["sleep", "2147483647"]).withNetworkMode("none").start();
const r = await c.exec(["echo", "hello"]);
await c.stop({ timeout: 0 });
if (r.exitCode !== 0 || !r.output.startsWith("hello")) throw new Error(`exec failed: ${JSON.stringify(r)}`);
