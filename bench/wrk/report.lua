-- Shared by every wrk script of `make bench`: count non-2xx answers as failures and print one
-- JSON summary line (bench/wrk_run.py parses it). wrk runs one Lua state per thread, so the
-- counters live in each thread and done() adds them up from the main state.

local threads = {}

function setup(thread)
  thread:set("thread_id", #threads)
  table.insert(threads, thread)
end

function init(args)
  non2xx = 0
  math.randomseed(os.time() * 1000 + thread_id)
  if init_script then init_script(args) end
end

function response(status, headers, body)
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
  end
end

function done(summary, latency, requests)
  local failed = 0
  for _, thread in ipairs(threads) do
    failed = failed + thread:get("non2xx")
  end
  local e = summary.errors
  local ms = function(p) return latency:percentile(p) / 1000 end
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "seconds": %.3f, "non2xx": %d, "socket_errors": %d, ' ..
    '"timeouts": %d, "mean_ms": %.2f, "p50_ms": %.2f, "p90_ms": %.2f, "p99_ms": %.2f, ' ..
    '"max_ms": %.2f}\n',
    summary.requests, summary.duration / 1e6, failed, e.connect + e.read + e.write,
    e.timeout, latency.mean / 1000, ms(50), ms(90), ms(99), latency.max / 1000))
end
