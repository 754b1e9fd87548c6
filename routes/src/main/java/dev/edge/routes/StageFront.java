package dev.edge.routes;

import dev.edge.wasm.GuestResponse;
import io.undertow.server.HttpServerExchange;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the {@link IngressStage}s on a request's head, before its body is read: a {@link IngressStage.Forward}
 * streams the exchange to its upstream (the body is never buffered), an {@link IngressStage.Answer} is sent once
 * the body has been read and dropped, and a request every stage passes is read and routed as usual.
 */
final class StageFront {
    private static final Logger LOG = LoggerFactory.getLogger(StageFront.class);
    /** Set on a request every stage passed: routing after the body is read need not ask the stages again. */
    static final io.undertow.util.AttachmentKey<Boolean> PASSED = io.undertow.util.AttachmentKey.create(Boolean.class);

    private final long maxRequestBody;
    /** Only the access log reads {@link ObservedRequests#ROUTE}: without one, an attachment less per request. */
    private final boolean noteRoute;

    StageFront(long maxRequestBody, boolean noteRoute) {
        this.maxRequestBody = maxRequestBody;
        this.noteRoute = noteRoute;
    }

    /**
     * Takes the exchange if there are stages: {@code readBody} then reads the body and routes it (or sends the
     * stage's answer). False: no stage could take it; the caller goes on.
     */
    boolean take(HttpServerExchange exchange, Runnable readBody) {
        SpinDispatcher dispatcher = AppGenerations.dispatcher(exchange);
        if (!dispatcher.hasStages()) {
            return false;
        }
        if (exchange.isInIoThread() && dispatcher.stagesMayBlock()) {
            // A stage may block (a kv route reads the store): never on an IO thread.
            exchange.dispatch(() -> decide(dispatcher, exchange, readBody));
        } else {
            decide(dispatcher, exchange, readBody);
        }
        return true;
    }

    private void decide(SpinDispatcher dispatcher, HttpServerExchange exchange, Runnable readBody) {
        long start = System.nanoTime();
        IngressRequest head = SpinUndertowBinding.toIngressRequest(exchange);
        Optional<SpinDispatcher.Staged> staged = dispatcher.onHead(head);
        if (staged.isEmpty()) {
            exchange.putAttachment(PASSED, Boolean.TRUE);
            readBody.run();
            return;
        }
        String stage = staged.get().stage();
        if (noteRoute) {
            exchange.putAttachment(ObservedRequests.ROUTE, stage);
        }
        exchange.addExchangeCompleteListener((ex, next) -> {
            dispatcher.record(stage, ex.getStatusCode(), System.nanoTime() - start);
            next.proceed();
        });
        if (staged.get().decision() instanceof IngressStage.Answer answer) {
            exchange.putAttachment(RequestBodyReader.ANSWER, answer.response());
            readBody.run();
        } else if (staged.get().decision() instanceof IngressStage.Forward forward) {
            // The limit still holds for a streamed body of unknown length: Undertow ends it past the limit.
            exchange.setMaxEntitySize(maxRequestBody);
            try {
                forward.proxy().forward(exchange, forward.upstream(), forward.pathInfo(), head);
            } catch (Exception e) {
                LOG.error("Request {} {}: forwarding failed", head.method(), head.target().path(), e);
                exchange.putAttachment(RequestBodyReader.ANSWER, GuestResponse.empty(500));
                readBody.run();
            }
        }
    }
}
