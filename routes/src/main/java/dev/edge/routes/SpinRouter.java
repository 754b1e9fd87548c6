package dev.edge.routes;

import dev.edge.config.HttpTrigger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Spin's HTTP routing, independent of any HTTP stack. Precedence does not depend on declaration order:
 * exact beats parameter beats wildcard, then the longest prefix wins. Of two routes matching the same
 * paths the last declared wins (an error is logged). Private routes never match.
 */
public final class SpinRouter {
    private static final Logger LOG = LoggerFactory.getLogger(SpinRouter.class);

    /** A route and the spin-* headers that are the same for every request it matches (made once, not per request). */
    private record Entry(RoutePattern pattern, HttpTrigger trigger, Map.Entry<String, String> matchedRoute,
                         Map.Entry<String, String> rawComponentRoute, Map.Entry<String, String> componentRoute) {
        Entry(RoutePattern pattern, HttpTrigger trigger) {
            this(pattern, trigger, Map.entry("spin-matched-route", pattern.normalized()),
                    Map.entry("spin-raw-component-route", pattern.raw()),
                    Map.entry("spin-component-route", pattern.componentRoute()));
        }
    }

    private static final Map.Entry<String, String> BASE_PATH = Map.entry("spin-base-path", "/");

    /** Sorted most specific first, so the first match is the best match. */
    private final List<Entry> entries;

    public SpinRouter(List<HttpTrigger> triggers) {
        Map<String, Entry> byKey = new LinkedHashMap<>();
        for (HttpTrigger trigger : triggers) {
            if (trigger.isPrivate()) {
                continue;
            }
            RoutePattern pattern = RoutePattern.parse(trigger.route());
            Entry previous = byKey.remove(pattern.duplicateKey());
            if (previous != null) {
                LOG.error("Duplicate route '{}': '{}' ({}) replaces '{}' ({}); the last one wins",
                        pattern.normalized(), pattern.raw(), describe(trigger),
                        previous.pattern().raw(), describe(previous.trigger()));
            }
            byKey.put(pattern.duplicateKey(), new Entry(pattern, trigger));
        }
        List<Entry> sorted = new ArrayList<>(byKey.values());
        sorted.sort((a, b) -> a.pattern().compareSpecificity(b.pattern()));
        this.entries = List.copyOf(sorted);
    }

    /** The routable triggers (private ones and overridden duplicates left out), most specific first. */
    public List<HttpTrigger> triggers() {
        return entries.stream().map(Entry::trigger).toList();
    }

    /** Routes a request; empty when no route matches (Spin answers 404). */
    public Optional<RouteMatch> route(RequestTarget target) {
        for (Entry entry : entries) {
            RoutePattern.PathMatch match = entry.pattern().match(target.path());
            if (match != null) {
                return Optional.of(new RouteMatch(entry.trigger(), match.params(), match.pathInfo(),
                        spinHeaders(entry, match, target)));
            }
        }
        return Optional.empty();
    }

    /** An immutable list ({@link RouteMatch} keeps it without copying it again). */
    private static List<Map.Entry<String, String>> spinHeaders(
            Entry entry, RoutePattern.PathMatch match, RequestTarget target) {
        Map.Entry<String, String> fullUrl = Map.entry("spin-full-url", target.fullUrl());
        Map.Entry<String, String> pathInfo = Map.entry("spin-path-info", match.pathInfo());
        Map.Entry<String, String> clientAddr = Map.entry("spin-client-addr", target.clientAddr());
        if (match.params().isEmpty()) {
            return List.of(fullUrl, pathInfo, entry.matchedRoute(), BASE_PATH, entry.rawComponentRoute(),
                    entry.componentRoute(), clientAddr);
        }
        List<Map.Entry<String, String>> headers = new ArrayList<>(7 + match.params().size());
        headers.add(fullUrl);
        headers.add(pathInfo);
        headers.add(entry.matchedRoute());
        headers.add(BASE_PATH);
        headers.add(entry.rawComponentRoute());
        headers.add(entry.componentRoute());
        headers.add(clientAddr);
        Map<String, String> seen = new LinkedHashMap<>();
        match.params().forEach((name, value) -> seen.putIfAbsent(RouteMatch.pathMatchHeader(name), value));
        seen.forEach((name, value) -> headers.add(Map.entry(name, value)));
        return List.copyOf(headers);
    }

    private static String describe(HttpTrigger trigger) {
        return trigger.componentId().map(id -> "component " + id).orElse("static_response");
    }
}
