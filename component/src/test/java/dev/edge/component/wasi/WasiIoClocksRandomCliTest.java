package dev.edge.component.wasi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.edge.component.abi.Variant;
import dev.edge.component.host.ComponentTrap;
import dev.edge.component.host.HostInterface;
import dev.edge.component.wasi.cli.CliState;
import dev.edge.component.wasi.cli.ComponentExit;
import dev.edge.component.wasi.cli.WasiCli;
import dev.edge.component.wasi.clocks.WasiClocks;
import dev.edge.component.wasi.io.HostInputStream;
import dev.edge.component.wasi.io.HostOutputStream;
import dev.edge.component.wasi.io.IoError;
import dev.edge.component.wasi.io.Pollable;
import dev.edge.component.wasi.io.WasiIo;
import dev.edge.component.wasi.random.WasiRandom;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WasiIoClocksRandomCliTest {
    private final TestHostContext cx = new TestHostContext();
    private final HostInterface streams = WasiIo.streams();
    private final HostInterface poll = WasiIo.poll();

    @Test
    void inputStreamReadsInChunksThenReportsClosed() {
        HostInputStream in = HostInputStream.of("hello".getBytes(StandardCharsets.UTF_8));
        Variant first = (Variant) cx.call(streams, "[method]input-stream.read", in, 2L);
        assertThat((byte[]) first.payload()).isEqualTo(bytes("he"));
        Variant skipped = (Variant) cx.call(streams, "[method]input-stream.skip", in, 1L);
        assertThat(skipped.payload()).isEqualTo(1L);
        Variant rest = (Variant) cx.call(streams, "[method]input-stream.blocking-read", in, -1L); // u64 max
        assertThat(rest.isOk()).isTrue();
        assertThat(new String((byte[]) rest.payload(), StandardCharsets.UTF_8)).isEqualTo("lo");
        Variant end = (Variant) cx.call(streams, "[method]input-stream.read", in, 10L);
        assertThat(end).isEqualTo(Variant.err(new Variant(1, null)));
    }

    @Test
    void readOfZeroBytesIsEmptyNotClosed() {
        Variant r = (Variant) cx.call(streams, "[method]input-stream.read", HostInputStream.empty(), 0L);
        assertThat(r.isOk()).isTrue();
        assertThat((byte[]) r.payload()).isEmpty();
    }

    @Test
    void outputStreamWritesFlushesSplicesAndZeroes() {
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        HostOutputStream out = new HostOutputStream(sink);
        Variant permit = (Variant) cx.call(streams, "[method]output-stream.check-write", out);
        assertThat(permit.payload()).isEqualTo(HostOutputStream.PERMIT);
        assertThat(cx.call(streams, "[method]output-stream.write", out, bytes("ab"))).isEqualTo(Variant.ok(null));
        assertThat(cx.call(streams, "[method]output-stream.blocking-write-and-flush", out, bytes("c")))
                .isEqualTo(Variant.ok(null));
        Variant spliced = (Variant) cx.call(streams, "[method]output-stream.splice", out,
                HostInputStream.of(bytes("defg")), 3L);
        assertThat(spliced.payload()).isEqualTo(3L);
        cx.call(streams, "[method]output-stream.write-zeroes", out, 2L);
        assertThat(cx.call(streams, "[method]output-stream.flush", out)).isEqualTo(Variant.ok(null));
        assertThat(sink.toByteArray()).isEqualTo(new byte[] {'a', 'b', 'c', 'd', 'e', 'f', 0, 0});
        assertThat(((Pollable) cx.call(streams, "[method]output-stream.subscribe", out)).ready()).isTrue();
    }

    @Test
    void spliceFromAnExhaustedStreamIsClosed() {
        Variant r = (Variant) cx.call(streams, "[method]output-stream.splice",
                new HostOutputStream(new ByteArrayOutputStream()), HostInputStream.empty(), 10L);
        assertThat(r).isEqualTo(Variant.err(new Variant(1, null)));
    }

    @Test
    void writesBeyondThePermitOrTheBlockingLimitTrap() {
        HostOutputStream out = new HostOutputStream(new ByteArrayOutputStream());
        assertThatThrownBy(() -> cx.call(streams, "[method]output-stream.write", out,
                new byte[(int) HostOutputStream.PERMIT + 1])).isInstanceOf(ComponentTrap.class);
        assertThatThrownBy(() -> cx.call(streams, "[method]output-stream.blocking-write-and-flush", out,
                new byte[4097])).isInstanceOf(ComponentTrap.class).hasMessageContaining("4096");
    }

    @Test
    void aFailedWriteIsLastOperationFailedThenClosed() {
        HostOutputStream out = new HostOutputStream(new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                throw new IOException("disk on fire");
            }
        });
        Variant first = (Variant) cx.call(streams, "[method]output-stream.write", out, bytes("x"));
        Variant error = (Variant) first.payload();
        assertThat(error.index()).isEqualTo(0);
        assertThat(cx.call(WasiIo.error(), "[method]error.to-debug-string", (IoError) error.payload()))
                .isEqualTo("disk on fire");
        assertThat(cx.call(streams, "[method]output-stream.check-write", out))
                .isEqualTo(Variant.err(new Variant(1, null)));
    }

    @Test
    void pollReturnsTheReadyIndicesAndWaitsForTheFirst() {
        HostInterface clock = WasiClocks.monotonicClock();
        Object later = cx.call(clock, "subscribe-duration", 3_600_000_000_000L);
        Object soon = cx.call(clock, "subscribe-duration", 20_000_000L);
        assertThat(cx.call(poll, "[method]pollable.ready", soon)).isEqualTo(false);
        long start = System.nanoTime();
        assertThat(cx.call(poll, "poll", List.of(later, soon))).isEqualTo(List.of(1));
        assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(15_000_000L);
        assertThat(cx.call(poll, "poll", List.of(Pollable.READY, later, soon))).isEqualTo(List.of(0, 2));
        assertThatThrownBy(() -> cx.call(poll, "poll", List.of())).isInstanceOf(ComponentTrap.class);
    }

    @Test
    void monotonicClockInstantsAndPastInstantsAreReady() {
        HostInterface clock = WasiClocks.monotonicClock();
        long a = (Long) cx.call(clock, "now");
        long b = (Long) cx.call(clock, "now");
        assertThat(b).isGreaterThanOrEqualTo(a).isGreaterThanOrEqualTo(0);
        assertThat(((Pollable) cx.call(clock, "subscribe-instant", a)).ready()).isTrue();
        assertThat(((Pollable) cx.call(clock, "subscribe-instant", -1L)).ready()).isFalse(); // u64 max: never
        Pollable p = (Pollable) cx.call(clock, "subscribe-instant", b + 10_000_000L);
        cx.call(poll, "[method]pollable.block", p);
        assertThat((Long) cx.call(clock, "now")).isGreaterThanOrEqualTo(b + 10_000_000L);
    }

    @Test
    void wallClockIsTheCurrentTime() {
        Object[] now = (Object[]) cx.call(WasiClocks.wallClock(), "now");
        long seconds = (Long) now[0];
        assertThat(Math.abs(seconds - System.currentTimeMillis() / 1000)).isLessThanOrEqualTo(2);
        assertThat((Integer) now[1]).isBetween(0, 999_999_999);
    }

    @Test
    void randomBytesHaveTheAskedLengthAndDiffer() {
        byte[] a = (byte[]) cx.call(WasiRandom.random(), "get-random-bytes", 32L);
        byte[] b = (byte[]) cx.call(WasiRandom.random(), "get-random-bytes", 32L);
        assertThat(a).hasSize(32).isNotEqualTo(b);
        assertThat((byte[]) cx.call(WasiRandom.insecure(), "get-insecure-random-bytes", 5L)).hasSize(5);
        assertThat((Object[]) cx.call(WasiRandom.insecureSeed(), "insecure-seed")).hasSize(2)
                .allSatisfy(x -> assertThat(x).isInstanceOf(Long.class));
        assertThatThrownBy(() -> cx.call(WasiRandom.random(), "get-random-bytes", -1L))
                .isInstanceOf(ComponentTrap.class);
    }

    @Test
    void cliEnvironmentIsTheManifestsAndStdioGoesToTheComponentLogs() {
        List<String> lines = new ArrayList<>();
        Map<String, String> env = new LinkedHashMap<>();
        env.put("GREETING", "hi");
        env.put("EMPTY", "");
        CliState cli = new CliState("app", env, (id, stream, line) -> lines.add(id + " " + stream + " " + line));
        cx.with(cli);
        @SuppressWarnings("unchecked")
        List<Object> pairs = (List<Object>) cx.call(WasiCli.environment(), "get-environment");
        assertThat(pairs).containsExactly(new Object[] {"GREETING", "hi"}, new Object[] {"EMPTY", ""});
        assertThat(cx.call(WasiCli.environment(), "get-arguments")).isEqualTo(List.of());
        assertThat(cx.call(WasiCli.environment(), "initial-cwd")).isEqualTo(Variant.none());

        HostOutputStream out = (HostOutputStream) cx.call(WasiCli.stdout(), "get-stdout");
        HostOutputStream err = (HostOutputStream) cx.call(WasiCli.stderr(), "get-stderr");
        cx.call(streams, "[method]output-stream.blocking-write-and-flush", out, bytes("one\ntw"));
        cx.call(streams, "[method]output-stream.write", err, bytes("oops\n"));
        cx.call(streams, "[method]output-stream.write", out, bytes("o"));
        assertThat(lines).containsExactly("app stdout one", "app stderr oops");
        cli.drain();
        assertThat(lines).containsExactly("app stdout one", "app stderr oops", "app stdout two");

        HostInputStream stdin = (HostInputStream) cx.call(WasiCli.stdin(), "get-stdin");
        assertThat(cx.call(streams, "[method]input-stream.read", stdin, 10L))
                .isEqualTo(Variant.err(new Variant(1, null)));
    }

    @Test
    void noTerminalAndExitTrapsWithItsStatus() {
        Map<String, HostInterface> byName = new LinkedHashMap<>();
        WasiCli.interfaces().forEach(i -> byName.put(i.name(), i));
        assertThat(cx.call(byName.get("wasi:cli/terminal-stdin"), "get-terminal-stdin")).isEqualTo(Variant.none());
        assertThat(cx.call(byName.get("wasi:cli/terminal-stdout"), "get-terminal-stdout")).isEqualTo(Variant.none());
        assertThat(cx.call(byName.get("wasi:cli/terminal-stderr"), "get-terminal-stderr")).isEqualTo(Variant.none());
        assertThatThrownBy(() -> cx.call(WasiCli.exit(), "exit", Variant.err(null)))
                .isInstanceOfSatisfying(ComponentExit.class, e -> assertThat(e.status()).isEqualTo(1));
        assertThatThrownBy(() -> cx.call(WasiCli.exit(), "exit-with-code", 7))
                .isInstanceOfSatisfying(ComponentExit.class, e -> assertThat(e.status()).isEqualTo(7));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
