-- wrk's script for bench.load: `wrk -s bench/wrk.lua URL [-- BODY_FILE TOKEN]`.
-- With a body file, every request is a POST of it as JSON with `Authorization: Bearer TOKEN`;
-- without, a GET. Ends with one line bench.load reads: requests, microseconds, errors.

function init(args)
  if args[1] then
    local file = assert(io.open(args[1], "rb"))
    wrk.body = file:read("*a")
    file:close()
    wrk.method = "POST"
    wrk.headers["Content-Type"] = "application/json"
    wrk.headers["Authorization"] = "Bearer " .. args[2]
  end
end

function done(summary, latency, requests)
  local errors = summary.errors
  local failed = errors.connect + errors.read + errors.write + errors.timeout + errors.status
  io.write(string.format("wrk-summary %d %d %d\n", summary.requests, summary.duration, failed))
end
