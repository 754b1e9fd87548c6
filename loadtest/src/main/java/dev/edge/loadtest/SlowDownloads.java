package dev.edge.loadtest;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Issue 11's slow-download aim against an edge gateway on loopback, for a bounded time: {@code downloads} GETs of a
 * large proxied response, each read at {@code bytesPerSecond} through a socket with a 4 KiB receive buffer, so the
 * gateway holds each one open with its upstream. Meanwhile, every 200 ms, health and a fast proxied route are asked
 * once each (a fresh connection per ask), and every second the gateway's live threads and used heap are read from
 * its admin {@code /metrics}. If a download held a thread, the live thread count would grow by about one per
 * download; it must stay flat, and the probes prompt. Loopback only; every socket is closed at the end.
 *
 * <pre>java loadtest/src/main/java/dev/edge/loadtest/SlowDownloads.java GATEWAY_PORT ADMIN_PORT BIG_PATH FAST_PATH
 *     SECONDS [DOWNLOADS=1000] [BYTES_PER_SECOND=4096]</pre>
 * Prints a baseline line, one line every 10 s, and a summary (loadtest/scripts/slow-downloads.sh runs it).
 */
public final class SlowDownloads {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    private static final int RECEIVE_BUFFER = 4096;
    private static final long TICK_MILLIS = 100;
    private static final Pattern THREADS = Pattern.compile("(?m)^jvm_threads_live_threads(?:\\{[^}]*\\})? ([0-9.eE+]+)$");
    private static final Pattern HEAP = Pattern.compile("(?m)^jvm_memory_used_bytes\\{[^}]*area=\"heap\"[^}]*\\} ([0-9.eE+]+)$");

    private SlowDownloads() {}

    /** One slow download: its socket, the bytes it read, and whether it saw a 200 status line. */
    private static final class Download {
        final SocketChannel channel;
        final StringBuilder head = new StringBuilder();
        long bytes;
        boolean ok;
        boolean ended;

        Download(SocketChannel channel) {
            this.channel = channel;
        }
    }

    /** Latencies of one probe, in ms, and its failures (not 200, or no answer within 5 s). */
    private static final class Probe {
        final String path;
        final List<Double> millis = new ArrayList<>();
        int failed;

        Probe(String path) {
            this.path = path;
        }

        synchronized void ask(int port) {
            long start = System.nanoTime();
            int status = status(port, path);
            double took = (System.nanoTime() - start) / 1e6;
            if (status == 200) {
                millis.add(took);
            } else {
                failed++;
            }
        }

        synchronized String summary() {
            double[] sorted = millis.stream().mapToDouble(Double::doubleValue).sorted().toArray();
            return String.format("%s: %d answered, %d failed, p50 %.1f ms, p99 %.1f ms, max %.1f ms", path,
                    sorted.length, failed, percentile(sorted, 50), percentile(sorted, 99),
                    sorted.length == 0 ? Double.NaN : sorted[sorted.length - 1]);
        }
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        int adminPort = Integer.parseInt(args[1]);
        String bigPath = args[2];
        String fastPath = args[3];
        long seconds = Math.min(600, Long.parseLong(args[4]));
        int count = args.length > 5 ? Integer.parseInt(args[5]) : 1000;
        int bytesPerSecond = args.length > 6 ? Integer.parseInt(args[6]) : 4096;

        double[] baseline = metrics(adminPort);
        System.out.printf("baseline: live threads %.0f, heap used %.1f MiB%n", baseline[0], baseline[1] / (1 << 20));
        Probe health = new Probe("/.well-known/spin/health");
        Probe fast = new Probe(fastPath);
        List<Download> downloads = new ArrayList<>();
        double maxThreads = baseline[0];
        double maxHeap = baseline[1];
        int connectFailures = 0;
        long started = System.nanoTime();
        try {
            for (int i = 0; i < count; i++) {
                try {
                    downloads.add(open(port, bigPath));
                } catch (IOException e) {
                    connectFailures++;
                }
            }
            System.out.printf("opened %d downloads (%d failed to connect) in %.1f s%n", downloads.size(),
                    connectFailures, (System.nanoTime() - started) / 1e9);
            System.out.flush();
            Thread prober = new Thread(() -> {
                while (!Thread.currentThread().isInterrupted()) {
                    health.ask(port);
                    fast.ask(port);
                    try {
                        Thread.sleep(200);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "probe");
            prober.setDaemon(true);
            prober.start();
            ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
            int perTick = (int) Math.max(1, bytesPerSecond * TICK_MILLIS / 1000);
            long end = System.nanoTime() + seconds * 1_000_000_000L;
            long nextSample = System.nanoTime();
            long nextReport = System.nanoTime() + 10_000_000_000L;
            while (System.nanoTime() < end) {
                long tick = System.nanoTime();
                for (Download d : downloads) {
                    read(d, buffer, perTick);
                }
                if (tick >= nextSample) {
                    double[] now = metrics(adminPort);
                    maxThreads = Math.max(maxThreads, now[0]);
                    maxHeap = Math.max(maxHeap, now[1]);
                    nextSample += 1_000_000_000L;
                    if (tick >= nextReport) {
                        System.out.printf("t=%.0fs live threads %.0f, heap used %.1f MiB, open downloads %d, read %.1f MiB%n",
                                (tick - started) / 1e9, now[0], now[1] / (1 << 20), open(downloads),
                                downloads.stream().mapToLong(x -> x.bytes).sum() / (double) (1 << 20));
                        System.out.flush();
                        nextReport += 10_000_000_000L;
                    }
                }
                long sleep = TICK_MILLIS - (System.nanoTime() - tick) / 1_000_000;
                if (sleep > 0) {
                    Thread.sleep(sleep);
                }
            }
            prober.interrupt();
            prober.join(10_000);
        } finally {
            for (Download d : downloads) {
                d.channel.close();
            }
        }
        double elapsed = (System.nanoTime() - started) / 1e9;
        long[] bytes = downloads.stream().mapToLong(d -> d.bytes).sorted().toArray();
        long notOk = downloads.stream().filter(d -> !d.ok).count();
        long ended = downloads.stream().filter(d -> d.ended).count();
        System.out.printf("downloads: %d, not 200: %d, ended early: %d; bytes each min %d, median %d, max %d "
                        + "(%.0f B/s each over %.0f s)%n", downloads.size(), notOk, ended,
                bytes.length == 0 ? 0 : bytes[0], bytes.length == 0 ? 0 : bytes[bytes.length / 2],
                bytes.length == 0 ? 0 : bytes[bytes.length - 1],
                bytes.length == 0 ? 0 : bytes[bytes.length / 2] / elapsed, elapsed);
        System.out.printf("gateway live threads: baseline %.0f, max while loaded %.0f; heap used max %.1f MiB%n",
                baseline[0], maxThreads, maxHeap / (1 << 20));
        System.out.println(health.summary());
        System.out.println(fast.summary());
    }

    private static Download open(int port, String path) throws IOException {
        SocketChannel channel = SocketChannel.open();
        // Set before connecting, so the window the gateway may fill stays small.
        channel.setOption(StandardSocketOptions.SO_RCVBUF, RECEIVE_BUFFER);
        channel.connect(new InetSocketAddress(LOOPBACK, port));
        channel.write(ByteBuffer.wrap(("GET " + path + " HTTP/1.1\r\nHost: edge\r\n\r\n").getBytes(StandardCharsets.US_ASCII)));
        channel.configureBlocking(false);
        return new Download(channel);
    }

    /** Reads at most {@code budget} bytes of what has arrived, without waiting. */
    private static void read(Download d, ByteBuffer buffer, int budget) {
        if (d.ended) {
            return;
        }
        buffer.clear().limit(budget);
        try {
            int n = d.channel.read(buffer);
            if (n < 0) {
                d.ended = true;
                return;
            }
            if (d.bytes == 0 && n > 0) {
                d.head.append(new String(buffer.array(), 0, Math.min(n, 16), StandardCharsets.ISO_8859_1));
                d.ok = d.head.toString().startsWith("HTTP/1.1 200");
            }
            d.bytes += n;
        } catch (IOException e) {
            d.ended = true;
        }
    }

    private static long open(List<Download> downloads) {
        return downloads.stream().filter(d -> !d.ended).count();
    }

    /** One GET on a fresh loopback connection; its status, or -1 without an answer in 5 s. */
    static int status(int port, String path) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(LOOPBACK, port), 5_000);
            socket.setSoTimeout(5_000);
            OutputStream out = socket.getOutputStream();
            out.write(("GET " + path + " HTTP/1.1\r\nHost: edge\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            byte[] all = in.readAllBytes();
            String text = new String(all, 0, Math.min(all.length, 12), StandardCharsets.ISO_8859_1);
            return text.startsWith("HTTP/1.1 ") && text.length() >= 12 ? Integer.parseInt(text.substring(9, 12)) : -1;
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
    }

    /** {live threads, heap bytes used} from the admin listener's Prometheus text; NaN if it did not answer. */
    private static double[] metrics(int adminPort) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(LOOPBACK, adminPort), 5_000);
            socket.setSoTimeout(5_000);
            socket.getOutputStream().write("GET /metrics HTTP/1.1\r\nHost: admin\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            String text = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            Matcher threads = THREADS.matcher(text);
            double live = threads.find() ? Double.parseDouble(threads.group(1)) : Double.NaN;
            double heap = 0;
            Matcher pools = HEAP.matcher(text);
            while (pools.find()) {
                heap += Double.parseDouble(pools.group(1));
            }
            return new double[] {live, heap};
        } catch (IOException e) {
            return new double[] {Double.NaN, Double.NaN};
        }
    }

    private static double percentile(double[] sorted, int p) {
        return sorted.length == 0 ? Double.NaN : sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100.0 * sorted.length) - 1)];
    }
}
