package dev.edge.wasm;

import java.util.List;
import java.util.Map;

/** A guest's HTTP response. Header names keep the guest's spelling; repeats allowed. */
public record GuestResponse(int status, List<Map.Entry<String, String>> headers, byte[] body) {
    public GuestResponse {
        headers = List.copyOf(headers);
    }

    /** Spin's answer when a component fails: the status with an empty body. */
    public static GuestResponse empty(int status) {
        return new GuestResponse(status, List.of(), new byte[0]);
    }
}
