package dev.edge.gateway;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads samples from a running gateway's admin listener ({@code /metrics}, Prometheus text format). */
final class AdminMetrics {
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private AdminMetrics() {}

    /** The first sample of {@code name}, -1 if absent. */
    static double sample(ListenAddress admin, String name) throws Exception {
        return sample(admin, name, "");
    }

    /**
     * The first sample of {@code name} whose labels contain {@code labels} (as printed between the braces,
     * e.g. {@code component="hello"}; "" for any or none), -1 if absent.
     */
    static double sample(ListenAddress admin, String name, String labels) throws Exception {
        String metrics = CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin.port() + "/metrics"))
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString()).body();
        String selector = labels.isEmpty() ? "(?:\\{[^}]*\\})?" : "\\{[^}]*" + Pattern.quote(labels) + "[^}]*\\}";
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + selector + " (\\S+)$").matcher(metrics);
        return m.find() ? Double.parseDouble(m.group(1)) : -1;
    }
}
