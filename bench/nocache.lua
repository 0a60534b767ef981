-- wrk script: a unique query string on every request, so the page cache never answers and every
-- request makes the page anew (plus the cost of storing it). Used by bench/pages.py for "uncached".
local threads = 0

function setup(thread)
  threads = threads + 1
  thread:set("thread_id", threads)
end

local counter = 0

function request()
  counter = counter + 1
  return wrk.format(nil, wrk.path .. "?nocache=" .. thread_id .. "-" .. counter)
end
