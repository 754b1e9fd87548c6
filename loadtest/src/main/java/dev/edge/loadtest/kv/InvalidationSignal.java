package dev.edge.loadtest.kv;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A meter registry that timestamps every {@code edge.kv.redis.nearcache.invalidations} increment (the
 * backend counts a tracking push right before it drops the key) and wakes a parked waiter. The tool then
 * learns when an invalidation arrived without spinning a core, which on a 2-core machine would itself
 * delay the Redis and Lettuce threads it is timing.
 */
final class InvalidationSignal extends SimpleMeterRegistry {
    private volatile long count;
    private volatile long lastNanos;
    private volatile Thread waiter;

    @Override
    protected Counter newCounter(Meter.Id id) {
        Counter counter = super.newCounter(id);
        if (!id.getName().equals("edge.kv.redis.nearcache.invalidations")) {
            return counter;
        }
        return new Counter() {
            @Override
            public void increment(double amount) {
                lastNanos = System.nanoTime();
                count++; // single writer: the tracking connection's event loop
                counter.increment(amount);
                Thread t = waiter;
                if (t != null) {
                    LockSupport.unpark(t);
                }
            }

            @Override
            public double count() { return counter.count(); }

            @Override
            public Id getId() { return counter.getId(); }
        };
    }

    long count() { return count; }

    /**
     * Parks until the invalidation count exceeds {@code seen}; returns the arrival time of the latest one.
     *
     * @throws IllegalStateException after {@code timeoutMillis}
     */
    long awaitAfter(long seen, long timeoutMillis) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        waiter = Thread.currentThread();
        try {
            while (count <= seen) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new IllegalStateException("no invalidation within " + timeoutMillis + " ms");
                }
                LockSupport.parkNanos(this, left);
            }
            return lastNanos;
        } finally {
            waiter = null;
        }
    }
}
