package dev.edge.gateway;

import java.io.PrintStream;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code java -jar edge.jar up --from spin.toml --listen 127.0.0.1:3000}. */
@Command(name = "edge", mixinStandardHelpOptions = true, version = "edge " + EdgeMain.VERSION,
        description = "Spin-compatible Wasm edge gateway.")
public final class EdgeMain implements Runnable {
    /** The release, as {@code edge --version} and the {@code edge_build_info} metric show it. */
    static final String VERSION = "0.1.0";

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    /** {@code edge} alone: a usage error, like {@code spin} without a subcommand. */
    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing required subcommand (try 'edge up --help')");
    }

    public static void main(String[] args) {
        UndertowLogging.install();
        System.exit(run(args, System.in, System.out, System.err, new CountDownLatch(1)));
    }

    /**
     * Runs the CLI. {@code up} blocks until {@code stop} is counted down (the shutdown hook does that
     * on SIGTERM / Ctrl-C).
     */
    static int run(String[] args, PrintStream out, PrintStream err, CountDownLatch stop) {
        return run(args, System.in, out, err, stop);
    }

    /** As {@link #run(String[], PrintStream, PrintStream, CountDownLatch)}, with {@code in} as stdin ({@code edge kv set --value-file -}). */
    static int run(String[] args, java.io.InputStream in, PrintStream out, PrintStream err, CountDownLatch stop) {
        CommandLine cli = new CommandLine(new EdgeMain())
                .addSubcommand(new CommandLine(new UpCommand(out, err, stop)))
                .addSubcommand(new CommandLine(new CheckCommand(out, err)))
                .addSubcommand(KvCommand.commandLine(in, out, err));
        cli.setOut(new java.io.PrintWriter(out, true));
        cli.setErr(new java.io.PrintWriter(err, true));
        return cli.execute(args);
    }
}
