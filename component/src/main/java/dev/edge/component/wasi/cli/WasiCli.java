package dev.edge.component.wasi.cli;

import dev.edge.component.abi.Variant;
import dev.edge.component.host.HostInterface;
import dev.edge.component.wasi.io.HostInputStream;
import dev.edge.component.wasi.io.WasiIo;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code wasi:cli} at 0.2.6: environment (the manifest's {@code environment}, no arguments, no initial
 * directory), exit, stdin (empty), stdout/stderr (the component logs, from {@link CliState}) and the
 * terminal interfaces (a server component has no terminal: every {@code get-terminal-*} is {@code none}).
 */
public final class WasiCli {

    private WasiCli() {
    }

    public static List<HostInterface> interfaces() {
        return List.of(environment(), exit(), stdin(), stdout(), stderr(),
                HostInterface.builder("wasi:cli/terminal-input", WasiIo.VERSION).build(),
                HostInterface.builder("wasi:cli/terminal-output", WasiIo.VERSION).build(),
                noTerminal("stdin"), noTerminal("stdout"), noTerminal("stderr"));
    }

    public static HostInterface environment() {
        return HostInterface.builder("wasi:cli/environment", WasiIo.VERSION)
                .function("get-environment", (cx, a) -> {
                    List<Object> pairs = new ArrayList<>();
                    for (Map.Entry<String, String> e : cx.get(CliState.class).environment()) {
                        pairs.add(new Object[] {e.getKey(), e.getValue()});
                    }
                    return pairs;
                })
                .function("get-arguments", (cx, a) -> List.of())
                .function("initial-cwd", (cx, a) -> Variant.none())
                .build();
    }

    public static HostInterface exit() {
        return HostInterface.builder("wasi:cli/exit", WasiIo.VERSION)
                .function("exit", (cx, a) -> {
                    throw new ComponentExit(((Variant) a[0]).isOk() ? 0 : 1);
                })
                .function("exit-with-code", (cx, a) -> {
                    throw new ComponentExit(((Integer) a[0]) & 0xff);
                })
                .build();
    }

    public static HostInterface stdin() {
        return HostInterface.builder("wasi:cli/stdin", WasiIo.VERSION)
                .function("get-stdin", (cx, a) -> HostInputStream.empty())
                .build();
    }

    public static HostInterface stdout() {
        return HostInterface.builder("wasi:cli/stdout", WasiIo.VERSION)
                .function("get-stdout", (cx, a) -> cx.get(CliState.class).stdout())
                .build();
    }

    public static HostInterface stderr() {
        return HostInterface.builder("wasi:cli/stderr", WasiIo.VERSION)
                .function("get-stderr", (cx, a) -> cx.get(CliState.class).stderr())
                .build();
    }

    private static HostInterface noTerminal(String stream) {
        return HostInterface.builder("wasi:cli/terminal-" + stream, WasiIo.VERSION)
                .function("get-terminal-" + stream, (cx, a) -> Variant.none())
                .build();
    }
}
