-- A one-row insert: POST with an empty body (Concord's /_bench/insert, the bare app's /insert).
dofile((os.getenv("BENCH_WRK_DIR") or "bench/wrk") .. "/report.lua")
wrk.method = "POST"
