package dev.edge.component.wasi.http;

import dev.edge.component.abi.Variant;
import dev.edge.component.wasi.io.HostInputStream;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The {@code incoming-response} resource of an outbound request; its body streams from the upstream. Dropped
 * without its body consumed, it closes the body so that the connection is released.
 */
public final class IncomingResponse implements AutoCloseable {
    private final int status;
    private final Fields headers;
    private final InputStream body;
    private boolean consumed;

    IncomingResponse(HttpResponse<InputStream> response) {
        this.status = response.statusCode();
        List<Map.Entry<String, String>> pairs = new ArrayList<>();
        response.headers().map().forEach((name, values) -> {
            if (!name.startsWith(":")) {
                values.forEach(v -> pairs.add(Map.entry(name, v)));
            }
        });
        this.headers = Fields.immutableOf(pairs);
        this.body = response.body();
    }

    int status() {
        return status;
    }

    Fields headers() {
        return headers.immutableCopy();
    }

    Variant consume() {
        if (consumed) {
            return Variant.err(null);
        }
        consumed = true;
        return Variant.ok(new IncomingBody(new HostInputStream(body)));
    }

    @Override
    public void close() {
        if (!consumed) {
            try {
                body.close();
            } catch (java.io.IOException e) {
                // the guest dropped it: nobody is left to tell
            }
        }
    }
}
