-- wrk script of bench/run: form POSTs for registered users, spread over all of
-- them, with one visitor's session cookie and its valid CSRF token.
--   wrk ... -s bench/form_post.lua URL -- KIND COOKIE CSRF USERS [RATE LOG]
-- KIND: "reset" (POST /reset_password_request, email=user<N>@bench.example)
--    or "login" (POST /login, username=user<N>, password "bench password").
-- RATE > 0 (requests/s of each wrk thread) is for bench/form_post_paced.lua,
-- which adds the pacing; LOG then receives one line "N SEND_TIME" per request
-- (wall-clock seconds at the moment it is sent).
-- done() prints one JSON line: requests, duration, statuses, errors, latency.
local ffi = require("ffi")
ffi.cdef [[
typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
int clock_gettime(int clk, bench_timespec *ts);
]]

local threads = {}
local next_id = 0

function setup(thread)
	thread:set("id", next_id)
	next_id = next_id + 1
	table.insert(threads, thread)
end

function init(args)
	kind, cookie, csrf = args[1], args[2], args[3]
	users = tonumber(args[4])
	rate = tonumber(args[5] or "0")
	log_path = args[6]
	cursor = id * 7919 -- threads start far apart, then walk every user in turn
	statuses = {}
	sent = {}
	ts = ffi.new("bench_timespec")
	headers = { ["Content-Type"] = "application/x-www-form-urlencoded", ["Cookie"] = cookie }
end

function wall()
	ffi.C.clock_gettime(0, ts)
	return tonumber(ts.tv_sec) + tonumber(ts.tv_nsec) / 1e9
end

function request()
	local n = cursor % users
	local body, path
	cursor = cursor + 1
	if kind == "login" then
		path = "/login"
		body = "username=user" .. n .. "&password=bench+password&csrf_token=" .. csrf
	else
		path = "/reset_password_request"
		body = "email=user" .. n .. "%40bench.example&csrf_token=" .. csrf
	end
	if rate > 0 then
		sent[#sent + 1] = string.format("%d %.6f", n, wall())
	end
	return wrk.format("POST", path, headers, body)
end

function response(status, hdrs, body)
	statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
	local total, parts = {}, {}
	local log = nil
	for _, t in ipairs(threads) do
		for status, n in pairs(t:get("statuses")) do
			total[status] = (total[status] or 0) + n
		end
		local lines = t:get("sent")
		local path = t:get("log_path")
		if path and path ~= "" and #lines > 0 then
			log = log or io.open(path, "w")
			log:write(table.concat(lines, "\n"), "\n")
		end
	end
	if log then log:close() end
	for status, n in pairs(total) do
		parts[#parts + 1] = string.format('"%d":%d', status, n)
	end
	local e = summary.errors
	io.write(string.format(
		'{"requests":%d,"duration_us":%d,"statuses":{%s},' ..
		'"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
		'"latency_us":{"p50":%.1f,"p99":%.1f,"max":%.1f}}\n',
		summary.requests, summary.duration, table.concat(parts, ","),
		e.connect, e.read, e.write, e.status, e.timeout,
		latency:percentile(50), latency:percentile(99), latency.max))
end
