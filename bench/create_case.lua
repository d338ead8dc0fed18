-- wrk script: POST /v1/cases with a fresh Idempotency-Key and crmRecordId per request, as a
-- Zap run for a new CRM record would send. The token comes from FML_TOKEN.
local token = os.getenv("FML_TOKEN")
local threads = 0

function setup(thread)
  thread:set("tid", threads)
  threads = threads + 1
end

function init(args)
  counter = 0
  prefix = "bench-" .. tid .. "-" .. math.random(1, 1000000000)
end

function request()
  counter = counter + 1
  local id = prefix .. "-" .. counter
  local body = '{"customerEmail":"jane@acme.example","customerName":"Jane Doe","companyName":"Acme Holdings Ltd",'
    .. '"country":"United Kingdom","crmRecordId":"' .. id .. '","crmSource":"hubspot","sendInvite":true}'
  return wrk.format("POST", "/v1/cases", {
    ["Authorization"] = "Bearer " .. token,
    ["Content-Type"] = "application/json",
    ["Idempotency-Key"] = id,
  }, body)
end

function done(summary, latency, requests)
  io.write(string.format("requests=%d errors_status=%d rps=%.0f p50_ms=%.2f p99_ms=%.2f\n",
    summary.requests, summary.errors.status, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
