package dev.edge.routes;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

/** One timer per target and status, found again without building a key; an odd status still gets its own. */
class RequestMetricsTest {
    @Test
    void eachTargetAndStatusHasItsOwnTimer() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        RequestMetrics metrics = new RequestMetrics(registry);
        metrics.record("proxy", 200, 1_000);
        metrics.record("proxy", 200, 3_000);
        metrics.record("proxy", 502, 1_000);
        metrics.record("static", 200, 1_000);
        metrics.record("proxy", 1200, 1_000); // beyond three digits: not in the array, still counted under its own tag
        metrics.record("proxy", 1200, 1_000);
        assertThat(count(registry, "proxy", "200")).isEqualTo(2);
        assertThat(count(registry, "proxy", "502")).isEqualTo(1);
        assertThat(count(registry, "static", "200")).isEqualTo(1);
        assertThat(count(registry, "proxy", "1200")).isEqualTo(2);
        assertThat(registry.find(RequestMetrics.METER_NAME).timers()).hasSize(4);
    }

    private static long count(SimpleMeterRegistry registry, String target, String status) {
        return registry.get(RequestMetrics.METER_NAME).tag("target", target).tag("status", status).timer().count();
    }
}
