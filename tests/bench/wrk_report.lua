-- Shared by the wrk scripts: one summary line per run.
function wrk_report(label)
    return function(summary, latency, requests)
        local seconds = summary.duration / 1e6
        local e = summary.errors
        io.write(string.format(
            "RESULT %s requests=%d rps=%.1f p50_ms=%.2f p99_ms=%.2f non2xx=%d socket_errors=%d\n",
            label, summary.requests, summary.requests / seconds,
            latency:percentile(50) / 1000, latency:percentile(99) / 1000,
            e.status, e.connect + e.read + e.write + e.timeout))
    end
end
