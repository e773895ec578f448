-- Cast or change a company's vote through the API, each request as the next representative.
-- BENCH_TOKENS names the loader's file (bench/scale_data.py: one API token per line, companies
-- round-robin); BENCH_BALLOT is the open motion's id. Thread t of n takes tokens t, t+n, ...
dofile((os.getenv("BENCH_WRK_DIR") or "bench/wrk") .. "/report.lua")

local choices = {"yes", "no", "abstain"}
local path = "/api/v1/ballots/" .. (os.getenv("BENCH_BALLOT") or "1") .. "/vote"

function init_script(args)
  tokens = {}
  for line in io.lines(os.getenv("BENCH_TOKENS")) do
    if #line > 0 then table.insert(tokens, line) end
  end
  assert(#tokens > 0, "no tokens in BENCH_TOKENS")
  next_token = thread_id % #tokens
  step = tonumber(os.getenv("BENCH_THREADS") or "1")
end

function request()
  local token = tokens[next_token + 1]
  next_token = (next_token + step) % #tokens
  local body = '{"vote": "' .. choices[math.random(#choices)] .. '"}'
  return wrk.format("POST", path, {
    ["Authorization"] = "Bearer " .. token,
    ["Content-Type"] = "application/json",
  }, body)
end
