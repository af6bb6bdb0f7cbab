-- wrk: one URL asked again and again (an embedding site's widget list: the same few queries),
-- with Accept-Encoding from BENCH_ENCODING when set. The URL is wrk's command-line URL.
package.path = package.path .. ";" .. (os.getenv("BENCH_LUA_DIR") or ".") .. "/?.lua"
local c = require("common")
local encoding = os.getenv("BENCH_ENCODING")
if encoding and encoding ~= "" then wrk.headers["Accept-Encoding"] = encoding end
done = c.done
