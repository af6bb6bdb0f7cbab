-- Shared by the wrk scripts of scripts/bench: random origins over populated Finland (the same
-- box as the pgbench baseline), a fixed instant (Wednesday 11:00 in Helsinki) so that
-- open_now answers the same whatever time the benchmark runs, and a summary line for the script.
local M = {}
M.at = "2026-12-02T09:00:00Z"
M.topic = "online_public_services"

function M.seed()
  math.randomseed(os.time() * 1000 + math.floor(os.clock() * 1e6))
end

function M.point()
  return 60.0 + math.random() * 6.0, 22.0 + math.random() * 8.0
end

function M.done(summary, latency)
  local e = summary.errors
  io.write(string.format("RESULT rps=%.1f p50_ms=%.3f p99_ms=%.3f requests=%d errors=%d non2xx=%d\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.requests, e.connect + e.read + e.write + e.timeout, e.status))
end

-- Fixed delay between requests on each connection (wrk has no rate option; wrk2 is not in
-- Debian): rate = connections * 1000 / (delay + latency).
M.delay_ms = tonumber(os.getenv("BENCH_DELAY_MS") or "0")

return M
