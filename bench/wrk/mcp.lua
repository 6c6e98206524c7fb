-- The wrk script of the benchmark (bench/wrk.ts writes its plan and runs it).
-- Usage: wrk -s bench/wrk/mcp.lua URL -- PLAN_FILE
-- The plan names the request head shared by every step (H lines), pre-opened legacy sessions
-- (S lines, used round robin), and one or more steps (STEP, then SH and BODY lines) that each
-- connection-owning thread sends in a cycle. A cycle of one step is one request; a longer cycle
-- (a whole session) needs one connection per thread, since the cycle state lives in the thread.
-- JSON-RPC ids: a per-thread counter above a per-thread base, so no two requests in flight in one
-- session share an id (the legacy server refuses an id already in flight, dispatcher.ts).
-- A response counts as a failure unless it has the step's status (0: any 2xx) and, with a body, no "error":
-- member and no "isError":true. done() prints one line: BENCH {json}.

local find, sub = string.find, string.sub
local threads = {}
local thread_count = 0

function setup(thread)
  thread_count = thread_count + 1
  thread:set("thread_index", thread_count)
  threads[thread_count] = thread
end

-- Thread state.
local steps = {}
local sessions = {}
local session_at = 0
local sid = nil
local step = 1
local counter = 0
local base = 0
cycles = 0
failures = 0
sample = ""

local function read_plan(path)
  local common = ""
  local current = nil
  for line in io.lines(path) do
    local kind, rest = line:match("^(%S+) ?(.*)$")
    if kind == "H" then
      common = common .. rest .. "\r\n"
    elseif kind == "S" then
      sessions[#sessions + 1] = rest
    elseif kind == "STEP" then
      local method, expect, capture, session = rest:match("^(%S+) (%d+) (%d) (%d)$")
      current = { method = method, expect = tonumber(expect), capture = capture == "1", session = session == "1", head = "" }
      steps[#steps + 1] = current
    elseif kind == "SH" then
      current.head = current.head .. rest .. "\r\n"
    elseif kind == "BODY" then
      local at = find(rest, "__ID__", 1, true)
      if at then
        current.prefix, current.suffix = sub(rest, 1, at - 1), sub(rest, at + 6)
      else
        current.prefix, current.suffix = rest, nil
      end
    end
  end
  for _, s in ipairs(steps) do
    s.head = s.method .. " " .. wrk.path .. " HTTP/1.1\r\n" .. common .. s.head
  end
end

function init(args)
  read_plan(args[1])
  base = (thread_index or 1) * 1000000000
  session_at = thread_index or 1
end

function request()
  local s = steps[step]
  local head = s.head
  if s.session then
    if #sessions > 0 then
      session_at = session_at % #sessions + 1
      sid = sessions[session_at]
    end
    head = head .. "mcp-session-id: " .. sid .. "\r\n"
  end
  if s.prefix == nil then
    return head .. "\r\n"
  end
  local body = s.prefix
  if s.suffix ~= nil then
    counter = counter + 1
    body = s.prefix .. (base + counter) .. s.suffix
  end
  return head .. "content-length: " .. #body .. "\r\n\r\n" .. body
end

local function header(headers, wanted)
  for name, value in pairs(headers) do
    if name:lower() == wanted then return value end
  end
  return nil
end

function response(status, headers, body)
  local s = steps[step]
  local bad
  if s.expect == 0 then bad = status < 200 or status > 299 else bad = status ~= s.expect end
  if not bad and body ~= nil and #body > 0 then
    bad = find(body, '"error":', 1, true) ~= nil or find(body, '"isError":true', 1, true) ~= nil
  end
  if bad then
    failures = failures + 1
    if sample == "" then sample = s.method .. " step " .. step .. ": HTTP " .. status .. " " .. sub(body or "", 1, 200) end
    step = 1
    return
  end
  if s.capture then sid = header(headers, "mcp-session-id") end
  step = step + 1
  if step > #steps then
    step = 1
    cycles = cycles + 1
  end
end

local function json_text(text)
  return (tostring(text):gsub('[%c"\\]', " "))
end

function done(summary, latency, requests)
  local total_cycles, total_failures, first = 0, 0, ""
  for _, thread in ipairs(threads) do
    total_cycles = total_cycles + (thread:get("cycles") or 0)
    total_failures = total_failures + (thread:get("failures") or 0)
    local s = thread:get("sample") or ""
    if first == "" then first = s end
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH {"requests":%d,"cycles":%d,"durationUs":%d,"failures":%d,"connectErrors":%d,"readErrors":%d,"writeErrors":%d,"statusErrors":%d,"timeouts":%d,"p50Us":%d,"p99Us":%d,"maxUs":%d,"sample":"%s"}\n',
    summary.requests, total_cycles, summary.duration, total_failures, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(99), latency.max, json_text(first)))
end
