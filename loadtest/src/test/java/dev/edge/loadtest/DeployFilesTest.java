package dev.edge.loadtest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.edge.config.KvStoreConfig;
import dev.edge.config.RuntimeConfig;
import dev.edge.config.RuntimeConfigLoader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

/**
 * What can be checked of deploy/ without a container runtime (docs/deploy.md): the runtime configs load with
 * edge's own loader, the YAML parses, and the compose file, Kubernetes manifests and Dockerfile agree with each
 * other and with edge (health path, ports, drain timing, each region reading its own replica).
 */
class DeployFilesTest {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final Path DEPLOY = ROOT.resolve("deploy");
    private static final String HEALTH = "/.well-known/spin/health";
    /** edge's drain after SIGTERM (docs/gateway.md). */
    private static final int DRAIN_SECONDS = 5;

    @TempDir
    Path stateDir;

    @Test
    void composeRegionsEachReadTheirOwnReplicaAndWriteThroughSentinel() throws IOException {
        Map<String, Object> compose = yaml(DEPLOY.resolve("compose/compose.yaml")).get(0);
        Map<String, Map<String, Object>> services = map(compose.get("services"));
        assertThat(services).containsKeys("redis-primary", "redis-replica-a", "redis-replica-b",
                "sentinel-a", "sentinel-b", "sentinel-c", "edge-a", "edge-b");
        for (String region : List.of("a", "b")) {
            Map<String, Object> edge = services.get("edge-" + region);
            List<String> volumes = list(edge.get("volumes"));
            assertThat(volumes).containsExactly("./region-" + region + "/runtime-config.toml:/etc/edge/runtime-config.toml:ro");
            assertThat(list(edge.get("command"))).containsSubsequence("--runtime-config-file", "/etc/edge/runtime-config.toml");

            KvStoreConfig.Redis store = redisStore(RuntimeConfigLoader.load(
                    DEPLOY.resolve("compose/region-" + region + "/runtime-config.toml"), stateDir));
            assertThat(store.region()).isEqualTo("region-" + region);
            String replicaHost = store.replicaUrl().orElseThrow().getHost();
            assertThat(replicaHost).isEqualTo("redis-replica-" + region);
            assertThat(services).containsKey(replicaHost);
            assertThat(store.url().getScheme()).isEqualTo("redis-sentinel");
            for (String sentinel : sentinelHosts(store.url().toString())) {
                assertThat(services).containsKey(sentinel);
            }
            assertThat(store.waitReplicas()).isEqualTo(1);
        }
        // Every replica replicates the service the sentinels monitor.
        for (String replica : List.of("redis-replica-a", "redis-replica-b")) {
            assertThat(list(services.get(replica).get("command"))).containsSubsequence("--replicaof", "redis-primary", "6379");
        }
        String sentinelScript = String.join("\n", list(services.get("sentinel-a").get("entrypoint")));
        assertThat(sentinelScript).contains("sentinel monitor edge-primary redis-primary 6379 2");
    }

    @Test
    void kubernetesDeploymentProbesHealthDrainsAndLoadsItsConfigMap() throws IOException {
        List<Map<String, Object>> docs = yaml(DEPLOY.resolve("kubernetes/edge-region-a.yaml"));
        Map<String, Object> configMap = kind(docs, "ConfigMap");
        Map<String, Object> deployment = kind(docs, "Deployment");
        Map<String, Object> service = kind(docs, "Service");
        for (Map<String, Object> doc : docs) {
            assertThat(doc).containsKeys("apiVersion", "kind", "metadata");
            assertThat(map(doc.get("metadata"))).containsKey("name");
        }

        String toml = (String) map(configMap.get("data")).get("runtime-config.toml");
        Path file = stateDir.resolve("runtime-config.toml");
        Files.writeString(file, toml);
        KvStoreConfig.Redis store = redisStore(RuntimeConfigLoader.load(file, stateDir));
        assertThat(store.region()).isEqualTo("region-a");
        assertThat(store.url().getScheme()).isEqualTo("redis-sentinel");

        Map<String, Object> pod = map(map(map(deployment.get("spec")).get("template")).get("spec"));
        Map<String, Object> container = map(list(pod.get("containers")).get(0));
        Map<String, Object> readiness = map(map(container.get("readinessProbe")).get("httpGet"));
        assertThat(readiness.get("path")).isEqualTo(HEALTH);
        assertThat(readiness.get("port")).isEqualTo("http");
        Map<String, Object> http = map(list(container.get("ports")).stream()
                .filter(p -> "http".equals(map(p).get("name"))).findFirst().orElseThrow());
        assertThat(http.get("containerPort")).isEqualTo(3000);

        List<String> preStop = list(map(map(map(container.get("lifecycle")).get("preStop")).get("exec")).get("command"));
        assertThat(preStop.get(0)).isEqualTo("sleep");
        int preStopSeconds = Integer.parseInt(preStop.get(1));
        assertThat((Integer) pod.get("terminationGracePeriodSeconds")).isGreaterThan(preStopSeconds + DRAIN_SECONDS);

        List<String> args = list(container.get("args"));
        assertThat(args).containsSubsequence("--runtime-config-file", "/etc/edge/runtime-config.toml");
        Map<String, Object> mount = map(list(container.get("volumeMounts")).stream()
                .filter(m -> "runtime-config".equals(map(m).get("name"))).findFirst().orElseThrow());
        assertThat(mount.get("mountPath")).isEqualTo("/etc/edge");
        Map<String, Object> volume = map(list(pod.get("volumes")).stream()
                .filter(v -> "runtime-config".equals(map(v).get("name"))).findFirst().orElseThrow());
        assertThat(map(volume.get("configMap")).get("name")).isEqualTo(map(configMap.get("metadata")).get("name"));

        Map<String, Object> selector = map(map(deployment.get("spec")).get("selector"));
        Map<String, Object> podLabels = map(map(map(map(deployment.get("spec")).get("template")).get("metadata")).get("labels"));
        assertThat(podLabels).containsAllEntriesOf(map(selector.get("matchLabels")));
        assertThat(podLabels).containsAllEntriesOf(map(map(service.get("spec")).get("selector")));
        assertThat(map(list(map(service.get("spec")).get("ports")).get(0)).get("targetPort")).isEqualTo("http");
    }

    @Test
    void dockerfileRunsEdgeUpAsNonRootOnAllInterfacesWithTheHealthCheck() throws IOException {
        String dockerfile = Files.readString(ROOT.resolve("Dockerfile"));
        assertThat(dockerfile).containsPattern("(?m)^FROM eclipse-temurin:17-jdk AS build$")
                .containsPattern("(?m)^FROM eclipse-temurin:17-jre$")
                .contains("./mvnw -B -q package -DskipTests -pl gateway -am")
                .containsPattern("(?m)^USER 10001:10001$")
                .contains("ENTRYPOINT [\"java\", \"-jar\", \"/opt/edge/edge.jar\", \"up\", \"--listen\", \"0.0.0.0:3000\"]")
                .contains("GET " + HEALTH + " HTTP/1.1");
        // The files the runtime stage copies exist where the build leaves them.
        Matcher copy = Pattern.compile("(?m)^COPY --from=build /src/(\\S+) ").matcher(dockerfile);
        List<String> copied = new ArrayList<>();
        while (copy.find()) {
            copied.add(copy.group(1));
        }
        assertThat(copied).contains("gateway/target/edge.jar", "examples/hello-key-value-store/spin.toml");
        for (String path : copied) {
            if (!path.equals("gateway/target/edge.jar")) {
                assertThat(ROOT.resolve(path)).isRegularFile();
            }
        }
    }

    private static KvStoreConfig.Redis redisStore(RuntimeConfig config) {
        assertThat(config.keyValueStores().get("default")).isInstanceOf(KvStoreConfig.Redis.class);
        return (KvStoreConfig.Redis) config.keyValueStores().get("default");
    }

    private static List<String> sentinelHosts(String url) {
        String hosts = url.substring(url.indexOf("://") + 3, url.lastIndexOf('/'));
        return List.of(hosts.split(",")).stream().map(h -> h.substring(0, h.indexOf(':'))).toList();
    }

    private static Map<String, Object> kind(List<Map<String, Object>> docs, String kind) {
        return docs.stream().filter(d -> kind.equals(d.get("kind"))).findFirst().orElseThrow();
    }

    private static List<Map<String, Object>> yaml(Path file) throws IOException {
        List<Map<String, Object>> docs = new ArrayList<>();
        for (Object doc : new Yaml().loadAll(Files.readString(file))) {
            docs.add(map(doc));
        }
        return docs;
    }

    @SuppressWarnings("unchecked")
    private static <V> Map<String, V> map(Object o) {
        assertThat(o).isInstanceOf(Map.class);
        return (Map<String, V>) o;
    }

    @SuppressWarnings("unchecked")
    private static <T> List<T> list(Object o) {
        assertThat(o).isInstanceOf(List.class);
        return (List<T>) o;
    }
}
