-- wrk script for bench/compat.sh: registrations that pass BACKWARD.
--
--   wrk ... -s bench/lua/compat.lua http://127.0.0.1:PORT -- NAMESPACE TAG FILE [MODELS]
--
-- POST /schemas/NAMESPACE/<TAG>-<k>/versions, k = counter % MODELS (default 10), version
-- "1.<thread>.<counter>": a new version number with every request, so every answer is a 201 as
-- long as TAG is fresh for the database. FILE holds a json_schema without "description"
-- (bench/compat.py register-schema); each request puts "A bench record (schema <version>)." there,
-- so no two registered documents are equal and a BACKWARD check compares the whole schema with the
-- latest version instead of stopping at two equal documents. Every registration differs from the
-- model's latest version by that annotation alone: compatible at every level.
--
-- Headers given to wrk with -H (an API key) are sent with every request.

local threads = 0

function setup(thread)
   threads = threads + 1
   thread:set("tid", threads)
end

local namespace, tag, rest
local models = 10
local counter = 0
local headers = { ["Content-Type"] = "application/json", ["Accept"] = "application/json" }

function init(args)
   namespace, tag = args[1], args[2]
   models = tonumber(args[4] or "10")
   local f = assert(io.open(args[3], "r"))
   local schema = f:read("*a"):gsub("%s+$", "")
   f:close()
   assert(schema:sub(1, 1) == "{", "compat.lua: FILE must hold a JSON object")
   -- The schema's members after its opening brace.
   rest = schema:sub(2)
   for name, value in pairs(wrk.headers) do
      if name ~= "Host" then headers[name] = value end
   end
end

function request()
   counter = counter + 1
   local version = "1." .. tid .. "." .. counter
   local path = "/schemas/" .. namespace .. "/" .. tag .. "-" .. (counter % models) .. "/versions"
   local body = '{"version":"' .. version .. '","json_schema":{"description":"A bench record (schema '
      .. version .. ')",' .. rest .. ',"registered_by":"bench"}'
   return wrk.format("POST", path, headers, body)
end
