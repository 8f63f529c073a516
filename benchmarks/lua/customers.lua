-- GET /customers/{id} for random customers from WRK_IDS_FILE (one id per line); counts non-2xx.
local ids = {}
for line in io.lines(os.getenv("WRK_IDS_FILE")) do ids[#ids + 1] = line end
local threads = {}

function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  bad = 0
  math.randomseed(id * 7919)
end

function request()
  return wrk.format("GET", "/customers/" .. ids[math.random(#ids)])
end

function response(status, headers, body)
  if status ~= 200 then bad = bad + 1 end
end

function done(summary, latency, requests)
  local badTotal = 0
  for _, t in ipairs(threads) do badTotal = badTotal + t:get("bad") end
  local e = summary.errors
  io.write(string.format("RESULT rps=%.1f p50_us=%d p99_us=%d max_us=%d errors=%d non2xx=%d\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50), latency:percentile(99), latency.max,
    e.connect + e.read + e.write + e.timeout, badTotal))
end
