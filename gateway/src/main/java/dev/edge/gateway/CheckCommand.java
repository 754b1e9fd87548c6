package dev.edge.gateway;

import dev.edge.routes.ProxyRoute;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code edge check}: loads and validates everything {@code edge up} would (manifest, runtime config,
 * variables, key-value stores opened or reached, every component compiled, --proxy routes), prints the
 * same one-line errors and exits 0 or 1, like {@code nginx -t}. It starts no listener and claims no state file.
 */
@Command(name = "check", mixinStandardHelpOptions = true,
        description = "Validate a Spin application and its runtime config as 'edge up' would, without serving it.")
public final class CheckCommand implements Callable<Integer> {

    @Mixin
    AppSourceOptions source = new AppSourceOptions();

    @Option(names = "--proxy", paramLabel = "<route=url>", description = "A --proxy route of 'edge up' to validate. Repeatable.")
    List<String> proxies = new ArrayList<>();

    private final PrintStream out;
    private final PrintStream err;

    CheckCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    @Override
    public Integer call() {
        try {
            for (String proxy : proxies) {
                ProxyRoute.parse(proxy);
            }
            EdgeApp.Checked checked = EdgeApp.check(source.from, source.runtimeConfigFile, source.stateDir);
            out.println("ok: app '" + checked.appName() + "': " + checked.components() + " component(s) compiled, "
                    + checked.stores() + " key-value store(s) opened");
            return 0;
        } catch (Exception e) {
            return StartFailures.report(err, e);
        }
    }
}
