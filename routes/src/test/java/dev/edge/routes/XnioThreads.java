package dev.edge.routes;

import java.util.Set;
import java.util.stream.Collectors;

/** The XNIO IO threads alive in this JVM, so a test can count the ones a listener started. */
public final class XnioThreads {
    private XnioThreads() {}

    /** XNIO names a worker's IO threads "<worker> I/O-<n>". */
    public static Set<String> ioThreadNames() {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
                .filter(n -> n.contains(" I/O-")).collect(Collectors.toSet());
    }
}
