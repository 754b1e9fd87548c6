package dev.edge.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** {@link Reloads} before the app has started: SIGHUP is already handled, and a reload asked for then is ignored. */
class ReloadsTest {

    @Test
    void aReloadAskedForWhileTheAppIsStartingIsIgnoredInOneLine() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try (Reloads reloads = new Reloads(Duration.ofSeconds(1), new PrintStream(err, true, StandardCharsets.UTF_8))) {
            reloads.request();
        }
        assertThat(err.toString(StandardCharsets.UTF_8)).isEqualTo("reload ignored: the app is still starting\n");
    }
}
