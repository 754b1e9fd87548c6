package dev.edge.gateway;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.jul.LevelChangePropagator;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;

/**
 * Binds Undertow's and XNIO's logging (jboss-logging) to java.util.logging, whose records go on to logback: the
 * output and its configuration stay logback's. Why: they ask "is TRACE (DEBUG) on?" several times per request (each
 * channel listener invoked, each task run), and through jboss-logging's default SLF4J binding each ask is a chain of
 * calls into logback (4-6 % of a proxied request's CPU, docs/benchmarks.md); JUL answers with one comparison, its
 * levels kept equal to logback's ({@link LevelChangePropagator}).
 */
final class UndertowLogging {
    /** jboss-logging's switch, read once, when its first logger is made. */
    static final String PROVIDER = "org.jboss.logging.provider";

    private UndertowLogging() {
    }

    /** Before any Undertow or XNIO class logs; an explicit {@code -Dorg.jboss.logging.provider} wins. */
    static void install() {
        if (System.getProperty(PROVIDER) == null) {
            System.setProperty(PROVIDER, "jdk");
        }
        SLF4JBridgeHandler.removeHandlersForRootLogger(); // JUL's console handler would print each record again
        SLF4JBridgeHandler.install();
        if (LoggerFactory.getILoggerFactory() instanceof LoggerContext context) {
            LevelChangePropagator propagator = new LevelChangePropagator();
            propagator.setContext(context);
            propagator.setResetJUL(true);
            propagator.start(); // copies the configured levels to JUL, then follows their changes
            context.addListener(propagator);
        }
    }
}
