-- wrk script for bench/schemas.sh: spreads requests over the seeded schemas.
--
--   wrk ... -s bench/lua/schemas.lua http://127.0.0.1:PORT -- MODE ARGS...
--
-- Seeded grid (bench/schemas.sh): namespaces ns00..ns<N-1>, models model00..model<M-1> in each,
-- the same versions in every model.
--
--   version  NS MODELS VERSIONS   GET /schemas/{ns}/{model}/versions/{version}, random cell
--   latest   NS MODELS            GET /schemas/{ns}/{model}/versions/latest, random model
--   list     NS MODELS PAGE       GET /schemas?limit=PAGE&offset=<random multiple of PAGE below NS*MODELS>
--   register NAMESPACE TAG FILE PHASE
--            POST /schemas/NAMESPACE/w<TAG>-<PHASE>-<k>/versions with a new version each time
--            ("1.<thread>.<counter>", k = counter % 10); FILE holds the json_schema body. Every
--            request is a 201 as long as TAG-PHASE is fresh for the database.
--   mix      NS MODELS VERSIONS TAG FILE [CREATE_EVERY]
--            90 % reads (one version or latest of a random seeded model), 9 % registrations (as
--            register, namespace soak), 1 % key operations (GET /api-keys/stats, GET /api-keys,
--            and one in CREATE_EVERY (default 100, 0 = never) a POST /api-keys with a new name:
--            each costs a bcrypt of ~0.25 s CPU): the soak's load, with authentication on.
--
-- Headers given to wrk with -H (an API key) are sent with every request.
--
-- VERSIONS is comma-separated (1.0.0,1.1.0,...). Requests are formatted once in init() where the
-- set is finite, so request() only picks one and wrk's own cost stays low.

local threads = 0

function setup(thread)
   threads = threads + 1
   thread:set("tid", threads)
end

local mode
local prepared = {}
local namespace, tag, prefix, suffix
local counter = 0
local create_every = 0
local json_headers = { ["Content-Type"] = "application/json", ["Accept"] = "application/json" }
local get_headers = { ["Accept"] = "application/json" }

local function split(s)
   local out = {}
   for part in string.gmatch(s, "[^,]+") do out[#out + 1] = part end
   return out
end

local function grid(args, each)
   local ns_count, model_count = tonumber(args[2]), tonumber(args[3])
   for n = 0, ns_count - 1 do
      for m = 0, model_count - 1 do
         each(string.format("ns%02d", n), string.format("model%02d", m))
      end
   end
end

local function get(path)
   prepared[#prepared + 1] = wrk.format("GET", path, get_headers)
end

local function load_register_body(file)
   local f = assert(io.open(file, "r"))
   local schema = f:read("*a"):gsub("%s+$", "")
   f:close()
   prefix = '{"version":"'
   suffix = '","json_schema":' .. schema .. ',"registered_by":"bench"}'
end

local reads = {}

function init(args)
   mode = args[1]
   math.randomseed(os.time() * 1000 + (tid or 0) * 7919)
   for name, value in pairs(wrk.headers) do
      if name ~= "Host" then json_headers[name] = value; get_headers[name] = value end
   end
   if mode == "version" then
      local versions = split(args[4])
      grid(args, function(ns, model)
         for _, v in ipairs(versions) do get("/schemas/" .. ns .. "/" .. model .. "/versions/" .. v) end
      end)
   elseif mode == "latest" then
      grid(args, function(ns, model) get("/schemas/" .. ns .. "/" .. model .. "/versions/latest") end)
   elseif mode == "list" then
      local models, page = tonumber(args[2]) * tonumber(args[3]), tonumber(args[4])
      for offset = 0, models - 1, page do
         get("/schemas?limit=" .. page .. "&offset=" .. offset)
      end
   elseif mode == "register" then
      namespace, tag = args[2], args[3] .. "-" .. (args[5] or "run")
      load_register_body(args[4])
   elseif mode == "mix" then
      local versions = split(args[4])
      grid(args, function(ns, model)
         get("/schemas/" .. ns .. "/" .. model .. "/versions/latest")
         for _, v in ipairs(versions) do get("/schemas/" .. ns .. "/" .. model .. "/versions/" .. v) end
      end)
      namespace, tag = "soak", args[5]
      load_register_body(args[6])
      create_every = tonumber(args[7] or "100")
   else
      error("schemas.lua: unknown mode " .. tostring(mode))
   end
end

local function register()
   counter = counter + 1
   local path = "/schemas/" .. namespace .. "/w" .. tag .. "-" .. (counter % 10) .. "/versions"
   local body = prefix .. "1." .. tid .. "." .. counter .. suffix
   return wrk.format("POST", path, json_headers, body)
end

function request()
   if mode == "register" then return register() end
   if mode == "mix" then
      local roll = math.random(100)
      if roll <= 9 then return register() end
      if roll == 10 then
         counter = counter + 1
         if create_every > 0 and counter % create_every == 0 then
            local body = '{"name":"soak-' .. tag .. '-' .. tid .. '-' .. counter .. '","permission":"read"}'
            return wrk.format("POST", "/api-keys", json_headers, body)
         end
         if counter % 2 == 0 then return wrk.format("GET", "/api-keys/stats", get_headers) end
         return wrk.format("GET", "/api-keys", get_headers)
      end
   end
   return prepared[math.random(#prepared)]
end
