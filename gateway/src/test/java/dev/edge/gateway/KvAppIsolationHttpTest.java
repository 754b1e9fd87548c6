package dev.edge.gateway;

import static dev.edge.gateway.KvFleet.person;
import static org.assertj.core.api.Assertions.assertThat;

import dev.edge.kv.testing.RedisTopology;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two applications (different names) on the same Redis write the same key and see only their own values. */
class KvAppIsolationHttpTest {

    @Test
    void twoAppsWritingTheSameKeySeeOnlyTheirOwnValues(@TempDir Path temp) throws Exception {
        try (RedisTopology topology = RedisTopology.primaryWithReplicas(1); KvFleet fleet = new KvFleet(temp)) {
            // Same region, same replica, same Redis: only the application name differs.
            KvFleet.Node one = fleet.start("tenant-one", KvFleet.TUTORIAL_WASM, "region-a", topology.primary(),
                    topology.replica(0));
            KvFleet.Node two = fleet.start("tenant-two", KvFleet.TUTORIAL_WASM, "region-a", topology.primary(),
                    topology.replica(0));

            assertThat(one.setPerson("shared", "One", "First")).isEqualTo(200);
            assertThat(two.getPerson("shared")).as("tenant-two before it wrote anything").isNull();
            assertThat(two.setPerson("shared", "Two", "First")).isEqualTo(200);
            assertThat(one.getPerson("shared")).isEqualTo(person("One", "First"));
            assertThat(two.getPerson("shared")).isEqualTo(person("Two", "First"));

            // Both have the key in their near-caches now; an overwrite by one must not leak into the other.
            assertThat(two.setPerson("shared", "Two", "Second")).isEqualTo(200);
            topology.awaitReplicasInSync();
            assertThat(one.getPerson("shared")).isEqualTo(person("One", "First"));
            assertThat(two.getPerson("shared")).isEqualTo(person("Two", "Second"));

            // Two separate Redis keys hold the two values.
            assertThat(topology.primary().command("GET", KvFleet.redisKey("tenant-one", "shared")))
                    .isEqualTo(person("One", "First"));
            assertThat(topology.primary().command("GET", KvFleet.redisKey("tenant-two", "shared")))
                    .isEqualTo(person("Two", "Second"));
        }
    }
}
