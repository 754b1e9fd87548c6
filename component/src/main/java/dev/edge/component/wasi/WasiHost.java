package dev.edge.component.wasi;

import dev.edge.component.host.HostInterface;
import dev.edge.component.spin.kv.SpinKeyValue;
import dev.edge.component.spin.kv.WasiKeyValue;
import dev.edge.component.spin.variables.SpinVariables;
import dev.edge.component.wasi.cli.WasiCli;
import dev.edge.component.wasi.clocks.WasiClocks;
import dev.edge.component.wasi.filesystem.WasiFilesystem;
import dev.edge.component.wasi.http.WasiHttp;
import dev.edge.component.wasi.io.WasiIo;
import dev.edge.component.wasi.random.WasiRandom;
import java.util.ArrayList;
import java.util.List;

/**
 * Every host interface edge gives a Spin HTTP component. Each needs its state in the instance's
 * {@code HostContext} when called: {@code CliState}, {@code FilesystemState}, {@code HttpExchange},
 * {@code OutboundHttp}, {@code KeyValueState}, {@code VariablesState}. {@code wasi:sockets} is deliberately
 * absent (Spin components reach the network only through outbound HTTP), so a component importing it fails
 * at load naming the interface.
 */
public final class WasiHost {

    private WasiHost() {
    }

    public static List<HostInterface> interfaces() {
        List<HostInterface> all = new ArrayList<>();
        all.addAll(WasiIo.interfaces());
        all.addAll(WasiClocks.interfaces());
        all.addAll(WasiRandom.interfaces());
        all.addAll(WasiCli.interfaces());
        all.addAll(WasiFilesystem.interfaces());
        all.addAll(WasiHttp.interfaces());
        all.add(SpinKeyValue.keyValue());
        all.addAll(WasiKeyValue.interfaces());
        all.addAll(SpinVariables.interfaces());
        return List.copyOf(all);
    }
}
