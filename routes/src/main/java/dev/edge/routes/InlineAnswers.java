package dev.edge.routes;

import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import java.util.Optional;
import org.apache.camel.component.undertow.CamelUndertowHttpHandler;

/**
 * Answers, on the IO thread, the requests that need no guest and no upstream ({@link SpinDispatcher#answerInline}:
 * health, info, static responses, 404), so they never wait for a worker thread behind guests or upstreams and
 * skip the IO-thread → worker hand-off. Everything else goes on to camel-undertow's consumer, which dispatches it
 * to a worker. Runs after {@link RequestBodyReader}, so the body has been read and the connection stays in step.
 */
public final class InlineAnswers implements CamelUndertowHttpHandler {
    private volatile HttpHandler next;

    @Override
    public void setNext(HttpHandler next) {
        this.next = next;
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) throws Exception {
        Optional<SpinDispatcher.Routed> answer = AppGenerations.dispatcher(exchange)
                .answerInline(SpinUndertowBinding.requestTarget(exchange));
        if (answer.isEmpty()) {
            next.handleRequest(exchange);
            return;
        }
        exchange.putAttachment(ObservedRequests.ROUTE, answer.get().route());
        exchange.getResponseSender().send(SpinUndertowBinding.writeHead(exchange, answer.get().response()));
    }
}
