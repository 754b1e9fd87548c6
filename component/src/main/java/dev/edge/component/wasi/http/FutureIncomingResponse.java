package dev.edge.component.wasi.http;

import dev.edge.component.abi.Variant;
import dev.edge.component.host.ComponentTrap;
import dev.edge.component.wasi.io.Pollable;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * The {@code future-incoming-response} resource. The request is sent when its body is finished (at once
 * for a request without a body), so a guest that waits on this before finishing the body would wait
 * forever: that traps instead.
 */
public final class FutureIncomingResponse {
    private volatile CompletableFuture<HttpResponse<InputStream>> future;
    private boolean taken;

    void start(CompletableFuture<HttpResponse<InputStream>> sending) {
        future = sending;
    }

    Pollable subscribe() {
        return Pollable.when(() -> future != null && future.isDone(), () -> {
            if (future == null) {
                throw new ComponentTrap("waiting for an outgoing response whose request body is not finished");
            }
            try {
                future.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ComponentTrap("interrupted while waiting for an outgoing response", e);
            } catch (ExecutionException e) {
                // reported by get()
            }
        });
    }

    /** {@code get}: none until done; then {@code some(ok(ok(response)))} or {@code some(ok(err(code)))} once. */
    Variant get() {
        if (future == null || !future.isDone()) {
            return Variant.none();
        }
        if (taken) {
            return Variant.some(Variant.err(null));
        }
        taken = true;
        try {
            return Variant.some(Variant.ok(Variant.ok(new IncomingResponse(future.join()))));
        } catch (CompletionException e) {
            return Variant.some(Variant.ok(Variant.err(OutboundHttp.errorCode(e.getCause()))));
        }
    }
}
