-- wrk: POST /api/v1/orders, each request a new customer and one of the 20
-- seeded products (the benchmark gives them enough stock first).
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

local counter = 0
request = function()
    counter = counter + 1
    local customer = 1000000 + thread_id * 10000000 + counter
    local body = string.format(
        '{"customerId":%d,"customerName":"Bench","items":[{"productId":%d,"quantity":1}],' ..
        '"deliveryAddress":"1 Bench Street","carrier":"DHL"}', customer, counter % 20 + 1)
    -- Headers given here replace wrk.headers: name the token again.
    return wrk.format("POST", "/api/v1/orders", {["Content-Type"] = "application/json",
                      ["Authorization"] = wrk.headers["Authorization"]}, body)
end

done = wrk_report("create-order")
