package dev.edge.gateway;

import dev.edge.kv.testing.WriteHistory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Mid-load traffic against the tutorial app over real HTTP: writers own their keys (a sequence per key,
 * every outcome logged in a {@link WriteHistory}), a reader reads the static keys {@code static<i>}
 * (stored as {@code {"firstName":"s<i>","lastName":"x"}}) and expects exactly them. Counts
 * {@code write:<status>} / {@code read:<status>}; anything but 200 / 503 (writes) or 200 (reads) is "unexpected".
 */
final class TutorialLoad {
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final List<Thread> threads = new ArrayList<>();
    /** Every answer with its send and receive times, so a {@link Phase} counts the requests sent within it. */
    private final java.util.Queue<Answer> answers = new java.util.concurrent.ConcurrentLinkedQueue<>();
    private final List<String> unexpected = java.util.Collections.synchronizedList(new ArrayList<>());
    /** Requests on their way (thread -> "write w0-1 sent at"), so that a stalled one can be diagnosed while it stalls. */
    private final Map<Thread, InFlight> inFlight = new java.util.concurrent.ConcurrentHashMap<>();
    private final AtomicBoolean stallDumped = new AtomicBoolean();
    private final AtomicLong killedAt = new AtomicLong(Long.MAX_VALUE);
    private final AtomicLong firstFailed = new AtomicLong(Long.MAX_VALUE);
    private final AtomicLong firstOkAfterFailure = new AtomicLong(Long.MAX_VALUE);
    private final List<Long> latencies503 = java.util.Collections.synchronizedList(new ArrayList<>());
    private static int runs;
    private final int run = runs++;
    private final HttpClient client;
    private final ListenAddress listen;
    private final WriteHistory history;
    private final int keysPerWriter;
    private final int staticKeys;

    private TutorialLoad(HttpClient client, ListenAddress listen, WriteHistory history, int keysPerWriter, int staticKeys) {
        this.client = client;
        this.listen = listen;
        this.history = history;
        this.keysPerWriter = keysPerWriter;
        this.staticKeys = staticKeys;
    }

    static TutorialLoad start(HttpClient client, ListenAddress listen, WriteHistory history, int writers,
                              int keysPerWriter, int staticKeys) {
        TutorialLoad load = new TutorialLoad(client, listen, history, keysPerWriter, staticKeys);
        for (int w = 0; w < writers; w++) {
            int writer = w;
            load.threads.add(start("load-writer-" + w, () -> load.write(writer)));
        }
        load.threads.add(start("load-reader", load::read));
        load.threads.add(start("load-stall-watch", load::watchStalls));
        return load;
    }

    private static Thread start(String name, Runnable body) {
        Thread t = new Thread(body, name);
        t.start();
        return t;
    }

    private void write(int writer) {
        long seq = 0;
        while (running.get()) {
            String key = "w" + writer + "-" + (seq % keysPerWriter);
            String value = "r" + run + "v" + seq++;
            long start = System.nanoTime();
            int status;
            inFlight.put(Thread.currentThread(), new InFlight("write " + key + "=" + value, start));
            try {
                status = set(client, listen, key, value);
            } catch (Exception e) {
                unexpected.add("write " + key + "=" + value + " after " + (System.nanoTime() - start) / 1_000_000 + " ms: " + e);
                history.record(key, value, WriteHistory.Outcome.UNKNOWN);
                continue;
            } finally {
                inFlight.remove(Thread.currentThread());
            }
            long now = System.nanoTime();
            count("write:" + status, start, now);
            if (status == 200) {
                history.record(key, value, WriteHistory.Outcome.ACKNOWLEDGED);
                if (firstFailed.get() != Long.MAX_VALUE) {
                    firstOkAfterFailure.compareAndSet(Long.MAX_VALUE, now);
                }
            } else {
                history.record(key, value, WriteHistory.Outcome.UNKNOWN); // 503: maybe sent, maybe not
                if (status == 503) {
                    if (now > killedAt.get()) {
                        firstFailed.compareAndSet(Long.MAX_VALUE, now);
                    }
                    latencies503.add(now - start);
                } else {
                    unexpected.add("write " + key + "=" + value + ": status " + status + " after " + (now - start) / 1_000_000 + " ms");
                }
            }
            pause(3);
        }
    }

    private void read() {
        int i = 0;
        while (running.get()) {
            String key = "static" + (i++ % staticKeys);
            long start = System.nanoTime();
            inFlight.put(Thread.currentThread(), new InFlight("read " + key, start));
            try {
                HttpResponse<String> r = get(client, listen, key);
                count("read:" + r.statusCode(), start, System.nanoTime());
                String expected = "{\"firstName\":\"s" + key.substring(6) + "\",\"lastName\":\"x\"}";
                if (r.statusCode() != 200 || !r.body().equals(expected)) {
                    unexpected.add("read " + key + ": " + r.statusCode() + " " + r.body() + " after "
                            + (System.nanoTime() - start) / 1_000_000 + " ms");
                }
            } catch (Exception e) {
                unexpected.add("read " + key + " after " + (System.nanoTime() - start) / 1_000_000 + " ms: " + e);
            } finally {
                inFlight.remove(Thread.currentThread());
            }
            pause(3);
        }
    }

    /**
     * Logs every thread's stack once if a request is still unanswered after {@link #STALL_MILLIS}: the gateway runs
     * in this JVM, so the dump shows where the stalled request waits while it waits (a write's worst case is bounded
     * by the configured Redis timeouts, about 1.2 s in the fault tests; the client gives up after 10 s). Only logged:
     * the tests judge the answers, and a busy machine may legitimately pass 3 s.
     */
    private void watchStalls() {
        while (running.get()) {
            pause(200);
            long now = System.nanoTime();
            for (InFlight f : inFlight.values()) {
                long millis = (now - f.sentNanos()) / 1_000_000;
                if (millis > STALL_MILLIS && stallDumped.compareAndSet(false, true)) {
                    LOG.warn("STALL {} unanswered after {} ms; all threads (the gateway's included):\n{}",
                            f.what(), millis, threadDump());
                }
            }
        }
    }

    private static final long STALL_MILLIS = 3_000;
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(TutorialLoad.class);

    private record InFlight(String what, long sentNanos) {}

    static String threadDump() {
        StringBuilder out = new StringBuilder();
        for (java.lang.management.ThreadInfo t : java.lang.management.ManagementFactory.getThreadMXBean()
                .dumpAllThreads(true, true)) {
            out.append('"').append(t.getThreadName()).append("\" ").append(t.getThreadState());
            if (t.getLockName() != null) {
                out.append(" on ").append(t.getLockName());
            }
            if (t.getLockOwnerName() != null) {
                out.append(" owned by \"").append(t.getLockOwnerName()).append('"');
            }
            out.append('\n');
            for (StackTraceElement e : t.getStackTrace()) { // ThreadInfo.toString() cuts stacks at 8 frames
                out.append("\tat ").append(e).append('\n');
            }
            for (java.lang.management.MonitorInfo m : t.getLockedMonitors()) {
                out.append("\t- locked ").append(m).append('\n');
            }
            for (java.lang.management.LockInfo l : t.getLockedSynchronizers()) {
                out.append("\t- locked synchronizer ").append(l).append('\n');
            }
        }
        return out.toString();
    }

    private void count(String kindStatus, long sentNanos, long answeredNanos) {
        answers.add(new Answer(kindStatus, sentNanos, answeredNanos));
    }

    private record Answer(String kindStatus, long sentNanos, long answeredNanos) {}

    void markKilled() { killedAt.set(System.nanoTime()); }

    boolean writesResumed() { return firstOkAfterFailure.get() != Long.MAX_VALUE; }

    long windowMillis() { return (firstOkAfterFailure.get() - firstFailed.get()) / 1_000_000; }

    long median503Millis() {
        List<Long> sorted;
        synchronized (latencies503) {
            sorted = new ArrayList<>(latencies503);
        }
        sorted.sort(null);
        return sorted.isEmpty() ? -1 : sorted.get(sorted.size() / 2) / 1_000_000;
    }

    List<String> unexpected() { return List.copyOf(unexpected); }

    /**
     * Counts the requests sent from now on and answered before {@link Phase#end()}. A request sent earlier is
     * not the phase's, even if answered within it: a write the primary acknowledged just before a fault was
     * injected may still be on its way back to the client (its 200 is correct, not a write during the fault).
     */
    Phase phase() {
        return new Phase(this, System.nanoTime());
    }

    void stop() throws InterruptedException {
        running.set(false);
        for (Thread t : threads) {
            t.join(10_000);
        }
    }

    record Phase(TutorialLoad load, long startNanos) {
        Map<String, Long> end() {
            long endNanos = System.nanoTime();
            Map<String, Long> counts = new java.util.TreeMap<>();
            for (Answer a : load.answers) {
                if (a.sentNanos() >= startNanos && a.answeredNanos() <= endNanos) {
                    counts.merge(a.kindStatus(), 1L, Long::sum);
                }
            }
            return counts;
        }
    }

    static int set(HttpClient client, ListenAddress listen, String key, String firstName) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create(listen.baseUrl() + "/set/" + key))
                        .timeout(Duration.ofSeconds(10))
                        .POST(HttpRequest.BodyPublishers.ofString("{\"firstName\": \"" + firstName + "\", \"lastName\": \"x\"}"))
                        .build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    static HttpResponse<String> get(HttpClient client, ListenAddress listen, String key) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create(listen.baseUrl() + "/get/" + key))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The firstName of a stored tutorial value (the writers' sequence value), or null. */
    static String firstName(String storedJson) {
        if (storedJson == null) {
            return null;
        }
        int start = storedJson.indexOf("\"firstName\":\"") + 13;
        return storedJson.substring(start, storedJson.indexOf('"', start));
    }

    /** Names (with ids, so that equal names count apart) of the live threads. */
    static java.util.Set<String> liveThreads() {
        java.util.Set<String> names = new java.util.TreeSet<>();
        for (java.lang.management.ThreadInfo t : java.lang.management.ManagementFactory.getThreadMXBean()
                .getThreadInfo(java.lang.management.ManagementFactory.getThreadMXBean().getAllThreadIds())) {
            if (t != null) {
                names.add(t.getThreadName() + "#" + t.getThreadId());
            }
        }
        return names;
    }

    static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
