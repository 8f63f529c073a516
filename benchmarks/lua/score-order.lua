-- POST /score-order with a new order id on every request (the body file's "ORDER_ID" replaced),
-- so each request is a new decision with its own audit entry; one RESULT line as report.lua.
local f = assert(io.open(os.getenv("WRK_BODY_FILE"), "rb"))
local template = f:read("*a")
f:close()
local counter = 0
local thread_id = 0

function setup(thread)
  thread_id = thread_id + 1
  thread:set("prefix", "bench-" .. thread_id .. "-")
end

function request()
  counter = counter + 1
  local body = template:gsub("ORDER_ID", prefix .. counter)
  return wrk.format("POST", "/score-order", { ["Content-Type"] = "application/json" }, body)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "RESULT rps=%.1f p50_us=%d p99_us=%d max_us=%d errors=%d non2xx=%d\n",
    summary.requests / (summary.duration / 1e6),
    latency:percentile(50), latency:percentile(99), latency.max,
    e.connect + e.read + e.write + e.timeout, e.status))
end
