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
 * then any extra {@link IngressStage}s, then Spin routing to a static response or a component. Free of
 * Camel and Undertow so it can be reasoned about (and tested) on its own; it never throws.
 */
public final class SpinDispatcher {
    private static final Logger LOG = LoggerFactory.getLogger(SpinDispatcher.class);
    private static final String WELL_KNOWN = "/.well-known/spin/";

    private final SpinRouter router;
    private final Map<String, GuestHandler> handlersByComponent;
    private final List<IngressStage> stages;
    private final RequestMetrics metrics;
    private final byte[] infoJson;

    public SpinDispatcher(
            SpinRouter router,
            Map<String, GuestHandler> handlersByComponent,
            List<IngressStage> stages,
            String appName,
            String appVersion,
            RequestMetrics metrics) {
        this.router = router;
        this.handlersByComponent = Map.copyOf(handlersByComponent);
        this.stages = List.copyOf(stages);
        this.metrics = metrics;
        this.infoJson = ("{\"name\":" + Json.quote(appName) + ",\"version\":" + Json.quote(appVersion) + "}")
                .getBytes(StandardCharsets.UTF_8);
    }

    /**
     * The answer if it needs no guest and no upstream, so it can be given on the IO thread without a hand-off to a
     * worker: {@code /.well-known/spin/*} always (it precedes the stages), and with no {@link IngressStage}s (which
     * may claim any path) a static response or a 404. Empty when the request must go to {@link #dispatch}.
     */
    public Optional<GuestResponse> answerInline(RequestTarget target) {
        long start = System.nanoTime();
        String path = target.path();
        String label;
        GuestResponse response;
        if (path.startsWith(WELL_KNOWN)) {
            label = "well-known";
            response = wellKnown(path.substring(WELL_KNOWN.length()));
        } else if (!stages.isEmpty()) {
            return Optional.empty();
        } else {
            Optional<RouteMatch> match = router.route(target);
            if (match.isEmpty()) {
                label = "no-route";
                response = GuestResponse.empty(404);
            } else if (match.get().trigger().staticResponse().isPresent()) {
                label = "static";
                response = staticResponse(match.get().trigger().staticResponse().get());
            } else {
                return Optional.empty();
            }
        }
        if (metrics != null) {
            metrics.record(label, response.status(), System.nanoTime() - start);
        }
        return Optional.of(response);
    }

    public GuestResponse dispatch(IngressRequest request) {
        long start = System.nanoTime();
        String target = "no-route";
        GuestResponse response;
        try {
            String path = request.target().path();
            if (path.startsWith(WELL_KNOWN)) {
                target = "well-known";
                response = wellKnown(path.substring(WELL_KNOWN.length()));
            } else {
                response = null;
                for (IngressStage stage : stages) {
                    Optional<GuestResponse> answer = stage.handle(request);
                    if (answer.isPresent()) {
                        target = stage.name();
                        response = answer.get();
                        break;
                    }
                }
                if (response == null) {
                    Optional<RouteMatch> match = router.route(request.target());
                    if (match.isEmpty()) {
                        response = GuestResponse.empty(404);
                    } else {
                        HttpTrigger trigger = match.get().trigger();
                        target = trigger.componentId().orElse("static");
                        response = serve(match.get(), request);
                    }
                }
            }
        } catch (RuntimeException e) {
            LOG.error("Request {} {} failed", request.method(), request.target().path(), e);
            response = GuestResponse.empty(500);
        }
        if (metrics != null) {
            metrics.record(target, response.status(), System.nanoTime() - start);
        }
        return response;
    }

    private GuestResponse serve(RouteMatch match, IngressRequest request) {
        HttpTrigger trigger = match.trigger();
        if (trigger.staticResponse().isPresent()) {
            return staticResponse(trigger.staticResponse().get());
        }
        String componentId = trigger.componentId().orElseThrow();
        GuestHandler handler = handlersByComponent.get(componentId);
        if (handler == null) {
            LOG.error("No handler loaded for component '{}'", componentId);
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
