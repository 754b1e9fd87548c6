package dev.edge.component.wasi.http;

import dev.edge.component.abi.Variant;
import dev.edge.component.host.HostInterface;
import java.util.List;

/**
 * {@code wasi:http/types} and {@code wasi:http/outgoing-handler} at 0.2.6 (serving 0.2.0 through 0.2.x).
 * Per-instance state: {@link HttpExchange} (the request being handled; its limit bounds response bodies)
 * and {@link OutboundHttp} (outbound policy and client).
 */
public final class WasiHttp {
    public static final String VERSION = "0.2.6";

    private WasiHttp() {
    }

    public static List<HostInterface> interfaces() {
        return List.of(types(), outgoingHandler());
    }

    public static HostInterface outgoingHandler() {
        return HostInterface.builder("wasi:http/outgoing-handler", VERSION)
                .function("handle", (cx, a) -> cx.get(OutboundHttp.class).handle((OutgoingRequest) a[0],
                        ((Variant) a[1]).isSome() ? (RequestOptions) ((Variant) a[1]).payload() : null))
                .build();
    }

    public static HostInterface types() {
        HostInterface.Builder b = HostInterface.builder("wasi:http/types", VERSION);
        b.function("http-error-code", (cx, a) -> Variant.none());
        // fields
        b.function("[constructor]fields", (cx, a) -> new Fields());
        b.function("[static]fields.from-list", (cx, a) -> headerResult(() -> Fields.fromList(list(a[0]))));
        b.function("[method]fields.get", (cx, a) -> fields(a).get((String) a[1]));
        b.function("[method]fields.has", (cx, a) -> fields(a).has((String) a[1]));
        b.function("[method]fields.set", (cx, a) -> headerResult(() -> {
            fields(a).set((String) a[1], list(a[2]));
            return null;
        }));
        b.function("[method]fields.delete", (cx, a) -> headerResult(() -> {
            fields(a).delete((String) a[1]);
            return null;
        }));
        b.function("[method]fields.append", (cx, a) -> headerResult(() -> {
            fields(a).append((String) a[1], (byte[]) a[2]);
            return null;
        }));
        b.function("[method]fields.entries", (cx, a) -> fields(a).entriesValue());
        b.function("[method]fields.clone", (cx, a) -> fields(a).mutableCopy());
        // incoming-request
        b.function("[method]incoming-request.method", (cx, a) -> inReq(a).method());
        b.function("[method]incoming-request.path-with-query", (cx, a) -> inReq(a).pathWithQuery());
        b.function("[method]incoming-request.scheme", (cx, a) -> inReq(a).scheme());
        b.function("[method]incoming-request.authority", (cx, a) -> inReq(a).authority());
        b.function("[method]incoming-request.headers", (cx, a) -> inReq(a).headers());
        b.function("[method]incoming-request.consume", (cx, a) -> inReq(a).consume());
        // outgoing-request
        b.function("[constructor]outgoing-request",
                (cx, a) -> new OutgoingRequest((Fields) a[0], cx.get(OutboundHttp.class).maxRequestBody()));
        b.function("[method]outgoing-request.body", (cx, a) -> outReq(a).body());
        b.function("[method]outgoing-request.method", (cx, a) -> outReq(a).method());
        b.function("[method]outgoing-request.set-method", (cx, a) -> outReq(a).setMethod((Variant) a[1]));
        b.function("[method]outgoing-request.path-with-query", (cx, a) -> outReq(a).pathWithQuery());
        b.function("[method]outgoing-request.set-path-with-query",
                (cx, a) -> outReq(a).setPathWithQuery((Variant) a[1]));
        b.function("[method]outgoing-request.scheme", (cx, a) -> outReq(a).scheme());
        b.function("[method]outgoing-request.set-scheme", (cx, a) -> outReq(a).setScheme((Variant) a[1]));
        b.function("[method]outgoing-request.authority", (cx, a) -> outReq(a).authority());
        b.function("[method]outgoing-request.set-authority", (cx, a) -> outReq(a).setAuthority((Variant) a[1]));
        b.function("[method]outgoing-request.headers", (cx, a) -> outReq(a).headers());
        // request-options
        b.function("[constructor]request-options", (cx, a) -> new RequestOptions());
        String[] timeouts = {"connect-timeout", "first-byte-timeout", "between-bytes-timeout"};
        for (int i = 0; i < timeouts.length; i++) {
            int which = i;
            b.function("[method]request-options." + timeouts[i], (cx, a) -> ((RequestOptions) a[0]).get(which));
            b.function("[method]request-options.set-" + timeouts[i],
                    (cx, a) -> ((RequestOptions) a[0]).set(which, (Variant) a[1]));
        }
        // response-outparam
        b.function("[method]response-outparam.send-informational",
                (cx, a) -> Variant.err(HttpValues.internalError("informational responses are not supported")));
        b.function("[static]response-outparam.set", (cx, a) -> {
            ((ResponseOutparam) a[0]).set((Variant) a[1]);
            return null;
        });
        // incoming-response
        b.function("[method]incoming-response.status", (cx, a) -> ((IncomingResponse) a[0]).status());
        b.function("[method]incoming-response.headers", (cx, a) -> ((IncomingResponse) a[0]).headers());
        b.function("[method]incoming-response.consume", (cx, a) -> ((IncomingResponse) a[0]).consume());
        // incoming-body, future-trailers
        b.function("[method]incoming-body.stream", (cx, a) -> ((IncomingBody) a[0]).stream());
        b.function("[static]incoming-body.finish", (cx, a) -> ((IncomingBody) a[0]).finish());
        b.function("[method]future-trailers.subscribe", (cx, a) -> dev.edge.component.wasi.io.Pollable.READY);
        b.function("[method]future-trailers.get", (cx, a) -> ((FutureTrailers) a[0]).get());
        // outgoing-response, outgoing-body
        b.function("[constructor]outgoing-response",
                (cx, a) -> new OutgoingResponse((Fields) a[0], cx.get(HttpExchange.class).maxResponseBody()));
        b.function("[method]outgoing-response.status-code", (cx, a) -> ((OutgoingResponse) a[0]).status());
        b.function("[method]outgoing-response.set-status-code",
                (cx, a) -> ((OutgoingResponse) a[0]).setStatus((Integer) a[1]));
        b.function("[method]outgoing-response.headers", (cx, a) -> ((OutgoingResponse) a[0]).headers());
        b.function("[method]outgoing-response.body", (cx, a) -> ((OutgoingResponse) a[0]).body());
        b.function("[method]outgoing-body.write", (cx, a) -> ((OutgoingBody) a[0]).write());
        b.function("[static]outgoing-body.finish", (cx, a) -> ((OutgoingBody) a[0]).finish());
        // future-incoming-response
        b.function("[method]future-incoming-response.subscribe",
                (cx, a) -> ((FutureIncomingResponse) a[0]).subscribe());
        b.function("[method]future-incoming-response.get", (cx, a) -> ((FutureIncomingResponse) a[0]).get());
        return b.build();
    }

    @FunctionalInterface
    private interface HeaderCall {
        Object call() throws HeaderError;
    }

    private static Variant headerResult(HeaderCall call) {
        try {
            return Variant.ok(call.call());
        } catch (HeaderError e) {
            return Variant.err(e.toValue());
        }
    }

    private static Fields fields(Object[] a) {
        return (Fields) a[0];
    }

    private static IncomingRequest inReq(Object[] a) {
        return (IncomingRequest) a[0];
    }

    private static OutgoingRequest outReq(Object[] a) {
        return (OutgoingRequest) a[0];
    }

    @SuppressWarnings("unchecked")
    private static List<Object> list(Object o) {
        return (List<Object>) o;
    }
}
