package dev.edge.component.wasi.http;

import dev.edge.component.abi.Variant;
import dev.edge.component.wasi.io.HostInputStream;
import dev.edge.wasm.GuestRequest;
import java.net.URI;

/**
 * The {@code incoming-request} resource over an ingress {@link GuestRequest}: its method, path and query as
 * received, scheme and authority from {@code spin-full-url} (edge sets it on every routed request, as Spin
 * does; the {@code host} header otherwise), every header including the {@code spin-*} ones, and its body.
 */
public final class IncomingRequest {
    private final GuestRequest request;
    private final Fields headers;
    private boolean consumed;

    public IncomingRequest(GuestRequest request) {
        this.request = request;
        this.headers = Fields.immutableOf(request.headers());
    }

    Variant method() {
        return HttpValues.method(request.method());
    }

    Variant pathWithQuery() {
        return Variant.some(request.uri());
    }

    Variant scheme() {
        URI url = fullUrl();
        return Variant.some(HttpValues.scheme(url != null && url.getScheme() != null ? url.getScheme() : "http"));
    }

    Variant authority() {
        URI url = fullUrl();
        if (url != null && url.getRawAuthority() != null) {
            return Variant.some(url.getRawAuthority());
        }
        String host = request.header("host");
        return host == null ? Variant.none() : Variant.some(host);
    }

    Fields headers() {
        return headers.immutableCopy();
    }

    /** {@code consume}: the body, once. */
    Variant consume() {
        if (consumed) {
            return Variant.err(null);
        }
        consumed = true;
        return Variant.ok(new IncomingBody(HostInputStream.of(request.body())));
    }

    private URI fullUrl() {
        String url = request.header("spin-full-url");
        if (url == null) {
            return null;
        }
        try {
            return new URI(url);
        } catch (java.net.URISyntaxException e) {
            return null;
        }
    }
}
