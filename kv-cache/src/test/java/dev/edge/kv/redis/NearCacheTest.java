package dev.edge.kv.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The placeholder and epoch rules in isolation (the storm test exercises them against Redis). */
class NearCacheTest {
    private final Object connection = new Object();
    private NearCache cache;

    @BeforeEach
    void armedCache() {
        cache = new NearCache(100, Duration.ofMinutes(1), new RedisKvMetrics(new SimpleMeterRegistry(), "test"));
        assertThat(cache.arm(cache.disarm(null), connection)).isTrue();
    }

    @Test
    void replyIsInstalledWhenNothingHappenedMeanwhile() {
        NearCache.Ticket ticket = cache.reserve("k", connection);
        cache.complete(ticket, bytes("v"));
        assertThat(cache.lookup("k")).hasValueSatisfying(v -> assertThat(v).isEqualTo(bytes("v")));
        NearCache.Ticket miss = cache.reserve("absent", connection);
        cache.complete(miss, null);
        assertThat(cache.lookup("absent")).isEmpty(); // a cached absence, not a miss (null)
    }

    @Test
    void invalidationThatOvertakesTheReplyWins() {
        NearCache.Ticket ticket = cache.reserve("k", connection);
        cache.invalidatePushed("k");
        cache.complete(ticket, bytes("stale"));
        assertThat(cache.lookup("k")).isNull();
    }

    @Test
    void aLaterReaderReplacesTheEarlierPlaceholder() {
        NearCache.Ticket first = cache.reserve("k", connection);
        cache.invalidatePushed("k");
        NearCache.Ticket second = cache.reserve("k", connection);
        cache.complete(first, bytes("old"));
        assertThat(cache.lookup("k")).isNull();
        cache.complete(second, bytes("new"));
        assertThat(cache.lookup("k")).hasValueSatisfying(v -> assertThat(v).isEqualTo(bytes("new")));
    }

    @Test
    void placeholdersOfAnOlderEpochAreNeverInstalled() {
        NearCache.Ticket ticket = cache.reserve("k", connection);
        long epoch = cache.disarm("disconnect");
        assertThat(cache.reserve("other", connection)).as("nothing cached while disarmed").isNull();
        Object reconnected = new Object();
        assertThat(cache.arm(epoch, reconnected)).isTrue();
        cache.complete(ticket, bytes("from the old connection"));
        assertThat(cache.lookup("k")).isNull();
        assertThat(cache.reserve("k", connection)).as("old connection may not cache").isNull();
        assertThat(cache.reserve("k", reconnected)).isNotNull();
    }

    @Test
    void armingFailsIfAnotherFlushHappenedSinceTheEpochWasTaken() {
        long epoch = cache.disarm(null);
        cache.disarm("invalidate-all");
        assertThat(cache.arm(epoch, connection)).isFalse();
        assertThat(cache.isArmed()).isFalse();
    }

    @Test
    void returnedValuesAreCopies() {
        byte[] value = bytes("abc");
        cache.complete(cache.reserve("k", connection), value);
        value[0] = 'x';
        byte[] read = cache.lookup("k").orElseThrow();
        read[1] = 'x';
        assertThat(cache.lookup("k")).hasValueSatisfying(v -> assertThat(v).isEqualTo(bytes("abc")));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
