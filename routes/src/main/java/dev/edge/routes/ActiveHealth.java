package dev.edge.routes;

import dev.edge.config.UpstreamPoolConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One target's state under active health checks: up until {@code unhealthy_after} checks in a row fail, then down
 * until {@code healthy_after} in a row pass. Without checks a target is always up. Updated only on the checker's
 * thread; read by request threads.
 */
final class ActiveHealth {
    private static final Logger LOG = LoggerFactory.getLogger(ActiveHealth.class);

    private final URI base;
    private final Runnable ejected;
    private volatile boolean up = true;
    private int passed;
    private int failed;
    private volatile boolean checking;

    /** @param ejected told each time the checks take the target out */
    ActiveHealth(URI base, Runnable ejected) {
        this.base = base;
        this.ejected = ejected;
    }

    boolean up() {
        return up;
    }

    private void record(boolean ok, UpstreamPoolConfig.Health config, String why) {
        if (ok) {
            failed = 0;
            if (!up && ++passed >= config.healthyAfter()) {
                up = true;
                passed = 0;
                LOG.info("Upstream target {} passed {} health checks: back in rotation", base, config.healthyAfter());
            }
        } else {
            passed = 0;
            if (up && ++failed >= config.unhealthyAfter()) {
                up = false;
                failed = 0;
                ejected.run();
                LOG.warn("Upstream target {} failed {} health checks ({}): out of rotation", base,
                        config.unhealthyAfter(), why);
            }
        }
    }

    /** Starts checking {@code targets} every {@code interval} on {@code scheduler}, with a non-blocking client. */
    static Checks start(UpstreamPoolConfig.Health config, Duration connectTimeout, SSLContext tls,
                        List<ActiveHealth> targets, ScheduledExecutorService scheduler) {
        // Responses complete on the scheduler's one thread: every target's counters have one writer.
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(connectTimeout)
                .followRedirects(HttpClient.Redirect.NEVER).sslContext(tls).executor(scheduler).build();
        Runnable round = () -> targets.forEach(target -> target.check(client, config));
        return new Checks(scheduler.scheduleWithFixedDelay(round, 0, config.interval().toMillis(), TimeUnit.MILLISECONDS));
    }

    private void check(HttpClient client, UpstreamPoolConfig.Health config) {
        if (checking) {
            return; // the last check has not finished: its timeout decides it
        }
        checking = true;
        URI uri = URI.create(base.getScheme() + "://" + base.getRawAuthority() + config.path());
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(config.timeout()).GET().build();
        client.sendAsync(request, HttpResponse.BodyHandlers.discarding()).whenComplete((response, error) -> {
            checking = false;
            boolean ok = error == null && response.statusCode() >= 200 && response.statusCode() < 400;
            record(ok, config, error != null ? error.toString() : "status " + response.statusCode());
        });
    }

    /** A pool's running checks. */
    record Checks(ScheduledFuture<?> rounds) {
        void stop() {
            rounds.cancel(false);
        }
    }
}
