package dev.edge.component.wasi.http;

import dev.edge.component.abi.Variant;
import dev.edge.component.host.ComponentTrap;
import dev.edge.wasm.GuestRequest;
import dev.edge.wasm.GuestResponse;

/**
 * One request through {@code wasi:http/incoming-handler.handle}: the executor creates it per request, passes
 * {@link #incomingRequest()} and {@link #responseOutparam()} to the export, and after the call returns reads
 * {@link #outcome()}. Response bodies are collected within {@code [guest_limits] max_response_body}.
 */
public final class HttpExchange {
    private final IncomingRequest request;
    private final ResponseOutparam outparam = new ResponseOutparam(this);
    private final long maxResponseBody;
    private Variant response;

    public HttpExchange(GuestRequest request, long maxResponseBody) {
        this.request = new IncomingRequest(request);
        this.maxResponseBody = maxResponseBody;
    }

    public IncomingRequest incomingRequest() {
        return request;
    }

    public ResponseOutparam responseOutparam() {
        return outparam;
    }

    long maxResponseBody() {
        return maxResponseBody;
    }

    void set(Variant result) {
        if (response != null) {
            throw new ComponentTrap("response-outparam.set called twice");
        }
        response = result;
    }

    /** What the guest answered, read once {@code handle} has returned. */
    public Outcome outcome() {
        if (response == null) {
            return new Outcome.Failed("the component returned without calling response-outparam.set");
        }
        if (!response.isOk()) {
            return new Outcome.Failed("the component set an error response: " + describe((Variant) response.payload()));
        }
        OutgoingResponse answer = (OutgoingResponse) response.payload();
        OutgoingBody body = answer.bodyOrNull();
        if (body != null && body.exceeded()) {
            return new Outcome.TooLarge(maxResponseBody);
        }
        if (body != null && !body.finished()) {
            return new Outcome.Failed("the component did not finish its response body");
        }
        byte[] bytes = body == null ? new byte[0] : body.bytes();
        return new Outcome.Answered(new GuestResponse(answer.status(), answer.ownHeaders().asStrings(), bytes));
    }

    private static String describe(Variant errorCode) {
        return "error-code case " + errorCode.index() + (errorCode.payload() instanceof Variant v && v.isSome()
                ? " (" + v.payload() + ")" : "");
    }

    /** The result of an exchange: an answer, a failure (Spin answers 500), or a body past the limit. */
    public sealed interface Outcome {
        record Answered(GuestResponse response) implements Outcome {
        }

        record Failed(String reason) implements Outcome {
        }

        record TooLarge(long limit) implements Outcome {
        }
    }
}
