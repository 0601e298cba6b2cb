-- wrk script for bench/mcp_throughput: POSTs MCP tools/call requests and
-- counts failed calls (HTTP status != 200, or a body without "result").
--
-- Configured through the environment (set by bench/mcp_throughput):
--   MCP_TOOL        tool name (required)
--   MCP_ARGS        JSON object for "arguments" (default {})
--   MCP_TOKEN       bearer token (optional; no Authorization header if empty)
--   MCP_SESSION     Mcp-Session-Id (optional)
--   MCP_PROTOCOL    MCP-Protocol-Version (default 2025-11-25)
--   MCP_PATH        request path (default /mcp)
--
-- done() prints one machine-readable line starting with "MCPBENCH " plus,
-- when there were errors, one "MCPBENCH_FIRST_ERROR " line per failing thread.

local tool     = os.getenv("MCP_TOOL") or error("MCP_TOOL not set")
local argsJson = os.getenv("MCP_ARGS") or "{}"
local token    = os.getenv("MCP_TOKEN") or ""
local session  = os.getenv("MCP_SESSION") or ""
local protocol = os.getenv("MCP_PROTOCOL") or "2025-11-25"
local path     = os.getenv("MCP_PATH") or "/mcp"

local threads = {}

-- Runs in the main Lua state once per thread, before the threads start.
function setup(thread)
  threads[#threads + 1] = thread
  thread:set("thread_no", #threads)
end

-- Per-thread state (each wrk thread has its own Lua state).
local headers = {}
local nextId = 0
responses = 0
non200 = 0
noresult = 0
first_err = ""

function init(args)
  headers["Accept"] = "application/json, text/event-stream"
  headers["Content-Type"] = "application/json"
  headers["MCP-Protocol-Version"] = protocol
  if token ~= "" then headers["Authorization"] = "Bearer " .. token end
  if session ~= "" then headers["Mcp-Session-Id"] = session end
  -- Ids are unique across threads: thread_no * 1e9 + counter.
  nextId = (thread_no or 1) * 1000000000
end

function request()
  nextId = nextId + 1
  local body = '{"jsonrpc":"2.0","id":' .. nextId ..
               ',"method":"tools/call","params":{"name":"' .. tool ..
               '","arguments":' .. argsJson .. '}}'
  return wrk.format("POST", path, headers, body)
end

local function describe(status, hdrs, body)
  local parts = { "status=" .. tostring(status) }
  for k, v in pairs(hdrs or {}) do
    local lk = string.lower(k)
    if lk == "content-type" or lk == "www-authenticate" or lk == "content-length" then
      parts[#parts + 1] = lk .. "=" .. tostring(v)
    end
  end
  local b = body or ""
  if #b > 400 then b = string.sub(b, 1, 400) .. "..." end
  b = string.gsub(b, "[\r\n]", "\\n")
  parts[#parts + 1] = "body=" .. b
  return table.concat(parts, " ")
end

function response(status, hdrs, body)
  responses = responses + 1
  local bad = false
  if status ~= 200 then
    non200 = non200 + 1
    bad = true
  elseif body == nil or not string.find(body, '"result"', 1, true) then
    noresult = noresult + 1
    bad = true
  end
  if bad and first_err == "" then
    first_err = describe(status, hdrs, body)
  end
end

function done(summary, latency, requests)
  local total, n2, nr = 0, 0, 0
  local firsts = {}
  for _, t in ipairs(threads) do
    total = total + (t:get("responses") or 0)
    n2 = n2 + (t:get("non200") or 0)
    nr = nr + (t:get("noresult") or 0)
    local fe = t:get("first_err")
    if fe and fe ~= "" then firsts[#firsts + 1] = fe end
  end
  local e = summary.errors
  io.write(string.format(
    "MCPBENCH requests=%d responses=%d duration_us=%d p50_us=%d p99_us=%d " ..
    "non200=%d noresult=%d connect=%d read=%d write=%d timeout=%d status=%d\n",
    summary.requests, total, summary.duration,
    latency:percentile(50.0), latency:percentile(99.0),
    n2, nr, e.connect, e.read, e.write, e.timeout, e.status))
  for _, fe in ipairs(firsts) do
    io.write("MCPBENCH_FIRST_ERROR " .. fe .. "\n")
  end
end
