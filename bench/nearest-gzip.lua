-- wrk: as nearest.lua, asking for gzip (each answer is new, so it is compressed once, for
-- this request).
package.path = package.path .. ";" .. (os.getenv("BENCH_LUA_DIR") or ".") .. "/?.lua"
local c = require("common")
init = function() c.seed() end
request = function()
  local lat, lon = c.point()
  return wrk.format("GET", string.format(
    "/v1/locations/nearest?lat=%.4f&lon=%.4f&topic=%s&open_now=true&at=%s&lang=fi", lat, lon, c.topic, c.at),
    { ["Accept-Encoding"] = "gzip" })
end
done = c.done
