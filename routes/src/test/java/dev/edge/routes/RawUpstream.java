package dev.edge.routes;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loopback upstream on raw sockets that misbehaves on purpose (never answers, answers slowly, closes mid-way),
 * and counts the requests it read, so a test can tell whether the proxy sent a request twice.
 */
final class RawUpstream implements AutoCloseable {
    /** What the upstream does with one request it has read (head and any Content-Length body). */
    @FunctionalInterface
    interface Behaviour {
        void answer(String head, OutputStream out, Socket socket) throws Exception;
    }

    /** Reads the request and never answers. */
    static final Behaviour SILENT = (head, out, socket) -> Thread.sleep(60_000);
    /** Reads the request and closes the connection without a byte. */
    static final Behaviour CLOSE = (head, out, socket) -> socket.close();

    private final ServerSocket server;
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread thread = new Thread(r, "raw-upstream");
        thread.setDaemon(true);
        return thread;
    });
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final AtomicInteger requests = new AtomicInteger();
    private final Behaviour behaviour;

    RawUpstream(Behaviour behaviour) throws IOException {
        this.behaviour = behaviour;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        threads.execute(this::acceptLoop);
    }

    /** Answers {@code status} with {@code body} (Content-Length framed, keep-alive). */
    static Behaviour answering(int status, String body) {
        return (head, out, socket) -> out.write(("HTTP/1.1 " + status + " X\r\nContent-Length: " + body.length()
                + "\r\n\r\n" + body).getBytes(StandardCharsets.ISO_8859_1));
    }

    URI url() {
        return URI.create("http://127.0.0.1:" + server.getLocalPort());
    }

    int requests() {
        return requests.get();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                sockets.add(socket);
                threads.execute(() -> serve(socket));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket socket) {
        try (socket) {
            InputStream in = socket.getInputStream();
            OutputStream out = socket.getOutputStream();
            while (true) {
                String head = readHead(in);
                if (head == null) {
                    return;
                }
                long length = contentLength(head);
                in.readNBytes((int) length);
                requests.incrementAndGet();
                behaviour.answer(head, out, socket);
                out.flush();
            }
        } catch (Exception e) {
            // closed by the test or the proxy
        }
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream seen = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0) {
            seen.write(b);
            int n = seen.size();
            if (n >= 4) {
                byte[] bytes = seen.toByteArray();
                if (bytes[n - 4] == '\r' && bytes[n - 3] == '\n' && bytes[n - 2] == '\r' && bytes[n - 1] == '\n') {
                    return seen.toString(StandardCharsets.ISO_8859_1);
                }
            }
        }
        return null;
    }

    private static long contentLength(String head) {
        for (String line : head.split("\r\n")) {
            if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                return Long.parseLong(line.substring(15).trim());
            }
        }
        return 0;
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket socket : sockets) {
            socket.close();
        }
        threads.shutdownNow();
    }
}
