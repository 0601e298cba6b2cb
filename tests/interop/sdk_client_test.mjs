#!/usr/bin/env node
// End-to-end interop test: the official MCP TypeScript SDK client against the
// TailOps gateway binary, over Streamable HTTP (bearer token) and stdio.
//
// Usage: node tests/interop/sdk_client_test.mjs --gateway /path/to/tailops-gateway [--verbose]
//
// Prints one line per check ("ok - NAME" / "not ok - NAME: WHY") and ends with
// "N passed, M failed". Exit code 1 if any check failed.

import { spawn, execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';

// ---------------------------------------------------------------- arguments

function parseArgs(argv) {
  const opts = { gateway: null, verbose: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--gateway') opts.gateway = argv[++i];
    else if (a.startsWith('--gateway=')) opts.gateway = a.slice('--gateway='.length);
    else if (a === '--verbose' || a === '-v') opts.verbose = true;
    else if (a === '--help' || a === '-h') {
      console.log('usage: node sdk_client_test.mjs --gateway /path/to/tailops-gateway [--verbose]');
      process.exit(0);
    } else {
      console.error(`unknown argument: ${a}`);
      process.exit(2);
    }
  }
  if (!opts.gateway) {
    console.error('usage: node sdk_client_test.mjs --gateway /path/to/tailops-gateway [--verbose]');
    process.exit(2);
  }
  opts.gateway = path.resolve(opts.gateway);
  return opts;
}

const opts = parseArgs(process.argv.slice(2));

// ---------------------------------------------------------------- reporting

let passed = 0;
let failed = 0;

function ok(name) {
  passed++;
  console.log(`ok - ${name}`);
}

function notOk(name, why) {
  failed++;
  const oneLine = String(why).replace(/\s+/g, ' ').trim();
  console.log(`not ok - ${name}: ${oneLine}`);
}

function check(name, cond, why) {
  if (cond) ok(name);
  else notOk(name, typeof why === 'function' ? why() : why);
  return !!cond;
}

function info(msg) {
  console.log(`# ${msg}`);
}

function debug(msg) {
  if (opts.verbose) console.log(`# [debug] ${msg}`);
}

function errText(e) {
  if (!e) return String(e);
  const code = e.code !== undefined ? `[${e.code}] ` : '';
  return `${code}${e.message ?? e}`;
}

function short(v, n = 300) {
  let s;
  try { s = JSON.stringify(v); } catch { s = String(v); }
  if (s === undefined) s = String(v);
  return s.length > n ? `${s.slice(0, n)}...` : s;
}

// Run an async step; a thrown error becomes a failed check with that name.
async function step(name, fn) {
  try {
    return await fn();
  } catch (e) {
    notOk(name, errText(e));
    return undefined;
  }
}

function withTimeout(promise, ms, what) {
  let timer;
  const t = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, t]).finally(() => clearTimeout(timer));
}

// ---------------------------------------------------------------- environment

const SECRET = randomBytes(32).toString('hex');
const gatewayEnv = { ...process.env, TAILOPS_SHARED_SECRET: SECRET };

const configDir = mkdtempSync(path.join(tmpdir(), 'tailops-sdk-test-'));
writeFileSync(path.join(configDir, 'gateway.yaml'), 'mcp:\n  page_size: 1\n');

const REQUEST_TIMEOUT_MS = 10000;
const reqOpts = { timeout: REQUEST_TIMEOUT_MS };

// Processes we spawned ourselves, killed on the way out no matter what.
const ownChildren = new Set();

function killChild(child) {
  if (child && child.exitCode === null && child.signalCode === null) {
    try { process.kill(child.pid, 'SIGKILL'); } catch { /* already gone */ }
  }
}

process.on('exit', () => {
  for (const c of ownChildren) killChild(c);
  try { rmSync(configDir, { recursive: true, force: true }); } catch { /* ignore */ }
});
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => { process.exit(130); });
}

// ---------------------------------------------------------------- /proc facts

function procFacts() {
  const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  const cpuCount = cpuinfo.split('\n').filter((l) => /^processor\s*:/.test(l)).length;
  const meminfo = readFileSync('/proc/meminfo', 'utf8');
  const m = meminfo.match(/^MemTotal:\s+(\d+)\s*kB/m);
  const memTotalBytes = m ? Number(m[1]) * 1024 : NaN;
  const uptime = Number(readFileSync('/proc/uptime', 'utf8').trim().split(/\s+/)[0]);
  const la = readFileSync('/proc/loadavg', 'utf8').trim().split(/\s+/).slice(0, 3).map(Number);
  return { cpuCount, memTotalBytes, uptime, load: { '1m': la[0], '5m': la[1], '15m': la[2] } };
}

function isNum(v) {
  return typeof v === 'number' && Number.isFinite(v);
}

// Checks a get_system_status CallToolResult against /proc. `p` prefixes check names.
function checkSystemStatus(p, res) {
  if (!check(`${p} get_system_status returned a result`, res && typeof res === 'object', 'no result')) return;
  check(`${p} get_system_status isError is not true`, res.isError !== true,
    () => `isError=true, content=${short(res.content)}`);
  check(`${p} get_system_status content[0].type === "text"`,
    Array.isArray(res.content) && res.content.length > 0 && res.content[0]?.type === 'text',
    () => `content=${short(res.content)}`);
  const sc = res.structuredContent;
  if (!check(`${p} get_system_status has structuredContent object`,
    sc && typeof sc === 'object' && !Array.isArray(sc), () => `structuredContent=${short(sc)}`)) return;
  debug(`${p} structuredContent=${short(sc, 2000)}`);

  const f = procFacts();

  check(`${p} target is "local"`, sc.target === 'local', () => `target=${short(sc.target)}`);
  check(`${p} hostname is a non-empty string`, typeof sc.hostname === 'string' && sc.hostname.length > 0,
    () => `hostname=${short(sc.hostname)}`);
  check(`${p} cpu_count matches /proc/cpuinfo`, sc.cpu_count === f.cpuCount,
    () => `got ${short(sc.cpu_count)}, /proc/cpuinfo has ${f.cpuCount} processor lines`);
  check(`${p} memory.total_bytes matches /proc/meminfo MemTotal`,
    sc.memory && sc.memory.total_bytes === f.memTotalBytes,
    () => `got ${short(sc.memory?.total_bytes)}, expected ${f.memTotalBytes}`);
  check(`${p} uptime_seconds within 5 s of /proc/uptime`,
    isNum(sc.uptime_seconds) && Math.abs(sc.uptime_seconds - f.uptime) <= 5,
    () => `got ${short(sc.uptime_seconds)}, /proc/uptime ${f.uptime}`);

  const la = sc.load_average;
  const laOk = la && typeof la === 'object'
    && ['1m', '5m', '15m'].every((k) => isNum(la[k]) && Math.abs(la[k] - f.load[k]) <= 1.0);
  check(`${p} load_average 1m/5m/15m within 1.0 of /proc/loadavg`, laOk,
    () => `got ${short(la)}, /proc/loadavg ${short(f.load)}`);

  const disks = sc.disks;
  const root = Array.isArray(disks) ? disks.find((d) => d && d.mount === '/') : undefined;
  check(`${p} disks non-empty with "/" total_bytes > 0`,
    Array.isArray(disks) && disks.length > 0 && root && isNum(root.total_bytes) && root.total_bytes > 0,
    () => `disks=${short(disks)}`);
}

// ---------------------------------------------------------------- tools/list

async function listAllTools(client) {
  const pages = [];
  const tools = [];
  const seenCursors = new Set();
  let cursor;
  for (let i = 0; i < 200; i++) {
    const r = await client.listTools(cursor !== undefined ? { cursor } : {}, reqOpts);
    pages.push(r.tools.length);
    tools.push(...r.tools);
    cursor = r.nextCursor;
    if (cursor === undefined || cursor === null) return { pages, tools, loop: false };
    if (seenCursors.has(cursor)) return { pages, tools, loop: true };
    seenCursors.add(cursor);
  }
  return { pages, tools, loop: true };
}

function checkToolList(p, listing) {
  if (!listing) return;
  const { pages, tools, loop } = listing;
  info(`${p} tools/list: ${pages.length} page(s), sizes [${pages.join(',')}], tools: ${tools.map((t) => t.name).join(', ')}`);
  check(`${p} tools/list pagination terminates`, !loop, 'nextCursor repeated or more than 200 pages');
  check(`${p} tools/list returned more than one page (page_size 1)`, pages.length > 1,
    () => `${pages.length} page(s)`);
  check(`${p} tools/list pages respect page_size 1`, pages.every((n) => n <= 1),
    () => `page sizes [${pages.join(',')}]`);
  const names = tools.map((t) => t.name);
  check(`${p} tools/list names unique across pages`, new Set(names).size === names.length,
    () => `names=${names.join(',')}`);
  for (const want of ['list_targets', 'get_system_status']) {
    const t = tools.find((x) => x.name === want);
    if (!check(`${p} tool ${want} listed`, t, () => `not in [${names.join(', ')}]`)) continue;
    const problems = [];
    if (typeof t.description !== 'string' || t.description.length === 0) problems.push('missing description');
    if (!t.inputSchema || typeof t.inputSchema !== 'object' || t.inputSchema.type !== 'object') {
      problems.push(`bad inputSchema ${short(t.inputSchema)}`);
    }
    if (!t.annotations || t.annotations.readOnlyHint !== true) {
      problems.push(`annotations.readOnlyHint !== true (annotations=${short(t.annotations)})`);
    }
    check(`${p} tool ${want} has name, description, inputSchema, readOnlyHint`, problems.length === 0,
      () => problems.join('; '));
  }
}

// ---------------------------------------------------------------- gateway process helpers

function runCapture(file, args, env, timeoutMs = 10000) {
  return new Promise((resolve) => {
    execFile(file, args, { env, timeout: timeoutMs, maxBuffer: 1 << 20 }, (error, stdout, stderr) => {
      resolve({ error, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

async function mintToken(env) {
  const r = await runCapture(opts.gateway,
    ['token', 'mint', '--agent', 'sdk-test', '--scopes', 'admin', '--ttl', '1h'], env);
  if (r.error) {
    throw new Error(`token mint failed (${r.error.code ?? r.error.signal ?? r.error.message}): ${r.stderr.trim()}`);
  }
  const token = r.stdout.trim();
  if (!token || /\s/.test(token)) throw new Error(`token mint printed unexpected stdout: ${short(r.stdout)}`);
  return token;
}

// Spawns `serve` over HTTP, resolves { child, url, stderr() } when the listen line appears.
function startHttpGateway() {
  const args = ['serve', '--config-dir', configDir, '--listen', '127.0.0.1:0'];
  const child = spawn(opts.gateway, args, { env: gatewayEnv, stdio: ['ignore', 'ignore', 'pipe'] });
  ownChildren.add(child);
  let stderrBuf = '';
  return new Promise((resolve, reject) => {
    let done = false;
    const finish = (fn, v) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (fn === reject) killChild(child);
      fn(v);
    };
    const timer = setTimeout(() => finish(reject,
      new Error(`no "listening on http://HOST:PORT/mcp" on stderr within 10 s; stderr: ${stderrBuf.slice(-800)}`)),
    10000);
    child.on('error', (e) => finish(reject, new Error(`spawn failed: ${e.message}`)));
    child.on('exit', (code, sig) => finish(reject,
      new Error(`gateway exited early (code ${code}, signal ${sig}); stderr: ${stderrBuf.slice(-800)}`)));
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (d) => {
      stderrBuf += d;
      if (stderrBuf.length > 1 << 20) stderrBuf = stderrBuf.slice(-(1 << 19));
      const m = stderrBuf.match(/listening on (http:\/\/[^\s/]+\/mcp)\b/);
      if (m) finish(resolve, { child, url: m[1], stderr: () => stderrBuf });
    });
  });
}

function waitExit(child, ms) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const t = setTimeout(() => resolve(false), ms);
    child.once('exit', () => { clearTimeout(t); resolve(true); });
  });
}

async function stopGateway(child) {
  if (!child) return null;
  if (child.exitCode !== null || child.signalCode !== null) {
    return { code: child.exitCode, signal: child.signalCode, how: 'already exited' };
  }
  try { process.kill(child.pid, 'SIGTERM'); } catch { /* gone */ }
  if (await waitExit(child, 3000)) return { code: child.exitCode, signal: child.signalCode, how: 'SIGTERM' };
  try { process.kill(child.pid, 'SIGKILL'); } catch { /* gone */ }
  await waitExit(child, 2000);
  return { code: child.exitCode, signal: child.signalCode, how: 'SIGKILL' };
}

async function connectHttp(url, token) {
  const requestInit = token !== undefined ? { headers: { Authorization: `Bearer ${token}` } } : undefined;
  const transport = new StreamableHTTPClientTransport(new URL(url), requestInit ? { requestInit } : undefined);
  const client = new Client({ name: 'tailops-sdk-test', version: '1.0.0' });
  client.onerror = (e) => debug(`client error: ${errText(e)}`);
  await withTimeout(client.connect(transport, reqOpts), REQUEST_TIMEOUT_MS, 'connect');
  return { client, transport };
}

// Expects connecting to fail with HTTP 401. Returns nothing; reports a check.
async function expectUnauthorized(name, url, token) {
  let client;
  try {
    ({ client } = await connectHttp(url, token));
  } catch (e) {
    check(name, e?.code === 401, () => `connect failed, but not with HTTP 401: ${errText(e)}`);
    return;
  }
  notOk(name, 'connect succeeded');
  await client.close().catch(() => {});
}

// ---------------------------------------------------------------- HTTP phase

async function httpPhase() {
  const P = 'http:';
  const gw = await step(`${P} gateway starts and prints listen URL`, async () => {
    const g = await startHttpGateway();
    ok(`${P} gateway starts and prints listen URL`);
    info(`${P} gateway at ${g.url} (pid ${g.child.pid})`);
    return g;
  });
  if (!gw) return;

  let client;
  try {
    // GET /health (plain HTTP, informational plus a check that it answers 2xx)
    await step(`${P} GET /health answers 2xx`, async () => {
      const healthUrl = new URL('/health', gw.url);
      const r = await withTimeout(fetch(healthUrl), 5000, 'GET /health');
      const body = await r.text();
      check(`${P} GET /health answers 2xx`, r.ok, () => `HTTP ${r.status}: ${body.slice(0, 200)}`);
    });

    const token = await step(`${P} token mint`, async () => {
      const t = await mintToken(gatewayEnv);
      ok(`${P} token mint`);
      return t;
    });

    // Unauthenticated / wrongly authenticated connects.
    await expectUnauthorized(`${P} connect without token fails with 401`, gw.url, undefined);
    await step(`${P} 401 response carries WWW-Authenticate: Bearer`, async () => {
      const r = await withTimeout(fetch(gw.url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream' },
        body: JSON.stringify({
          jsonrpc: '2.0', id: 1, method: 'initialize',
          params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '0' } },
        }),
      }), 5000, 'raw POST');
      await r.text().catch(() => {});
      const www = r.headers.get('www-authenticate');
      info(`${P} unauthenticated POST -> HTTP ${r.status}, WWW-Authenticate: ${www ?? '(none)'}`);
      check(`${P} 401 response carries WWW-Authenticate: Bearer`, r.status === 401 && /^\s*Bearer\b/i.test(www ?? ''),
        () => `HTTP ${r.status}, WWW-Authenticate=${www ?? '(none)'}`);
    });
    await expectUnauthorized(`${P} connect with garbage token fails with 401`, gw.url,
      `not-a-valid-token-${randomBytes(8).toString('hex')}`);
    await step(`${P} connect with token signed by another secret fails with 401`, async () => {
      const foreign = await mintToken({ ...process.env, TAILOPS_SHARED_SECRET: randomBytes(32).toString('hex') });
      await expectUnauthorized(`${P} connect with token signed by another secret fails with 401`, gw.url, foreign);
    });
    if (token) {
      // Flip one character in the middle (always a significant character, unlike the last one of a
      // base64 signature, whose low bits may be padding).
      const i = Math.floor(token.length / 2);
      const tampered = token.slice(0, i) + (token[i] === 'A' ? 'B' : 'A') + token.slice(i + 1);
      await expectUnauthorized(`${P} connect with tampered token fails with 401`, gw.url, tampered);
    }

    if (!token) return;

    const conn = await step(`${P} connect with token`, async () => {
      const c = await connectHttp(gw.url, token);
      ok(`${P} connect with token`);
      return c;
    });
    if (!conn) return;
    client = conn.client;
    info(`${P} server ${short(client.getServerVersion())}, protocol ${conn.transport.protocolVersion ?? '?'}, `
      + `session ${conn.transport.sessionId ?? '(none)'}`);
    debug(`${P} capabilities ${short(client.getServerCapabilities(), 1000)}`);
    check(`${P} server declares tools capability`, !!client.getServerCapabilities()?.tools,
      () => `capabilities=${short(client.getServerCapabilities())}`);

    const listing = await step(`${P} tools/list`, () => listAllTools(client));
    checkToolList(P, listing);

    const status = await step(`${P} call get_system_status`, () =>
      client.callTool({ name: 'get_system_status', arguments: {} }, undefined, reqOpts));
    if (status) checkSystemStatus(P, status);

    const targets = await step(`${P} call list_targets`, () =>
      client.callTool({ name: 'list_targets', arguments: {} }, undefined, reqOpts));
    if (targets) {
      const list = targets.structuredContent?.targets;
      check(`${P} list_targets structuredContent.targets contains id "local"`,
        Array.isArray(list) && list.some((t) => t && t.id === 'local'),
        () => `structuredContent=${short(targets.structuredContent)}`);
    }

    // Progress: the SDK adds params._meta.progressToken when onprogress is given.
    await step(`${P} get_system_status with progress token`, async () => {
      const notes = [];
      const res = await client.callTool({ name: 'get_system_status', arguments: {} }, undefined,
        { ...reqOpts, onprogress: (p) => notes.push(p) });
      check(`${P} get_system_status with progress token succeeds`,
        res && res.isError !== true && res.structuredContent, () => `result=${short(res)}`);
      info(`${P} progress notifications received: ${notes.length}`
        + (notes.length ? ` ${short(notes.map((n) => [n.progress, n.total]))}` : ''));
      if (notes.length > 1) {
        const mono = notes.every((n, i) => i === 0 || n.progress > notes[i - 1].progress);
        check(`${P} progress values strictly increase`, mono, () => short(notes));
      }
    });
  } finally {
    if (client) {
      await client.close().catch((e) => debug(`close: ${errText(e)}`));
    }
    const how = await stopGateway(gw.child);
    info(`${P} gateway stopped via ${how?.how} (code ${how?.code}, signal ${how?.signal})`);
    if (failed > 0 && opts.verbose) info(`${P} gateway stderr tail:\n${gw.stderr().slice(-2000)}`);
  }
}

// ---------------------------------------------------------------- stdio phase

async function stdioPhase() {
  const P = 'stdio:';
  const transport = new StdioClientTransport({
    command: opts.gateway,
    args: ['serve', '--stdio', '--config-dir', configDir],
    env: gatewayEnv,
    stderr: 'pipe',
  });
  let stderrBuf = '';
  transport.stderr?.setEncoding?.('utf8');
  transport.stderr?.on('data', (d) => {
    stderrBuf += d;
    if (stderrBuf.length > 1 << 20) stderrBuf = stderrBuf.slice(-(1 << 19));
  });
  const client = new Client({ name: 'tailops-sdk-test', version: '1.0.0' });
  client.onerror = (e) => debug(`${P} client error: ${errText(e)}`);

  let child;
  let exitInfo = null;
  const connected = await step(`${P} connect (spawn serve --stdio)`, async () => {
    await withTimeout(client.connect(transport, reqOpts), REQUEST_TIMEOUT_MS, 'connect');
    // The SDK keeps the ChildProcess privately; use it only to observe how it exits.
    child = transport._process;
    if (child) {
      ownChildren.add(child);
      child.once('exit', (code, signal) => { exitInfo = { code, signal, at: Date.now() }; });
    }
    ok(`${P} connect (spawn serve --stdio)`);
    return true;
  });
  if (!connected) {
    await transport.close().catch(() => {});
    if (stderrBuf) info(`${P} gateway stderr tail: ${stderrBuf.slice(-800).replace(/\n/g, ' | ')}`);
    return;
  }
  info(`${P} server ${short(client.getServerVersion())}, pid ${transport.pid}`);

  try {
    const listing = await step(`${P} tools/list`, () => listAllTools(client));
    checkToolList(P, listing);

    const status = await step(`${P} call get_system_status`, () =>
      client.callTool({ name: 'get_system_status', arguments: {} }, undefined, reqOpts));
    if (status) checkSystemStatus(P, status);

    const targets = await step(`${P} call list_targets`, () =>
      client.callTool({ name: 'list_targets', arguments: {} }, undefined, reqOpts));
    if (targets) {
      const list = targets.structuredContent?.targets;
      check(`${P} list_targets structuredContent.targets contains id "local"`,
        Array.isArray(list) && list.some((t) => t && t.id === 'local'),
        () => `structuredContent=${short(targets.structuredContent)}`);
    }
  } finally {
    const t0 = Date.now();
    await client.close().catch((e) => debug(`${P} close: ${errText(e)}`));
    if (child && !exitInfo) await waitExit(child, 1000);
    const ms = Date.now() - t0;
    if (child) {
      // client.close() ends stdin, waits 2 s, then SIGTERM, 2 s, SIGKILL. A clean exit on EOF is
      // exit code 0 with no signal.
      check(`${P} gateway exits cleanly on stdin EOF`,
        exitInfo && exitInfo.code === 0 && exitInfo.signal === null,
        () => (exitInfo
          ? `exit code ${exitInfo.code}, signal ${exitInfo.signal} after ${ms} ms (signal => did not exit on EOF within 2 s)`
          : `still running ${ms} ms after close()`));
      info(`${P} gateway exited ${ms} ms after close()`);
      killChild(child);
    } else {
      notOk(`${P} gateway exits cleanly on stdin EOF`, 'could not observe the child process');
    }
    if (failed > 0 && opts.verbose && stderrBuf) info(`${P} gateway stderr tail:\n${stderrBuf.slice(-2000)}`);
  }
}

// ---------------------------------------------------------------- main

async function main() {
  const t0 = Date.now();
  if (!existsSync(opts.gateway)) {
    notOk('gateway binary exists', `${opts.gateway} not found`);
  } else {
    ok('gateway binary exists');
    await step('http phase', httpPhase);
    await step('stdio phase', stdioPhase);
  }
  info(`runtime ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed > 0 ? 1 : 0);
}

main().catch((e) => {
  notOk('unexpected error', e?.stack ?? errText(e));
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(1);
});
