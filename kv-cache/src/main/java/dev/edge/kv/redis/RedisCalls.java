package dev.edge.kv.redis;

import dev.edge.kv.KvException;
import io.lettuce.core.LettuceFutures;
import io.lettuce.core.RedisCommandInterruptedException;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisFuture;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** Awaits a Lettuce future within a latency budget and maps every failure to {@link KvException}. */
final class RedisCalls {

    /** A command that did not answer within its budget; its outcome on the server is unknown. */
    static final class TimedOut extends RuntimeException {
        TimedOut(String message, Throwable cause) { super(message, cause); }
    }

    private RedisCalls() {}

    /**
     * @throws TimedOut   if the budget ran out (the command may still execute on the server)
     * @throws KvException for every other failure (server error, connection lost, interrupted)
     */
    static <T> T await(RedisFuture<T> future, Duration budget, String what) {
        try {
            return LettuceFutures.awaitOrCancel(future, budget.toNanos(), TimeUnit.NANOSECONDS);
        } catch (RedisCommandTimeoutException e) {
            throw new TimedOut(what + " timed out after " + budget.toMillis() + " ms", e);
        } catch (RuntimeException e) {
            if (e.getCause() instanceof RedisCommandTimeoutException) {
                throw new TimedOut(what + " timed out after " + budget.toMillis() + " ms", e);
            }
            if (Thread.currentThread().isInterrupted()) {
                throw interrupted(what, e);
            }
            throw KvException.other(what + " failed: " + e.getMessage(), e);
        }
    }

    /**
     * The calling thread was interrupted (a guest past its deadline): the call fails, but Redis did nothing
     * wrong, so breakers must not count it ({@link #isInterruption}). The command may still run on the server.
     */
    static KvException interrupted(String what, Throwable cause) {
        return KvException.other(what + " interrupted: the caller gave up waiting (deadline), not a Redis failure",
                cause == null ? new InterruptedException() : cause);
    }

    /** Whether a failure is the caller's interrupt rather than anything Redis did. */
    static boolean isInterruption(Throwable e) {
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof RedisCommandInterruptedException || c instanceof InterruptedException) {
                return true;
            }
        }
        return false;
    }

    /** Like {@link #await} but a timeout is also reported as {@link KvException}. */
    static <T> T awaitKv(RedisFuture<T> future, Duration budget, String what) {
        try {
            return await(future, budget, what);
        } catch (TimedOut e) {
            throw KvException.other(e.getMessage(), e.getCause());
        }
    }
}
