package dev.edge.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Undertow's and XNIO's jboss-logging bound to java.util.logging as edge's main does it: a level check is JUL's, and
 * what is logged still reaches logback with logback's levels. In a JVM of its own: jboss-logging picks its binding
 * once, when its first logger is made (earlier tests in this JVM started Undertow).
 */
class UndertowLoggingTest {
    @Test
    void undertowsLogsGoThroughJulToLogbackWithLogbacksLevels() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process probe = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), Probe.class.getName())
                .redirectErrorStream(true).start();
        String output = new String(probe.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(probe.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(probe.exitValue()).as(output).isZero();
        // io.undertow is WARN in logback-test.xml: debug is off in JUL too, a warning is logback's line.
        assertThat(output).contains("binding=JDKLogger debug=false warn=true")
                .containsPattern("WARN +io\\.undertow\\.probe - through JUL")
                .doesNotContain("hidden debug");
    }

    /** The JVM of the test above. */
    static final class Probe {
        public static void main(String[] args) {
            UndertowLogging.install();
            org.jboss.logging.Logger log = org.jboss.logging.Logger.getLogger("io.undertow.probe");
            System.out.println("binding=" + log.getClass().getSimpleName() + " debug=" + log.isDebugEnabled()
                    + " warn=" + log.isEnabled(org.jboss.logging.Logger.Level.WARN));
            log.debug("hidden debug");
            log.warnf("through %s", "JUL");
        }
    }
}
