-- wrk: GET /v1/locations/{id} for random synthetic locations.
package.path = package.path .. ";" .. (os.getenv("BENCH_LUA_DIR") or ".") .. "/?.lua"
local c = require("common")
local n = tonumber(os.getenv("BENCH_LOCATIONS") or "100000")
init = function() c.seed() end
request = function()
  return wrk.format("GET", string.format("/v1/locations/bench-%06d?at=%s&lang=fi", math.random(0, n - 1), c.at))
end
done = c.done
