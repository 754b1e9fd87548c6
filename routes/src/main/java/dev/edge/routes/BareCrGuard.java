package dev.edge.routes;

import io.undertow.server.AbstractServerConnection;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.AttachmentKey;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;
import org.xnio.StreamConnection;
import org.xnio.channels.StreamSinkChannel;
import org.xnio.conduits.AbstractStreamSourceConduit;
import org.xnio.conduits.ConduitReadableByteChannel;
import org.xnio.conduits.Conduits;
import org.xnio.conduits.StreamSourceConduit;

/**
 * Puts a {@link BareCrScanner} under Undertow's parser on each new connection, so the bytes are seen as the
 * client sent them (once parsed, a bare CR cannot be told from a line end), and answers for an exchange whether
 * its request head held one.
 */
final class BareCrGuard {
    /**
     * Scanners of connections that have not had a request yet (weak keys: a closed connection's goes with it); the
     * first request moves its scanner onto Undertow's connection, so later ones need neither this map nor its lock.
     */
    private static final Map<StreamConnection, BareCrScanner> SCANNERS = Collections.synchronizedMap(new WeakHashMap<>());
    private static final AttachmentKey<BareCrScanner> SCANNER = AttachmentKey.create(BareCrScanner.class);

    private BareCrGuard() {}

    /** Called for each accepted connection, before Undertow reads from it. */
    static void install(StreamConnection connection, int maxHeaderBytes) {
        BareCrScanner scanner = new BareCrScanner(maxHeaderBytes);
        SCANNERS.put(connection, scanner);
        connection.getSourceChannel().setConduit(new Conduit(connection.getSourceChannel().getConduit(), scanner));
    }

    /** True if this exchange's request head held a bare CR; asks once per exchange, in order. */
    static boolean headHadBareCr(HttpServerExchange exchange) {
        if (!(exchange.getConnection() instanceof AbstractServerConnection connection)) {
            return false;
        }
        BareCrScanner scanner = connection.getAttachment(SCANNER);
        if (scanner == null) {
            scanner = SCANNERS.remove(connection.getChannel());
            if (scanner == null) {
                return false;
            }
            connection.putAttachment(SCANNER, scanner);
        }
        return scanner.nextHeadHadBareCr();
    }

    /** Passes every byte read through the scanner, unchanged. */
    private static final class Conduit extends AbstractStreamSourceConduit<StreamSourceConduit> {
        private final BareCrScanner scanner;

        Conduit(StreamSourceConduit next, BareCrScanner scanner) {
            super(next);
            this.scanner = scanner;
        }

        @Override
        public int read(ByteBuffer dst) throws IOException {
            int start = dst.position();
            int n = next.read(dst);
            if (n > 0) {
                scanner.scan(dst, start);
            }
            return n;
        }

        @Override
        public long read(ByteBuffer[] dsts, int offs, int len) throws IOException {
            int[] starts = new int[len];
            for (int i = 0; i < len; i++) {
                starts[i] = dsts[offs + i].position();
            }
            long n = next.read(dsts, offs, len);
            if (n > 0) {
                for (int i = 0; i < len; i++) {
                    scanner.scan(dsts[offs + i], starts[i]);
                }
            }
            return n;
        }

        // Transfers go through read() so that no byte passes unseen.
        @Override
        public long transferTo(long position, long count, FileChannel target) throws IOException {
            return target.transferFrom(new ConduitReadableByteChannel(this), position, count);
        }

        @Override
        public long transferTo(long count, ByteBuffer throughBuffer, StreamSinkChannel target) throws IOException {
            return Conduits.transfer(this, count, throughBuffer, target);
        }
    }
}
