-- wrk: GET /v1/locations/nearest from random points, with a topic filter and open_now=true.
package.path = package.path .. ";" .. (os.getenv("BENCH_LUA_DIR") or ".") .. "/?.lua"
local c = require("common")
init = function() c.seed() end
request = function()
  local lat, lon = c.point()
  return wrk.format("GET", string.format(
    "/v1/locations/nearest?lat=%.4f&lon=%.4f&topic=%s&open_now=true&at=%s&lang=fi", lat, lon, c.topic, c.at))
end
if c.delay_ms > 0 then delay = function() return c.delay_ms end end
done = c.done
