-- wrk: the static file served by nginx (the baseline).
package.path = package.path .. ";" .. (os.getenv("BENCH_LUA_DIR") or ".") .. "/?.lua"
local c = require("common")
done = c.done
