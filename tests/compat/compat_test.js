// Drives `faultline serve` with the unmodified npm `toxiproxy-node-client`: if a Toxiproxy client
// works against Faultline unchanged, the wire contract holds. Run: node --test compat_test.js
// FAULTLINE_BIN points at the binary (default ../../build/bin/faultline).
'use strict';

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { spawn } = require('node:child_process');
const net = require('node:net');
const path = require('node:path');
const readline = require('node:readline');
const { Toxiproxy, ToxiproxyError } = require('toxiproxy-node-client');

const BIN = process.env.FAULTLINE_BIN || path.resolve(__dirname, '../../build/bin/faultline');
const START_DEADLINE_MS = 10000;

let server;      // the faultline child process
let apiUrl;      // http://127.0.0.1:PORT
let client;      // Toxiproxy client
let echo;        // net.Server echoing on 127.0.0.1
let echoAddress; // "127.0.0.1:PORT"

function withDeadline(promise, ms, what) {
  let timer;
  const deadline = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

function startServer() {
  return new Promise((resolve, reject) => {
    const child = spawn(BIN, ['serve', '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk) => { stderr += chunk; });
    child.on('error', reject);
    child.on('exit', (code) => reject(new Error(`faultline serve exited early with ${code}: ${stderr}`)));
    const lines = readline.createInterface({ input: child.stdout });
    lines.on('line', (line) => {
      const match = /control API listening on (http:\/\/\S+)/.exec(line);
      if (match) resolve({ child, url: match[1] });
    });
  });
}

function startEcho() {
  return new Promise((resolve) => {
    const srv = net.createServer((socket) => socket.pipe(socket));
    srv.listen(0, '127.0.0.1', () => resolve(srv));
  });
}

// Sends `message` through the proxy and resolves with [reply, elapsed ms] once it is echoed back.
function roundTrip(listen, message) {
  const [host, port] = [listen.slice(0, listen.lastIndexOf(':')), Number(listen.slice(listen.lastIndexOf(':') + 1))];
  return withDeadline(new Promise((resolve, reject) => {
    const socket = net.connect({ host, port });
    let received = '';
    let started;
    socket.on('connect', () => { started = process.hrtime.bigint(); socket.write(message); });
    socket.on('data', (chunk) => {
      received += chunk;
      if (received.length >= message.length) {
        const elapsed = Number(process.hrtime.bigint() - started) / 1e6;
        socket.destroy();
        resolve([received, elapsed]);
      }
    });
    socket.on('error', reject);
  }), 15000, `round trip through ${listen}`);
}

let proxyCounter = 0;
function uniqueName(prefix) {
  proxyCounter += 1;
  return `${prefix}_${proxyCounter}`;
}

async function createProxy(prefix) {
  return client.createProxy({ name: uniqueName(prefix), listen: '127.0.0.1:0', upstream: echoAddress });
}

before(async () => {
  const started = await withDeadline(startServer(), START_DEADLINE_MS, `starting ${BIN} serve --port 0`);
  server = started.child;
  apiUrl = started.url;
  client = new Toxiproxy(apiUrl);
  echo = await startEcho();
  echoAddress = `127.0.0.1:${echo.address().port}`;
});

after(async () => {
  if (echo) echo.close();
  if (server && server.exitCode === null) {
    server.removeAllListeners('exit');
    const exited = new Promise((resolve) => server.once('exit', resolve));
    server.kill('SIGTERM');
    await withDeadline(exited, 10000, 'faultline to exit on SIGTERM').catch(() => server.kill('SIGKILL'));
  }
});

test('getVersion answers a version of at least 2.6.0', async () => {
  const text = await client.getVersion();
  const version = JSON.parse(text).version;
  const [major, minor] = version.split('.').map(Number);
  assert.ok(major > 2 || (major === 2 && minor >= 6), `version ${version}`);
});

test('createProxy reports the bound listen address', async () => {
  const proxy = await createProxy('create');
  assert.equal(proxy.enabled, true);
  assert.equal(proxy.upstream, echoAddress);
  assert.match(proxy.listen, /^127\.0\.0\.1:\d+$/);
  assert.notEqual(proxy.listen, '127.0.0.1:0');
  await proxy.remove();
});

test('creating an existing proxy is rejected with 409', async () => {
  const proxy = await createProxy('dup');
  await assert.rejects(
    client.createProxy({ name: proxy.name, listen: '127.0.0.1:0', upstream: echoAddress }),
    (err) => err instanceof ToxiproxyError && /409/.test(err.message));
  await proxy.remove();
});

test('getAll and get find the proxy', async () => {
  const proxy = await createProxy('list');
  const all = await client.getAll();
  assert.ok(all[proxy.name], `missing ${proxy.name} in ${Object.keys(all)}`);
  assert.equal(all[proxy.name].listen, proxy.listen);
  const fetched = await client.get(proxy.name);
  assert.equal(fetched.upstream, echoAddress);
  await proxy.remove();
});

test('update disables and re-enables a proxy', async () => {
  const proxy = await createProxy('toggle');
  const disabled = await proxy.update({ enabled: false, listen: proxy.listen, upstream: proxy.upstream });
  assert.equal(disabled.enabled, false);
  const enabled = await proxy.update({ enabled: true, listen: proxy.listen, upstream: proxy.upstream });
  assert.equal(enabled.enabled, true);
  await proxy.remove();
});

test('remove deletes the proxy (then get is a 404)', async () => {
  const proxy = await createProxy('remove');
  await proxy.remove();
  await assert.rejects(client.get(proxy.name), (err) => /404/.test(err.message));
});

const toxicCases = [
  { type: 'latency', attributes: { latency: 100, jitter: 10 }, update: { latency: 200 } },
  { type: 'bandwidth', attributes: { rate: 1000 }, update: { rate: 50 } },
  { type: 'slow_close', attributes: { delay: 100 }, update: { delay: 300 } },
  { type: 'timeout', attributes: { timeout: 1000 }, update: { timeout: 2000 } },
  { type: 'slicer', attributes: { average_size: 64, size_variation: 16, delay: 10 }, update: { delay: 20 } },
  { type: 'limit_data', attributes: { bytes: 1024 }, update: { bytes: 2048 } },
  { type: 'reset_peer', attributes: { timeout: 500 }, update: { timeout: 800 } },
];

for (const c of toxicCases) {
  test(`toxic ${c.type}: add, get, update, remove`, async () => {
    const proxy = await createProxy(c.type);
    const toxic = await proxy.addToxic({
      name: `${c.type}_test`, type: c.type, stream: 'downstream', toxicity: 1, attributes: c.attributes,
    });
    assert.equal(toxic.type, c.type);
    assert.equal(toxic.stream, 'downstream');
    assert.deepEqual(toxic.attributes, c.attributes);

    const fetched = await proxy.getToxic(toxic.name);
    assert.deepEqual(fetched.attributes, c.attributes);

    const updated = await toxic.update({
      name: toxic.name, type: c.type, stream: 'downstream', toxicity: 0.5, attributes: { ...c.attributes, ...c.update },
    });
    assert.equal(updated.toxicity, 0.5);
    assert.deepEqual(updated.attributes, { ...c.attributes, ...c.update });

    await toxic.remove();
    await assert.rejects(proxy.getToxic(toxic.name), (err) => /404/.test(err.message));
    await proxy.remove();
  });
}

test('an http_abort toxic: string attributes round-trip typed, and requests get the synthetic answer', async () => {
  const proxy = await createProxy('http_abort');
  const toxic = await proxy.addToxic({
    name: 'partner_down', type: 'http_abort', stream: 'downstream', toxicity: 1,
    attributes: { status: 503, path: '/data*', percentage: 100 },
  });
  assert.equal(toxic.type, 'http_abort');
  assert.equal(toxic.attributes.status, 503);
  assert.equal(toxic.attributes.path, '/data*');
  const updated = await toxic.update({
    name: toxic.name, type: 'http_abort', stream: 'downstream', toxicity: 1, attributes: { status: '429', retry_after: 1 },
  });
  assert.equal(updated.attributes.status, 429);
  assert.equal(updated.attributes.path, '/data*');
  const answer = await fetch(`http://${proxy.listen}/data/1`);
  assert.equal(answer.status, 429);
  assert.equal(answer.headers.get('x-faultline-fault'), 'partner_down');
  assert.equal(answer.headers.get('retry-after'), '1');
  await answer.text();
  await toxic.remove();
  await proxy.remove();
});

test('a noop toxic is accepted (200) and passes bytes unchanged', async () => {
  const proxy = await createProxy('noop');
  const response = await fetch(`${apiUrl}/proxies/${proxy.name}/toxics`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ type: 'noop' }),
  });
  assert.equal(response.status, 200);
  const toxic = await response.json();
  assert.equal(toxic.type, 'noop');
  assert.deepEqual(toxic.attributes, {});
  const [echoed] = await roundTrip(proxy.listen, 'through noop');
  assert.equal(echoed, 'through noop');
  await proxy.remove();
});

test('a toxic added without a name gets <type>_<stream>', async () => {
  const proxy = await createProxy('defaults');
  const toxic = await proxy.addToxic({ type: 'latency', stream: 'upstream', attributes: { latency: 1 } });
  assert.equal(toxic.name, 'latency_upstream');
  assert.equal(toxic.toxicity, 1);
  await proxy.remove();
});

test('populate creates proxies and answers them by name', async () => {
  const names = [uniqueName('pop'), uniqueName('pop')];
  const proxies = await client.populate(names.map((name) => ({ name, listen: '127.0.0.1:0', upstream: echoAddress })));
  assert.deepEqual(Object.keys(proxies).sort(), [...names].sort());
  for (const name of names) assert.match(proxies[name].listen, /^127\.0\.0\.1:\d+$/);
  for (const name of names) await proxies[name].remove();
});

test('reset removes every toxic and enables every proxy', async () => {
  const proxy = await createProxy('reset');
  await proxy.addToxic({ type: 'latency', stream: 'downstream', toxicity: 1, attributes: { latency: 10 } });
  await proxy.update({ enabled: false, listen: proxy.listen, upstream: proxy.upstream });
  await client.reset();
  const response = await client.getApi().get(`${apiUrl}/proxies/${proxy.name}`);
  assert.equal(response.data.enabled, true);
  assert.deepEqual(response.data.toxics, []);
  await proxy.remove();
});

test('a latency toxic really delays traffic through the proxy', async () => {
  const proxy = await createProxy('traffic');
  const [plain] = await roundTrip(proxy.listen, 'hello');
  assert.equal(plain, 'hello');

  const toxic = await proxy.addToxic({
    name: 'slow', type: 'latency', stream: 'downstream', toxicity: 1, attributes: { latency: 300, jitter: 0 },
  });
  const [delayed, elapsed] = await roundTrip(proxy.listen, 'world');
  assert.equal(delayed, 'world');
  // Generous bound: only the lower one matters (the toxic must have acted).
  assert.ok(elapsed >= 280, `round trip took ${elapsed} ms, expected at least 300 ms of latency`);

  await toxic.remove();
  const [after] = await roundTrip(proxy.listen, 'again');
  assert.equal(after, 'again');
  await proxy.remove();
});

test('reset keeps open connections flowing', async () => {
  const proxy = await createProxy('keep');
  const [host, port] = [proxy.listen.slice(0, proxy.listen.lastIndexOf(':')), Number(proxy.listen.slice(proxy.listen.lastIndexOf(':') + 1))];
  const socket = net.connect({ host, port });
  const echoOnce = (message) => withDeadline(new Promise((resolve, reject) => {
    let received = '';
    const onData = (chunk) => {
      received += chunk;
      if (received.length >= message.length) {
        socket.off('data', onData);
        resolve(received);
      }
    };
    socket.on('data', onData);
    socket.once('error', reject);
    socket.write(message);
  }), 10000, 'echo on a kept connection');
  try {
    await withDeadline(new Promise((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    }), 10000, 'connect');
    assert.equal(await echoOnce('before'), 'before');
    await client.reset();
    assert.equal(await echoOnce('after'), 'after');
  } finally {
    socket.destroy();
    await proxy.remove();
  }
});
