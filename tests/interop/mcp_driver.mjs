#!/usr/bin/env node
// A line-oriented driver for the official MCP TypeScript SDK client, used by the QtTest tool tests
// (tests/auto/tools/sdkclient.h). It connects to a gateway over Streamable HTTP, lists the tools (so the SDK
// validates every structuredContent against the tool's outputSchema), prints {"ready":true}, then serves
// requests read from stdin, one JSON object per line, concurrently:
//   {"id":1,"op":"callTool","params":{"name":"...","arguments":{...}},"timeoutMs":60000}
//   {"id":2,"op":"listTools"} {"id":3,"op":"readResource","params":{"uri":"..."}}
//   {"id":4,"op":"listResources"} {"id":5,"op":"listPrompts"} {"id":6,"op":"getPrompt","params":{...}}
// and answers each with one line: {"id":N,"result":...} or {"id":N,"error":{"code":C,"message":"..."}}.
// On a failure to connect it prints {"fatal":"..."} and exits 1. It ends when stdin closes.
//
// Usage: node mcp_driver.mjs URL   (the bearer token, if any, in TAILOPS_DRIVER_TOKEN)

import { createInterface } from 'node:readline';

import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

const url = process.argv[2];
const token = process.env.TAILOPS_DRIVER_TOKEN || '';

function emit(obj) {
  process.stdout.write(JSON.stringify(obj) + '\n');
}

function errorOf(e) {
  const code = typeof e?.code === 'number' ? e.code : -1;
  return { code, message: String(e?.message ?? e) };
}

async function listAllTools(client) {
  const tools = [];
  let cursor;
  do {
    const page = await client.listTools(cursor ? { cursor } : undefined);
    tools.push(...page.tools);
    cursor = page.nextCursor;
  } while (cursor);
  // listTools() caches output-schema validators per page; cache them for every page at once.
  client.cacheToolMetadata(tools);
  return tools;
}

async function main() {
  if (!url) {
    emit({ fatal: 'usage: mcp_driver.mjs URL' });
    process.exit(1);
  }
  const requestInit = token ? { headers: { Authorization: `Bearer ${token}` } } : undefined;
  const transport = new StreamableHTTPClientTransport(new URL(url), requestInit ? { requestInit } : undefined);
  const client = new Client({ name: 'tailops-tool-tests', version: '1.0.0' }, { capabilities: {} });
  try {
    await client.connect(transport);
    await listAllTools(client);
  } catch (e) {
    emit({ fatal: String(e?.message ?? e) });
    process.exit(1);
  }
  emit({ ready: true });

  const pending = new Set();
  const serve = async (line) => {
    let req;
    try {
      req = JSON.parse(line);
    } catch (e) {
      emit({ id: null, error: { code: -32700, message: `driver: bad request line: ${e.message}` } });
      return;
    }
    const options = { timeout: req.timeoutMs ?? 60000, resetTimeoutOnProgress: true, onprogress: () => {} };
    try {
      let result;
      switch (req.op) {
        case 'callTool': result = await client.callTool(req.params, undefined, options); break;
        case 'listTools': result = { tools: await listAllTools(client) }; break;
        case 'readResource': result = await client.readResource(req.params, options); break;
        case 'listResources': result = await client.listResources(req.params, options); break;
        case 'listPrompts': result = await client.listPrompts(req.params, options); break;
        case 'getPrompt': result = await client.getPrompt(req.params, options); break;
        default: throw new Error(`driver: unknown op ${req.op}`);
      }
      emit({ id: req.id, result });
    } catch (e) {
      emit({ id: req.id, error: errorOf(e) });
    }
  };
  const rl = createInterface({ input: process.stdin });
  rl.on('line', (line) => {
    if (!line.trim()) return;
    const p = serve(line).finally(() => pending.delete(p));
    pending.add(p);
  });
  rl.on('close', async () => {
    await Promise.allSettled([...pending]);
    await client.close().catch(() => {});
    process.exit(0);
  });
}

main();
