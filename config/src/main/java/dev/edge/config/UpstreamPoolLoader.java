package dev.edge.config;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** Parses and validates the {@code [upstream.<name>]} tables of a runtime config. */
final class UpstreamPoolLoader {
    private static final int MAX_COUNT = 100;

    private UpstreamPoolLoader() {}

    static Map<String, UpstreamPoolConfig> load(Table root, Path baseDir) {
        Map<String, UpstreamPoolConfig> pools = new LinkedHashMap<>();
        root.optTable("upstream").ifPresent(t -> {
            for (String name : t.keys()) {
                if (!Ids.isKebabOrSnake(name)) {
                    throw t.error(name, "upstream name '" + name + "' must be kebab-case or snake_case");
                }
                pools.put(name, pool(name, t.table(t.raw(name), t.fieldPath(name)), baseDir));
            }
        });
        return pools;
    }

    private static UpstreamPoolConfig pool(String name, Table t, Path baseDir) {
        t.allowOnly("targets", "balance", "hash_on", "connect_timeout", "request_timeout", "try_timeout", "idle_timeout",
                "retries", "eject_after", "eject_for", "health",
                "circuit_breaker", "ca_file");
        if (!t.has("targets")) {
            throw t.error("targets", "missing required field: list the pool's URLs, e.g. [\"http://10.0.0.5:9000\"]");
        }
        List<String> texts = t.stringList("targets");
        if (texts.isEmpty()) {
            throw t.error("targets", "a pool needs at least one target");
        }
        List<URI> targets = new ArrayList<>(texts.size());
        for (int i = 0; i < texts.size(); i++) {
            try {
                URI target = UpstreamUrl.parse(texts.get(i));
                if (targets.contains(target)) {
                    throw new IllegalArgumentException("'" + target + "' is listed twice");
                }
                targets.add(target);
            } catch (IllegalArgumentException e) {
                throw new ConfigException(t.file(), t.fieldPath("targets") + "[" + i + "]", e.getMessage());
            }
        }
        String balanceText = t.optString("balance").orElse("round_robin");
        UpstreamPoolConfig.Balance balance = switch (balanceText) {
            case "round_robin" -> UpstreamPoolConfig.Balance.ROUND_ROBIN;
            case "least_request" -> UpstreamPoolConfig.Balance.LEAST_REQUEST;
            case "hash" -> UpstreamPoolConfig.Balance.HASH;
            default -> throw t.error("balance", "unknown balance '" + balanceText
                    + "' (expected round_robin, least_request or hash)");
        };
        Optional<String> hashOn = t.optString("hash_on").map(h -> h.strip().toLowerCase(Locale.ROOT));
        if (balance == UpstreamPoolConfig.Balance.HASH) {
            String on = hashOn.orElseThrow(() -> t.error("hash_on",
                    "balance = \"hash\" needs hash_on: \"header:<name>\", \"cookie:<name>\" or \"path\""));
            boolean valid = on.equals("path") || (on.startsWith("header:") && on.length() > 7)
                    || (on.startsWith("cookie:") && on.length() > 7);
            if (!valid) {
                throw t.error("hash_on", "'" + on + "' is not \"header:<name>\", \"cookie:<name>\" or \"path\"");
            }
        } else if (hashOn.isPresent()) {
            throw t.error("hash_on", "only used with balance = \"hash\"");
        }
        UpstreamPoolConfig.Timeouts defaults = UpstreamPoolConfig.Timeouts.DEFAULTS;
        Duration request = RuntimeConfigLoader.duration(t, "request_timeout", defaults.request(),
                RuntimeConfigLoader.MAX_REQUEST_TIMEOUT);
        Optional<Duration> perTry = t.has("try_timeout")
                ? Optional.of(RuntimeConfigLoader.duration(t, "try_timeout", request, request)) : Optional.empty();
        UpstreamPoolConfig.Timeouts timeouts = new UpstreamPoolConfig.Timeouts(
                RuntimeConfigLoader.duration(t, "connect_timeout", defaults.connect(), RuntimeConfigLoader.MAX_TIMEOUT),
                request, perTry,
                RuntimeConfigLoader.duration(t, "idle_timeout", defaults.idle(), RuntimeConfigLoader.MAX_REQUEST_TIMEOUT));
        UpstreamPoolConfig.Retries retries = t.optTable("retries").map(UpstreamPoolLoader::retries)
                .orElse(UpstreamPoolConfig.Retries.defaults(targets.size()));
        int after = count(t, "eject_after", UpstreamPoolConfig.Ejection.DEFAULTS.after());
        Duration ejectFor = RuntimeConfigLoader.duration(t, "eject_for", UpstreamPoolConfig.Ejection.DEFAULTS.forDuration(),
                RuntimeConfigLoader.MAX_TIMEOUT);
        return new UpstreamPoolConfig(name, targets, balance, hashOn, timeouts, retries,
                new UpstreamPoolConfig.Ejection(after, ejectFor), t.optTable("health").map(UpstreamPoolLoader::health),
                t.optTable("circuit_breaker").map(UpstreamPoolLoader::circuitBreaker),
                t.has("ca_file") ? Optional.of(caFile(t, baseDir)) : Optional.empty());
    }

    /** {@code health = { path, interval, timeout, unhealthy_after, healthy_after }}. */
    private static UpstreamPoolConfig.Health health(Table t) {
        t.allowOnly("path", "interval", "timeout", "unhealthy_after", "healthy_after");
        String path = t.optString("path").orElseThrow(() -> t.error("path", "missing required field, e.g. \"/healthz\""));
        if (!path.startsWith("/") || path.contains("#") || path.chars().anyMatch(c -> c <= ' ' || c >= 0x7f)) {
            throw t.error("path", "'" + path + "' must be a path starting with '/' (a query may follow), no spaces");
        }
        Duration interval = RuntimeConfigLoader.duration(t, "interval", UpstreamPoolConfig.Health.DEFAULT_INTERVAL,
                RuntimeConfigLoader.MAX_TIMEOUT);
        Duration defaultTimeout = interval.compareTo(UpstreamPoolConfig.Health.DEFAULT_TIMEOUT) < 0
                ? interval : UpstreamPoolConfig.Health.DEFAULT_TIMEOUT;
        Duration timeout = RuntimeConfigLoader.duration(t, "timeout", defaultTimeout, interval);
        return new UpstreamPoolConfig.Health(path, interval, timeout,
                count(t, "unhealthy_after", UpstreamPoolConfig.Health.DEFAULT_UNHEALTHY_AFTER),
                count(t, "healthy_after", UpstreamPoolConfig.Health.DEFAULT_HEALTHY_AFTER));
    }

    /** A PEM file of CA certificates, relative to the runtime config's directory, read and checked now. */
    private static Path caFile(Table t, Path baseDir) {
        String text = t.requireString("ca_file");
        Path path;
        try {
            path = baseDir.resolve(text).normalize();
        } catch (InvalidPathException e) {
            throw t.error("ca_file", "invalid path '" + text + "'");
        }
        if (!Files.isRegularFile(path)) {
            throw t.error("ca_file", path + " is not a file");
        }
        boolean certificates;
        try (InputStream in = Files.newInputStream(path)) {
            certificates = !CertificateFactory.getInstance("X.509").generateCertificates(in).isEmpty();
        } catch (CertificateException e) {
            certificates = false;
        } catch (IOException e) {
            throw t.error("ca_file", path + " cannot be read: " + e.getMessage());
        }
        if (!certificates) {
            throw t.error("ca_file", path + " holds no PEM certificate");
        }
        return path;
    }

    /** {@code circuit_breaker = { failure_rate, window, open_for }}. */
    private static UpstreamPoolConfig.CircuitBreaker circuitBreaker(Table t) {
        t.allowOnly("failure_rate", "window", "open_for");
        long rate = t.optLong("failure_rate").orElse(50L);
        if (rate < 1 || rate > 100) {
            throw t.error("failure_rate", "must be a percentage between 1 and 100");
        }
        long window = t.optLong("window").orElse(20L);
        if (window < 1 || window > 10_000) {
            throw t.error("window", "must be between 1 and 10000 requests");
        }
        Duration openFor = RuntimeConfigLoader.duration(t, "open_for", Duration.ofSeconds(10), RuntimeConfigLoader.MAX_TIMEOUT);
        return new UpstreamPoolConfig.CircuitBreaker((int) rate, (int) window, openFor);
    }

    private static int count(Table t, String key, int defaultValue) {
        long n = t.optLong(key).orElse((long) defaultValue);
        if (n < 1 || n > MAX_COUNT) {
            throw t.error(key, "must be between 1 and " + MAX_COUNT);
        }
        return (int) n;
    }

    /** {@code retries = { attempts, on, methods }}. */
    private static UpstreamPoolConfig.Retries retries(Table t) {
        t.allowOnly("attempts", "on", "methods");
        long attempts = t.optLong("attempts").orElse(1L);
        if (attempts < 0 || attempts > 10) {
            throw t.error("attempts", "must be between 0 and 10");
        }
        Set<UpstreamPoolConfig.Failure> on = EnumSet.noneOf(UpstreamPoolConfig.Failure.class);
        Set<Integer> statuses = new LinkedHashSet<>();
        List<String> conditions = t.has("on") ? t.stringList("on") : List.of("connect-failure");
        for (int i = 0; i < conditions.size(); i++) {
            String condition = conditions.get(i).strip().toLowerCase(Locale.ROOT);
            Optional<UpstreamPoolConfig.Failure> failure = Arrays.stream(UpstreamPoolConfig.Failure.values())
                    .filter(f -> f.text().equals(condition)).findFirst();
            if (failure.isPresent()) {
                on.add(failure.get());
            } else if (condition.equals("5xx")) {
                for (int status = 500; status < 600; status++) {
                    statuses.add(status);
                }
            } else if (condition.matches("5\\d\\d")) {
                statuses.add(Integer.parseInt(condition));
            } else {
                throw new ConfigException(t.file(), t.fieldPath("on") + "[" + i + "]", "unknown condition '" + condition
                        + "' (expected connect-failure, timeout, reset, 5xx or a 5xx status such as 503)");
            }
        }
        Set<String> methods = new LinkedHashSet<>();
        Object raw = t.raw("methods");
        if (raw == null || "idempotent".equals(raw)) {
            methods.addAll(UpstreamPoolConfig.Retries.IDEMPOTENT);
        } else if (raw instanceof String text) {
            throw t.error("methods", "'" + text + "' is not \"idempotent\" or a list of idempotent methods");
        } else {
            List<String> names = t.stringList("methods");
            for (int i = 0; i < names.size(); i++) {
                String method = names.get(i).strip().toUpperCase(Locale.ROOT);
                if (!UpstreamPoolConfig.Retries.IDEMPOTENT.contains(method)) {
                    throw new ConfigException(t.file(), t.fieldPath("methods") + "[" + i + "]", method
                            + " is not idempotent: a request the upstream may have acted on is never sent twice");
                }
                methods.add(method);
            }
        }
        return new UpstreamPoolConfig.Retries((int) attempts, on, statuses, methods);
    }
}
