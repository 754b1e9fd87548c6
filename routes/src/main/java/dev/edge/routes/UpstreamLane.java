package dev.edge.routes;

import dev.edge.config.UpstreamPoolConfig;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.HeaderMap;
import io.undertow.util.HeaderValues;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import io.undertow.util.Methods;
import io.undertow.util.Protocols;
import io.undertow.util.SameThreadExecutor;
import io.undertow.server.protocol.http.HttpAttachments;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.BufferOverflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xnio.ChannelListener;
import org.xnio.IoFuture;
import org.xnio.IoUtils;
import org.xnio.OptionMap;
import org.xnio.Options;
import org.xnio.StreamConnection;
import org.xnio.XnioExecutor;
import org.xnio.XnioIoThread;
import org.xnio.channels.StreamSinkChannel;
import org.xnio.conduits.ConduitStreamSinkChannel;
import org.xnio.conduits.ConduitStreamSourceChannel;

/**
 * edge's own HTTP/1.1 upstream engine for the common case: a request without a body, Upgrade or Expect, from an
 * HTTP/1.x client, to an http pool (see {@link #takes}). Everything else goes through Undertow's ProxyHandler.
 * Undertow's proxy client costs about 6 µs of CPU and 4.6 KB of allocation per request (a ClientRequest, a
 * ClientResponse, a conduit chain, header maps copied both ways); this writes the request head straight from the
 * exchange into its IO thread's buffer with one write, parses the response head with a strict parser into the
 * exchange's response headers, and streams the body to the client's response channel.
 *
 * <p>Everything runs on the exchange's IO thread: connections are per IO thread and per target (opened with that
 * thread's {@code openStreamConnection}; no locks, no hand-off), kept alive, idle ones with their reads resumed so
 * an upstream's close is seen and the connection dropped (at most {@value #MAX_IDLE} idle per thread and target, for
 * {@value #IDLE_TTL_SECONDS} s). At most {@value #MAX_OPEN} are open per thread and target: a request beyond that is
 * answered 503 at once, as Envoy's connection overflow (a queue here would need its own deadlines), with one WARN
 * line per overflow episode, not one per refused request.
 *
 * <p>The decisions are {@link UpstreamPool}'s, shared with the ProxyHandler path: the target, retries, passive health,
 * metering, the answer 502/503/504. The request's headers follow {@link ProxyHeaders}, the response's go through
 * StreamingProxy's commit listener as before. Bodies stream with backpressure: while the client's channel is full the
 * upstream's reads are suspended, resumed from the channel's write listener. No pooled buffer is held across events
 * (each connection has its own read buffer; the head is written from the IO thread's).
 */
final class UpstreamLane {
    private static final Logger LOG = LoggerFactory.getLogger(UpstreamLane.class);
    /** Undertow's own client allowed 512 per IO thread plus a queue; 1 000 slow downloads over two IO threads need more. */
    static final int MAX_OPEN = 1024;
    /** {@link #MAX_OPEN}; a test lowers it. */
    static volatile int maxOpen = MAX_OPEN;
    static final int MAX_IDLE = 64;
    static final int IDLE_TTL_SECONDS = 60;
    /** {@link #IDLE_TTL_SECONDS}; a test shortens it. */
    static volatile long idleTtlNanos = TimeUnit.SECONDS.toNanos(IDLE_TTL_SECONDS);
    /** The response head's limit (a larger one is a 502), and each connection's read buffer. */
    static final int HEAD_LIMIT = 16 * 1024;
    /** Undertow's own limit on a request's header count (UndertowOptions.MAX_HEADERS). */
    static final int MAX_HEADERS = 200;
    /** A request head larger than the IO thread's buffer is written from one of this size, or not at all (502). */
    private static final int MAX_REQUEST_HEAD = 1 << 20;
    private static final OptionMap CONNECTION_OPTIONS = OptionMap.create(Options.TCP_NODELAY, true);
    private static final byte[] HTTP11 = " HTTP/1.1\r\nHost: ".getBytes(StandardCharsets.ISO_8859_1);
    private static final byte[] XFF = "X-Forwarded-For: ".getBytes(StandardCharsets.ISO_8859_1);
    private static final byte[] XFH = "X-Forwarded-Host: ".getBytes(StandardCharsets.ISO_8859_1);
    private static final byte[] XFP = "X-Forwarded-Proto: ".getBytes(StandardCharsets.ISO_8859_1);
    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);
    /** Requests the lane took: a test tells by it which engine served a request. */
    private static final LongAdder SERVED = new LongAdder();

    private final UpstreamPool pool;
    private final ProxyHeaders rules;

    UpstreamLane(UpstreamPool pool, ProxyHeaders rules) {
        this.pool = pool;
        this.rules = rules;
    }

    static long served() {
        return SERVED.sum();
    }

    /**
     * Whether the lane serves {@code exchange}: HTTP/1.0 or 1.1, no body (no Transfer-Encoding, no Content-Length but
     * 0), no Upgrade (WebSocket), no Expect, not CONNECT.
     */
    static boolean takes(HttpServerExchange exchange) {
        HttpString protocol = exchange.getProtocol();
        if (!protocol.equals(Protocols.HTTP_1_1) && !protocol.equals(Protocols.HTTP_1_0)
                || exchange.getRequestMethod().equals(Methods.CONNECT)) {
            return false;
        }
        HeaderMap headers = exchange.getRequestHeaders();
        if (headers.contains(Headers.TRANSFER_ENCODING) || headers.contains(Headers.UPGRADE)
                || headers.contains(Headers.EXPECT)) {
            return false;
        }
        HeaderValues length = headers.get(Headers.CONTENT_LENGTH);
        return length == null || length.size() == 1 && length.getFirst().equals("0");
    }

    /** Streams {@code exchange} to a target of the pool; {@link StreamingProxy#forward} prepared it. */
    void forward(HttpServerExchange exchange, UpstreamPool.Tries tries, IngressRequest head) {
        SERVED.increment();
        Forward forward = new Forward(exchange, tries, head);
        exchange.dispatch(exchange.isInIoThread() ? SameThreadExecutor.INSTANCE : exchange.getIoThread(), forward);
    }

    /** One target's lane connections, per IO thread; the open ones counted for the target's gauge. */
    static final class Connections {
        private final String hostName;
        private final int port;
        private final String host;
        private final String targetPath;
        private final Map<XnioIoThread, PerThread> threads = new ConcurrentHashMap<>();
        private final AtomicInteger open = new AtomicInteger();
        private volatile boolean closed;

        Connections(URI base) {
            this.hostName = base.getHost();
            this.port = base.getPort() < 0 ? 80 : base.getPort();
            this.host = base.getRawAuthority();
            // As Undertow's ProxyConnectionPool gives ProxyHandler the target's path: decoded.
            this.targetPath = base.getPath() == null ? "/" : base.getPath();
        }

        int open() {
            return open.get();
        }

        /** Resolved per connection, as Undertow's client does (the JVM caches names): a name may move. */
        InetSocketAddress address() {
            return new InetSocketAddress(hostName, port);
        }

        PerThread on(XnioIoThread thread) {
            PerThread on = threads.get(thread);
            return on != null ? on : threads.computeIfAbsent(thread, t -> new PerThread(this, t));
        }

        /** Closes the idle connections now, the busy ones when their exchange ends: the pool is no longer used. */
        void close() {
            closed = true;
            threads.forEach((thread, on) -> {
                try {
                    thread.execute(on::closeIdle);
                } catch (RejectedExecutionException stopped) {
                    // the IO thread stopped: its connections are closed with it
                }
            });
        }
    }

    /**
     * One IO thread's connections to one target: touched on that thread only. Idle ones are closed after the idle TTL
     * by one sweep timer per thread and target (armed while any is idle), not a timer per connection or request.
     */
    static final class PerThread {
        private final Connections target;
        private final XnioIoThread thread;
        private final ArrayDeque<Conn> idle = new ArrayDeque<>();
        private int open;
        /** Refusing requests at the open bound since the last one that got a connection (logged once). */
        private boolean refusing;
        private XnioExecutor.Key sweep;
        /** Read buffers of closed connections: an upstream that closes after each response costs no new one. */
        private final ArrayDeque<ByteBuffer> spare = new ArrayDeque<>();

        PerThread(Connections target, XnioIoThread thread) {
            this.target = target;
            this.thread = thread;
        }

        /** The most recently used idle connection (the oldest ones expire first); null if none. */
        Conn takeIdle(long now) {
            Conn conn;
            while ((conn = idle.pollLast()) != null) {
                if (now - conn.idleSince < idleTtlNanos) {
                    return conn;
                }
                conn.close();
            }
            return null;
        }

        void release(Conn conn, long now) {
            conn.forward = null;
            if (target.closed || idle.size() >= MAX_IDLE) {
                conn.close();
                return;
            }
            conn.idleSince = now;
            idle.addLast(conn); // reads stay resumed: the upstream's close is seen and the connection dropped
            if (sweep == null) {
                armSweep(idleTtlNanos);
            }
        }

        private void armSweep(long delayNanos) {
            try {
                sweep = thread.executeAfter(this::sweep, Math.max(1, TimeUnit.NANOSECONDS.toMillis(delayNanos)),
                        TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException stopped) {
                sweep = null; // the IO thread stopped: its connections are closed with it
            }
        }

        /** Closes the idle connections past the TTL (the oldest are first), then waits for the next to expire. */
        private void sweep() {
            sweep = null;
            long now = System.nanoTime();
            Conn oldest;
            while ((oldest = idle.peekFirst()) != null && now - oldest.idleSince >= idleTtlNanos) {
                idle.pollFirst().close();
            }
            if (oldest != null) {
                armSweep(oldest.idleSince + idleTtlNanos - now);
            }
        }

        /** A connection's read buffer, empty in read mode: a spare one, else a new direct one. */
        ByteBuffer buffer() {
            ByteBuffer b = spare.pollLast();
            return (b != null ? b.clear() : ByteBuffer.allocateDirect(HEAD_LIMIT)).flip();
        }

        void recycle(ByteBuffer b) {
            if (spare.size() < MAX_IDLE) {
                spare.addLast(b);
            }
        }

        void closeIdle() {
            Conn conn;
            while ((conn = idle.pollFirst()) != null) {
                conn.close();
            }
        }
    }

    /** One upstream connection with its own read buffer (read mode between reads), on one IO thread. */
    static final class Conn implements ChannelListener<ConduitStreamSourceChannel> {
        private final PerThread home;
        private final StreamConnection connection;
        final ConduitStreamSourceChannel in;
        final ConduitStreamSinkChannel out;
        final ByteBuffer buf;
        Forward forward;
        long idleSince;
        /** Bytes read: the watch judges idle_timeout from it. */
        long read;
        private boolean closed;

        Conn(PerThread home, StreamConnection connection) {
            this.home = home;
            this.buf = home.buffer();
            this.connection = connection;
            this.in = connection.getSourceChannel();
            this.out = connection.getSinkChannel();
            in.getReadSetter().set(this);
            in.resumeReads();
        }

        @Override
        public void handleEvent(ConduitStreamSourceChannel channel) {
            Forward f = forward;
            if (f == null) { // idle: the upstream closed it (or sent what nobody asked for)
                home.idle.remove(this);
                close();
                return;
            }
            int n;
            buf.compact();
            try {
                n = in.read(buf);
            } catch (IOException e) {
                n = -1;
            } finally {
                buf.flip();
            }
            if (n > 0) {
                read += n;
            }
            if (n != 0) {
                f.readable(n < 0);
            }
        }

        void close() {
            if (!closed) {
                closed = true;
                forward = null;
                home.open--;
                home.target.open.decrementAndGet();
                IoUtils.safeClose(connection);
                home.recycle(buf);
            }
        }
    }

    private enum State { CONNECTING, HEAD, FIXED, CHUNK_SIZE, CHUNK_DATA, CHUNK_CRLF, TRAILERS, UNTIL_CLOSE, DONE }

    /** One proxied exchange, over one or more tries. */
    private final class Forward implements Runnable, ChannelListener<StreamSinkChannel>, UpstreamPool.Attempt {
        private final HttpServerExchange exchange;
        private final UpstreamPool.Tries tries;
        private final IngressRequest head;
        private UpstreamPool.Target target;
        private PerThread home;
        private Conn conn;
        private int tryNumber;
        private long startNanos;
        private XnioExecutor.Key timer;
        private State state;
        private boolean reusable;
        private boolean eof;
        private boolean blocked;
        private long remaining;
        private int scanned;
        private HeaderMap trailers;
        private StreamSinkChannel response;

        Forward(HttpServerExchange exchange, UpstreamPool.Tries tries, IngressRequest head) {
            this.exchange = exchange;
            this.tries = tries;
            this.head = head;
        }

        @Override
        public void run() {
            next();
        }

        /** The first try, or the next one after a failed try (if the pool wants one), or the answer. */
        private void next() {
            UpstreamPool.Target chosen = (UpstreamPool.Target) pool.findTarget(exchange);
            if (chosen == null) {
                if (!tries.started()) {
                    pool.noTarget();
                    answer(503);
                } else {
                    answer(tries.timedOut() ? 504 : 502);
                }
                return;
            }
            tryOn(chosen);
        }

        private void answer(int status) {
            exchange.setStatusCode(status);
            exchange.endExchange();
        }

        private void tryOn(UpstreamPool.Target chosen) {
            ByteBuffer request = requestHead(chosen.lane);
            if (request == null) {
                LOG.warn("Request head not sendable upstream (over {} bytes or a character HTTP/1.1 cannot carry)",
                        MAX_REQUEST_HEAD);
                answer(502);
                return;
            }
            home = chosen.lane.on(exchange.getIoThread());
            long now = System.nanoTime();
            Conn idle = home.takeIdle(now);
            if (idle == null && home.open >= maxOpen) {
                if (!home.refusing) {
                    home.refusing = true;
                    LOG.warn("{} connections open to {} on this IO thread: requests beyond are answered 503",
                            maxOpen, chosen.lane.host);
                }
                answer(503);
                return;
            }
            home.refusing = false;
            target = chosen;
            pool.beginTry(chosen, exchange, tries);
            startNanos = now;
            tryNumber++;
            state = State.CONNECTING;
            reusable = true;
            eof = false;
            scanned = 0;
            trailers = null;
            tries.attempt(this, this::deadline);
            if (idle != null) {
                send(idle, request);
            } else {
                open(copy(request));
            }
        }

        private void open(ByteBuffer request) {
            PerThread on = home;
            on.open++;
            on.target.open.incrementAndGet();
            int number = tryNumber;
            XnioIoThread thread = exchange.getIoThread();
            timer = thread.executeAfter(this::connectTimedOut, pool.timeouts().connect().toMillis(), TimeUnit.MILLISECONDS);
            IoFuture<StreamConnection> future = thread.openStreamConnection(on.target.address(), connection -> {
                Conn made = new Conn(on, connection);
                if (number == tryNumber && state == State.CONNECTING && !exchange.isComplete()) {
                    cancelTimer();
                    send(made, request);
                } else {
                    on.release(made, System.nanoTime()); // the try it was for is over: kept for the next
                }
            }, CONNECTION_OPTIONS);
            future.addNotifier(new IoFuture.HandlingNotifier<StreamConnection, Void>() {
                @Override
                public void handleFailed(IOException e, Void nothing) {
                    on.open--;
                    on.target.open.decrementAndGet();
                    if (number == tryNumber && state == State.CONNECTING) {
                        cancelTimer();
                        pool.failedTry(target, tries, UpstreamPoolConfig.Failure.CONNECT_FAILURE, true, startNanos);
                        next();
                    }
                }

                @Override
                public void handleCancelled(Void nothing) {
                    handleFailed(null, null);
                }
            }, null);
        }

        private void connectTimedOut() {
            timer = null;
            if (state == State.CONNECTING) {
                state = State.DONE; // the connection, if it comes, goes to the idle ones
                pool.connectTimedOut(target, tries, startNanos);
                next();
            }
        }

        private void send(Conn c, ByteBuffer request) {
            conn = c;
            c.forward = this;
            state = State.HEAD;
            if (pool.timeouts().perTry().isPresent()) {
                timer = exchange.getIoThread().executeAfter(this::tryTimedOut,
                        pool.timeouts().perTry().get().toMillis(), TimeUnit.MILLISECONDS);
            }
            try {
                c.out.write(request);
                if (request.hasRemaining()) { // rare: the socket's buffer is full; the rest from its write listener
                    ByteBuffer rest = copy(request);
                    c.out.getWriteSetter().set(channel -> {
                        try {
                            channel.write(rest);
                            if (!rest.hasRemaining()) {
                                channel.suspendWrites();
                            }
                        } catch (IOException e) {
                            broke(c);
                        }
                    });
                    c.out.resumeWrites();
                }
            } catch (IOException e) {
                broke(c);
            }
        }

        /** The try's connection failed before the response head: a reset, tried again when that is safe. */
        private void broke(Conn c) {
            if (c != conn || state != State.HEAD) {
                return;
            }
            failTry(UpstreamPoolConfig.Failure.RESET);
        }

        private void failTry(UpstreamPoolConfig.Failure failure) {
            cancelTimer();
            dropConnection();
            state = State.DONE;
            pool.failedTry(target, tries, failure, pool.mayResend(exchange, tries, true), startNanos);
            next();
        }

        private void tryTimedOut() {
            timer = null;
            if (state == State.HEAD) {
                failTry(UpstreamPoolConfig.Failure.TIMEOUT);
            }
        }

        /** The overall deadline passed before the head: no more tries, 504. */
        private void deadline() {
            if (state == State.CONNECTING) {
                cancelTimer();
                state = State.DONE;
                pool.deadlineWhileConnecting(target, tries, startNanos);
                answer(504);
            } else if (state == State.HEAD) {
                cancelTimer();
                dropConnection();
                state = State.DONE;
                pool.failedTry(target, tries, UpstreamPoolConfig.Failure.TIMEOUT, false, startNanos);
                answer(504);
            }
        }

        @Override
        public long bytesRead() {
            Conn c = conn;
            return c == null ? -1 : c.read;
        }

        @Override
        public boolean waitingForBody() {
            return !blocked;
        }

        @Override
        public void idle() {
            if (state == State.HEAD) {
                failTry(UpstreamPoolConfig.Failure.TIMEOUT);
            } else if (conn != null) {
                cutShort(); // a body cut short
            }
        }

        @Override
        public void clientGone() {
            if (conn != null) {
                dropConnection();
                state = State.DONE;
            }
        }

        private void cancelTimer() {
            if (timer != null) {
                timer.remove();
                timer = null;
            }
        }

        private void dropConnection() {
            Conn c = conn;
            conn = null;
            if (c != null) {
                c.close();
            }
        }

        /** The body cannot be finished: the client's connection goes too, so it cannot take the part for the whole. */
        private void cutShort() {
            dropConnection();
            state = State.DONE;
            IoUtils.safeClose(exchange.getConnection());
        }

        /** The connection read something ({@code ended}: the upstream closed it). */
        void readable(boolean ended) {
            eof |= ended;
            pump();
        }

        /** Handles what the upstream sent (conn.buf in read mode) until it needs more, is blocked or is done. */
        private void pump() {
            Conn c = conn;
            ByteBuffer buf = c.buf;
            try {
                while (true) {
                    switch (state) {
                        case HEAD -> {
                            if (!parseHead(buf)) {
                                if (eof && !buf.hasRemaining()) {
                                    failTry(UpstreamPoolConfig.Failure.RESET); // closed before any response byte
                                    return;
                                }
                                if (eof || buf.limit() == buf.capacity() && buf.position() == 0) {
                                    throw new IOException(eof ? "closed within the response head"
                                            : "response head over " + HEAD_LIMIT + " bytes");
                                }
                                return;
                            }
                            if (conn != c) {
                                return; // a status retry went on with another try
                            }
                        }
                        case FIXED, CHUNK_DATA, UNTIL_CLOSE -> {
                            if (remaining == 0 && state != State.UNTIL_CLOSE) {
                                state = state == State.FIXED ? State.DONE : State.CHUNK_CRLF;
                                continue;
                            }
                            int n = (int) Math.min(buf.remaining(), remaining);
                            if (n == 0) {
                                if (eof) {
                                    if (state == State.UNTIL_CLOSE) {
                                        reusable = false;
                                        finish();
                                    } else {
                                        cutShort();
                                    }
                                }
                                return;
                            }
                            int limit = buf.limit();
                            buf.limit(buf.position() + n);
                            int written;
                            try {
                                written = response.write(buf);
                            } catch (IOException clientGone) {
                                cutShort();
                                return;
                            } finally {
                                buf.limit(limit);
                            }
                            if (state != State.UNTIL_CLOSE) {
                                remaining -= written;
                            }
                            if (written < n) { // a slow client: hold the upstream until its channel drains
                                blocked = true;
                                c.in.suspendReads();
                                response.getWriteSetter().set(this);
                                response.resumeWrites();
                                return;
                            }
                        }
                        case CHUNK_SIZE -> {
                            int eol = lineEnd(buf, buf.position());
                            if (eol < 0) {
                                if (eof || buf.remaining() > 1024) {
                                    throw new IOException("bad chunk size line");
                                }
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
                            if (i == buf.position() || i < eol && buf.get(i) != ';' && buf.get(i) != ' '
                                    && buf.get(i) != '\t') {
                                throw new IOException("bad chunk size");
                            }
                            buf.position(eol + 2);
                            remaining = size;
                            state = size == 0 ? State.TRAILERS : State.CHUNK_DATA;
                        }
                        case CHUNK_CRLF -> {
                            if (buf.remaining() < 2) {
                                if (eof) {
                                    cutShort();
                                }
                                return;
                            }
                            if (buf.get() != '\r' || buf.get() != '\n') {
                                throw new IOException("no CRLF after a chunk");
                            }
                            state = State.CHUNK_SIZE;
                        }
                        case TRAILERS -> {
                            int eol = lineEnd(buf, buf.position());
                            if (eol < 0) {
                                if (eof || buf.limit() == buf.capacity() && buf.position() == 0) {
                                    throw new IOException("bad trailer section");
                                }
                                return;
                            }
                            if (eol == buf.position()) {
                                buf.position(eol + 2);
                                state = State.DONE;
                            } else {
                                trailer(buf, buf.position(), eol);
                                buf.position(eol + 2);
                            }
                        }
                        case DONE -> {
                            finish();
                            return;
                        }
                        default -> {
                            return;
                        }
                    }
                }
            } catch (IOException e) {
                if (state == State.HEAD) {
                    LOG.warn("Malformed response from {}: {}", target.lane.host, e.getMessage());
                    failTry(UpstreamPoolConfig.Failure.RESET);
                } else {
                    LOG.warn("Malformed response body from {}: {}", target.lane.host, e.getMessage());
                    cutShort();
                }
            }
        }

        /** The client's channel drained: forward what is buffered, then read the upstream again. */
        @Override
        public void handleEvent(StreamSinkChannel channel) {
            channel.suspendWrites();
            blocked = false;
            Conn c = conn;
            if (c == null) {
                return;
            }
            c.in.resumeReads();
            pump();
        }

        private void finish() {
            Conn c = conn;
            conn = null;
            state = State.DONE;
            if (c != null) {
                if (reusable && !c.buf.hasRemaining() && !eof) {
                    c.home.release(c, System.nanoTime());
                } else {
                    c.close();
                }
            }
            if (trailers != null) {
                exchange.putAttachment(HttpAttachments.RESPONSE_TRAILERS, trailers);
            }
            exchange.endExchange(); // shuts the response channel down and flushes it
        }

        /** A trailer field: as Undertow's ProxyHandler passes them, for the client's chunked response. */
        private void trailer(ByteBuffer buf, int line, int eol) throws IOException {
            Scratch s = SCRATCH.get();
            int colon = line;
            while (colon < eol && isToken(buf.get(colon))) {
                colon++;
            }
            if (colon == line || colon == eol || buf.get(colon) != ':') {
                throw new IOException("bad trailer line");
            }
            int v = valueStart(buf, colon + 1, eol);
            int ve = valueEnd(buf, v, eol);
            if (trailers == null) {
                trailers = new HeaderMap();
            }
            trailers.add(s.name(buf, line, colon - line), s.value(buf, v, ve - v));
        }

        /**
         * Parses the response head once it is all in buf (skipping 1xx interim ones); false while it is not. The head
         * is checked whole before anything reaches the exchange: a malformed one throws.
         */
        private boolean parseHead(ByteBuffer buf) throws IOException {
            while (true) {
                int p = buf.position();
                int end = -1; // just after the head's empty line
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
                scanned = 0;
                int eol = lineEnd(buf, p);
                // "HTTP/1.x SSS[ reason]"
                if (eol - p < 12 || buf.get(p) != 'H' || buf.get(p + 1) != 'T' || buf.get(p + 2) != 'T'
                        || buf.get(p + 3) != 'P' || buf.get(p + 4) != '/' || buf.get(p + 5) != '1' || buf.get(p + 6) != '.'
                        || buf.get(p + 8) != ' ' || (p + 12 != eol && buf.get(p + 12) != ' ')) {
                    throw new IOException("bad status line");
                }
                byte minor = buf.get(p + 7);
                if (minor != '0' && minor != '1') {
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
                for (int i = p + 12; i < eol; i++) {
                    checkValueByte(buf.get(i));
                }
                if (status < 100 || status == 101) {
                    throw new IOException("status " + status);
                }
                Scratch s = SCRATCH.get();
                int[] lines = s.lines;
                int count = 0;
                long length = -1;
                boolean chunked = false;
                boolean close = minor == '0';
                int line = eol + 2;
                while (line < end - 2) {
                    eol = lineEnd(buf, line);
                    int colon = line;
                    while (colon < eol && isToken(buf.get(colon))) {
                        colon++;
                    }
                    if (colon == line || colon == eol || buf.get(colon) != ':') {
                        throw new IOException("bad header line"); // a space before the colon, obs-fold, no name
                    }
                    int v = valueStart(buf, colon + 1, eol);
                    int ve = valueEnd(buf, v, eol);
                    for (int i = v; i < ve; i++) {
                        checkValueByte(buf.get(i));
                    }
                    if (count == MAX_HEADERS) {
                        throw new IOException("over " + MAX_HEADERS + " header fields");
                    }
                    int nameLength = colon - line;
                    if (is(buf, line, nameLength, "content-length")) {
                        long l = parseLength(buf, v, ve);
                        if (length >= 0 && length != l) {
                            throw new IOException("two Content-Length values");
                        }
                        length = l;
                    } else if (is(buf, line, nameLength, "transfer-encoding")) {
                        if (chunked || !is(buf, v, ve - v, "chunked")) {
                            throw new IOException("a transfer coding other than chunked");
                        }
                        chunked = true;
                    } else if (is(buf, line, nameLength, "connection")) {
                        close |= listsClose(buf, v, ve);
                    }
                    lines[count * 4] = line;
                    lines[count * 4 + 1] = colon;
                    lines[count * 4 + 2] = v;
                    lines[count * 4 + 3] = ve;
                    count++;
                    line = eol + 2;
                }
                if (chunked && length >= 0) {
                    throw new IOException("both Content-Length and chunked");
                }
                buf.position(end);
                if (status < 200) {
                    continue; // an interim response (100, 102, 103): the final one follows
                }
                cancelTimer();
                if (pool.answered(target, tries, exchange, status, startNanos, true)) {
                    dropConnection(); // a status the pool retries: its answer is dropped, with the connection
                    state = State.DONE;
                    next();
                    return true;
                }
                reusable = !close;
                exchange.setStatusCode(status);
                HeaderMap out = exchange.getResponseHeaders();
                boolean preset = out.size() > 0;
                for (int h = 0; h < count; h++) {
                    int start = lines[h * 4];
                    int nameLength = lines[h * 4 + 1] - start;
                    if (is(buf, start, nameLength, "transfer-encoding")
                            || chunked && is(buf, start, nameLength, "content-length")) {
                        continue; // the client's framing is Undertow's
                    }
                    HttpString name = s.name(buf, start, nameLength);
                    if (preset && out.contains(name) && !addedHere(lines, h, buf, name, s)) {
                        continue; // as ProxyHandler: a header edge set already is not overwritten
                    }
                    out.add(name, s.value(buf, lines[h * 4 + 2], lines[h * 4 + 3] - lines[h * 4 + 2]));
                }
                boolean bodyless = exchange.getRequestMethod().equals(Methods.HEAD) || status == 204 || status == 304;
                if (bodyless) {
                    state = State.DONE;
                } else if (chunked) {
                    state = State.CHUNK_SIZE;
                } else if (length >= 0) {
                    remaining = length;
                    state = State.FIXED;
                } else {
                    reusable = false;
                    remaining = Long.MAX_VALUE;
                    state = State.UNTIL_CLOSE; // framed by the upstream's close
                }
                response = exchange.getResponseChannel();
                return true;
            }
        }

        /** Whether an earlier header of this head had the same name (so the exchange's value is the upstream's). */
        private boolean addedHere(int[] lines, int h, ByteBuffer buf, HttpString name, Scratch s) {
            for (int i = 0; i < h; i++) {
                if (s.name(buf, lines[i * 4], lines[i * 4 + 1] - lines[i * 4]).equals(name)) {
                    return true;
                }
            }
            return false;
        }

        /**
         * The upstream request's head in the IO thread's own buffer (valid until the thread's next request: copied
         * when it must wait); null if it cannot be sent. Never Undertow's buffer pool: a pooled buffer held across
         * events makes it allocate a direct buffer per request.
         */
        private ByteBuffer requestHead(Connections to) {
            Scratch s = SCRATCH.get();
            ByteBuffer b = s.head;
            try {
                b.clear();
                writeHead(b, to, s);
                return b.flip();
            } catch (BufferOverflowException tooLarge) {
                try {
                    ByteBuffer large = ByteBuffer.allocate(MAX_REQUEST_HEAD);
                    writeHead(large, to, s);
                    return large.flip();
                } catch (BufferOverflowException | IllegalArgumentException e) {
                    return null;
                }
            } catch (IllegalArgumentException notSendable) {
                return null;
            }
        }

        private void writeHead(ByteBuffer b, Connections to, Scratch s) {
            exchange.getRequestMethod().appendTo(b);
            b.put((byte) ' ');
            // As ProxyHandler: the target's path, then the request URI after the resolved path, then the query.
            String uri = exchange.getRequestURI();
            int from = 0;
            if (exchange.isHostIncludedInRequestURI()) {
                int slashes = uri.indexOf("//");
                int path = slashes < 0 ? -1 : uri.indexOf('/', slashes + 2);
                if (path >= 0) {
                    from = path;
                }
            }
            String resolved = exchange.getResolvedPath();
            if (!resolved.isEmpty() && uri.startsWith(resolved, from)) {
                from += resolved.length();
            }
            String targetPath = to.targetPath;
            if (!targetPath.isEmpty() && (!targetPath.equals("/") || from == uri.length())) {
                ascii(b, targetPath, 0);
            }
            ascii(b, uri, from);
            String query = exchange.getQueryString();
            if (query != null && !query.isEmpty()) {
                b.put((byte) '?');
                ascii(b, query, 0);
            }
            b.put(HTTP11);
            ascii(b, to.host, 0);
            crlf(b);
            RequestTarget requestTarget = head.target();
            if (rules.forwardsAsSent(requestTarget)) {
                HeaderMap headers = exchange.getRequestHeaders();
                List<String> named = ProxyHeaders.connectionNamed(headers.get(Headers.CONNECTION));
                for (long c = headers.fastIterateNonEmpty(); c != -1L; c = headers.fiNextNonEmpty(c)) {
                    HeaderValues values = headers.fiCurrent(c);
                    HttpString name = values.getHeaderName();
                    if (ProxyHeaders.passesAsSent(name, named)) {
                        for (int i = 0; i < values.size(); i++) {
                            name.appendTo(b);
                            b.put((byte) ':').put((byte) ' ');
                            ascii(b, values.get(i), 0);
                            crlf(b);
                        }
                    }
                }
                b.put(XFF);
                b.put(s.peer(requestTarget.clientAddr()));
                crlf(b);
                b.put(XFH);
                ascii(b, requestTarget.host(), 0);
                crlf(b);
                b.put(XFP);
                ascii(b, requestTarget.scheme(), 0);
                crlf(b);
            } else {
                for (Map.Entry<String, String> header : rules.toUpstream(head.headers(), requestTarget)) {
                    String name = header.getKey();
                    if (!name.equals("host") && !name.equals("transfer-encoding")) {
                        ascii(b, name, 0);
                        b.put((byte) ':').put((byte) ' ');
                        ascii(b, header.getValue(), 0);
                        crlf(b);
                    }
                }
            }
            crlf(b);
        }
    }

    /** Per IO thread: the request head's buffer, the response parser's scratch space, a header-name cache. */
    private static final class Scratch {
        final ByteBuffer head = ByteBuffer.allocateDirect(HEAD_LIMIT);
        final byte[] bytes = new byte[HEAD_LIMIT];
        final int[] lines = new int[MAX_HEADERS * 4];
        final byte[][] nameBytes = new byte[256][];
        final HttpString[] names = new HttpString[256];
        String lastClientAddr;
        byte[] lastPeer;

        /** The header name at buf[start, start+length), as one HttpString per distinct spelling (cached). */
        HttpString name(ByteBuffer buf, int start, int length) {
            int h = length;
            for (int i = 0; i < length; i++) {
                byte b = buf.get(start + i);
                bytes[i] = b;
                h = h * 31 + (b | 0x20);
            }
            int slot = h & (names.length - 1);
            byte[] cached = nameBytes[slot];
            if (cached != null && cached.length == length) {
                boolean same = true;
                for (int i = 0; i < length && same; i++) {
                    same = cached[i] == bytes[i];
                }
                if (same) {
                    return names[slot];
                }
            }
            byte[] key = new byte[length];
            System.arraycopy(bytes, 0, key, 0, length);
            HttpString name = HttpString.tryFromString(new String(key, StandardCharsets.ISO_8859_1));
            nameBytes[slot] = key;
            names[slot] = name;
            return name;
        }

        String value(ByteBuffer buf, int start, int length) {
            buf.get(start, bytes, 0, length);
            return new String(bytes, 0, length, StandardCharsets.ISO_8859_1);
        }

        /** The client's IP as bytes: the same String object for every request of a client connection. */
        byte[] peer(String clientAddr) {
            if (!clientAddr.equals(lastClientAddr)) {
                lastClientAddr = clientAddr;
                lastPeer = ProxyHeaders.ip(clientAddr).getBytes(StandardCharsets.ISO_8859_1);
            }
            return lastPeer;
        }
    }

    private static ByteBuffer copy(ByteBuffer b) {
        return ByteBuffer.allocate(b.remaining()).put(b).flip();
    }

    private static void crlf(ByteBuffer b) {
        b.put((byte) '\r').put((byte) '\n');
    }

    /** Writes s from {@code from} as bytes; a character beyond Latin-1, a CR, LF or NUL throws. */
    private static void ascii(ByteBuffer b, String s, int from) {
        for (int i = from; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c > 0xff || c == '\r' || c == '\n' || c == 0) {
                throw new IllegalArgumentException("not a header character");
            }
            b.put((byte) c);
        }
    }

    /** The CR of the CRLF ending the line that starts at {@code from}; -1 if not all there; a bare CR or LF throws. */
    private static int lineEnd(ByteBuffer buf, int from) throws IOException {
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

    private static int valueStart(ByteBuffer buf, int v, int eol) {
        while (v < eol && (buf.get(v) == ' ' || buf.get(v) == '\t')) {
            v++;
        }
        return v;
    }

    private static int valueEnd(ByteBuffer buf, int v, int eol) {
        int ve = eol;
        while (ve > v && (buf.get(ve - 1) == ' ' || buf.get(ve - 1) == '\t')) {
            ve--;
        }
        return ve;
    }

    /** No control character but HTAB in a field value or reason phrase (CR and LF are lineEnd's). */
    private static void checkValueByte(byte b) throws IOException {
        if (b >= 0 && b < 32 && b != '\t' || b == 127) {
            throw new IOException("a control character in the response head");
        }
    }

    /** Whether buf[start, start+length) is {@code lower} (ASCII, case-insensitive). */
    private static boolean is(ByteBuffer buf, int start, int length, String lower) {
        if (length != lower.length()) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            if ((buf.get(start + i) | 0x20) != lower.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private static boolean listsClose(ByteBuffer buf, int v, int ve) {
        int i = v;
        while (i < ve) {
            while (i < ve && (buf.get(i) == ' ' || buf.get(i) == '\t' || buf.get(i) == ',')) {
                i++;
            }
            int start = i;
            while (i < ve && buf.get(i) != ',') {
                i++;
            }
            int end = i;
            while (end > start && (buf.get(end - 1) == ' ' || buf.get(end - 1) == '\t')) {
                end--;
            }
            if (is(buf, start, end - start, "close")) {
                return true;
            }
        }
        return false;
    }

    private static long parseLength(ByteBuffer buf, int v, int ve) throws IOException {
        if (v == ve || ve - v > 18) {
            throw new IOException("bad Content-Length");
        }
        long l = 0;
        for (int i = v; i < ve; i++) {
            byte c = buf.get(i);
            if (c < '0' || c > '9') {
                throw new IOException("bad Content-Length");
            }
            l = l * 10 + (c - '0');
        }
        return l;
    }

    private static boolean isToken(byte b) {
        return b > 32 && b < 127 && "()<>@,;:\\\"/[]?={}".indexOf(b) < 0;
    }
}
