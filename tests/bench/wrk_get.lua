-- wrk: GET /api/v1/orders/{id} over the ids 1..N the create run made
-- (N is the script argument).
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(dir .. "wrk_report.lua")

-- With ORDERS_BENCH_TOKEN set (authentication on), every request carries it.
local token = os.getenv("ORDERS_BENCH_TOKEN")
if token ~= nil and token ~= "" then
    wrk.headers["Authorization"] = "Bearer " .. token
end

local next_thread = 0
function setup(thread)
    thread:set("thread_id", next_thread)
    next_thread = next_thread + 1
end

local max_id = 1
local counter = 0
function init(args)
    max_id = tonumber(args[1]) or 1
    counter = thread_id * 7919
end

request = function()
    counter = counter + 1
    return wrk.format("GET", "/api/v1/orders/" .. (counter % max_id + 1))
end

done = wrk_report("get-order")
