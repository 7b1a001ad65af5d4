// Lua scripts that change BullMQ's keys directly, for operations that
// BullMQ 6 has no call for. They rely on BullMQ's key layout and job hash
// fields as of bullmq 6.7. The engine contract suite runs them against real
// Redis, so a layout change fails the tests.

/**
 * Cancels a job in one step. A waiting, prioritized, delayed or paused job
 * moves to the failed set with `finishedOn`, `failedReason` and the cancel
 * field, and a `failed` event goes to the queue's event stream, as BullMQ
 * writes them. A running (active) job only gets the cancel field.
 *
 * KEYS: job hash, wait, paused, prioritized, delayed, active, failed, events.
 * ARGV: job id, now (ms), message, cancel field name.
 * Returns 'missing', 'cancelled', 'requested' or 'none'.
 */
export const CANCEL_JOB_SCRIPT = `
if redis.call('EXISTS', KEYS[1]) == 0 then
  return 'missing'
end
local id = ARGV[1]
local removed = redis.call('LREM', KEYS[2], 0, id) + redis.call('LREM', KEYS[3], 0, id)
  + redis.call('ZREM', KEYS[4], id) + redis.call('ZREM', KEYS[5], id)
if removed > 0 then
  redis.call('ZADD', KEYS[7], ARGV[2], id)
  redis.call('HSET', KEYS[1], 'finishedOn', ARGV[2], 'failedReason', ARGV[3], ARGV[4], ARGV[2])
  redis.call('XADD', KEYS[8], 'MAXLEN', '~', 10000, '*', 'event', 'failed', 'jobId', id,
    'failedReason', ARGV[3], 'prev', 'waiting')
  return 'cancelled'
end
if redis.call('LPOS', KEYS[6], id) then
  if redis.call('HSETNX', KEYS[1], ARGV[4], ARGV[2]) == 1 then
    return 'requested'
  end
end
return 'none'
`;

/**
 * Deletes an idempotency key only while it still names the removed job.
 * KEYS: the idempotency key. ARGV: job id. Returns 1 when deleted.
 */
export const DELETE_IDEMPOTENCY_KEY_SCRIPT = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
`;
