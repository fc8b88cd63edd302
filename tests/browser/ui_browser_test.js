// The web UI (GET /ui) in a real browser: Debian's chromium driven by puppeteer-core (issue 15).
// Starts `faultline serve` with one proxy in front of an echo server, opens the printed
// /ui#token=... URL, and checks what a user would do there, verifying each effect from outside
// the page: a latency toxic added through the form is in GET /proxies; a connection killed from
// the table ends for its client; an event shows in the feed within a second; a toxic edited and
// one removed, the proxy disabled and enabled through the page show in the API; the API refuses
// the browser without the token (403). Saves a screenshot (path printed).
//
// Exit codes: 0 passed, 1 failed, 77 skipped (ctest SKIP_RETURN_CODE): no chromium, or no
// `npm ci` in this folder. Chromium, faultline and the echo server are stopped in every case.
"use strict";

const fs = require("node:fs");
const http = require("node:http");
const net = require("node:net");
const os = require("node:os");
const path = require("node:path");
const assert = require("node:assert/strict");
const { spawn } = require("node:child_process");

const SKIP = 77;
const chromiumPath = process.env.CHROMIUM_BIN || "/usr/bin/chromium";
const faultlineBin = process.env.FAULTLINE_BIN;
// ctest sets it to a folder under the build dir; by hand the screenshots go to the temp dir.
const artifactsDir = process.env.FAULTLINE_BROWSER_ARTIFACTS || path.join(os.tmpdir(), "faultline-browser-artifacts");
const overallTimeoutMs = Number(process.env.FAULTLINE_BROWSER_TIMEOUT_MS || 60000);

function skip(why) {
  console.log("SKIP: " + why);
  process.exit(SKIP);
}

let puppeteer;
try {
  puppeteer = require("puppeteer-core");
} catch (err) {
  skip("puppeteer-core is not installed: run `npm ci` in " + __dirname + " (scripts/setup --test-deps does it)");
}
if (!fs.existsSync(chromiumPath)) skip("no chromium at " + chromiumPath + " (apt-get install chromium, or set CHROMIUM_BIN)");
if (!faultlineBin || !fs.existsSync(faultlineBin)) {
  console.error("FAIL: FAULTLINE_BIN is not set to the faultline binary (ctest sets it)");
  process.exit(1);
}

const cleanups = [];  // run in reverse order, whatever happened
let echoServer = null;
let serve = null;
let browser = null;

function step(what) {
  console.log("[" + new Date().toISOString().slice(11, 23) + "] " + what);
}

function startEcho() {
  return new Promise((resolve, reject) => {
    const sockets = new Set();
    const server = net.createServer((socket) => {
      sockets.add(socket);
      socket.on("close", () => sockets.delete(socket));
      socket.on("error", () => {});
      socket.pipe(socket);
    });
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      cleanups.push(() => {
        for (const s of sockets) s.destroy();
        server.close();
      });
      resolve(server);
    });
  });
}

// Resolves with {api, uiUrl, proxyListen} once serve has printed its web UI line.
function startServe(upstreamPort) {
  return new Promise((resolve, reject) => {
    const args = ["serve", "--host", "127.0.0.1", "--port", "0", "--log-level", "warn",
                  "--proxy", "web=127.0.0.1:0=127.0.0.1:" + upstreamPort];
    serve = spawn(faultlineBin, args, { stdio: ["ignore", "pipe", "pipe"] });
    cleanups.push(() => stopProcess(serve));
    let out = "";
    let proxyListen = null;
    const timer = setTimeout(() => reject(new Error("faultline serve printed no web UI line in 15 s:\n" + out)), 15000);
    serve.stdout.on("data", (data) => {
      out += data;
      const proxy = /proxy web listening on (\S+)/.exec(out);
      if (proxy) proxyListen = proxy[1];
      const ui = /web UI: (http:\/\/(\S+?)\/ui#token=(\S+))/.exec(out);
      if (ui && proxyListen) {
        clearTimeout(timer);
        resolve({ uiUrl: ui[1], api: ui[2], token: ui[3], proxyListen });
      }
    });
    serve.stderr.on("data", (data) => process.stderr.write("[faultline] " + data));
    serve.on("exit", (code, signal) => {
      clearTimeout(timer);
      reject(new Error("faultline serve exited early code=" + code + " signal=" + signal + "\n" + out));
    });
  });
}

function stopProcess(child) {
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const hard = setTimeout(() => child.kill("SIGKILL"), 3000);
    child.once("exit", () => {
      clearTimeout(hard);
      resolve();
    });
    child.kill("SIGTERM");
  });
}

// One API call from outside the browser (a non-browser user agent, the way the CLI calls it).
function apiCall(api, method, urlPath, body) {
  return new Promise((resolve, reject) => {
    const [host, port] = [api.slice(0, api.lastIndexOf(":")), Number(api.slice(api.lastIndexOf(":") + 1))];
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = http.request({ host, port, method, path: urlPath, headers: {
      "User-Agent": "faultline-browser-test", "Content-Type": "application/json",
      ...(payload ? { "Content-Length": Buffer.byteLength(payload) } : {}) } }, (res) => {
      let text = "";
      res.on("data", (d) => (text += d));
      res.on("end", () => resolve({ status: res.statusCode, text, json: text ? JSON.parse(text) : null }));
    });
    req.setTimeout(5000, () => req.destroy(new Error(method + " " + urlPath + " timed out")));
    req.on("error", reject);
    req.end(payload);
  });
}

async function waitUntil(what, predicate, timeoutMs) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await predicate();
    if (value) return value;
    if (Date.now() > until) throw new Error("timed out after " + timeoutMs + " ms waiting for " + what);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function run() {
  const echo = await startEcho();
  const { uiUrl, api, proxyListen } = await startServe(echo.address().port);
  step("faultline serve: UI " + uiUrl.replace(/token=.*/, "token=...") + ", proxy web on " + proxyListen);

  browser = await puppeteer.launch({ executablePath: chromiumPath, headless: true,
                                     args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"] });
  cleanups.push(async () => {
    const proc = browser.process();
    await Promise.race([browser.close().catch(() => {}), new Promise((r) => setTimeout(r, 3000))]);
    if (proc && proc.exitCode === null && proc.signalCode === null) proc.kill("SIGKILL");
  });
  const page = await browser.newPage();
  await page.setViewport({ width: 1280, height: 900 });
  const pageErrors = [];
  page.on("pageerror", (err) => pageErrors.push(String(err)));
  await page.goto(uiUrl, { waitUntil: "load", timeout: 10000 });
  await page.waitForFunction(() => document.getElementById("status").textContent.startsWith("live"),
                             { timeout: 10000, polling: 50 });
  step("page loaded: " + (await page.$eval("#status", (el) => el.textContent)));

  // 1. Add a latency toxic through the form; GET /proxies (from here, not the page) shows it.
  await page.select("#tx-proxy", "web");
  await page.select("#tx-type", "latency");
  await page.waitForSelector('#tx-attrs input[data-attr="latency"]', { timeout: 5000 });
  await page.$eval('#tx-attrs input[data-attr="latency"]', (el) => { el.value = ""; });
  await page.type('#tx-attrs input[data-attr="latency"]', "25");
  await page.type("#tx-name", "ui_latency");
  await page.click("#tx-add");
  const proxies = await waitUntil("the form's toxic in GET /proxies", async () => {
    const r = await apiCall(api, "GET", "/proxies");
    const toxic = (r.json.web.toxics || []).find((t) => t.name === "ui_latency");
    return toxic ? r.json : null;
  }, 5000);
  const added = proxies.web.toxics.find((t) => t.name === "ui_latency");
  assert.equal(added.type, "latency");
  assert.equal(added.attributes.latency, 25);
  step("form added toxic: " + JSON.stringify(added));
  await page.waitForFunction(() => document.getElementById("toxics").textContent.includes("ui_latency"),
                             { timeout: 5000, polling: 50 });

  // 2. A connection through the proxy, killed from the connections table: its client sees the end.
  const [host, port] = [proxyListen.slice(0, proxyListen.lastIndexOf(":")),
                        Number(proxyListen.slice(proxyListen.lastIndexOf(":") + 1))];
  const client = net.connect(port, host);
  cleanups.push(() => client.destroy());
  const ended = new Promise((resolve) => client.once("close", resolve));
  client.on("error", () => {});
  let echoed = "";
  client.on("data", (d) => (echoed += d));
  await new Promise((resolve, reject) => { client.once("connect", resolve); client.once("error", reject); });
  client.write("hello through the ui");
  await waitUntil("the echo through the proxy", () => echoed === "hello through the ui", 5000);
  const conns = await apiCall(api, "GET", "/proxies/web/connections");
  assert.equal(conns.json.length, 1, "one live connection: " + conns.text);
  const connId = conns.json[0].id;
  const killSelector = 'button[data-kill="web/' + connId + '"]';
  await page.waitForSelector(killSelector, { timeout: 5000 });
  step("connection " + connId + " is in the table; clicking kill");
  // The screenshot shows the page with the toxic and the live connection (before the kill).
  fs.mkdirSync(artifactsDir, { recursive: true });
  const shot = path.join(artifactsDir, "ui.png");
  await page.screenshot({ path: shot, fullPage: true });
  await page.click(killSelector);
  await Promise.race([ended, new Promise((_, reject) => setTimeout(() => reject(
    new Error("the killed connection's client saw no end within 5 s")), 5000))]);
  step("client saw its connection end");
  await waitUntil("the killed connection gone from GET /connections", async () =>
    (await apiCall(api, "GET", "/proxies/web/connections")).json.length === 0, 5000);
  await page.waitForFunction(() => /connection_closed web conn=\d+ reason=killed/.test(
    document.getElementById("events").textContent), { timeout: 5000, polling: 50 });

  // 3. An event caused from outside shows in the feed within a second (pushed, not polled).
  const before = Date.now();
  const created = await apiCall(api, "POST", "/proxies/web/toxics",
                                { name: "from_outside", type: "timeout", stream: "upstream", attributes: { timeout: 0 } });
  assert.equal(created.status, 200, created.text);
  await page.waitForFunction(() => document.getElementById("events").textContent.includes("toxic_added web name=from_outside"),
                             { timeout: 1000, polling: 20 });
  step("event in the feed " + (Date.now() - before) + " ms after the API call");

  // 4. Edit a toxic, remove one, disable and enable the proxy, all through the page.
  const latencyInput = 'input[data-tattr="web/ui_latency/latency"]';
  await page.waitForSelector(latencyInput, { timeout: 5000 });
  await page.click(latencyInput, { clickCount: 3 });  // focus + select: the refresh leaves it alone
  await page.keyboard.type("40");
  await page.click('button[data-save="web/ui_latency"]');
  await waitUntil("the edited latency in GET /proxies", async () =>
    ((await apiCall(api, "GET", "/proxies")).json.web.toxics.find((t) => t.name === "ui_latency") || {})
      .attributes?.latency === 40, 5000);
  await page.waitForSelector('button[data-remove="web/from_outside"]', { timeout: 5000 });
  await page.click('button[data-remove="web/from_outside"]');
  await waitUntil("the removed toxic gone from GET /proxies", async () =>
    !(await apiCall(api, "GET", "/proxies")).json.web.toxics.some((t) => t.name === "from_outside"), 5000);
  await page.click('button[data-toggle="web"][data-enabled="true"]');
  await waitUntil("the proxy disabled", async () => (await apiCall(api, "GET", "/proxies")).json.web.enabled === false, 5000);
  await page.waitForSelector('button[data-toggle="web"][data-enabled="false"]', { timeout: 5000 });
  await page.click('button[data-toggle="web"][data-enabled="false"]');
  await waitUntil("the proxy enabled again", async () => (await apiCall(api, "GET", "/proxies")).json.web.enabled === true, 5000);
  step("edited, removed, disabled and enabled through the page");

  // 5. The browser without the token gets 403 from the API (the page itself is public).
  const statuses = await page.evaluate(async (token) => {
    const without = await fetch("/proxies");
    const withToken = await fetch("/proxies", { headers: { Authorization: "Bearer " + token } });
    const events = await fetch("/events?recent=1");
    return { without: without.status, body: await without.text(), withToken: withToken.status, events: events.status };
  }, new URL(uiUrl).hash.replace(/^#token=/, ""));
  assert.equal(statuses.without, 403, "GET /proxies from the browser without the token: " + JSON.stringify(statuses));
  assert.equal(statuses.events, 403, "GET /events from the browser without the token: " + JSON.stringify(statuses));
  assert.equal(statuses.withToken, 200, "GET /proxies with the token: " + JSON.stringify(statuses));
  step("browser without token: " + statuses.without + " " + statuses.body.trim() + "; with token: " + statuses.withToken);

  // Final screenshot with the event feed filled in.
  await page.screenshot({ path: path.join(artifactsDir, "ui-events.png"), fullPage: true });
  assert.deepEqual(pageErrors, [], "the page threw");
  console.log("screenshot: " + shot);
  console.log("screenshot: " + path.join(artifactsDir, "ui-events.png"));
}

async function cleanup() {
  while (cleanups.length > 0) {
    try {
      await cleanups.pop()();
    } catch (err) {
      console.error("cleanup: " + err);
    }
  }
}

const watchdog = setTimeout(async () => {
  console.error("FAIL: the browser test took over " + overallTimeoutMs + " ms");
  await cleanup();
  process.exit(1);
}, overallTimeoutMs);

run().then(async () => {
  clearTimeout(watchdog);
  await cleanup();
  console.log("PASS: ui_browser_test");
  process.exit(0);
}, async (err) => {
  clearTimeout(watchdog);
  console.error("FAIL: " + (err && err.stack ? err.stack : err));
  await cleanup();
  process.exit(1);
});
