-- wrk script for the POST /echo workload of benchmarks/run.py: every request
-- carries a 1 KiB body, which the app sends back.
wrk.method = "POST"
wrk.body = string.rep("x", 1024)
wrk.headers["Content-Type"] = "application/octet-stream"
