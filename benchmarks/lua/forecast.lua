-- GET /forecast over many series: each request asks for the next id from WRK_IDS_FILE (one per
-- line), with WRK_QUERY appended (e.g. "&horizon=18&levels=80,95"). Prints report.lua's RESULT line.
local ids = {}
for line in io.lines(os.getenv("WRK_IDS_FILE")) do
  if line ~= "" then ids[#ids + 1] = line end
end
local query = os.getenv("WRK_QUERY") or ""
local path = os.getenv("WRK_PATH") or "/forecast"
local next_id = 0

request = function()
  next_id = next_id % #ids + 1
  return wrk.format("GET", path .. "?item=" .. ids[next_id] .. query)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "RESULT rps=%.1f p50_us=%d p99_us=%d max_us=%d errors=%d non2xx=%d\n",
    summary.requests / (summary.duration / 1e6),
    latency:percentile(50), latency:percentile(99), latency.max,
    e.connect + e.read + e.write + e.timeout, e.status))
end
