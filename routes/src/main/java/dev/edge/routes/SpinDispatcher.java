package dev.edge.routes;

import dev.edge.config.HttpTrigger;
import dev.edge.config.StaticResponse;
import dev.edge.wasm.GuestException;
import dev.edge.wasm.GuestHandler;
import dev.edge.wasm.GuestRequest;
import dev.edge.wasm.GuestResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers one request the way {@code spin up} does: the reserved {@code /.well-known/spin/} endpoints,
 * then any extra {@link IngressStage}s (judged on the head, {@link #onHead}), then Spin routing to a static
 * response or a component ({@link #dispatch}). Free of
 * Camel and Undertow so it can be reasoned about (and tested) on its own; it never throws.
 */
public final class SpinDispatcher {
    private static final Logger LOG = LoggerFactory.getLogger(SpinDispatcher.class);
    private static final String WELL_KNOWN = "/.well-known/spin/";

    private final SpinRouter router;
    private final Map<HttpTrigger, GuestHandler> handlersByTrigger;
    private final List<IngressStage> stages;
    private final boolean stagesMayBlock;
    private final RequestMetrics metrics;
    private final byte[] infoJson;

    public SpinDispatcher(
            SpinRouter router,
            Map<HttpTrigger, GuestHandler> handlersByTrigger,
            List<IngressStage> stages,
            String appName,
            String appVersion,
            RequestMetrics metrics) {
        this.router = router;
        this.handlersByTrigger = Map.copyOf(handlersByTrigger);
        this.stages = List.copyOf(stages);
        this.stagesMayBlock = stages.stream().anyMatch(IngressStage::mayBlock);
        this.metrics = metrics;
        this.infoJson = ("{\"name\":" + Json.quote(appName) + ",\"version\":" + Json.quote(appVersion) + "}")
                .getBytes(StandardCharsets.UTF_8);
    }

    /**
     * The answer if it needs no guest and no upstream, so it can be given on the IO thread without a hand-off to a
     * worker: {@code /.well-known/spin/*} always (it precedes the stages), and with no {@link IngressStage}s (which
     * may claim any path) a static response or a 404. Empty when the request must go to {@link #dispatch}.
     */
    public Optional<Routed> answerInline(RequestTarget target) {
        return answerInline(target, null, false);
    }

    /**
     * As {@link #answerInline(RequestTarget)}, and also a component's answer if its guest can give it without
     * blocking ({@link GuestHandler#tryInline}: no host call that might block, within a short CPU budget);
     * {@code request} supplies the whole request for that (null: never run a guest here). {@code stagesPassed}: every
     * stage has passed this request on its head already ({@link StageFront}), so Spin routing decides it.
     */
    public Optional<Routed> answerInline(RequestTarget target, java.util.function.Supplier<IngressRequest> request,
                                         boolean stagesPassed) {
        long start = System.nanoTime();
        String path = target.path();
        String label;
        GuestResponse response;
        if (path.startsWith(WELL_KNOWN)) {
            label = "well-known";
            response = wellKnown(path.substring(WELL_KNOWN.length()));
        } else if (!stages.isEmpty() && !stagesPassed) {
            return Optional.empty();
        } else {
            Optional<RouteMatch> match = router.route(target);
            if (match.isEmpty()) {
                label = "no-route";
                response = GuestResponse.empty(404);
            } else if (match.get().trigger().staticResponse().isPresent()) {
                label = "static";
                response = staticResponse(match.get().trigger().staticResponse().get());
            } else if (request == null) {
                return Optional.empty();
            } else {
                HttpTrigger trigger = match.get().trigger();
                GuestHandler handler = handlersByTrigger.get(trigger);
                if (handler == null) {
                    return Optional.empty(); // dispatch() reports it
                }
                label = trigger.componentId().orElse("static");
                IngressRequest whole = request.get();
                try {
                    response = handler.tryInline(toGuestRequest(match.get(), whole));
                } catch (GuestException e) {
                    LOG.warn("{} {}: {}", whole.method(), path, e.getMessage());
                    response = GuestResponse.empty(e.status());
                } catch (RuntimeException e) {
                    LOG.error("Request {} {} failed", whole.method(), path, e);
                    response = GuestResponse.empty(500);
                }
                if (response == null) {
                    return Optional.empty(); // it must block: dispatch() runs it on a worker
                }
            }
        }
        if (metrics != null) {
            metrics.record(label, response.status(), System.nanoTime() - start);
        }
        return Optional.of(new Routed(label, response));
    }

    /**
     * A response and what gave it: the component id, or {@code static}, {@code well-known}, {@code no-route} (the
     * metrics' and the access log's route).
     */
    public record Routed(String route, GuestResponse response) {}

    /**
     * The guest that {@link #dispatch} will run for this request, when no stage can claim it first: the ingress asks
     * for its admission before the request takes a worker. Empty for everything else.
     */
    public Optional<GuestHandler> guestHandler(RequestTarget target, boolean stagesPassed) {
        if ((!stages.isEmpty() && !stagesPassed) || target.path().startsWith(WELL_KNOWN)) {
            return Optional.empty();
        }
        return router.route(target).map(match -> handlersByTrigger.get(match.trigger()));
    }

    /** A stage's decision about a request, and the stage's name (the metrics' target). */
    public record Staged(String stage, IngressStage.Decision decision) {}

    /** True if a stage's decision may block: {@link #onHead} must then run on a worker thread. */
    public boolean stagesMayBlock() {
        return stagesMayBlock;
    }

    /** True if any stage may take requests before Spin routing ({@link #onHead}). */
    public boolean hasStages() {
        return !stages.isEmpty();
    }

    /**
     * The stages' decision from the request head, before its body is read; empty when every stage passes (and for
     * the reserved {@code /.well-known/spin/} paths, which no stage may take): then {@link #dispatch} routes it.
     * May block (a kv route reads the store): call it on a worker thread.
     */
    public Optional<Staged> onHead(IngressRequest head) {
        if (head.target().path().startsWith(WELL_KNOWN)) {
            return Optional.empty();
        }
        for (IngressStage stage : stages) {
            try {
                IngressStage.Decision decision = stage.decide(head);
                if (!(decision instanceof IngressStage.Pass)) {
                    return Optional.of(new Staged(stage.name(), decision));
                }
            } catch (RuntimeException e) {
                LOG.error("Request {} {}: stage {} failed", head.method(), head.target().path(), stage.name(), e);
                return Optional.of(new Staged(stage.name(), new IngressStage.Answer(GuestResponse.empty(500))));
            }
        }
        return Optional.empty();
    }

    /** Records a request a stage took (its answer or its upstream's status). */
    public void record(String target, int status, long nanos) {
        if (metrics != null) {
            metrics.record(target, status, nanos);
        }
    }

    /** Answers a request no stage took: the well-known endpoints, then Spin routing. */
    public Routed dispatch(IngressRequest request) {
        long start = System.nanoTime();
        String target = "no-route";
        GuestResponse response;
        try {
            String path = request.target().path();
            if (path.startsWith(WELL_KNOWN)) {
                target = "well-known";
                response = wellKnown(path.substring(WELL_KNOWN.length()));
            } else {
                Optional<RouteMatch> match = router.route(request.target());
                if (match.isEmpty()) {
                    response = GuestResponse.empty(404);
                } else {
                    HttpTrigger trigger = match.get().trigger();
                    target = trigger.componentId().orElse("static");
                    response = serve(match.get(), request);
                }
            }
        } catch (RuntimeException e) {
            LOG.error("Request {} {} failed", request.method(), request.target().path(), e);
            response = GuestResponse.empty(500);
        }
        if (metrics != null) {
            metrics.record(target, response.status(), System.nanoTime() - start);
        }
        return new Routed(target, response);
    }

    private GuestResponse serve(RouteMatch match, IngressRequest request) {
        HttpTrigger trigger = match.trigger();
        if (trigger.staticResponse().isPresent()) {
            return staticResponse(trigger.staticResponse().get());
        }
        // Per trigger, not per component: two triggers may run one component with different executors.
        GuestHandler handler = handlersByTrigger.get(trigger);
        if (handler == null) {
            LOG.error("No handler loaded for the trigger of route '{}'", trigger.route());
            return GuestResponse.empty(500);
        }
        try {
            return handler.handle(toGuestRequest(match, request));
        } catch (GuestException e) {
            LOG.warn("{} {}: {}", request.method(), request.target().path(), e.getMessage());
            return GuestResponse.empty(e.status());
        }
    }

    /** Client headers minus any spin-* (only the router may set those), then the router's spin-* headers. */
    static GuestRequest toGuestRequest(RouteMatch match, IngressRequest request) {
        List<Map.Entry<String, String>> headers = new ArrayList<>(request.headers().size() + match.spinHeaders().size());
        for (Map.Entry<String, String> header : request.headers()) {
            if (!header.getKey().startsWith(RouteMatch.HEADER_PREFIX)) {
                headers.add(header);
            }
        }
        headers.addAll(match.spinHeaders());
        return new GuestRequest(request.method(), request.uri(), headers, request.body(),
                request.target().clientAddr(), request.protocol());
    }

    private static GuestResponse staticResponse(StaticResponse response) {
        List<Map.Entry<String, String>> headers = new ArrayList<>(response.headers().entrySet());
        return new GuestResponse(response.statusCode(), headers, response.body().getBytes(StandardCharsets.UTF_8));
    }

    private GuestResponse wellKnown(String name) {
        return switch (name) {
            case "health" -> new GuestResponse(200, List.of(Map.entry("content-type", "text/plain")),
                    "OK".getBytes(StandardCharsets.US_ASCII));
            case "info" -> new GuestResponse(200, List.of(Map.entry("content-type", "application/json")), infoJson);
            default -> GuestResponse.empty(404);
        };
    }

    /** Closes the stages; guest handlers belong to whoever loaded them. */
    public void closeStages() {
        for (IngressStage stage : stages) {
            try {
                stage.close();
            } catch (RuntimeException e) {
                LOG.warn("Closing ingress stage {} failed", stage.name(), e);
            }
        }
    }
}
