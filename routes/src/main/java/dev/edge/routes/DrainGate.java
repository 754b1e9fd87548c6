package dev.edge.routes;

import io.undertow.server.ExchangeCompletionListener;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The outermost handler of the public listener: counts requests in flight and, once {@link #close()}d,
 * answers every new request 503 with {@code Connection: close} (never a routing answer, as when Camel's
 * routes are already gone) while the requests in flight finish. Undertow's {@code GracefulShutdownHandler}
 * does the same but keeps the connection open.
 */
public final class DrainGate {
    private final AtomicLong inFlight = new AtomicLong();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition idle = lock.newCondition();
    private volatile boolean draining;

    private final ExchangeCompletionListener done = (exchange, next) -> {
        try {
            if (inFlight.decrementAndGet() == 0 && draining) {
                signalIdle();
            }
        } finally {
            next.proceed();
        }
    };

    /** Wraps {@code next}; every request the listener reads goes through here. */
    HttpHandler wrap(HttpHandler next) {
        return exchange -> {
            if (draining) {
                refuse(exchange);
                return;
            }
            inFlight.incrementAndGet();
            exchange.addExchangeCompleteListener(done);
            next.handleRequest(exchange);
        };
    }

    private static void refuse(HttpServerExchange exchange) {
        exchange.setPersistent(false);
        exchange.setStatusCode(503);
        exchange.getResponseHeaders().put(Headers.CONNECTION, "close");
        exchange.getResponseHeaders().put(Headers.CONTENT_LENGTH, 0);
        exchange.endExchange();
    }

    /** Requests accepted and not yet answered. */
    public long inFlight() {
        return inFlight.get();
    }

    public boolean draining() {
        return draining;
    }

    /** From now on, new requests get 503. */
    public void close() {
        draining = true;
    }

    /**
     * Stops accepting requests and waits up to {@code timeout} for those in flight.
     *
     * @return true if none is left in flight
     */
    public boolean drain(Duration timeout) throws InterruptedException {
        close();
        long deadline = System.nanoTime() + timeout.toNanos();
        lock.lock();
        try {
            while (inFlight.get() > 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                idle.await(left, TimeUnit.NANOSECONDS);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    private void signalIdle() {
        lock.lock();
        try {
            idle.signalAll();
        } finally {
            lock.unlock();
        }
    }
}
