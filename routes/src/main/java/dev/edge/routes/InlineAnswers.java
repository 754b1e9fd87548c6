package dev.edge.routes;

import dev.edge.wasm.GuestHandler;
import dev.edge.wasm.GuestResponse;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.SameThreadExecutor;
import java.util.Optional;
import org.apache.camel.component.undertow.CamelUndertowHttpHandler;

/**
 * Answers, on the IO thread, the requests that need no guest and no upstream ({@link SpinDispatcher#answerInline}:
 * health, info, static responses, 404), so they never wait for a worker thread behind guests or upstreams and
 * skip the IO-thread → worker hand-off; and guests that finish without a host call that might block, within a
 * short CPU budget (a trivial handler, a near-cache hit), for the same saving. Any other guest request waits for
 * its admission ({@link GuestHandler#enter}) holding no thread, and goes on to camel-undertow's consumer on a worker
 * once admitted. Everything else goes on to camel-undertow's consumer, which dispatches it
 * to a worker. The app generation's dispatcher comes with the exchange ({@link AppGenerations}). Runs after {@link RequestBodyReader}, so the body has been read and the connection stays in step.
 */
public final class InlineAnswers implements CamelUndertowHttpHandler {
    private volatile HttpHandler next;

    @Override
    public void setNext(HttpHandler next) {
        this.next = next;
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) throws Exception {
        SpinDispatcher dispatcher = AppGenerations.dispatcher(exchange);
        RequestTarget target = SpinUndertowBinding.requestTarget(exchange);
        boolean stagesPassed = exchange.getAttachment(StageFront.PASSED) != null;
        // Guests run here only on the IO thread (a blocking stage may have moved the request to a worker already).
        Optional<SpinDispatcher.Routed> answer = dispatcher.answerInline(target,
                exchange.isInIoThread() ? () -> SpinUndertowBinding.toIngressRequest(exchange, target) : null,
                stagesPassed);
        if (answer.isPresent()) {
            exchange.putAttachment(ObservedRequests.ROUTE, answer.get().route());
            exchange.getResponseSender().send(SpinUndertowBinding.writeHead(exchange, answer.get().response()));
            return;
        }
        Optional<GuestHandler> guest = dispatcher.guestHandler(target, stagesPassed);
        if (guest.isEmpty()) {
            next.handleRequest(exchange);
            return;
        }
        // Park the exchange, not a thread, until the guest is admitted (as Undertow's RequestLimit does); only then
        // does it take a worker, where Camel runs it under the permit.
        long start = System.nanoTime();
        exchange.dispatch(SameThreadExecutor.INSTANCE, () -> guest.get().enter(
                permit -> exchange.dispatch(exchange.getConnection().getWorker(), (HttpHandler) http -> {
                    if (permit == null) {
                        next.handleRequest(http);
                    } else {
                        permit.run(() -> handle(next, http));
                    }
                }),
                () -> exchange.dispatch(exchange.getIoThread(), (HttpHandler) http -> {
                    dispatcher.record(guest.get().componentId(), 503, System.nanoTime() - start);
                    http.putAttachment(ObservedRequests.ROUTE, guest.get().componentId());
                    http.getResponseSender().send(SpinUndertowBinding.writeHead(http, GuestResponse.overloaded()));
                })));
    }

    private static void handle(HttpHandler handler, HttpServerExchange exchange) {
        try {
            handler.handleRequest(exchange);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e); // Undertow's root handler answers 500 and logs it
        }
    }
}
