package dev.edge.kv.redis;

import dev.edge.kv.KvException;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.async.RedisAsyncCommands;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Compare-and-swap as one Lua script on the primary (atomic there; no WATCH/MULTI round trips).
 * Runs by EVALSHA; a {@code NOSCRIPT} reply (script cache flushed, failover) falls back to EVAL,
 * which also reloads the script. Only a NOSCRIPT reply is retried: the script did not run then.
 */
final class CasScript {
    private static final Logger LOG = LoggerFactory.getLogger(CasScript.class);

    /** ARGV[1] = "1" if a current value is expected (ARGV[2]), "0" if the key must be absent; ARGV[3] = new value. */
    static final String SOURCE = """
            local current = redis.call('GET', KEYS[1])
            if ARGV[1] == '0' then
              if current then return 0 end
            elseif current ~= ARGV[2] then
              return 0
            end
            redis.call('SET', KEYS[1], ARGV[3])
            return 1
            """;

    private static final byte[] EXPECT_ABSENT = "0".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] EXPECT_VALUE = "1".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] NONE = new byte[0];

    private static final String SHA = sha1Hex(SOURCE);

    /** SCRIPT LOAD once per primary connection; failures are harmless (EVAL fallback). */
    void preload(RedisAsyncCommands<String, byte[]> commands, Duration budget) {
        try {
            RedisCalls.await(commands.scriptLoad(SOURCE), budget, "SCRIPT LOAD");
        } catch (RuntimeException e) {
            LOG.warn("SCRIPT LOAD of the compare-and-swap script failed: {}", e.getMessage());
        }
    }

    /**
     * Runs the swap within {@code budget}: true if swapped.
     *
     * @throws RedisCalls.TimedOut if the budget ran out (the swap may or may not have happened)
     */
    boolean swap(RedisAsyncCommands<String, byte[]> commands, String redisKey, byte[] expected, byte[] value, Duration budget) {
        long start = System.nanoTime();
        String[] keys = {redisKey};
        byte[][] args = {expected == null ? EXPECT_ABSENT : EXPECT_VALUE, expected == null ? NONE : expected, value};
        Long swapped;
        try {
            swapped = RedisCalls.await(commands.<Long>evalsha(SHA, ScriptOutputType.INTEGER, keys, args), budget,
                    "compare-and-swap");
        } catch (KvException e) {
            if (!(e.getCause() instanceof RedisNoScriptException)) {
                throw e;
            }
            Duration left = budget.minusNanos(System.nanoTime() - start);
            if (left.isNegative() || left.isZero()) {
                throw new RedisCalls.TimedOut("compare-and-swap timed out after " + budget.toMillis() + " ms", e);
            }
            swapped = RedisCalls.await(commands.<Long>eval(SOURCE, ScriptOutputType.INTEGER, keys, args), left,
                    "compare-and-swap");
        }
        return swapped != null && swapped == 1L;
    }

    private static String sha1Hex(String text) {
        try {
            byte[] digest = java.security.MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.UTF_8));
            return java.util.HexFormat.of().formatHex(digest);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
