--[[ results.lua: the pandoc filter that fills the write-up from results/.

Metadata (set by paper/build.sh with -M):
  results   folder the result files are read from (paths written `results/...` map there)
  archdir   folder of the generated architecture tables (paths written `arch/...` map there)
  bench     the benchmark CSV to quote (results/bench/kernels-<cpu>.csv)
  linkbase  relative path from the output page to the source tree (links to code)
  srcroot   the source tree, for checking that linked files and functions exist
  manifest  file that receives one line per result the page uses ("image PATH", "table PATH",
            "missing TARGET"), for the test

What it does, in order:
  1. Div or Span with class `requires` (files="results/a results/b", target="table1", or
     glob="results/figure3*.png"): kept when every file exists, else replaced by a
     "results missing: run make TARGET" box, so its numbers are never read.
  2. Div with class `include` (file=..., target=...): the file's Markdown, its first heading
     dropped and the rest demoted; class `optional` turns a missing file into a box.
     beside=GLOB instead of file: the .md beside the CSV of GLOB measured last (one per CPU).
     Div with class `gallery` (glob=...): every matching PNG as a figure, 3x its size, captioned
     from figureN.md's panel table (factor, code, normalized MI, run).
     Div with class `costs`: the cost table from every provenance the page quotes.
  3. {{name:key}} placeholders in text, code and math: numbers computed from result files.
  4. Images under results/ must exist (else the build stops, naming the file and the make
     target); links to source files must name an existing file and function (else it stops). ]]

local results_dir, arch_dir, bench_file, link_base, src_root, manifest_path = "results", "", "", "../../", ".", nil
local manifest = {}
local H_CAT10 = math.log(10)

local function fail(msg)
  io.stderr:write("paper: " .. msg .. "\n")
  os.exit(1)
end

local function note(kind, path)
  manifest[#manifest + 1] = kind .. " " .. path
end

-- results/x -> <results>/x, arch/x -> <archdir>/x
local function resolve(path)
  local rest = path:match("^results/(.*)$")
  if rest then return results_dir .. "/" .. rest end
  rest = path:match("^arch/(.*)$")
  if rest then return arch_dir .. "/" .. rest end
  return path
end

local function exists(path)
  local f = io.open(resolve(path), "r")
  if f then f:close() return true end
  return false
end

local function read_all(path)
  local f = io.open(resolve(path), "r")
  if not f then return nil end
  local s = f:read("a")
  f:close()
  return s
end

-- The make target that regenerates a result file.
local function target_of(path, given)
  if given and given ~= "" then return given end
  local base = path:match("([^/]+)$") or path
  local n = base:match("^figure(%d+)")
  if n then return "figure" .. n end
  if base:match("^table1") then return "table1" end
  if path:match("bench/") then return "bench" end
  if path:match("datasets/") then return "data" end
  if path:match("^arch/") then return "paper" end
  return "reproduce"
end

local function glob(pattern)
  local files = {}
  local p = io.popen("ls -1 " .. resolve(pattern) .. " 2>/dev/null")
  for line in p:lines() do
    local rel = line:sub(#results_dir + 2)
    files[#files + 1] = "results/" .. rel
  end
  p:close()
  table.sort(files)
  return files
end

-- Of the files matching pattern (one per CPU), the one measured last, by its "# start:" line.
local function newest_measured(pattern)
  local best, best_start
  for _, path in ipairs(glob(pattern)) do
    local f = io.open(resolve(path), "r")
    local start = ""
    if f then
      for line in f:lines() do
        local v = line:match("^# start: (%S+)")
        if v then start = v break end
        if not line:match("^#") then break end
      end
      f:close()
    end
    if not best or start > best_start then best, best_start = path, start end
  end
  return best
end

---------------------------------------------------------------------------------------------
-- Result files

-- CSV with `# key: value` provenance comments: {prov = {...}, header = {...}, rows = {{col=value}}}
local csv_cache = {}
local function read_csv(path, need)
  if csv_cache[path] then return csv_cache[path] end
  local text = read_all(path)
  if not text then
    if need == false then return nil end
    fail(path .. " is missing; run `make " .. target_of(path) .. "` (or mark the text that quotes it as optional)")
  end
  local t = {prov = {}, rows = {}}
  for line in text:gmatch("[^\n]+") do
    local k, v = line:match("^#%s*([%w_%.%-]+):%s*(.-)%s*$")
    if k then
      t.prov[k] = v
    elseif not line:match("^#") then
      local cells = {}
      for cell in (line .. ","):gmatch("([^,]*),") do cells[#cells + 1] = cell end
      if not t.header then
        t.header = cells
      else
        local row = {}
        for i, name in ipairs(t.header) do row[name] = cells[i] end
        t.rows[#t.rows + 1] = row
      end
    end
  end
  if not t.header and not next(t.prov) then fail(path .. " has neither provenance lines nor a CSV header") end
  csv_cache[path] = t
  return t
end

local function num(row, col, path)
  local v = tonumber(row[col])
  if not v then fail(path .. ": column " .. col .. " is not a number ('" .. tostring(row[col]) .. "')") end
  return v
end

local function pct(x) return string.format("%.1f%%", 100 * x) end
-- held-out accuracies are multiples of 0.05% (2,000 images): two decimals, so that 92.95% does
-- not read as 93.0% beside a count of runs at or above 93%
local function pct2(x) return string.format("%.2f%%", 100 * x) end
local function f2(x) return string.format("%.2f", x) end
local function f3(x) return string.format("%.3f", x) end

local function thousands(n)
  local s = string.format("%d", math.floor(n + 0.5))
  local out = s:reverse():gsub("(%d%d%d)", "%1,"):reverse()
  return (out:gsub("^,", ""))
end

local function duration(s)
  if s < 120 then return string.format("%.0f s", s) end
  if s < 7200 then return string.format("%.0f min", s / 60) end
  return string.format("%.1f h", s / 3600)
end

local function median(xs)
  local s = {}
  for i, x in ipairs(xs) do s[i] = x end
  table.sort(s)
  local n = #s
  if n == 0 then return 0 end
  if n % 2 == 1 then return s[(n + 1) / 2] end
  return (s[n / 2] + s[n / 2 + 1]) / 2
end

-- Figure 1: L_I curves.
local function figure1(key)
  local path = "results/figure1.csv"
  local t = read_csv(path)
  local last = #t.rows
  local function mean_last(col, n)
    local s, c = 0, 0
    for i = math.max(1, last - n + 1), last do s = s + num(t.rows[i], col, path); c = c + 1 end
    return s / c
  end
  local function at(iter, col)
    for _, r in ipairs(t.rows) do
      if tonumber(r.iteration) == iter then return num(r, col, path) end
    end
    fail(path .. " has no row for iteration " .. iter)
  end
  local function peak(col)
    local best, it = -math.huge, 0
    for _, r in ipairs(t.rows) do
      local v = num(r, col, path)
      if v > best then best, it = v, tonumber(r.iteration) end
    end
    return best, it
  end
  local function first_reach(col, level)
    for _, r in ipairs(t.rows) do
      if num(r, col, path) >= level then return tonumber(r.iteration) end
    end
    return nil
  end
  local v = {
    iterations = function() return thousands(tonumber(t.rows[last].iteration)) end,
    li_at_100 = function() return f2(at(100, "li_infogan")) end,
    gan_at_100 = function() return f2(at(100, "li_gan")) end,
    infogan_last100 = function() return f2(mean_last("li_infogan", 100)) end,
    gan_last100 = function() return f2(mean_last("li_gan", 100)) end,
    gan_peak = function() return f2((peak("li_gan"))) end,
    gan_peak_iter = function() local _, it = peak("li_gan") return tostring(it) end,
    infogan_peak = function() return f2((peak("li_infogan"))) end,
    infogan_reach_2 = function()
      local it = first_reach("li_infogan", 2.0)
      return it and tostring(it) or "never"
    end,
    pace = function()
      local v100 = at(100, "li_infogan")
      if v100 >= 2.15 then return "about as fast as the paper's over the first hundred iterations" end
      return "slower than the paper's over the first hundred iterations (" .. f2(v100) .. " against about 2.25 at iteration 100)"
    end,
    qlr_at_100 = function() return f2(at(100, "li_infogan_qlr")) end,
    qlr_last100 = function() return f2(mean_last("li_infogan_qlr", 100)) end,
    qlr_reach_2 = function()
      local it = first_reach("li_infogan_qlr", 2.0)
      return it and tostring(it) or "never"
    end,
    infogan_last100_gap = function() return f2(H_CAT10 - mean_last("li_infogan", 100)) end,
    -- the issue's targets
    target_li100 = function() return at(100, "li_infogan") >= 2.0 and "met" or "not met" end,
    target_last100 = function() return mean_last("li_infogan", 100) >= 2.2 and "met" or "not met" end,
    target_gan = function() return mean_last("li_gan", 100) < 1.0 and "met" or "not met" end,
  }
  if not v[key] then fail("unknown placeholder {{figure1:" .. key .. "}}") end
  return v[key]()
end

-- A run's training seconds over all its invocations, nil when unknown: a result.csv's or
-- table1.csv's train_s ("-": unknown); in files before that column, wall_s timed one invocation
-- and counts only when it trained from iteration 1 (the iterations_per_s note, or table1.csv's
-- wall_whole).
local function train_seconds(r, prov)
  if r.train_s then return tonumber(r.train_s) end
  local note = prov and prov.iterations_per_s
  if r.wall_whole == "0" or (note and not note:match("over iterations 1%.%.")) then return nil end
  return tonumber(r.wall_s)
end

-- Figure 2's runs: the result.csv blocks quoted in results/figure2.md (InfoGAN, then GAN).
local function figure2(key)
  local path = "results/figure2.md"
  local text = read_all(path) or fail(path .. " is missing; run `make figure2`")
  local runs = {}
  for block in text:gmatch("```\n(.-)```") do
    local header, row
    for line in block:gmatch("[^\n]+") do
      if line:match("^seed,") then header = line
      elseif header and not row and not line:match("^#") then row = line end
    end
    if header and row then
      local r, names, i = {}, {}, 1
      for name in (header .. ","):gmatch("([^,]*),") do names[#names + 1] = name end
      for cell in (row .. ","):gmatch("([^,]*),") do r[names[i]] = cell; i = i + 1 end
      r.prov = {}
      for k, val in block:gmatch("#%s*([%w_]+):%s*([^\n]*)") do r.prov[k] = val end
      runs[#runs + 1] = r
    end
  end
  local which, col = key:match("^(%w+):([%w_]+)$")
  local r = which == "infogan" and runs[1] or which == "gan" and runs[2] or nil
  if not r then fail(path .. ": no result block for {{figure2:" .. key .. "}}") end
  if col == "order" then return text:match("Category order of panel %(a%): ([%d ]+)") or fail(path .. " has no category order") end
  if col:match("^acc") then return pct(num(r, col, path)) end
  if col == "nmi" or col == "mi_real" then return f3(num(r, col, path)) end
  if col == "iterations" then return thousands(num(r, col, path)) end
  if col == "train_s" then
    local s = train_seconds(r, r.prov)
    return s and duration(s) or "unknown (resumed run)"
  end
  if col == "commit" and r.prov.commit then return r.prov.commit:sub(1, 12) end
  if r.prov[col] then return r.prov[col] end
  return r[col] or fail(path .. " has no field " .. col .. " for the " .. which .. " run")
end

-- Table 1: the classifier test over seeds ({{table1:...}}; {{table1_bf16:...}} the same
-- seeds with the bfloat16 GEMMs, results/bf16/table1.csv).
local function table1(key, path)
  path = path or "results/table1.csv"
  local t = read_csv(path)
  local acc, hung, nmi, ari, wall = {}, {}, {}, {}, {}
  local pick, central
  for i, r in ipairs(t.rows) do
    acc[i], hung[i], nmi[i] = num(r, "acc_majority", path), num(r, "acc_hungarian", path), num(r, "nmi", path)
    if r.ari then ari[#ari + 1] = num(r, "ari", path) end
    wall[#wall + 1] = train_seconds(r)
    if not pick or num(r, "mi_real", path) > num(pick, "mi_real", path) then pick = r end
    -- model centrality, the named label-free choice (tables before it lack the column)
    if r.centrality and num(r, "stuck", path) == 0 and
       (not central or num(r, "centrality", path) > num(central, "centrality", path)) then central = r end
  end
  local function need_central()
    if not central then fail(path .. " has no centrality column: run `make table1` again") end
    return central
  end
  if #acc == 0 then fail(path .. " has no runs") end
  local function count_at_least(x)
    local c = 0
    for _, a in ipairs(acc) do if a >= x then c = c + 1 end end
    return tostring(c)
  end
  local function sum(xs) local s = 0 for _, x in ipairs(xs) do s = s + x end return s end
  local v = {
    n = function() return tostring(#acc) end,
    isa = function() return t.prov.isa or fail(path .. " names no isa in its provenance") end,
    iterations = function() return thousands(num(t.rows[1], "iterations", path)) end,
    best = function() return pct2(math.max(table.unpack(acc))) end,
    worst = function() return pct2(math.min(table.unpack(acc))) end,
    median = function() return pct2(median(acc)) end,
    mean = function() return pct2(sum(acc) / #acc) end,
    hungarian_median = function() return pct2(median(hung)) end,
    nmi_median = function() return f3(median(nmi)) end,
    ari_median = function()
      if #ari == 0 then fail(path .. " has no ari column: run its table target again") end
      return f3(median(ari))
    end,
    reach95 = function() return count_at_least(0.95) end,
    reach93 = function() return count_at_least(0.93) end,
    pick_seed = function() return pick.seed end,
    pick_mi = function() return f3(num(pick, "mi_real", path)) end,
    pick_acc = function() return pct2(num(pick, "acc_majority", path)) end,
    central_seed = function() return need_central().seed end,
    central_acc = function() return pct2(num(need_central(), "acc_majority", path)) end,
    central_gap = function()
      return string.format("%.1f", 100 * (math.max(table.unpack(acc)) - num(need_central(), "acc_majority", path)))
    end,
    target_central = function()
      return math.max(table.unpack(acc)) - num(need_central(), "acc_majority", path) <= 0.01 and "met" or "not met"
    end,
    wall_median = function()
      if #wall == 0 then fail(path .. ": no run's training time is known (every run was resumed from a checkpoint without it)") end
      return duration(median(wall))
    end,
    wall_total = function() return duration(sum(wall)) end,
    -- the training times' range in seconds and iterations per second, and the AMX target of one
    -- seed in 8 minutes (the median training time plus the 2 s of loading and evaluation)
    wall_range = function()
      if #wall == 0 then fail(path .. ": no run's training time is known") end
      return string.format("%.0f to %.0f s", math.min(table.unpack(wall)), math.max(table.unpack(wall)))
    end,
    rate_range = function()
      if #wall == 0 then fail(path .. ": no run's training time is known") end
      local its = num(t.rows[1], "iterations", path)
      return string.format("%.1f-%.1f", its / math.max(table.unpack(wall)), its / math.min(table.unpack(wall)))
    end,
    target_8min = function()
      if #wall == 0 then fail(path .. ": no run's training time is known") end
      return median(wall) + 2 <= 480 and "met" or "not met"
    end,
    target_median = function() return median(acc) >= 0.82 and "met" or "not met" end,
    target_best = function() return math.max(table.unpack(acc)) >= 0.93 and "met" or "not met" end,
    -- the issue's targets of ten seeds: best >= 95%, median >= 84%; Fashion-MNIST's: median >= 0.60
    target_best95 = function() return math.max(table.unpack(acc)) >= 0.95 and "met" or "not met" end,
    target_median84 = function() return median(acc) >= 0.84 and "met" or "not met" end,
    target_fashion_median = function() return median(acc) >= 0.60 and "met" or "not met" end,
  }
  if not v[key] then fail("unknown placeholder {{table1:" .. key .. "}}") end
  return v[key]()
end

-- Kernel benchmark: {{bench:cpu}}, {{bench:KERNEL:ISA:SHAPE:THREADS:COLUMN}}, and summaries.
local function bench(key)
  if bench_file == "" then fail("no benchmark CSV under results/bench; run `make bench`") end
  local t = read_csv(bench_file)
  local function row(kernel, isa, shape, threads)
    for _, r in ipairs(t.rows) do
      if r.kernel == kernel and r.isa == isa and r.shape == shape and r.threads == threads then return r end
    end
    fail(bench_file .. " has no row " .. table.concat({kernel, isa, shape, threads}, ","))
  end
  if key == "cpu" then
    return (t.prov.cpu or fail(bench_file .. " has no '# cpu:' line")) .. " (" .. bench_file:match("kernels%-(.*)%.csv$") .. ")"
  end
  if key == "openblas" or key == "start" or key == "commit" or key == "loadavg_at_start" then
    return t.prov[key] or fail(bench_file .. " has no '# " .. key .. ":' line")
  end
  if key == "file" then return bench_file:match("([^/]+)$") end
  if key == "png" then return bench_file:match("^results/(.*)%.csv$") .. ".png" end
  -- ratio_min/ratio_max: ISA's GFLOP/s over the better BLAS's (OpenBLAS or BLIS) on the MNIST
  -- layer shapes (every sgemm shape but the 1024^3 square) at 2 threads.
  local isa, what = key:match("^ratio_(%w+)_(%a+)$")
  if isa then
    local lo, hi = math.huge, -math.huge
    for _, r in ipairs(t.rows) do
      if r.kernel:match("^sgemm") and r.isa == isa and r.threads == "2" and r.shape ~= "1024x1024x1024"
        and tonumber(r.openblas_gflops) then
        local blas = math.max(num(r, "openblas_gflops", bench_file), tonumber(r.blis_gflops) or 0)
        local q = num(r, "gflops", bench_file) / blas
        lo, hi = math.min(lo, q), math.max(hi, q)
      end
    end
    if lo == math.huge then fail(bench_file .. " has no 2-thread " .. isa .. " SGEMM rows with OpenBLAS") end
    return f2(what == "min" and lo or hi)
  end
  local kernel, isa2, shape, threads, col = key:match("^([%w_]+):(%w+):([%w%-]+):(%d+):([%w_]+)$")
  if not kernel then fail("bad placeholder {{bench:" .. key .. "}}") end
  local r = row(kernel, isa2, shape, threads)
  local x = num(r, col, bench_file)
  return col == "pct_of_peak" and string.format("%.0f%%", x) or string.format("%.0f", x)
end

-- {{prov:FILE:KEY}}: a provenance line of a result file.
-- Against PyTorch, from results/bench/torch-*.csv: {{torch:ratio_median}} and
-- {{torch:ratio_bf16_median}} (its provenance), {{torch:rounds}}, and the medians over rounds
-- of the best it/s of {{torch:ours}} (our full-precision ISAs), {{torch:ours_bf16}}
-- (avx512bf16 or amx), {{torch:pytorch}} (f32) and {{torch:pytorch_bf16}} (CPU autocast to bfloat16).
local torch_rows = {
  ours = function(r) return r.impl == "ours" and r.isa ~= "avx512bf16" and r.isa ~= "amx" end,
  ours_bf16 = function(r) return r.impl == "ours" and (r.isa == "avx512bf16" or r.isa == "amx") end,
  pytorch = function(r) return r.impl == "pytorch" and (r.isa == "f32" or r.isa == "-") end,
  pytorch_bf16 = function(r) return r.impl == "pytorch" and r.isa == "bf16-autocast" end,
}
local function torch_bench(key)
  local path = newest_measured("results/bench/torch-*.csv") or fail("no results/bench/torch-*.csv; run `make bench-torch`")
  local t = read_csv(path)
  if key == "ratio_median" or key == "ratio_bf16_median" then
    return f2(tonumber(t.prov[key]) or fail(path .. " has no " .. key))
  end
  if key == "cpu" then return t.prov.cpu or fail(path .. " has no '# cpu:' line") end
  if key == "rounds" then
    local n = 0
    for _, r in ipairs(t.rows) do n = math.max(n, tonumber(r.round)) end
    return tostring(n)
  end
  local wanted = torch_rows[key] or fail("bad placeholder {{torch:" .. key .. "}}")
  local best = {}
  for _, r in ipairs(t.rows) do
    if wanted(r) then
      local rnd = tonumber(r.round)
      best[rnd] = math.max(best[rnd] or 0, num(r, "it_per_s", path))
    end
  end
  local xs = {}
  for _, v in pairs(best) do xs[#xs + 1] = v end
  if #xs == 0 then fail(path .. " has no " .. key .. " rows") end
  return f2(median(xs))
end

local function prov(key)
  local file, k = key:match("^(.+):([%w_%.%-]+)$")
  if not file then fail("bad placeholder {{prov:" .. key .. "}}") end
  local t = read_csv("results/" .. file)
  local val = t.prov[k] or fail("results/" .. file .. " has no '# " .. k .. ":' line")
  if k:match("wall_s$") then return duration(tonumber(val)) end
  if k:match("iterations_per_s$") then return string.format("%.2f", tonumber(val:match("^[%d%.]+"))) end
  if k:match("commit$") then return val:sub(1, 12) end
  return val
end

-- Data set stand-ins: {{datasets:NAME:wall}} / {{datasets:NAME:cpu}} from results/datasets/README.md.
local function datasets(key)
  local path = "results/datasets/README.md"
  local text = read_all(path) or fail(path .. " is missing; run `make data`")
  local name, what = key:match("^(%w+):(%w+)$")
  local section = text:match("## " .. name .. " .-\n(.-)\n## ") or text:match("## " .. name .. " .-\n(.*)$")
  if not section then fail(path .. " has no section for " .. name) end
  local n, wall, cpu = section:match("Rendering (%d+) images took ([%d%.]+) s wall clock, ([%d%.]+) s CPU")
  if not n then fail(path .. ": no rendering time for " .. name) end
  if what == "n" then return thousands(tonumber(n)) end
  if what == "wall" then return wall .. " s" end
  if what == "cpu" then return cpu .. " s" end
  fail("unknown placeholder {{datasets:" .. key .. "}}")
end

-- {{arch:NAME:q_share}}, {{arch:NAME:g_params}}, {{arch:NAME:dq_params}}: from the generated tables.
local function arch(key)
  local name, what = key:match("^(%w+):([%w_]+)$")
  local path = "arch/" .. (name or "?") .. ".md"
  local text = read_all(path) or fail(path .. " is missing: is there a table " .. tostring(name) .. " in lib/model/arch.c?")
  if what == "q_share" then return text:match("Q's head: ([%d%.]+%%)") or fail(path .. " has no Q share") end
  if what == "g_params" then return text:match("| G | total | | ([%d,]+) |") or fail(path .. " has no G total") end
  if what == "dq_params" then return text:match("| D and Q | total[^|]*| | ([%d,]+) |") or fail(path .. " has no D/Q total") end
  fail("unknown placeholder {{arch:" .. key .. "}}")
end

-- {{agg:FILE:COL=VALUE:COL2:FUNC}}: min, max, mean or n of COL2 over the rows of results/FILE
-- whose COL is VALUE.
local function agg(key)
  local file, fcol, fval, col, fn = key:match("^([^:]+):([%w_]+)=([^:]+):([%w_]+):(%a+)$")
  if not file then fail("bad placeholder {{agg:" .. key .. "}} (want FILE:COL=VALUE:COL:min|max|mean|n)") end
  local path = "results/" .. file
  local t = read_csv(path)
  local xs = {}
  for _, r in ipairs(t.rows) do
    if r[fcol] == fval then xs[#xs + 1] = num(r, col, path) end
  end
  if #xs == 0 then fail(path .. " has no row with " .. fcol .. " = " .. fval) end
  if fn == "n" then return tostring(#xs) end
  local lo, hi, sum = math.huge, -math.huge, 0
  for _, x in ipairs(xs) do lo, hi, sum = math.min(lo, x), math.max(hi, x), sum + x end
  local v = ({min = lo, max = hi, mean = sum / #xs})[fn] or fail("unknown function " .. fn .. " in {{agg:" .. key .. "}}")
  return f2(v)
end

local sources = {figure1 = figure1, arch = arch, agg = agg, figure2 = figure2, table1 = table1, bench = bench, torch = torch_bench, prov = prov,
                 table1_bf16 = function(key) return table1(key, "results/bf16/table1.csv") end,
                 table1_fashion = function(key) return table1(key, "results/fashion/table1.csv") end,
                 datasets = datasets,
                 const = function(key)
                   if key == "ln10" then return string.format("%.3f", H_CAT10) end
                   fail("unknown placeholder {{const:" .. key .. "}}")
                 end}

local function fill(text)
  return (text:gsub("{{([%w_]+):([^}]+)}}", function(ns, key)
    local f = sources[ns] or fail("unknown placeholder namespace {{" .. ns .. ":" .. key .. "}}")
    return f(key)
  end))
end

---------------------------------------------------------------------------------------------
-- Pass 1: optional parts

local function missing_inlines(files, target)
  local shown = {}
  for _, f in ipairs(files) do shown[#shown + 1] = "`" .. f .. "`" end
  note("missing", target)
  return pandoc.read("**Results missing:** " .. table.concat(shown, ", ") ..
    (#files == 1 and " does" or " do") .. " not exist yet; run `make " .. target .. "`.").blocks[1].content
end

local function missing_box(files, target)
  return pandoc.Div({pandoc.Para(missing_inlines(files, target))}, pandoc.Attr("", {"missing"}))
end

local function requirement(el)
  local files = {}
  for f in (el.attributes.files or ""):gmatch("%S+") do files[#files + 1] = f end
  local absent = {}
  for _, f in ipairs(files) do if not exists(f) then absent[#absent + 1] = f end end
  if el.attributes.glob and #glob(el.attributes.glob) == 0 then absent[#absent + 1] = el.attributes.glob end
  local target = target_of(files[1] or el.attributes.glob or "", el.attributes.target)
  return absent, target
end

-- A Div of class `observed` (key="figure2:infogan:commit" value="64e260f95ee0") holds what we
-- saw when we looked at a figure: kept while the placeholder still has that value, else
-- replaced by a note that the figure changed since.
local function observed(el)
  local key, value = el.attributes.key, el.attributes.value
  if not key or not value then fail("an observed block needs key=... and value=...") end
  local now = fill("{{" .. key .. "}}")
  if now == value then return el.content end
  return pandoc.Div({pandoc.Para(pandoc.read("**Not described yet:** the figure was regenerated (`" .. key ..
    "` is now `" .. now .. "`, our description was of `" .. value .. "`); check it against the list above.").blocks[1].content)},
    pandoc.Attr("", {"missing"}))
end

local pass_optional = {
  Div = function(el)
    if el.classes:includes("observed") then return observed(el) end
    if not el.classes:includes("requires") then return nil end
    local absent, target = requirement(el)
    if #absent > 0 and el.attributes.why then
      note("missing", target)
      return pandoc.Div({pandoc.Para(pandoc.read("**Not available yet:** " .. el.attributes.why).blocks[1].content)},
                        pandoc.Attr("", {"missing"}))
    end
    if #absent > 0 then return missing_box(absent, target) end
    return el.content
  end,
  Span = function(el)
    if not el.classes:includes("requires") then return nil end
    local absent, target = requirement(el)
    if #absent > 0 then
      note("missing", target)
      if FORMAT:match("gfm") or FORMAT:match("markdown") then
        return pandoc.read("*missing: run `make " .. target .. "`*").blocks[1].content
      end
      return pandoc.Span(pandoc.read("**missing:** run `make " .. target .. "`").blocks[1].content, pandoc.Attr("", {"missing-inline"}))
    end
    return el.content
  end,
}

---------------------------------------------------------------------------------------------
-- Pass 2: includes, galleries, cost table

local function include(el)
  -- beside="results/bench/mpi-*.csv": the .md written beside the CSV measured last.
  local beside = el.attributes.beside and newest_measured(el.attributes.beside)
  local file = el.attributes.file or (beside and beside:gsub("%.csv$", ".md"))
  if not file and el.attributes.beside and el.classes:includes("optional") then
    return missing_box({el.attributes.beside}, el.attributes.target or "bench")
  end
  file = file or fail("an include block needs file=... or beside=...")
  local text = read_all(file)
  if not text then
    if el.classes:includes("optional") then return missing_box({file}, target_of(file, el.attributes.target)) end
    fail(file .. " is missing (the write-up includes it); run `make " .. target_of(file, el.attributes.target) .. "`")
  end
  note("table", file)
  local doc = pandoc.read(text, "markdown")
  local shift = tonumber(el.attributes.shift or "2")
  local blocks, dropped = {}, false
  for _, b in ipairs(doc.blocks) do
    if b.t == "Header" and b.level == 1 and not dropped then
      dropped = true
    else
      if b.t == "Header" then b.level = math.min(6, b.level + shift) end
      blocks[#blocks + 1] = b
    end
  end
  -- its images are named relative to it (table1.md: table1_hist.png): relative to the page here
  local dir = file:match("^(.*/)") or ""
  local div = pandoc.walk_block(pandoc.Div(blocks, pandoc.Attr("", {"included"}, {{"source", file}})), {
    Image = function(img)
      if not img.src:match("^%a[%w+.-]*:") and not img.src:match("^/") then img.src = dir .. img.src end
      return img
    end})
  -- the included text's optional parts are resolved like the chapters' (pass 1 ran before)
  return pandoc.walk_block(div, pass_optional)
end

-- A PNG's width in pixels (its IHDR chunk), or nil.
local function png_width(path)
  local f = io.open(resolve(path), "rb")
  if not f then return nil end
  local head = f:read(24)
  f:close()
  if not head or #head < 24 or head:sub(2, 4) ~= "PNG" then return nil end
  local a, b, c, d = head:byte(17, 20)
  return ((a * 256 + b) * 256 + c) * 256 + d
end

-- figureN.md's panel table: {["figure3a.png"] = {paper=, run=, code=, factor=, nmi=}}.
local function panel_rows(md_path)
  local rows, text = {}, read_all(md_path)
  for line in (text or ""):gmatch("[^\n]+") do
    local c = {}
    for cell in line:gmatch("|%s*([^|]-)%s*%f[|]") do c[#c + 1] = cell end
    if #c >= 7 and c[1]:match("^figure%d+%a%.png$") then
      rows[c[1]] = {paper = c[2], run = c[4]:gsub("`", ""), code = c[5], factor = c[6], nmi = c[7]}
    end
  end
  return rows
end

-- Every PNG of glob as a figure, enlarged 3x (the style sheet keeps the pixels sharp), its
-- caption the paper's factor, the code drawn and its run from figureN.md's panel table.
local function gallery(el)
  local files = glob(el.attributes.glob or fail("a gallery block needs glob=..."))
  local blocks, tables = {}, {}
  for _, f in ipairs(files) do
    local name = f:match("([^/]+)%.png$") or f
    local fig = name:match("^(figure%d+)%a$")
    local caption = name
    if fig then
      tables[fig] = tables[fig] or panel_rows("results/" .. fig .. ".md")
      local r = tables[fig][name .. ".png"]
      if r then
        caption = string.format("%s: %s. Code %s, normalized MI %s with %s, from the run %s.",
                                name, r.paper, r.code, r.nmi, r.factor, r.run)
      end
    end
    local w = png_width(f)
    local attr = pandoc.Attr("", {}, w and {{"width", tostring(3 * w)}} or {})
    blocks[#blocks + 1] = pandoc.Para({pandoc.Image({pandoc.Str(caption)}, f, "fig:", attr)})
  end
  return blocks
end

-- The cost table: one row per provenance block the page quotes.
local function costs_table()
  local rows = {}
  local function add(what, p, iters, target)
    if not p then return end
    local wall = tonumber(p.wall_s or "")
    local ips = p.iterations_per_s and tonumber(p.iterations_per_s:match("^[%d%.]+")) or nil
    rows[#rows + 1] = string.format("| %s | %s | %s | %s | %s | %s | %s | `make %s` |", what,
      iters or "", p.isa or "", p.threads or "", wall and duration(wall) or "",
      ips and string.format("%.2f", ips) or "", wall and p.threads and duration(wall * tonumber(p.threads)) or "", target)
  end
  local f1 = read_csv("results/figure1.csv", false)
  if f1 then
    local iters = thousands(tonumber(f1.rows[#f1.rows].iteration))
    local function sub(prefix)
      local p = {}
      for k, v in pairs(f1.prov) do
        local rest = k:match("^" .. prefix .. "%.(.*)$")
        if rest then p[rest] = v end
      end
      return next(p) and p or nil
    end
    add("Figure 1, InfoGAN run", sub("infogan"), iters, "figure1")
    add("Figure 1, GAN run", sub("gan"), iters, "figure1")
  end
  if exists("results/figure2.md") then
    local text = read_all("results/figure2.md")
    local i = 0
    for block in text:gmatch("```\n(.-)```") do
      i = i + 1
      local p = {}
      for k, v in block:gmatch("#%s*([%w_]+):%s*([^\n]*)") do p[k] = v end
      local iters = block:match("\n%d+,(%d+),")
      add("Figure 2, " .. (i == 1 and "InfoGAN" or "GAN") .. " run", p, iters and thousands(tonumber(iters)), "figure2")
    end
  end
  for _, t in ipairs({{"results/table1.csv", "Table 1", "table1"},
                      {"results/bf16/table1.csv", "Table 1 (bfloat16 GEMMs)", "table1-bf16"}}) do
    local t1 = read_csv(t[1], false)
    for _, r in ipairs(t1 and t1.rows or {}) do
      local wall = train_seconds(r)
      local iters = tonumber(r.iterations)
      add(t[2] .. ", seed " .. r.seed, {wall_s = wall, iterations_per_s = wall and wall > 0 and
        string.format("%.3f", iters / wall) or nil, isa = t1.prov.isa, threads = t1.prov.threads},
        thousands(iters), t[3])
    end
  end
  if bench_file ~= "" then add("Kernel benchmark", read_csv(bench_file).prov, nil, "bench") end
  local md = "| result | iterations | ISA | threads | wall | it/s | CPU time (wall x threads, at most) | regenerate |\n" ..
             "|---|---|---|---|---|---|---|---|\n" .. table.concat(rows, "\n") .. "\n"
  return pandoc.read(md, "markdown").blocks
end

-- A CSV file as a table: file=... (or glob=..., its first match), columns="a b c" (default:
-- all), where="col=value ..." (Lua patterns).
local function csv_table(el)
  local file = el.attributes.file
  if el.attributes.glob then file = glob(el.attributes.glob)[1] end
  if not file then fail("a csv block needs file=... or a glob=... that matches") end
  if file == "bench" then file = bench_file end
  local t = read_csv(file)
  note("table", file)
  local cols = {}
  for c in (el.attributes.columns or table.concat(t.header, " ")):gmatch("%S+") do cols[#cols + 1] = c end
  local filters = {}
  for k, v in (el.attributes.where or ""):gmatch("([%w_]+)=(%S+)") do filters[#filters + 1] = {k, v} end
  local lines = {"| " .. table.concat(cols, " | ") .. " |", "|" .. string.rep("---|", #cols)}
  for _, r in ipairs(t.rows) do
    local keep = true
    for _, f in ipairs(filters) do
      if not (r[f[1]] or ""):match("^" .. f[2] .. "$") then keep = false end
    end
    if keep then
      local cells = {}
      for i, c in ipairs(cols) do cells[i] = r[c] or fail(file .. " has no column " .. c) end
      lines[#lines + 1] = "| " .. table.concat(cells, " | ") .. " |"
    end
  end
  return pandoc.Div(pandoc.read(table.concat(lines, "\n"), "markdown").blocks,
                    pandoc.Attr("", {"included"}, {{"source", file}}))
end

local pass_blocks = {
  Div = function(el)
    if el.classes:includes("include") then return include(el) end
    if el.classes:includes("csv") then return csv_table(el) end
    if el.classes:includes("gallery") then return gallery(el) end
    if el.classes:includes("costs") then return costs_table() end
    return nil
  end,
}

---------------------------------------------------------------------------------------------
-- Pass 3: placeholders, images, code links

local function code_line(file, symbol)
  local f = io.open(src_root .. "/" .. file, "r")
  if not f then fail("the write-up links to " .. file .. ", which does not exist") end
  local n, found = 0, nil
  local esc = symbol:gsub("%p", "%%%0")
  for line in f:lines() do
    n = n + 1
    -- a definition: starts in column 0, names the symbol followed by "(", is not a declaration
    if not found and line:match("^[%a_]") and line:match("[%s%*]" .. esc .. "%(") and not line:match(";%s*$") then
      found = n
    end
  end
  f:close()
  if not found then
    local g = io.open(src_root .. "/" .. file, "r")
    n = 0
    for line in g:lines() do
      n = n + 1
      if not found and line:match("%f[%w_]" .. esc .. "%f[^%w_]") then found = n end
    end
    g:close()
  end
  if not found then fail("the write-up links to " .. symbol .. " in " .. file .. ", which does not define it") end
  return found
end

local pass_inline = {
  Str = function(el)
    if el.text:find("{{", 1, true) then return pandoc.Str(fill(el.text)) end
  end,
  Code = function(el)
    if el.text:find("{{", 1, true) then el.text = fill(el.text) return el end
  end,
  CodeBlock = function(el)
    if el.text:find("{{", 1, true) then el.text = fill(el.text) return el end
  end,
  Math = function(el)
    if el.text:find("{{", 1, true) then el.text = fill(el.text) return el end
  end,
  Image = function(el)
    local src = el.src:gsub("%%7[Bb]", "{"):gsub("%%7[Dd]", "}")
    if src:find("{{", 1, true) then src = fill(src) end
    if not src:match("^results/") and not src:match("^arch/") then return nil end
    if not exists(src) then
      if el.classes:includes("optional") then return pandoc.Emph(missing_inlines({src}, target_of(src, el.attributes.target))) end
      fail(src .. " is missing (the write-up shows it); run `make " .. target_of(src, el.attributes.target) .. "`")
    end
    note("image", src)
    el.attributes.source = src
    el.src = resolve(src)
    return el
  end,
  Link = function(el)
    local file, symbol = el.target:match("^((%a[%w_%-]*)/[^#]+)#?(.*)$")
    if not file or el.target:match("^%a+:") then return nil end
    local top = file:match("^([^/]+)/")
    if not ({lib = 1, experiments = 1, kernels = 1, bench = 1, tests = 1, scripts = 1, paper = 1, Makefile = 1})[top] then
      return nil
    end
    symbol = el.target:match("#(.+)$")
    local line = symbol and code_line(file, symbol) or nil
    if not symbol then
      local f = io.open(src_root .. "/" .. file, "r")
      if not f then fail("the write-up links to " .. file .. ", which does not exist") end
      f:close()
    end
    el.target = link_base .. file
    if not line then
      el.title = file
      return el
    end
    local where = file .. ":" .. line
    el.title = where
    return {el, pandoc.Space(), pandoc.Span({pandoc.Str("(" .. where .. ")")}, pandoc.Attr("", {"srcref"}))}
  end,
}

local function read_meta(meta)
  local function get(k, default)
    return meta[k] and pandoc.utils.stringify(meta[k]) or default
  end
  results_dir = get("results", results_dir)
  arch_dir = get("archdir", arch_dir)
  bench_file = get("bench", bench_file)
  link_base = get("linkbase", link_base)
  src_root = get("srcroot", src_root)
  manifest_path = meta.manifest and pandoc.utils.stringify(meta.manifest) or nil
  if bench_file ~= "" then
    local rest = bench_file:match("^" .. results_dir:gsub("%p", "%%%0") .. "/(.*)$")
    if rest then bench_file = "results/" .. rest end
  end
end

return {
  {Meta = function(meta) read_meta(meta) end},
  pass_optional,
  pass_blocks,
  pass_inline,
  {Meta = function(meta)
     meta.results = nil
     meta.archdir = nil
     meta.bench = nil
     meta.linkbase = nil
     meta.srcroot = nil
     meta.manifest = nil
     return meta
   end,
   Pandoc = function(doc)
     if manifest_path then
       local f = io.open(manifest_path, "w") or fail("cannot write " .. manifest_path)
       f:write(table.concat(manifest, "\n"), "\n")
       f:close()
     end
     return doc
   end},
}
