package dev.edge.config;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** Parses and validates the {@code [upstream.<name>]} tables of a runtime config. */
final class UpstreamPoolLoader {
    private UpstreamPoolLoader() {}

    static Map<String, UpstreamPoolConfig> load(Table root) {
        Map<String, UpstreamPoolConfig> pools = new LinkedHashMap<>();
        root.optTable("upstream").ifPresent(t -> {
            for (String name : t.keys()) {
                if (!Ids.isKebabOrSnake(name)) {
                    throw t.error(name, "upstream name '" + name + "' must be kebab-case or snake_case");
                }
                pools.put(name, pool(name, t.table(t.raw(name), t.fieldPath(name))));
            }
        });
        return pools;
    }

    private static UpstreamPoolConfig pool(String name, Table t) {
        t.allowOnly("targets", "balance", "hash_on", "request_timeout", "eject_for");
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
        Duration timeout = RuntimeConfigLoader.duration(t, "request_timeout", UpstreamPoolConfig.DEFAULT_REQUEST_TIMEOUT,
                RuntimeConfigLoader.MAX_REQUEST_TIMEOUT);
        Duration ejectFor = RuntimeConfigLoader.duration(t, "eject_for", UpstreamPoolConfig.DEFAULT_EJECT_FOR,
                RuntimeConfigLoader.MAX_TIMEOUT);
        return new UpstreamPoolConfig(name, targets, balance, hashOn, timeout, ejectFor);
    }
}
