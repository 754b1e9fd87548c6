package dev.edge.component.wasi.io;

import java.util.function.BooleanSupplier;

/** The {@code wasi:io/poll.pollable} resource: something a guest can wait on. */
public interface Pollable {

    boolean ready();

    /** Blocks the calling guest until {@link #ready()}; the request deadline interrupts it. */
    void block();

    /** Ready at once and forever: data of edge's streams is in memory or read on demand. */
    Pollable READY = new Pollable() {
        @Override
        public boolean ready() {
            return true;
        }

        @Override
        public void block() {
        }
    };

    /** Ready when {@code monotonicNanos} ({@link System#nanoTime()} scale) is reached. */
    static Pollable at(long monotonicNanos) {
        return new Pollable() {
            @Override
            public boolean ready() {
                return System.nanoTime() - monotonicNanos >= 0;
            }

            @Override
            public void block() {
                long left;
                while ((left = monotonicNanos - System.nanoTime()) > 0) {
                    try {
                        Thread.sleep(left / 1_000_000, (int) (left % 1_000_000));
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new dev.edge.component.host.ComponentTrap("interrupted while blocked on a pollable", e);
                    }
                }
            }
        };
    }

    /** Ready when {@code condition} holds; {@code block} waits on {@code waiter} (e.g. a future's join). */
    static Pollable when(BooleanSupplier condition, Runnable waiter) {
        return new Pollable() {
            @Override
            public boolean ready() {
                return condition.getAsBoolean();
            }

            @Override
            public void block() {
                if (!condition.getAsBoolean()) {
                    waiter.run();
                }
            }
        };
    }
}
