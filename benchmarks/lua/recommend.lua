-- GET /recommend for random users from WRK_USERS_FILE (one id per line); counts the model
-- versions seen in the answers (for the hot-swap check) and non-2xx answers.
local users = {}
for line in io.lines(os.getenv("WRK_USERS_FILE")) do users[#users + 1] = line end
local threads = {}

function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  versions = {}
  bad = 0
  math.randomseed(id * 7919)
end

function request()
  local user = users[math.random(#users)]
  return wrk.format("GET", "/recommend?user=" .. user .. "&k=10")
end

function response(status, headers, body)
  if status ~= 200 then bad = bad + 1; return end
  local v = body:match('"model_version":(%d+)')
  if v then versions[v] = (versions[v] or 0) + 1 end
end

function done(summary, latency, requests)
  local seen = {}
  local badTotal = 0
  for _, t in ipairs(threads) do
    badTotal = badTotal + t:get("bad")
    for v, n in pairs(t:get("versions")) do seen[v] = (seen[v] or 0) + n end
  end
  local list = {}
  for v, n in pairs(seen) do list[#list + 1] = v .. ":" .. n end
  table.sort(list)
  local e = summary.errors
  io.write(string.format("RESULT rps=%.1f p50_us=%d p99_us=%d max_us=%d errors=%d non2xx=%d versions=%s\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50), latency:percentile(99), latency.max,
    e.connect + e.read + e.write + e.timeout, e.status + badTotal, table.concat(list, ",")))
end
