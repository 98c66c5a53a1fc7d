-- wrk script of bench/run: bench/form_post.lua at a steady rate. Each wrk
-- thread hands out send slots 1/RATE seconds apart (RATE: that thread's
-- requests/s, the fifth argument) and each connection waits for its slot, so
-- the thread sends at RATE whatever the answers' latency, with its connections
-- only as the concurrency to do so.
--   wrk ... -s bench/form_post_paced.lua URL -- KIND COOKIE CSRF USERS RATE LOG
local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(here .. "form_post.lua")

local next_slot = nil

function delay()
	local now = wall()
	if not next_slot or next_slot < now - 0.05 then
		next_slot = now -- never more than 50 ms of catching up at once
	end
	local wait = (next_slot - now) * 1000
	next_slot = next_slot + 1 / rate
	return wait > 0 and math.floor(wait) or 0
end
