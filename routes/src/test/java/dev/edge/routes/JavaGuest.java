package dev.edge.routes;

import dev.edge.config.Executor;
import dev.edge.config.HttpTrigger;
import dev.edge.wasm.GuestHandler;
import dev.edge.wasm.GuestRequest;
import dev.edge.wasm.GuestResponse;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * A guest written in Java, behind a catch-all route: for ingress tests that need to see what a guest receives
 * (the whole body, the protocol) without a Wasm module, which the ingress neither knows nor cares about.
 */
final class JavaGuest implements GuestHandler {
    private final Function<GuestRequest, GuestResponse> answer;

    private JavaGuest(Function<GuestRequest, GuestResponse> answer) {
        this.answer = answer;
    }

    /** A dispatcher whose every path ({@code /...}) reaches {@code answer}. */
    static SpinDispatcher catchAll(String appName, Function<GuestRequest, GuestResponse> answer) {
        HttpTrigger trigger = new HttpTrigger("/...", false, Optional.of("java"), Optional.empty(), Executor.http());
        return new SpinDispatcher(new SpinRouter(List.of(trigger)), Map.of(trigger, new JavaGuest(answer)), List.of(),
                appName, "1", null);
    }

    @Override
    public String componentId() {
        return "java";
    }

    @Override
    public GuestResponse handle(GuestRequest request) {
        return answer.apply(request);
    }

    @Override
    public void close() {
    }
}
