package dev.edge.routes;

import dev.edge.wasm.GuestResponse;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import java.util.Optional;
import org.apache.camel.component.undertow.CamelUndertowHttpHandler;

/**
 * Answers, on the IO thread, the requests that need no guest and no upstream ({@link SpinDispatcher#answerInline}:
 * health, info, static responses, 404), so they never wait for a worker thread behind guests or upstreams and
 * skip the IO-thread → worker hand-off; and guests that finish without a host call that might block, within a
 * short CPU budget (a trivial handler, a near-cache hit), for the same saving. Everything else goes on to camel-undertow's consumer, which dispatches it
 * to a worker. Runs after {@link RequestBodyReader}, so the body has been read and the connection stays in step.
 */
public final class InlineAnswers implements CamelUndertowHttpHandler {
    private final SpinDispatcher dispatcher;
    private volatile HttpHandler next;

    public InlineAnswers(SpinDispatcher dispatcher) {
        this.dispatcher = dispatcher;
    }

    @Override
    public void setNext(HttpHandler next) {
        this.next = next;
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) throws Exception {
        RequestTarget target = SpinUndertowBinding.requestTarget(exchange);
        Optional<GuestResponse> answer = dispatcher.answerInline(target,
                () -> SpinUndertowBinding.toIngressRequest(exchange, target));
        if (answer.isEmpty()) {
            next.handleRequest(exchange);
            return;
        }
        exchange.getResponseSender().send(SpinUndertowBinding.writeHead(exchange, answer.get()));
    }
}
