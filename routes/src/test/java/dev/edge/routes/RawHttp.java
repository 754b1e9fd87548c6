package dev.edge.routes;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/** A raw-socket HTTP/1.1 client, for requests a real client would refuse to send. */
public final class RawHttp implements AutoCloseable {
    /** A status line and what followed it; {@code status} is -1 if the server closed without answering. */
    public record Reply(int status, String text) {}

    private final Socket socket;

    public RawHttp(int port) throws IOException {
        socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
        socket.setSoTimeout(10_000);
    }

    public static Reply exchange(int port, String request) throws IOException {
        return exchange(port, request.getBytes(StandardCharsets.ISO_8859_1));
    }

    /** Sends {@code request}, half-closes, and reads until the server closes or 10 s pass. */
    public static Reply exchange(int port, byte[] request) throws IOException {
        try (RawHttp http = new RawHttp(port)) {
            http.send(request);
            return http.readReply();
        }
    }

    /** The raw input, for tests that read a response as it arrives. */
    public InputStream input() throws IOException {
        return socket.getInputStream();
    }

    /** This client's port: the server sees the client as 127.0.0.1 and this port. */
    public int localPort() {
        return socket.getLocalPort();
    }

    public void setTimeout(int millis) throws IOException {
        socket.setSoTimeout(millis);
    }

    public void send(byte[] bytes) throws IOException {
        socket.getOutputStream().write(bytes);
        socket.getOutputStream().flush();
    }

    public void send(String text) throws IOException {
        send(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    /** Sends a little more of a request, ignoring a connection the server already closed. */
    public void drip(String text) {
        try {
            send(text);
        } catch (IOException e) {
            // closed by the server: what the slow-client tests wait for
        }
    }

    /** Reads the first response (status line, headers, content-length body) or until the connection closes. */
    public Reply readReply() throws IOException {
        InputStream in = socket.getInputStream();
        ByteArrayOutputStream seen = new ByteArrayOutputStream();
        int b;
        try {
            while ((b = in.read()) >= 0) {
                seen.write(b);
                String text = seen.toString(StandardCharsets.ISO_8859_1);
                int end = text.indexOf("\r\n\r\n");
                if (end >= 0) {
                    int length = contentLength(text.substring(0, end));
                    if (seen.size() >= end + 4 + length) {
                        break;
                    }
                }
            }
        } catch (SocketTimeoutException e) {
            throw new AssertionError("no reply in time; got: " + seen.toString(StandardCharsets.ISO_8859_1));
        } catch (java.net.SocketException e) {
            // reset after a partial or no answer: report what arrived
        }
        String text = seen.toString(StandardCharsets.ISO_8859_1);
        if (!text.startsWith("HTTP/1.")) {
            return new Reply(-1, text);
        }
        return new Reply(Integer.parseInt(text.substring(9, 12)), text);
    }

    /** True once the server has closed the connection (read returns end of stream or a reset). */
    public boolean closedByServer() {
        try {
            socket.setSoTimeout(5);
            return socket.getInputStream().read() < 0;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    private static int contentLength(String head) {
        for (String line : head.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase("content-length")) {
                return Integer.parseInt(line.substring(colon + 1).trim());
            }
        }
        return 0;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
