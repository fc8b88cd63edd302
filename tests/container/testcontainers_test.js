// The faultline image, driven the way teams drive ghcr.io/shopify/toxiproxy: through the npm
// Testcontainers Toxiproxy module, unchanged, over podman's Docker-compatible socket.
// run_container_tests.sh builds the image and starts the socket; it sets FAULTLINE_IMAGE,
// DOCKER_HOST and TESTCONTAINERS_RYUK_DISABLED.
"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const http = require("node:http");
const { execFileSync } = require("node:child_process");
const { GenericContainer, Wait } = require("testcontainers");
const { ToxiProxyContainer } = require("@testcontainers/toxiproxy");

const IMAGE = process.env.FAULTLINE_IMAGE;
if (!IMAGE) throw new Error("FAULTLINE_IMAGE is not set: run this through run_container_tests.sh");

// One HTTP GET; resolves with the status, the body and how long the answer took.
function get(host, port, path) {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const request = http.get({ host, port, path, agent: false, timeout: 10_000 }, (response) => {
      let body = "";
      response.setEncoding("utf8");
      response.on("data", (chunk) => (body += chunk));
      response.on("end", () =>
        resolve({ status: response.statusCode, body, ms: Number(process.hrtime.bigint() - started) / 1e6 }));
    });
    request.on("timeout", () => request.destroy(new Error(`GET ${host}:${port}${path} timed out`)));
    request.on("error", reject);
  });
}

// Polls `check` (bounded) until it returns true.
async function eventually(what, check, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await check()) return;
    } catch (_) {
      // not yet
    }
    if (Date.now() > deadline) assert.fail(`${what} did not happen within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

// conmon (podman's per-container monitor) can outlive a container Testcontainers has stopped and
// removed: an exec session (container.exec) has a conmon of its own started with
// `--exit-delay 300`, which keeps the exec's exit code for five minutes after the container is
// gone. Stop, wait (bounded) for every conmon naming this container's id to exit, end the ones
// that linger by pid (they are this test's, found by the full 64-hex id), and fail only if one
// survives that: the test leaves no process of its own behind.
function conmonPids(id) {
  try {
    return execFileSync("pgrep", ["-f", `conmon .*-c ${id}`], { encoding: "utf8" })
      .split("\n").filter(Boolean).map(Number);
  } catch (_) {
    return [];  // pgrep exits 1 when nothing matched
  }
}

async function waitGone(id, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (conmonPids(id).length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  return conmonPids(id);
}

async function stopAndReap(container) {
  const id = container.getId();
  await container.stop();
  const lingering = await waitGone(id, 2_000);
  if (lingering.length === 0) return;
  console.log(`conmon of ${id.slice(0, 12)} outlived the container (pids ${lingering.join(" ")}): ending it`);
  for (const pid of lingering) {
    try {
      process.kill(pid, "SIGTERM");
    } catch (_) {
      // already gone
    }
  }
  const survivors = await waitGone(id, 3_000);
  assert.deepEqual(survivors, [], `conmon of container ${id} still running after SIGTERM`);
}

test("the image is Toxiproxy's shape: ENTRYPOINT /toxiproxy, CMD -host=0.0.0.0, non-root, EXPOSE 8474", () => {
  const [config] = JSON.parse(execFileSync("podman", ["image", "inspect", IMAGE], { encoding: "utf8" }));
  const c = config.Config;
  assert.deepEqual(c.Entrypoint, ["/toxiproxy"]);
  assert.deepEqual(c.Cmd, ["-host=0.0.0.0"]);
  assert.equal(c.User, "65532:65532");
  assert.ok(Object.keys(c.ExposedPorts).includes("8474/tcp"), JSON.stringify(c.ExposedPorts));
});

test("ToxiProxyContainer: create a proxy, a latency toxic slows its traffic, removing it restores it", async () => {
  const container = await new ToxiProxyContainer(IMAGE).start();
  try {
    // The upstream is the container's own control API: traffic stays inside the container.
    const proxy = await container.createProxy({ name: "api_self", upstream: "127.0.0.1:8474" });
    const healthy = await get(proxy.host, proxy.port, "/version");
    assert.equal(healthy.status, 200);
    assert.equal(JSON.parse(healthy.body).version, "2.12.0");

    const toxic = await proxy.instance.addToxic({
      type: "latency", name: "slow", stream: "downstream", toxicity: 1, attributes: { latency: 300, jitter: 0 },
    });
    const slow = await get(proxy.host, proxy.port, "/version");
    assert.equal(slow.status, 200);
    assert.ok(slow.ms >= 290, `with a 300 ms latency toxic the answer came after ${slow.ms} ms`);

    await toxic.remove();
    const restored = await get(proxy.host, proxy.port, "/version");
    assert.equal(restored.status, 200);
    assert.ok(restored.ms < slow.ms, `after removing the toxic: ${restored.ms} ms, with it: ${slow.ms} ms`);

    // setEnabled(false) is how the module cuts a dependency: new connections are refused.
    await proxy.setEnabled(false);
    await assert.rejects(get(proxy.host, proxy.port, "/version"));
    await proxy.setEnabled(true);
    await eventually("the re-enabled proxy answering", async () => (await get(proxy.host, proxy.port, "/version")).status === 200);
  } finally {
    await stopAndReap(container);
  }
});

test("toxiproxy-server's -config /path.json and /toxiproxy-cli work in the image", async () => {
  const config = JSON.stringify([{ name: "from_json", listen: "0.0.0.0:8666", upstream: "127.0.0.1:8474" }]);
  const container = await new GenericContainer(IMAGE)
    .withCommand(["-host=0.0.0.0", "-config", "/config.json"])
    .withCopyContentToContainer([{ content: config, target: "/config.json" }])
    .withExposedPorts(8474, 8666)
    .withWaitStrategy(Wait.forHttp("/version", 8474))
    .start();
  try {
    const proxies = await get(container.getHost(), container.getMappedPort(8474), "/proxies");
    assert.ok(JSON.parse(proxies.body).from_json, proxies.body);
    const through = await get(container.getHost(), container.getMappedPort(8666), "/version");
    assert.equal(through.status, 200);

    const cli = await container.exec(["/toxiproxy-cli", "list"]);
    assert.equal(cli.exitCode, 0, cli.output);
    assert.match(cli.output, /from_json/);
  } finally {
    await stopAndReap(container);
  }
});

test("/faultline serve --config rules.yaml: the rules file is watched inside the container", async () => {
  const rules = (name) =>
    `version: 1\nproxies:\n  - name: ${name}\n    listen: 0.0.0.0:8666\n    upstream: 127.0.0.1:8474\n`;
  const container = await new GenericContainer(IMAGE)
    .withEntrypoint(["/faultline"])
    .withCommand(["serve", "--host", "0.0.0.0", "--config", "/rules/rules.yaml"])
    .withCopyContentToContainer([{ content: rules("first"), target: "/rules/rules.yaml", mode: 0o644 }])
    .withExposedPorts(8474, 8666)
    .withWaitStrategy(Wait.forHttp("/version", 8474))
    .start();
  try {
    const api = [container.getHost(), container.getMappedPort(8474)];
    assert.ok(JSON.parse((await get(...api, "/proxies")).body).first);
    await container.copyContentToContainer([{ content: rules("second"), target: "/rules/rules.yaml", mode: 0o644 }]);
    await eventually("the rewritten rules file taking effect", async () => {
      const proxies = JSON.parse((await get(...api, "/proxies")).body);
      return proxies.second !== undefined && proxies.first === undefined;
    });
  } finally {
    await stopAndReap(container);
  }
});
