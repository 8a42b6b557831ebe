package io.cyberun.scheduler.registry;

import io.cyberun.common.redis.LuaScript;

/**
 * The scheduler's Redis scripts: each task event is one script call, so a decision (reserve a slot, queue the task as
 * waiting, free a slot and place the next waiting task) is atomic across scheduler replicas and costs one round trip.
 * <p>
 * Data (every key under the deployment's prefix {@code p}; one Redis, not a cluster, since keys are built in Lua):
 * <ul>
 * <li>{@code agent:<team>:<agent>} hash: status, capacity, running, labelset {@code ",a,b,"}, modelset, vram_gb, hub,
 * session and what the API shows;</li>
 * <li>{@code agent-slots:<team>:<agent>} set of the tasks holding its slots; {@code slot:<task>} the agent a task holds;</li>
 * <li>{@code task:<task>} hash: team, spec, status (the scheduler's view: pending, waiting, provisioning, queued,
 * running, done), agent, attempt (the last dispatched or recorded), seq (last event applied), required labels, models
 * and VRAM; a finished task leaves a tombstone {@code {status=done, seq}} so its old events are skipped;</li>
 * <li>{@code waiting:<team>} sorted set in dispatch order; {@code unacked} sorted set of dispatches by time.</li>
 * </ul>
 * Longer than 300 lines because it is Lua source: the scripts share {@code COMMON} and the layout above, and read as
 * one unit with them; the Java callers are in {@link AgentRegistry}.
 */
final class SchedulerScripts {
    private SchedulerScripts() {
    }

    /** Helpers every placing script shares. ARGV[1] is always the key prefix, ARGV[2] the team. */
    private static final String COMMON = """
            local p = ARGV[1]
            local team = ARGV[2]
            local function akey(agent) return p .. 'agent:' .. team .. ':' .. agent end
            local function tkey(task) return p .. 'task:' .. task end
            local function takes(a)
              local st = redis.call('HGET', a, 'status')
              return st == 'idle' or st == 'busy'
            end
            local function free(a)
              local c = redis.call('HMGET', a, 'capacity', 'running')
              return tonumber(c[1] or '0') - tonumber(c[2] or '0')
            end
            local function within(list, set)
              for item in string.gmatch(list or '', '[^,]+') do
                if not string.find(set or ',', ',' .. item .. ',', 1, true) then return false end
              end
              return true
            end
            local function fits(a, t)
              local ah = redis.call('HMGET', a, 'labelset', 'vram_gb')
              local th = redis.call('HMGET', t, 'labels', 'vram')
              if not within(th[1], ah[1]) then return false end
              local minv = tonumber(th[2] or '')
              local v = tonumber(ah[2] or '')
              return not (minv and minv > 0 and v and v < minv)
            end
            local function hasModels(a, t)
              return within(redis.call('HGET', t, 'models'), redis.call('HGET', a, 'modelset'))
            end
            local function occupy(agent, task)
              redis.call('HINCRBY', akey(agent), 'running', 1)
              redis.call('SET', p .. 'slot:' .. task, agent)
              redis.call('SADD', p .. 'agent-slots:' .. team .. ':' .. agent, task)
            end
            local function reserve(agent, task, now)
              occupy(agent, task)
              local attempt = redis.call('HINCRBY', tkey(task), 'attempt', 1)
              redis.call('HSET', tkey(task), 'status', 'queued', 'agent', agent)
              redis.call('ZADD', p .. 'unacked', now, task)
              redis.call('ZREM', p .. 'waiting:' .. team, task)
              return attempt
            end
            local function release(task)
              local s = p .. 'slot:' .. task
              local agent = redis.call('GET', s)
              if not agent then return '' end
              redis.call('DEL', s)
              redis.call('SREM', p .. 'agent-slots:' .. team .. ':' .. agent, task)
              local a = akey(agent)
              if redis.call('EXISTS', a) == 1 and redis.call('HINCRBY', a, 'running', -1) < 0 then
                redis.call('HSET', a, 'running', 0)
              end
              return agent
            end
            -- With no candidates (the caller's view of the agents may be behind Redis), every agent of the team is tried.
            local function tryAgents(task, candidates, now)
              if #candidates == 0 then candidates = redis.call('SMEMBERS', p .. 'agents:' .. team) end
              for _, agent in ipairs(candidates) do
                local a = akey(agent)
                if redis.call('EXISTS', a) == 1 and takes(a) and free(a) > 0 and fits(a, tkey(task)) then
                  return agent, reserve(agent, task, now)
                end
              end
              return nil, 0
            end
            -- Places the team's first n waiting tasks on the given agents (those that already have a task's models first),
            -- while any of them has a free slot; answers task, agent, attempt, spec for each placed task.
            local function placeWaiting(n, now, agents)
              local placed = {}
              local room = 0
              for _, agent in ipairs(agents) do
                local a = akey(agent)
                if redis.call('EXISTS', a) == 1 and takes(a) then room = room + math.max(0, free(a)) end
              end
              if room <= 0 then return placed end
              local w = p .. 'waiting:' .. team
              for _, task in ipairs(redis.call('ZRANGE', w, 0, n - 1)) do
                if room <= 0 then break end
                local t = tkey(task)
                local h = redis.call('HMGET', t, 'status', 'hold')
                local st = h[1]
                if (not st) or (st ~= 'waiting' and st ~= 'pending') then
                  -- ended, or placed since (a late record of a placement made before the book was restored)
                  redis.call('ZREM', w, task)
                elseif tonumber(h[2] or '0') <= tonumber(now) and redis.call('EXISTS', p .. 'slot:' .. task) == 0 then
                  local chosen = nil
                  for pass = 1, 2 do
                    for _, agent in ipairs(agents) do
                      local a = akey(agent)
                      if chosen == nil and redis.call('EXISTS', a) == 1 and takes(a) and free(a) > 0 and fits(a, t)
                          and (pass == 2 or hasModels(a, t)) then
                        chosen = agent
                      end
                    end
                    if chosen then break end
                  end
                  if chosen then
                    local attempt = reserve(chosen, task, now)
                    room = room - 1
                    table.insert(placed, task)
                    table.insert(placed, chosen)
                    table.insert(placed, attempt)
                    table.insert(placed, redis.call('HGET', t, 'spec'))
                  end
                end
              end
              return placed
            end
            """;

    /**
     * A task was submitted. ARGV: p, team, task, seq, spec, submitted millis, labelset, modelset, min VRAM, waiting score,
     * now, candidate agents in order of preference. Answers {1, agent, attempt} (reserved), {2} (queued as waiting),
     * {3, agent, attempt} (a redelivered event whose dispatch may not have gone out: send it again), or {0} (seen).
     */
    static final LuaScript SUBMIT = new LuaScript(COMMON + """
            local task = ARGV[3]
            local t = tkey(task)
            local known = redis.call('HMGET', t, 'seq', 'status', 'agent', 'attempt')
            if known[1] then
              if known[1] == ARGV[4] and known[2] == 'queued' then return {3, known[3], tonumber(known[4])} end
              return {0}
            end
            redis.call('HSET', t, 'team', team, 'spec', ARGV[5], 'status', 'pending', 'attempt', '0', 'seq', ARGV[4],
              'submitted', ARGV[6], 'labels', ARGV[7], 'models', ARGV[8], 'vram', ARGV[9])
            local candidates = {}
            for i = 12, #ARGV do candidates[#candidates + 1] = ARGV[i] end
            local agent, attempt = tryAgents(task, candidates, ARGV[11])
            if agent then return {1, agent, attempt} end
            redis.call('HSET', t, 'status', 'waiting')
            redis.call('ZADD', p .. 'waiting:' .. team, ARGV[10], task)
            return {2}
            """);

    /**
     * The task is pending again (a retry, or a dispatch that did not take) after attempt ARGV[5]. Frees its slot and
     * places it again, on the agent that did not take the attempt only when no other agent of the team can. ARGV: p,
     * team, task, seq, attempt, waiting score, now, placeable from (a retry's back-off: it waits in the queue until
     * then), candidates. Answers {1, agent, attempt, freed agent}, {2, '', 0, freed agent}, {3, agent, attempt, ''}
     * (redelivered: send again), {4, '', 0, freed agent} (held until its back-off ends) or {0}.
     */
    static final LuaScript REPLACE = new LuaScript(COMMON + """
            local task = ARGV[3]
            local t = tkey(task)
            local h = redis.call('HMGET', t, 'seq', 'attempt', 'status', 'agent')
            if not h[1] or h[3] == 'done' then return {0} end
            if tonumber(h[1]) >= tonumber(ARGV[4]) then
              if h[1] == ARGV[4] and h[3] == 'queued' then return {3, h[4], tonumber(h[2]), ''} end
              return {0}
            end
            redis.call('HSET', t, 'seq', ARGV[4])
            if tonumber(ARGV[5]) < tonumber(h[2] or '0') then return {0} end
            local freed = release(task)
            redis.call('ZREM', p .. 'unacked', task)
            redis.call('HSET', t, 'status', 'pending', 'attempt', ARGV[5], 'agent', '')
            if tonumber(ARGV[8]) > tonumber(ARGV[7]) then
              -- A retry backing off: it waits in the team's queue, placed from then on (it stays pending).
              redis.call('HSET', t, 'hold', ARGV[8])
              redis.call('ZADD', p .. 'waiting:' .. team, ARGV[6], task)
              return {4, '', 0, freed}
            end
            -- An attempt that went back before its agent took it (refused, never acknowledged, agent gone): that agent is
            -- tried last, after the caller's candidates and the team's other agents (the caller's view may be behind Redis).
            -- It stays a candidate, so a team with that one agent still gets the task run.
            local previous = ''
            if h[3] == 'queued' or h[3] == 'provisioning' then previous = h[4] or '' end
            local candidates = {}
            local listed = {}
            for i = 9, #ARGV do
              if ARGV[i] ~= previous then
                candidates[#candidates + 1] = ARGV[i]
                listed[ARGV[i]] = true
              end
            end
            if previous ~= '' then
              for _, other in ipairs(redis.call('SMEMBERS', p .. 'agents:' .. team)) do
                if other ~= previous and not listed[other] then candidates[#candidates + 1] = other end
              end
              candidates[#candidates + 1] = previous
            end
            local agent, attempt = tryAgents(task, candidates, ARGV[7])
            if agent then return {1, agent, attempt, freed} end
            redis.call('HSET', t, 'status', 'waiting')
            redis.call('ZADD', p .. 'waiting:' .. team, ARGV[6], task)
            return {2, '', 0, freed}
            """);

    /**
     * A non-terminal status task-service recorded. ARGV: p, team, task, seq, status, agent, attempt. The scheduler's own
     * placement of a newer attempt is never undone by an older event. Answers 1 when applied.
     */
    static final LuaScript UPDATE = new LuaScript(COMMON + """
            local t = tkey(ARGV[3])
            local h = redis.call('HMGET', t, 'seq', 'attempt', 'status')
            if not h[1] or h[3] == 'done' or tonumber(h[1]) >= tonumber(ARGV[4]) then return 0 end
            redis.call('HSET', t, 'seq', ARGV[4])
            if tonumber(ARGV[7]) < tonumber(h[2] or '0') then return 0 end
            redis.call('HSET', t, 'status', ARGV[5], 'agent', ARGV[6], 'attempt', ARGV[7])
            if ARGV[5] == 'running' then redis.call('ZREM', p .. 'unacked', ARGV[3]) end
            if ARGV[6] ~= '' and (ARGV[5] == 'queued' or ARGV[5] == 'running' or ARGV[5] == 'provisioning') then
              -- A placement the book did not know of (it was restored from a record older than the placement): the task
              -- holds its agent's slot and no longer waits.
              redis.call('ZREM', p .. 'waiting:' .. team, ARGV[3])
              if redis.call('EXISTS', akey(ARGV[6])) == 1 and redis.call('EXISTS', p .. 'slot:' .. ARGV[3]) == 0 then
                occupy(ARGV[6], ARGV[3])
              end
            end
            return 1
            """);

    /**
     * The task ended. Leaves a tombstone, frees its slot and places the team's next waiting tasks that fit the freed
     * agent. ARGV: p, team, task, seq, tombstone seconds, now, waiting tasks to look at. Answers {0} (seen) or
     * {1, freed agent, last attempt, then task, agent, attempt, spec for each placed task}.
     */
    static final LuaScript FINISH = new LuaScript(COMMON + """
            local task = ARGV[3]
            local t = tkey(task)
            local h = redis.call('HMGET', t, 'seq', 'attempt', 'status')
            if h[3] == 'done' or (h[1] and tonumber(h[1]) >= tonumber(ARGV[4])) then return {0} end
            redis.call('DEL', t)
            redis.call('HSET', t, 'status', 'done', 'seq', ARGV[4], 'team', team)
            redis.call('EXPIRE', t, tonumber(ARGV[5]))
            redis.call('ZREM', p .. 'waiting:' .. team, task)
            redis.call('ZREM', p .. 'unacked', task)
            local freed = release(task)
            local result = {1, freed, tonumber(h[2] or '0')}
            if freed ~= '' then
              for _, v in ipairs(placeWaiting(tonumber(ARGV[7]), ARGV[6], {freed})) do table.insert(result, v) end
            end
            return result
            """);

    /** Places waiting tasks on the given agents. ARGV: p, team, waiting tasks to look at, now, agents. Answers placements. */
    static final LuaScript PLACE_WAITING = new LuaScript(COMMON + """
            local agents = {}
            for i = 5, #ARGV do agents[#agents + 1] = ARGV[i] end
            return placeWaiting(tonumber(ARGV[3]), ARGV[4], agents)
            """);

    /**
     * A task provisioning on an agent may be dispatched there now: its status goes from provisioning to queued (once,
     * whatever replica asks) and its dispatch is timed from now. ARGV: p, team, task, agent, now. Answers the attempt,
     * or 0.
     */
    static final LuaScript PROVISIONED = new LuaScript(COMMON + """
            local t = tkey(ARGV[3])
            local h = redis.call('HMGET', t, 'status', 'agent', 'attempt')
            if h[1] ~= 'provisioning' or h[2] ~= ARGV[4] then return 0 end
            redis.call('HSET', t, 'status', 'queued')
            redis.call('ZADD', p .. 'unacked', ARGV[5], ARGV[3])
            return tonumber(h[3])
            """);

    /** The placed task must sync models first: provisioning, not timed as a dispatch. ARGV: p, team, task. */
    static final LuaScript PROVISIONING = new LuaScript(COMMON + """
            local t = tkey(ARGV[3])
            if redis.call('HGET', t, 'status') ~= 'queued' then return 0 end
            redis.call('HSET', t, 'status', 'provisioning')
            redis.call('ZREM', p .. 'unacked', ARGV[3])
            return 1
            """);

    /**
     * A (re)connected agent reports it holds attempt ARGV[5] of a task. ARGV: p, team, task, agent, attempt. Answers 1
     * when it may keep it: the book holds that attempt there, or the book knows only older attempts (it was restored
     * from task-service's record, which had not caught up with the scheduler's last placement): then the task is the
     * agent's, as it reports. Answers 0 (the agent must drop it) when the task ended or a newer attempt was placed.
     */
    static final LuaScript ADOPT_REPORTED = new LuaScript(COMMON + """
            local task = ARGV[3]
            local agent = ARGV[4]
            local t = tkey(task)
            local h = redis.call('HMGET', t, 'status', 'agent', 'attempt')
            if (not h[1]) or h[1] == 'done' then return 0 end
            local booked = tonumber(h[3] or '0')
            local reported = tonumber(ARGV[5])
            if reported < booked then return 0 end
            if reported == booked then
              if h[2] == agent and (h[1] == 'queued' or h[1] == 'running' or h[1] == 'provisioning') then return 1 end
              return 0
            end
            local other = redis.call('GET', p .. 'slot:' .. task)
            if other and other ~= agent then release(task) end
            redis.call('HSET', t, 'status', 'running', 'agent', agent, 'attempt', ARGV[5])
            redis.call('ZREM', p .. 'waiting:' .. team, task)
            redis.call('ZREM', p .. 'unacked', task)
            return 1
            """);

    /** Frees a task's slot. ARGV: p, team, task. Answers the agent it was on, or ''. */
    static final LuaScript RELEASE = new LuaScript(COMMON + """
            return release(ARGV[3])
            """);

    /**
     * Restores a task task-service reports open, unless the book has it already. ARGV: p, team, task, seq, status, agent,
     * attempt, spec, submitted millis, labelset, modelset, min VRAM, waiting score, now, placeable from (millis). A
     * pending or waiting task joins its team's waiting queue, placed from then on; a queued one is timed as an
     * unacknowledged dispatch (its agent re-announces it if it has it). Answers 1 when restored.
     */
    static final LuaScript RESTORE = new LuaScript(COMMON + """
            local task = ARGV[3]
            local t = tkey(task)
            if redis.call('EXISTS', t) == 1 then return 0 end
            local status = ARGV[5]
            if status == 'pending' then status = 'waiting' end
            redis.call('HSET', t, 'team', team, 'spec', ARGV[8], 'status', status, 'agent', ARGV[6], 'attempt', ARGV[7], 'seq', ARGV[4],
              'submitted', ARGV[9], 'labels', ARGV[10], 'models', ARGV[11], 'vram', ARGV[12])
            if status == 'waiting' then
              -- Held back a moment: task-service's record may not show yet a placement made just before Redis lost the
              -- book, and the agent running it announces it again within that time.
              redis.call('HSET', t, 'hold', ARGV[15])
              redis.call('ZADD', p .. 'waiting:' .. team, ARGV[13], task)
            elseif status == 'queued' then
              redis.call('ZADD', p .. 'unacked', ARGV[14], task)
            end
            return 1
            """);
}
