-- The same voters, each connection pausing 1-3 s (uniform) before its next vote.
dofile((os.getenv("BENCH_WRK_DIR") or "bench/wrk") .. "/vote.lua")

function delay()
  return math.random(1000, 3000)
end
