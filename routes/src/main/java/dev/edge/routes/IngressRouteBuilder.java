package dev.edge.routes;

import org.apache.camel.builder.RouteBuilder;

/**
 * The one ingress route: camel-undertow on the listen address, every path and method, straight into
 * the {@link SpinDispatcher} of the request's app generation. One processor, no type conversion, no Camel headers (see {@link SpinUndertowBinding}).
 */
public final class IngressRouteBuilder extends RouteBuilder {
    public static final String ROUTE_ID = "edge-ingress";
    static final String BINDING_BEAN = "edgeSpinBinding";
    static final String BODY_READER_BEAN = "edgeBodyReader";
    static final String INLINE_BEAN = "edgeInlineAnswers";

    private final String host;
    private final int port;

    public IngressRouteBuilder(String host, int port) {
        this.host = host;
        this.port = port;
    }

    @Override
    public void configure() {
        String authority = (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
        from("undertow:http://" + authority + "/"
                + "?matchOnUriPrefix=true"
                + "&optionsEnabled=true"
                + "&undertowHttpBinding=#" + BINDING_BEAN
                // Bean names, resolved by the consumer; the last is outermost: body reader → inline answers → Camel.
                + "&handlers=" + INLINE_BEAN + "," + BODY_READER_BEAN)
                .routeId(ROUTE_ID)
                // The dispatcher of the app generation the request took as it arrived (AppGenerations).
                .process(exchange -> {
                    IngressRequest request = (IngressRequest) exchange.getIn().getBody();
                    // The worker thread's log lines (guest errors, guest output) carry the request's id.
                    String id = RequestId.in(request.headers());
                    if (id != null) {
                        org.slf4j.MDC.put(RequestId.MDC_KEY, id);
                    }
                    try {
                        exchange.getMessage().setBody(exchange.getProperty(AppGenerations.DISPATCHER_PROPERTY,
                                SpinDispatcher.class).dispatch(request));
                    } finally {
                        org.slf4j.MDC.remove(RequestId.MDC_KEY);
                    }
                });
    }
}
