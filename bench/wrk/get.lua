-- A constant: GET (Concord's /_bench/constant, the bare app's /constant).
dofile((os.getenv("BENCH_WRK_DIR") or "bench/wrk") .. "/report.lua")
