-- wrk script for bench/run.sh: POST one small chat body, print one JSON line at the end.
-- The body is byte for byte the one AbstractCore.Bench `load` sends (LoadGenerator.ChatBody).
-- BENCH_STREAM=1 adds "stream":true: latency is then the whole SSE stream (wrk reads the chunked body to its end).
-- BENCH_MODEL sets the model (bench/anthropic.sh: anthropic/claude-test); BENCH_AUTH, when set, is sent as
-- "Authorization: Bearer <BENCH_AUTH>" (a gateway with ABSTRACTCORE_AUTH_TOKEN, which a server-held provider key needs).
-- BENCH_DELAY_MS, when set, makes each connection wait that long before each request (bench/routing.sh's paced load).
local model = os.getenv("BENCH_MODEL") or "openai-compatible/fake-model"
local label = os.getenv("BENCH_LABEL") or ""
local stream = os.getenv("BENCH_STREAM") == "1"
local auth = os.getenv("BENCH_AUTH")
local pause = tonumber(os.getenv("BENCH_DELAY_MS") or "0")
if pause > 0 then
  function delay() return pause end
end

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
if auth and auth ~= "" then wrk.headers["Authorization"] = "Bearer " .. auth end
wrk.body = '{"model":"' .. model .. '","messages":[{"role":"user","content":"Say hello in five words."}],"max_tokens":16' .. (stream and ',"stream":true}' or '}')

function done(summary, latency, requests)
  local seconds = summary.duration / 1e6
  local e = summary.errors
  local ms = function(us) return us / 1000 end
  io.write(string.format(
    '{"label":"%s","client":"wrk","stream":%s,"duration_s":%.3f,"requests":%d,"errors":%d,"non_2xx":%d,"rps":%.1f,' ..
    '"latency_ms":{"p50":%.4f,"p90":%.4f,"p99":%.4f,"max":%.4f,"mean":%.4f}}\n',
    label, tostring(stream), seconds, summary.requests, e.connect + e.read + e.write + e.status + e.timeout, e.status,
    summary.requests / seconds,
    ms(latency:percentile(50)), ms(latency:percentile(90)), ms(latency:percentile(99)), ms(latency.max), ms(latency.mean)))
end
