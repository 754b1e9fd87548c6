package dev.edge.loadtest;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;

/**
 * The slow peers of issue 9's aim, against an edge gateway on loopback, for a bounded time: {@code trickles}
 * connections that each send a chunked body one byte every 5 s, {@code slowGuests} requests to a guest route that
 * sleeps 30 s, and {@code slowUpstreams} requests to a proxied route whose upstream (this tool, on {@code
 * upstreamPort}) answers after 30 s. Measure health and a fast route meanwhile with wrk (loadtest/scripts/starvation.sh).
 * Loopback only; every socket is closed at the end.
 *
 * <pre>java -cp benchmarks.jar dev.edge.loadtest.StarvationLoad GATEWAY_PORT UPSTREAM_PORT SECONDS
 *     [TRICKLES=1000] [SLOW_GUESTS=64] [SLOW_UPSTREAMS=64]</pre>
 * Prints one line when every connection is open ("loaded"), and a summary at the end.
 */
public final class StarvationLoad {
    private StarvationLoad() {}

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        int upstreamPort = Integer.parseInt(args[1]);
        long seconds = Math.min(600, Long.parseLong(args[2]));
        int trickles = args.length > 3 ? Integer.parseInt(args[3]) : 1000;
        int slowGuests = args.length > 4 ? Integer.parseInt(args[4]) : 64;
        int slowUpstreams = args.length > 5 ? Integer.parseInt(args[5]) : 64;
        InetAddress loopback = InetAddress.getLoopbackAddress();

        HttpServer upstream = HttpServer.create(new InetSocketAddress(loopback, upstreamPort), 256);
        upstream.setExecutor(Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "slow-upstream");
            t.setDaemon(true);
            return t;
        }));
        upstream.createContext("/", exchange -> {
            try {
                Thread.sleep(30_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            byte[] body = "slow upstream\n".getBytes(StandardCharsets.US_ASCII);
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        upstream.start();

        List<Socket> trickling = new ArrayList<>();
        List<Socket> held = new ArrayList<>();
        int failed = 0;
        try {
            for (int i = 0; i < slowGuests; i++) {
                held.add(send(loopback, port, "GET /slow/30000 HTTP/1.1\r\nHost: edge\r\n\r\n"));
            }
            for (int i = 0; i < slowUpstreams; i++) {
                held.add(send(loopback, port, "GET /upstream/x HTTP/1.1\r\nHost: edge\r\n\r\n"));
            }
            for (int i = 0; i < trickles; i++) {
                trickling.add(send(loopback, port,
                        "POST /slow/0 HTTP/1.1\r\nHost: edge\r\nTransfer-Encoding: chunked\r\n\r\n1\r\n"));
            }
            System.out.printf("loaded: %d trickling, %d slow guests, %d slow upstreams%n", trickling.size(),
                    slowGuests, slowUpstreams);
            System.out.flush();
            long end = System.nanoTime() + seconds * 1_000_000_000L;
            while (System.nanoTime() < end) {
                Thread.sleep(Math.min(5_000, Math.max(1, (end - System.nanoTime()) / 1_000_000)));
                for (Socket s : trickling) {
                    try {
                        s.getOutputStream().write('a'); // one byte of the open 1-byte chunk... then the next
                        s.getOutputStream().write("\r\n1\r\n".getBytes(StandardCharsets.US_ASCII));
                    } catch (IOException e) {
                        failed++;
                    }
                }
            }
        } finally {
            for (Socket s : trickling) {
                s.close();
            }
            for (Socket s : held) {
                s.close();
            }
            upstream.stop(0);
        }
        System.out.printf("done: %d trickle writes failed (connection closed by the gateway)%n", failed);
        System.out.flush();
    }

    private static Socket send(InetAddress host, int port, String head) throws IOException {
        Socket socket = new Socket(host, port);
        socket.getOutputStream().write(head.getBytes(StandardCharsets.US_ASCII));
        socket.getOutputStream().flush();
        return socket;
    }
}
