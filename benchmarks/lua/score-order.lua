-- POST /score-order with a new order id on every request (the body file's "ORDER_ID" replaced),
-- so each request is a new decision with its own audit entry; one RESULT line as report.lua.
--
-- The request is cut once around ORDER_ID and joined per request: a gsub over the 1.5 KB body
-- and wrk.format per request cost wrk more CPU than the server spends on its half, and on a
-- 2-core machine that CPU is taken from the server being measured.
local f = assert(io.open(os.getenv("WRK_BODY_FILE"), "rb"))
local template = f:read("*a")
f:close()
local at = assert(template:find("ORDER_ID", 1, true), "the body has no ORDER_ID")
local before, after = template:sub(1, at - 1), template:sub(at + #"ORDER_ID")
local counter = 0
local thread_id = 0

function setup(thread)
  thread_id = thread_id + 1
  thread:set("prefix", "bench-" .. thread_id .. "-")
end

local head_start = "POST /score-order HTTP/1.1\r\nHost: bench\r\nContent-Type: application/json\r\nContent-Length: "

function request()
  counter = counter + 1
  local body = before .. prefix .. counter .. after
  return head_start .. #body .. "\r\n\r\n" .. body
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "RESULT rps=%.1f p50_us=%d p99_us=%d max_us=%d errors=%d non2xx=%d\n",
    summary.requests / (summary.duration / 1e6),
    latency:percentile(50), latency:percentile(99), latency.max,
    e.connect + e.read + e.write + e.timeout, e.status))
end
