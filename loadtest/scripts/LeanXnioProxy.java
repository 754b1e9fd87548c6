import io.undertow.Undertow;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.HeaderMap;
import io.undertow.util.HeaderValues;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import io.undertow.util.Methods;
import io.undertow.util.SameThreadExecutor;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import org.xnio.ChannelListener;
import org.xnio.IoFuture;
import org.xnio.IoUtils;
import org.xnio.OptionMap;
import org.xnio.Options;
import org.xnio.StreamConnection;
import org.xnio.channels.StreamSinkChannel;
import org.xnio.conduits.ConduitStreamSinkChannel;
import org.xnio.conduits.ConduitStreamSourceChannel;

/**
 * A feasibility probe, not production code: how cheap can a reverse proxy on Undertow's server be when the upstream
 * side is a few hundred lines of our own instead of Undertow's proxy client (ProxyHandler, io.undertow.client.*)?
 * Everything runs on the exchange's IO thread: the request head is written straight into the IO thread's buffer and
 * sent over a keep-alive XNIO StreamConnection from a per-IO-thread pool (opened with that thread's
 * openStreamConnection, reads left resumed while idle so a pooled connection costs no epoll_ctl per request); the
 * response head is parsed by a small strict parser, its end-to-end headers copied, and the body (Content-Length or
 * chunked) streamed to the exchange's response channel with backpressure (upstream reads suspended while the response
 * channel is full). It answers 502 to request bodies (any Content-Length > 0 or Transfer-Encoding), 1xx responses,
 * responses framed by connection close and heads over 16 KiB; it drops Upgrade as hop-by-hop (the upstream sees a
 * plain request) and response trailers (Undertow re-chunks the body); it has no timeouts, no TLS, one upstream, no
 * retry beyond one fresh connection when a pooled one was found closed, and no bound on connections but 64 idle per
 * IO thread. Run with edge's jar on the class path (loadtest/scripts/lean-probe-check.sh checks it):
 *   java -cp gateway/target/edge.jar loadtest/scripts/LeanXnioProxy.java 127.0.0.1:3013 http://127.0.0.1:8090 [ioThreads]
 */
public class LeanXnioProxy {
    static final int MAX_IDLE = 64;
    static final HttpString X_FORWARDED_FOR = Headers.X_FORWARDED_FOR;
    static final HttpString[] HOP_BY_HOP = {Headers.CONNECTION, Headers.KEEP_ALIVE, new HttpString("Proxy-Connection"),
            Headers.TE, Headers.TRAILER, Headers.TRANSFER_ENCODING, Headers.UPGRADE};
    static final byte[] HTTP11 = " HTTP/1.1\r\n".getBytes(StandardCharsets.ISO_8859_1);
    static final byte[] HOST = "Host: ".getBytes(StandardCharsets.ISO_8859_1);
    static final byte[] XFF = "X-Forwarded-For: ".getBytes(StandardCharsets.ISO_8859_1);
    static final byte[] XFP = "X-Forwarded-Proto: ".getBytes(StandardCharsets.ISO_8859_1);
    static final byte[] XFH = "X-Forwarded-Host: ".getBytes(StandardCharsets.ISO_8859_1);

    final InetSocketAddress upstream;
    final String upstreamHost;
    final ThreadLocal<Pool> pools = ThreadLocal.withInitial(Pool::new);

    LeanXnioProxy(URI upstream) {
        this.upstream = new InetSocketAddress(upstream.getHost(), upstream.getPort());
        this.upstreamHost = upstream.getHost() + ":" + upstream.getPort();
    }

    public static void main(String[] args) throws Exception {
        String[] listen = args[0].split(":");
        LeanXnioProxy proxy = new LeanXnioProxy(new URI(args[1]));
        Undertow.Builder server = Undertow.builder().addHttpListener(Integer.parseInt(listen[1]), listen[0])
                .setHandler(proxy::handle);
        if (args.length > 2) {
            server.setIoThreads(Integer.parseInt(args[2]));
        }
        server.build().start();
    }

    void handle(HttpServerExchange exchange) {
        if (!exchange.isInIoThread()) {
            throw new IllegalStateException("the probe runs on the IO thread only");
        }
        // Runs right after this call returns, on this thread; dispatched, the exchange outlives the call
        // (as ProxyHandler's).
        exchange.dispatch(SameThreadExecutor.INSTANCE, new Forward(exchange, pools.get()));
    }

    static boolean isHopByHop(HttpString name) {
        for (HttpString h : HOP_BY_HOP) {
            if (h.equals(name)) {
                return true;
            }
        }
        return false;
    }

    /** Whether a Connection header value lists name (comma-separated tokens, case-insensitive). */
    static boolean listed(HeaderValues connection, HttpString name) {
        if (connection == null) {
            return false;
        }
        for (String value : connection) {
            for (String token : value.split(",")) {
                if (name.equalToString(token.trim())) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Per IO thread: idle upstream connections and a cache of response header names. */
    final class Pool {
        final ArrayDeque<Conn> idle = new ArrayDeque<>();
        final ByteBuffer head = ByteBuffer.allocateDirect(16 * 1024);
        final byte[] scratch = new byte[16 * 1024];
        final byte[][] nameBytes = new byte[128][];
        final HttpString[] names = new HttpString[128];
        java.net.InetAddress lastPeer;
        byte[] lastPeerBytes;

        /** The header name at buf[start, start+len), lower-cased bytes as the cache key. */
        HttpString name(ByteBuffer buf, int start, int len) {
            int h = len;
            for (int i = 0; i < len; i++) {
                byte b = buf.get(start + i);
                scratch[i] = (byte) (b >= 'A' && b <= 'Z' ? b + 32 : b);
                h = h * 31 + scratch[i];
            }
            int slot = h & (names.length - 1);
            byte[] cached = nameBytes[slot];
            if (cached != null && cached.length == len) {
                boolean same = true;
                for (int i = 0; i < len && same; i++) {
                    same = cached[i] == scratch[i];
                }
                if (same) {
                    return names[slot];
                }
            }
            byte[] original = new byte[len];
            buf.get(start, original, 0, len);
            HttpString name = HttpString.tryFromString(new String(original, StandardCharsets.ISO_8859_1));
            byte[] key = new byte[len];
            System.arraycopy(scratch, 0, key, 0, len);
            nameBytes[slot] = key;
            names[slot] = name;
            return name;
        }

        String value(ByteBuffer buf, int start, int len) {
            buf.get(start, scratch, 0, len);
            return new String(scratch, 0, len, StandardCharsets.ISO_8859_1);
        }

        byte[] peer(InetSocketAddress peer) {
            java.net.InetAddress address = peer.getAddress();
            if (address != lastPeer) { // the socket's InetAddress is one object for all of a connection's requests
                lastPeer = address;
                lastPeerBytes = address.getHostAddress().getBytes(StandardCharsets.ISO_8859_1);
            }
            return lastPeerBytes;
        }

        void release(Conn conn) {
            conn.forward = null;
            if (idle.size() >= MAX_IDLE) {
                conn.close();
            } else {
                idle.addLast(conn); // reads stay resumed: an idle connection's EOF closes it
            }
        }
    }

    /** One keep-alive upstream connection with its own read buffer (read mode between reads). */
    final class Conn implements ChannelListener<ConduitStreamSourceChannel> {
        final Pool pool;
        final StreamConnection connection;
        final ConduitStreamSourceChannel in;
        final ConduitStreamSinkChannel out;
        final ByteBuffer buf = ByteBuffer.allocateDirect(16 * 1024).flip();
        Forward forward;

        Conn(Pool pool, StreamConnection connection) {
            this.pool = pool;
            this.connection = connection;
            this.in = connection.getSourceChannel();
            this.out = connection.getSinkChannel();
            in.getReadSetter().set(this);
            in.resumeReads();
        }

        @Override
        public void handleEvent(ConduitStreamSourceChannel channel) {
            if (forward == null) { // idle: the upstream closed it (or sent what nobody asked for)
                pool.idle.remove(this);
                close();
                return;
            }
            Forward f = forward;
            int n;
            try {
                buf.compact();
                try {
                    n = in.read(buf);
                } finally {
                    buf.flip();
                }
            } catch (IOException e) {
                n = -1;
            }
            if (n == -1) {
                close();
                f.upstreamClosed(this);
            } else if (n > 0) {
                f.pump();
            }
        }

        void close() {
            forward = null;
            IoUtils.safeClose(connection);
        }
    }

    enum State { HEAD, FIXED, CHUNK_SIZE, CHUNK_DATA, CHUNK_CRLF, TRAILERS, DONE }

    /** One proxied exchange. */
    final class Forward implements ChannelListener<StreamSinkChannel>, Runnable {
        final HttpServerExchange exchange;
        final Pool pool;
        Conn conn;
        boolean reused, retried, bodyless, reusable = true;
        State state = State.HEAD;
        long remaining;
        int scanned; // bytes of the response head already searched for its end
        StreamSinkChannel response;

        Forward(HttpServerExchange exchange, Pool pool) {
            this.exchange = exchange;
            this.pool = pool;
        }

        @Override
        public void run() {
            HeaderMap headers = exchange.getRequestHeaders();
            if (exchange.getRequestContentLength() > 0 || headers.contains(Headers.TRANSFER_ENCODING)) {
                fail();
                return;
            }
            bodyless = exchange.getRequestMethod().equals(Methods.HEAD);
            ByteBuffer b = head();
            if (b == null) {
                fail();
                return;
            }
            Conn idle = pool.idle.pollLast();
            if (idle != null) {
                reused = true;
                send(idle, b);
            } else {
                open(copy(b));
            }
        }

        /**
         * The upstream request's head, in the IO thread's own buffer (valid until this thread's next request: copied
         * when it must wait). Not Undertow's buffer pool: its per-thread cache holds 4 buffers and frees the rest, so a
         * buffer held across events by 32 requests at once would make it allocate a direct buffer per request.
         * Null when the request has a character no HTTP/1.1 head may carry, or the head is over 16 KiB.
         */
        ByteBuffer head() {
            HeaderMap headers = exchange.getRequestHeaders();
            ByteBuffer b = pool.head;
            b.clear();
            try {
                exchange.getRequestMethod().appendTo(b);
                b.put((byte) ' ');
                ascii(b, exchange.getRequestURI());
                String query = exchange.getQueryString();
                if (!query.isEmpty()) {
                    b.put((byte) '?');
                    ascii(b, query);
                }
                b.put(HTTP11);
                String host = headers.getFirst(Headers.HOST);
                b.put(HOST);
                ascii(b, host != null ? host : upstreamHost);
                b.put((byte) '\r').put((byte) '\n');
                HeaderValues connection = headers.get(Headers.CONNECTION);
                HeaderValues forwardedFor = null;
                for (long c = headers.fastIterateNonEmpty(); c != -1L; c = headers.fiNextNonEmpty(c)) {
                    HeaderValues values = headers.fiCurrent(c);
                    HttpString name = values.getHeaderName();
                    if (name.equals(X_FORWARDED_FOR)) {
                        forwardedFor = values;
                        continue;
                    }
                    if (name.equals(Headers.HOST) || name.equals(Headers.X_FORWARDED_PROTO)
                            || name.equals(Headers.X_FORWARDED_HOST) || isHopByHop(name) || listed(connection, name)) {
                        continue;
                    }
                    for (int i = 0; i < values.size(); i++) {
                        name.appendTo(b);
                        b.put((byte) ':').put((byte) ' ');
                        ascii(b, values.get(i));
                        b.put((byte) '\r').put((byte) '\n');
                    }
                }
                b.put(XFF);
                if (forwardedFor != null) {
                    for (int i = 0; i < forwardedFor.size(); i++) {
                        ascii(b, forwardedFor.get(i));
                        b.put((byte) ',').put((byte) ' ');
                    }
                }
                b.put(pool.peer(exchange.getSourceAddress())).put((byte) '\r').put((byte) '\n');
                b.put(XFP);
                ascii(b, exchange.getRequestScheme());
                b.put((byte) '\r').put((byte) '\n');
                if (host != null) {
                    b.put(XFH);
                    ascii(b, host);
                    b.put((byte) '\r').put((byte) '\n');
                }
                b.put((byte) '\r').put((byte) '\n');
            } catch (RuntimeException e) { // overflow, or a character no HTTP/1.1 head may carry
                return null;
            }
            return b.flip();
        }

        void open(ByteBuffer head) {
            IoFuture<StreamConnection> future = exchange.getIoThread().openStreamConnection(upstream,
                    connection -> send(new Conn(pool, connection), head),
                    OptionMap.create(Options.TCP_NODELAY, true));
            future.addNotifier(new IoFuture.HandlingNotifier<StreamConnection, Forward>() {
                @Override
                public void handleFailed(IOException e, Forward f) {
                    f.failLate();
                }
            }, this);
        }

        void send(Conn c, ByteBuffer head) {
            conn = c;
            c.forward = this;
            try {
                c.out.write(head);
                if (head.hasRemaining()) { // rare: the socket buffer is full; finish on the upstream's write listener
                    ByteBuffer rest = head == pool.head ? copy(head) : head;
                    c.out.getWriteSetter().set(channel -> {
                        try {
                            channel.write(rest);
                            if (!rest.hasRemaining()) {
                                channel.suspendWrites();
                            }
                        } catch (IOException e) {
                            upstreamClosed(c);
                        }
                    });
                    c.out.resumeWrites();
                }
            } catch (IOException e) {
                c.close();
                upstreamClosed(c);
            }
        }

        /** The upstream closed (or failed) c while this exchange used it. */
        void upstreamClosed(Conn c) {
            if (state == State.HEAD && c.buf.remaining() == 0 && reused && !retried) {
                retried = true; // a pooled connection the upstream had closed: once more on a fresh one
                reused = false;
                conn = null;
                open(copy(head()));
                return;
            }
            if (state == State.HEAD) {
                failLate();
            } else if (state != State.DONE) {
                IoUtils.safeClose(exchange.getConnection()); // the body was cut: so must the client's be
            }
        }

        void fail() {
            exchange.setStatusCode(502);
            exchange.endExchange();
        }

        void failLate() {
            if (conn != null) {
                conn.close();
                conn = null;
            }
            if (response != null) { // the upstream's head was taken over: no clean 502 any more
                IoUtils.safeClose(exchange.getConnection());
            } else {
                exchange.getResponseHeaders().clear(); // what a head that then failed had copied
                fail();
            }
        }

        /** Handles what the upstream sent (conn.buf in read mode) until it needs more or the response is full. */
        void pump() {
            ByteBuffer buf = conn.buf;
            try {
                while (true) {
                    switch (state) {
                        case HEAD:
                            if (!parseHead(buf)) {
                                if (buf.limit() == buf.capacity() && buf.position() == 0) {
                                    failLate(); // a head larger than the buffer
                                }
                                return;
                            }
                            break;
                        case FIXED:
                        case CHUNK_DATA:
                            if (remaining == 0) {
                                state = state == State.FIXED ? State.DONE : State.CHUNK_CRLF;
                                break;
                            }
                            int n = (int) Math.min(buf.remaining(), remaining);
                            if (n == 0) {
                                return; // reads are resumed
                            }
                            int limit = buf.limit();
                            buf.limit(buf.position() + n);
                            int written;
                            try {
                                written = response.write(buf);
                            } finally {
                                buf.limit(limit);
                            }
                            remaining -= written;
                            if (written < n) { // the client is slow: hold the upstream until the response drains
                                conn.in.suspendReads();
                                response.getWriteSetter().set(this);
                                response.resumeWrites();
                                return;
                            }
                            break;
                        case CHUNK_SIZE: {
                            int eol = lineEnd(buf, buf.position());
                            if (eol < 0) {
                                return;
                            }
                            long size = 0;
                            int i = buf.position();
                            for (; i < eol; i++) {
                                int d = Character.digit(buf.get(i), 16);
                                if (d < 0) {
                                    break;
                                }
                                size = size * 16 + d;
                                if (size > (1L << 40)) {
                                    throw new IOException("chunk too large");
                                }
                            }
                            if (i == buf.position() || (i < eol && buf.get(i) != ';')) {
                                throw new IOException("bad chunk size");
                            }
                            buf.position(eol + 2);
                            remaining = size;
                            state = size == 0 ? State.TRAILERS : State.CHUNK_DATA;
                            break;
                        }
                        case CHUNK_CRLF:
                            if (buf.remaining() < 2) {
                                return;
                            }
                            if (buf.get() != '\r' || buf.get() != '\n') {
                                throw new IOException("no CRLF after chunk");
                            }
                            state = State.CHUNK_SIZE;
                            break;
                        case TRAILERS: { // dropped (the probe re-chunks without them)
                            int eol = lineEnd(buf, buf.position());
                            if (eol < 0) {
                                return;
                            }
                            boolean last = eol == buf.position();
                            buf.position(eol + 2);
                            if (last) {
                                state = State.DONE;
                            }
                            break;
                        }
                        case DONE:
                            finish();
                            return;
                    }
                }
            } catch (IOException e) {
                conn.close();
                upstreamClosed(conn);
            }
        }

        /** The response channel drained: forward what is buffered, then read the upstream again. */
        @Override
        public void handleEvent(StreamSinkChannel channel) {
            channel.suspendWrites();
            conn.in.resumeReads();
            pump();
        }

        void finish() {
            Conn c = conn;
            conn = null;
            c.in.resumeReads();
            if (reusable && !c.buf.hasRemaining()) {
                c.pool.release(c);
            } else {
                c.close();
            }
            exchange.endExchange(); // shuts the response channel down and flushes it
        }

        /** The CR of the CRLF ending the line that starts at from; -1 if not all there; bare CR or LF throws. */
        int lineEnd(ByteBuffer buf, int from) throws IOException {
            for (int i = from; i < buf.limit(); i++) {
                byte b = buf.get(i);
                if (b == '\r') {
                    if (i + 1 == buf.limit()) {
                        return -1;
                    }
                    if (buf.get(i + 1) != '\n') {
                        throw new IOException("bare CR");
                    }
                    return i;
                }
                if (b == '\n') {
                    throw new IOException("bare LF");
                }
            }
            return -1;
        }

        /** Parses the response head once it is all in buf; false while it is not. */
        boolean parseHead(ByteBuffer buf) throws IOException {
            int p = buf.position();
            int end = -1; // index just after the head's empty line
            for (int i = Math.max(p + 3, p + scanned); i < buf.limit(); i++) {
                if (buf.get(i) == '\n' && buf.get(i - 1) == '\r' && buf.get(i - 2) == '\n' && buf.get(i - 3) == '\r') {
                    end = i + 1;
                    break;
                }
            }
            if (end < 0) {
                scanned = Math.max(0, buf.limit() - p - 3);
                return false;
            }
            int eol = lineEnd(buf, p);
            // "HTTP/1.x SSS reason"
            if (eol - p < 12 || buf.get(p) != 'H' || buf.get(p + 1) != 'T' || buf.get(p + 2) != 'T'
                    || buf.get(p + 3) != 'P' || buf.get(p + 4) != '/' || buf.get(p + 5) != '1' || buf.get(p + 6) != '.'
                    || buf.get(p + 8) != ' ' || buf.get(p + 12) != ' ' && p + 12 != eol) {
                throw new IOException("bad status line");
            }
            if (buf.get(p + 7) == '0') {
                reusable = false;
            } else if (buf.get(p + 7) != '1') {
                throw new IOException("bad version");
            }
            int status = 0;
            for (int i = p + 9; i < p + 12; i++) {
                int d = buf.get(i) - '0';
                if (d < 0 || d > 9) {
                    throw new IOException("bad status");
                }
                status = status * 10 + d;
            }
            if (status < 200) {
                throw new IOException("1xx: not handled by the probe");
            }
            exchange.setStatusCode(status);
            HeaderMap out = exchange.getResponseHeaders();
            long length = -1;
            boolean chunked = false;
            java.util.List<String> connectionNamed = null;
            int line = eol + 2;
            while (line < end - 2) {
                eol = lineEnd(buf, line);
                int colon = line;
                while (colon < eol && isToken(buf.get(colon))) {
                    colon++;
                }
                if (colon == line || colon == eol || buf.get(colon) != ':') {
                    throw new IOException("bad header line");
                }
                int v = colon + 1;
                while (v < eol && (buf.get(v) == ' ' || buf.get(v) == '\t')) {
                    v++;
                }
                int ve = eol;
                while (ve > v && (buf.get(ve - 1) == ' ' || buf.get(ve - 1) == '\t')) {
                    ve--;
                }
                HttpString name = pool.name(buf, line, colon - line);
                String value = pool.value(buf, v, ve - v);
                if (name.equals(Headers.CONTENT_LENGTH)) {
                    long l = parseLength(value);
                    if (length >= 0 && length != l) {
                        throw new IOException("two lengths");
                    }
                    length = l;
                } else if (name.equals(Headers.TRANSFER_ENCODING)) {
                    if (!value.equalsIgnoreCase("chunked") || chunked) {
                        throw new IOException("transfer coding not handled by the probe");
                    }
                    chunked = true;
                } else if (name.equals(Headers.CONNECTION) && !value.equalsIgnoreCase("keep-alive")) {
                    for (String token : value.split(",")) {
                        String t = token.trim();
                        if (t.equalsIgnoreCase("close")) {
                            reusable = false;
                        } else if (!t.isEmpty() && !t.equalsIgnoreCase("keep-alive")) {
                            if (connectionNamed == null) {
                                connectionNamed = new java.util.ArrayList<>();
                            }
                            connectionNamed.add(t);
                        }
                    }
                }
                if (!isHopByHop(name) && !(name.equals(Headers.CONTENT_LENGTH) && chunked)) {
                    out.add(name, value);
                }
                line = eol + 2;
            }
            if (chunked && length >= 0) {
                throw new IOException("both Content-Length and chunked");
            }
            if (connectionNamed != null) { // what the upstream's Connection names is hop-by-hop too
                for (String t : connectionNamed) {
                    out.remove(t);
                }
            }
            buf.position(end);
            scanned = 0;
            if (bodyless || status == 204 || status == 304) {
                remaining = 0;
                state = State.DONE;
                if (chunked) {
                    out.remove(Headers.CONTENT_LENGTH);
                }
            } else if (chunked) {
                out.remove(Headers.CONTENT_LENGTH);
                state = State.CHUNK_SIZE;
            } else if (length >= 0) {
                remaining = length;
                state = State.FIXED;
            } else {
                throw new IOException("a response framed by closing: not handled by the probe");
            }
            response = exchange.getResponseChannel();
            return true;
        }
    }

    static ByteBuffer copy(ByteBuffer b) {
        return ByteBuffer.allocate(b.remaining()).put(b).flip();
    }

    static long parseLength(String value) throws IOException {
        if (value.isEmpty() || value.length() > 18) {
            throw new IOException("bad Content-Length");
        }
        long l = 0;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < '0' || c > '9') {
                throw new IOException("bad Content-Length");
            }
            l = l * 10 + (c - '0');
        }
        return l;
    }

    static boolean isToken(byte b) {
        return b > 32 && b < 127 && "()<>@,;:\\\"/[]?={}".indexOf(b) < 0;
    }

    /** Writes s as bytes; a character beyond Latin-1, a CR, LF or NUL throws (the caller answers 502). */
    static void ascii(ByteBuffer b, String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c > 0xff || c == '\r' || c == '\n' || c == 0) {
                throw new IllegalArgumentException("not a header character");
            }
            b.put((byte) c);
        }
    }
}
