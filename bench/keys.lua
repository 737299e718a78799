-- wrk script for bench/keys.sh: POST the small chat body of bench/chat.lua with a bearer credential per request, print
-- one JSON line at the end.
-- BENCH_KEYS_FILE: a file of virtual key secrets (ack-…), one a line; each request takes the next (round robin over the
-- requests of the wrk thread, whichever connection sends it: wrk's request() does not know its connection), so every key
-- is in use every N requests. Without it, every request carries BENCH_AUTH (the server token).
-- Both routes build their requests the same way (request() and response() run for every request of either), so the
-- client does the same work whichever credential it sends.
-- BENCH_STREAM=1 adds "stream":true (latency is then the whole SSE stream); BENCH_MODEL sets the model;
-- BENCH_DELAY_MS makes each connection wait that long before each request (the paced load of bench/routing.sh).
-- The JSON line adds to chat.lua's: "statuses", the count of every answer that was not 200, by status ("401", "429"…).
local model = os.getenv("BENCH_MODEL") or "openai-compatible/fake-model"
local label = os.getenv("BENCH_LABEL") or ""
local stream = os.getenv("BENCH_STREAM") == "1"
local keys_file = os.getenv("BENCH_KEYS_FILE")
local token = os.getenv("BENCH_AUTH")
local pause = tonumber(os.getenv("BENCH_DELAY_MS") or "0")
if pause > 0 then
  function delay() return pause end
end

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"model":"' .. model .. '","messages":[{"role":"user","content":"Say hello in five words."}],"max_tokens":16' .. (stream and ',"stream":true}' or '}')

local threads = {}
function setup(thread)
  thread:set("id", #threads)
  threads[#threads + 1] = thread
end

-- Per thread (init runs in each thread's state, after wrk has set the Host header): every request prepared once.
local prepared, count, next_index = {}, 0, 0
statuses = {}
function init(args)
  local secrets = {}
  if keys_file and keys_file ~= "" then
    for line in io.lines(keys_file) do
      if line ~= "" then secrets[#secrets + 1] = line end
    end
  elseif token and token ~= "" then
    secrets[1] = token
  end
  if #secrets == 0 then error("keys.lua: no credential (set BENCH_KEYS_FILE or BENCH_AUTH)") end
  for i, secret in ipairs(secrets) do
    wrk.headers["Authorization"] = "Bearer " .. secret
    prepared[i] = wrk.format()
  end
  wrk.headers["Authorization"] = nil
  count = #prepared
  -- Threads (wrk -t) start at different keys; id is set by setup before init runs.
  next_index = ((tonumber(id) or 0) * 211) % count
end

function request()
  next_index = next_index + 1
  if next_index > count then next_index = 1 end
  return prepared[next_index]
end

function response(status, headers, body)
  if status ~= 200 then
    local s = tostring(status)
    statuses[s] = (statuses[s] or 0) + 1
  end
end

function done(summary, latency, requests)
  local seconds = summary.duration / 1e6
  local e = summary.errors
  local ms = function(us) return us / 1000 end
  local merged = {}
  for _, thread in ipairs(threads) do
    local s = thread:get("statuses")
    if s then
      for k, v in pairs(s) do merged[k] = (merged[k] or 0) + v end
    end
  end
  local parts = {}
  for k, v in pairs(merged) do parts[#parts + 1] = string.format('"%s":%d', k, v) end
  io.write(string.format(
    '{"label":"%s","client":"wrk","stream":%s,"duration_s":%.3f,"requests":%d,"errors":%d,"non_2xx":%d,"rps":%.1f,' ..
    '"latency_ms":{"p50":%.4f,"p90":%.4f,"p99":%.4f,"max":%.4f,"mean":%.4f},"statuses":{%s}}\n',
    label, tostring(stream), seconds, summary.requests, e.connect + e.read + e.write + e.status + e.timeout, e.status,
    summary.requests / seconds,
    ms(latency:percentile(50)), ms(latency:percentile(90)), ms(latency:percentile(99)), ms(latency.max), ms(latency.mean),
    table.concat(parts, ",")))
end
