package dev.edge.loadtest;

import dev.edge.config.Executor;
import dev.edge.config.HttpTrigger;
import dev.edge.routes.RequestTarget;
import dev.edge.routes.RouteMatch;
import dev.edge.routes.SpinRouter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Route matching on a 50-trigger table with every route form, including the spin-* header values.
 * <pre>java -jar loadtest/target/benchmarks.jar SpinRouterBenchmark -f 1</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class SpinRouterBenchmark {
    private SpinRouter router;
    private RequestTarget exact;
    private RequestTarget param;
    private RequestTarget wildcard;

    @Setup
    public void setUp() {
        List<HttpTrigger> triggers = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            triggers.add(trigger("/svc" + i + "/health"));
            triggers.add(trigger("/svc" + i + "/items/:id"));
            triggers.add(trigger("/svc" + i + "/..."));
        }
        triggers.add(trigger("/get/:key"));
        triggers.add(trigger("/..."));
        router = new SpinRouter(triggers);
        exact = target("/svc9/health");
        param = target("/svc9/items/42");
        wildcard = target("/svc9/static/css/site.css");
    }

    private static HttpTrigger trigger(String route) {
        return new HttpTrigger(route, false, Optional.of("c"), Optional.empty(), Executor.http());
    }

    private static RequestTarget target(String path) {
        return new RequestTarget("http", "127.0.0.1:3000", path, "a=1", "127.0.0.1:50000");
    }

    @Benchmark
    public Optional<RouteMatch> exactRoute() { return router.route(exact); }

    @Benchmark
    public Optional<RouteMatch> parameterRoute() { return router.route(param); }

    @Benchmark
    public Optional<RouteMatch> wildcardRoute() { return router.route(wildcard); }
}
