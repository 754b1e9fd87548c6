package dev.edge.routes;

import dev.edge.wasm.GuestResponse;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.HeaderMap;
import io.undertow.util.HeaderValues;
import io.undertow.util.HttpString;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.component.undertow.DefaultUndertowHttpBinding;
import org.apache.camel.support.DefaultMessage;

/**
 * Binds Undertow straight to {@link IngressRequest} and {@link GuestResponse}: the Camel message body is
 * the request object and no Camel headers are ever created, so none can leak to guests or clients, and
 * the hot path does no header copying or type conversion.
 */
public final class SpinUndertowBinding extends DefaultUndertowHttpBinding {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(SpinUndertowBinding.class);
    private static final HttpString CONTENT_LENGTH = new HttpString("content-length");
    private static final HttpString TRANSFER_ENCODING = new HttpString("transfer-encoding");

    @Override
    public Message toCamelMessage(HttpServerExchange http, Exchange exchange) {
        DefaultMessage message = new DefaultMessage(exchange);
        message.setBody(toIngressRequest(http));
        exchange.setProperty(AppGenerations.DISPATCHER_PROPERTY, AppGenerations.dispatcher(http));
        return message;
    }

    static IngressRequest toIngressRequest(HttpServerExchange http) {
        return toIngressRequest(http, requestTarget(http));
    }

    static IngressRequest toIngressRequest(HttpServerExchange http, RequestTarget target) {
        HeaderMap requestHeaders = http.getRequestHeaders();
        List<Map.Entry<String, String>> headers = new ArrayList<>(requestHeaders.size());
        // Undertow's cookie iteration and indexed values: no iterator objects.
        for (long at = requestHeaders.fastIterate(); at != -1L; at = requestHeaders.fiNext(at)) {
            HeaderValues values = requestHeaders.fiCurrent(at);
            String name = lowerCase(values.getHeaderName());
            for (int v = 0; v < values.size(); v++) {
                headers.add(Map.entry(name, values.get(v)));
            }
        }
        byte[] body = http.getAttachment(RequestBodyReader.BODY);
        return new IngressRequest(http.getRequestMethod().toString(), target, http.getProtocol().toString(),
                headers, body != null ? body : NO_BODY);
    }

    private static final byte[] NO_BODY = new byte[0];
    /** Header names in lower case, by Undertow's name (which compares without case); bounded: clients choose names. */
    private static final ConcurrentHashMap<HttpString, String> LOWER_CASE = new ConcurrentHashMap<>();
    private static final int LOWER_CASE_NAMES = 256;

    /** A name's lower-case form, made once per name rather than once per request ("Host" → "host"). */
    static String lowerCase(HttpString name) {
        String lower = LOWER_CASE.get(name);
        if (lower == null) {
            lower = name.toString().toLowerCase(Locale.ROOT);
            if (LOWER_CASE.size() < LOWER_CASE_NAMES) {
                LOWER_CASE.putIfAbsent(name, lower);
            }
        }
        return lower;
    }

    /** What routing needs of a request: no header list, no body. */
    static RequestTarget requestTarget(HttpServerExchange http) {
        String host = http.getRequestHeaders().getFirst(io.undertow.util.Headers.HOST);
        return new RequestTarget(
                http.getRequestScheme(),
                host != null ? host : http.getHostAndPort(),
                rawPath(http),
                http.getQueryString(),
                clientAddr(http));
    }

    /** The client's address as text, made once per connection: its peer does not change between requests. */
    private record ClientAddr(InetSocketAddress address, String text) {}

    private static final io.undertow.util.AttachmentKey<ClientAddr> CLIENT_ADDR =
            io.undertow.util.AttachmentKey.create(ClientAddr.class);

    static String clientAddr(HttpServerExchange http) {
        InetSocketAddress address = http.getSourceAddress();
        io.undertow.server.ServerConnection connection = http.getConnection();
        ClientAddr known = connection.getAttachment(CLIENT_ADDR);
        // Compared by value: XNIO makes a new address object per call, and an exchange may carry its own.
        if (known != null && known.address().equals(address)) {
            return known.text();
        }
        String text = clientAddr(address);
        if (address != null) {
            connection.putAttachment(CLIENT_ADDR, new ClientAddr(address, text));
        }
        return text;
    }

    /** Undertow keeps the absolute form if the client sent one; Spin routes on the path alone. */
    private static String rawPath(HttpServerExchange http) {
        return RequestBodyReader.rawPath(http.getRequestURI());
    }

    static String clientAddr(InetSocketAddress address) {
        if (address == null) {
            return "";
        }
        String ip = address.getAddress() != null ? address.getAddress().getHostAddress() : address.getHostString();
        return (ip.indexOf(':') >= 0 ? "[" + ip + "]" : ip) + ":" + address.getPort();
    }

    /** Writes status and headers; the returned buffer is the body camel-undertow sends. */
    @Override
    public Object toHttpResponse(HttpServerExchange http, Message message) {
        if (message.getBody() instanceof SpinDispatcher.Routed routed) {
            http.putAttachment(ObservedRequests.ROUTE, routed.route());
            return writeHead(http, routed.response());
        }
        return writeHead(http, message.getBody() instanceof GuestResponse r ? r : GuestResponse.empty(500));
    }

    /** Sets status and safe headers of {@code response} on {@code http}; returns the body to send. */
    static ByteBuffer writeHead(HttpServerExchange http, GuestResponse response) {
        if (!GuestResponse.isFinalStatus(response.status())) {
            // Last line of defence for every source of responses: a 1xx would desynchronise the connection.
            LOG.warn("Refusing a response with status {}: only 200..599 may be sent", response.status());
            response = GuestResponse.empty(500);
        }
        http.setStatusCode(response.status());
        HeaderMap headers = http.getResponseHeaders();
        for (Map.Entry<String, String> header : response.headers()) {
            if (!isSafe(header.getKey(), true) || !isSafe(header.getValue(), false)) {
                // A guest must not be able to split the response or inject headers.
                LOG.warn("Dropping an invalid response header from the guest: {}", header.getKey().replaceAll("[\\r\\n]", "?"));
                continue;
            }
            HttpString name = HttpString.tryFromString(header.getKey());
            // Framing is Undertow's job: it knows the real body length.
            if (!name.equals(CONTENT_LENGTH) && !name.equals(TRANSFER_ENCODING)) {
                headers.add(name, header.getValue());
            }
        }
        return ByteBuffer.wrap(response.body());
    }

    /** RFC 9110 token characters, by code (a table: this runs for every response header). */
    private static final boolean[] TOKEN = new boolean[0x80];

    static {
        for (char c = '!'; c < 0x7f; c++) {
            TOKEN[c] = "\"(),/:;<=>?@[\\]{}".indexOf(c) < 0;
        }
    }

    /** Header names are RFC 9110 tokens; values carry no CR, LF or NUL. */
    static boolean isSafe(String text, boolean isName) {
        if (text == null || (isName && text.isEmpty())) {
            return false;
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (isName ? c >= 0x80 || !TOKEN[c] : c == '\r' || c == '\n' || c == 0) {
                return false;
            }
        }
        return true;
    }
}
