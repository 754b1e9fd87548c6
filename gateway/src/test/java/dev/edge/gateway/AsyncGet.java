package dev.edge.gateway;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/** GETs to a running gateway that a test can leave in flight (slow guests) while it asks other things. */
final class AsyncGet {
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private AsyncGet() {}

    /** {@code GET path} on {@code listen}, over HTTP/1.1, given up after 30 s. */
    static CompletableFuture<HttpResponse<String>> send(ListenAddress listen, String path) {
        return CLIENT.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + listen.port() + path))
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
