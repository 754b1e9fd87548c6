package dev.edge.kv.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The log of every write attempt, per key, for the "no acknowledged write is lost" check. Each key must
 * be written by one thread at a time, with values unique per key (e.g. a sequence number).
 *
 * <p>Outcomes: {@link Outcome#ACKNOWLEDGED} (the store said yes / HTTP 200), {@link Outcome#UNKNOWN}
 * (failed after being sent: timeout or lost connection, it may have been applied) and
 * {@link Outcome#NOT_APPLIED} (refused before anything was sent, e.g. the breaker was open).
 *
 * <p>The check, per key, with the attempts in the order they were made: the final value must be the value
 * of the last acknowledged attempt, or of an attempt made <em>after</em> it whose outcome is unknown. It may
 * never be an older value, a value refused before sending, or a value never written; a key with an
 * acknowledged write must exist.
 */
public final class WriteHistory {
    public enum Outcome { ACKNOWLEDGED, UNKNOWN, NOT_APPLIED }

    public record Attempt(String value, Outcome outcome) {}

    private final Map<String, List<Attempt>> attempts = new ConcurrentHashMap<>();

    public void record(String key, String value, Outcome outcome) {
        List<Attempt> list = attempts.computeIfAbsent(key, k -> new ArrayList<>());
        synchronized (list) {
            list.add(new Attempt(value, outcome));
        }
    }

    public long count(Outcome outcome) {
        return attempts.values().stream().mapToLong(l -> {
            synchronized (l) {
                return l.stream().filter(a -> a.outcome() == outcome).count();
            }
        }).sum();
    }

    public java.util.Set<String> keys() { return attempts.keySet(); }

    /** The violations (empty when no acknowledged write was lost); {@code finalValue} returns null for an absent key. */
    public List<String> violations(Function<String, String> finalValue) {
        List<String> violations = new ArrayList<>();
        for (Map.Entry<String, List<Attempt>> e : attempts.entrySet()) {
            List<Attempt> list;
            synchronized (e.getValue()) {
                list = List.copyOf(e.getValue());
            }
            String actual = finalValue.apply(e.getKey());
            int lastAck = -1;
            for (int i = 0; i < list.size(); i++) {
                if (list.get(i).outcome() == Outcome.ACKNOWLEDGED) {
                    lastAck = i;
                }
            }
            boolean ok;
            if (actual == null) {
                ok = lastAck < 0;
            } else {
                ok = false;
                for (int i = Math.max(lastAck, 0); i < list.size(); i++) {
                    Attempt a = list.get(i);
                    if (a.value().equals(actual)
                            && (i == lastAck || a.outcome() == Outcome.UNKNOWN)) {
                        ok = true;
                    }
                }
            }
            if (!ok) {
                violations.add(e.getKey() + ": final value " + actual + " but last acknowledged "
                        + (lastAck < 0 ? "none" : list.get(lastAck).value()) + " (attempts after it: "
                        + list.subList(lastAck + 1, list.size()) + ")");
            }
        }
        return violations;
    }
}
