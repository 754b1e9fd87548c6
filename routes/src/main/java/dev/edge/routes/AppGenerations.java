package dev.edge.routes;

import io.undertow.server.ExchangeCompletionListener;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.AttachmentKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The app generation the listener serves (hot reload, docs/gateway.md): its {@link SpinDispatcher} and what the
 * dispatcher uses (guests, stores, upstream pools), closed with it. Each request reads the current generation once,
 * as it arrives, and keeps it to the end, so a request that started on the old generation finishes on it; a
 * {@link #swap} makes new requests take the new one at once and closes the old one when its last request is done
 * (or after the drain timeout).
 */
final class AppGenerations {
    private static final Logger LOG = LoggerFactory.getLogger(AppGenerations.class);
    private static final AttachmentKey<Generation> GENERATION = AttachmentKey.create(Generation.class);
    /** The Camel exchange property carrying the request's dispatcher to the ingress route's processor. */
    static final String DISPATCHER_PROPERTY = "edgeDispatcher";

    private final AtomicReference<Generation> current;
    private final List<Generation> retiring = new ArrayList<>();

    AppGenerations(SpinDispatcher first, AutoCloseable owned) {
        current = new AtomicReference<>(new Generation(1, first, owned));
    }

    /** Wraps {@code next}: the request gets the current generation, released when the exchange completes. */
    HttpHandler wrap(HttpHandler next) {
        return exchange -> {
            Generation generation = acquire();
            exchange.putAttachment(GENERATION, generation);
            exchange.addExchangeCompleteListener(generation.done);
            next.handleRequest(exchange);
        };
    }

    /** The dispatcher of the generation the request took ({@link #wrap}). */
    static SpinDispatcher dispatcher(HttpServerExchange exchange) {
        return exchange.getAttachment(GENERATION).dispatcher;
    }

    private Generation acquire() {
        while (true) {
            Generation generation = current.get();
            if (generation.tryAcquire()) {
                return generation;
            }
            // closed between the read and the acquire: a newer one is current by now
        }
    }

    long generation() {
        return current.get().number;
    }

    /**
     * Serves {@code next} (and closes {@code owned} with it) from now on; the old generation is closed on a
     * background thread once its requests in flight are done, or after {@code drain} regardless.
     *
     * @return the new generation's number
     */
    synchronized long swap(SpinDispatcher next, AutoCloseable owned, Duration drain) {
        Generation old = current.get();
        Generation fresh = new Generation(old.number + 1, next, owned);
        current.set(fresh);
        retiring.add(old);
        Thread closer = new Thread(() -> {
            old.closeWhenIdle(drain);
            synchronized (this) {
                retiring.remove(old);
            }
        }, "edge-retire-generation-" + old.number);
        closer.setDaemon(true);
        closer.start();
        return fresh.number;
    }

    /** Closes the current generation and any still retiring (after the listener has stopped). */
    void close() {
        List<Generation> all;
        synchronized (this) {
            all = new ArrayList<>(retiring);
            all.add(current.get());
        }
        all.forEach(Generation::closeNow);
    }

    /** One generation: its users (requests holding it) count up from 0; -1 once closed. */
    private static final class Generation {
        final long number;
        final SpinDispatcher dispatcher;
        private final AutoCloseable owned;
        private final AtomicLong users = new AtomicLong();
        private volatile boolean retired;
        final ExchangeCompletionListener done = (exchange, nextListener) -> {
            try {
                release();
            } finally {
                nextListener.proceed();
            }
        };

        Generation(long number, SpinDispatcher dispatcher, AutoCloseable owned) {
            this.number = number;
            this.dispatcher = dispatcher;
            this.owned = owned;
        }

        boolean tryAcquire() {
            while (true) {
                long now = users.get();
                if (now < 0) {
                    return false;
                }
                if (users.compareAndSet(now, now + 1)) {
                    return true;
                }
            }
        }

        private void release() {
            if (users.decrementAndGet() == 0 && retired) {
                synchronized (this) {
                    notifyAll();
                }
            }
        }

        /** Waits until no request holds this generation (or {@code drain} passed), then closes it. */
        void closeWhenIdle(Duration drain) {
            retired = true;
            long deadline = System.nanoTime() + drain.toNanos();
            synchronized (this) {
                while (!users.compareAndSet(0, -1)) {
                    if (users.get() < 0) {
                        break; // closed meanwhile by closeNow
                    }
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        long still = users.getAndSet(-1);
                        if (still <= 0) {
                            break; // closed meanwhile by closeNow
                        }
                        LOG.warn("Generation {}: {} request(s) still in flight after the drain timeout of {} ms;"
                                + " closing it anyway", number, still, drain.toMillis());
                        break;
                    }
                    try {
                        wait(Math.max(1, left / 1_000_000));
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        users.set(-1);
                        break;
                    }
                }
            }
            close();
        }

        void closeNow() {
            users.set(-1);
            close();
        }

        private boolean closed;

        private synchronized void close() {
            if (closed) {
                return;
            }
            closed = true;
            dispatcher.closeStages();
            try {
                owned.close();
            } catch (Exception e) {
                LOG.warn("Closing generation {} failed: {}", number, e.toString());
            }
        }
    }
}
