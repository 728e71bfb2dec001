-- wrk script for bench/: requests come from a file (BENCH_REQUESTS), one per line:
--   METHOD<TAB>PATH[<TAB>JSON BODY]
-- each thread starts at its own offset and walks the list round-robin.
-- BENCH_HEADER_NAME/BENCH_HEADER_VALUE add an auth header (bearer token or session cookie).
-- At the end one JSON line is printed: requests, rps, latency percentiles (ms), statuses.

local requests_file = os.getenv("BENCH_REQUESTS")
local header_name = os.getenv("BENCH_HEADER_NAME")
local header_value = os.getenv("BENCH_HEADER_VALUE")
local threads = {}
local counter = 0

local function load_requests()
  local list = {}
  for line in io.lines(requests_file) do
    local method, path, body = line:match("^(%u+)\t([^\t]+)\t?(.*)$")
    if method then
      local headers = {}
      if header_name and header_name ~= "" then headers[header_name] = header_value end
      if body ~= "" then headers["Content-Type"] = "application/json" else body = nil end
      list[#list + 1] = wrk.format(method, path, headers, body)
    end
  end
  return list
end

function setup(thread)
  counter = counter + 1
  thread:set("offset", counter * 7919)
  threads[#threads + 1] = thread
end

function init(args)
  list = load_requests()
  index = offset % #list
  statuses = {}
end

function request()
  index = index % #list + 1
  return list[index]
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local merged = {}
  for _, thread in ipairs(threads) do
    local s = thread:get("statuses")
    for code, n in pairs(s) do merged[code] = (merged[code] or 0) + n end
  end
  local parts = {}
  for code, n in pairs(merged) do parts[#parts + 1] = string.format('"%d": %d', code, n) end
  local seconds = summary.duration / 1e6
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "seconds": %.3f, "rps": %.1f, "p50_ms": %.2f, "p95_ms": %.2f, "p99_ms": %.2f, ' ..
    '"mean_ms": %.2f, "socket_errors": %d, "statuses": {%s}}\n',
    summary.requests, seconds, summary.requests / seconds,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    latency.mean / 1000,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    table.concat(parts, ", ")))
end
