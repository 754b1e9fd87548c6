package dev.edge.gateway;

import java.net.BindException;
import java.util.Locale;
import java.util.concurrent.Callable;

/** A listener could not bind its address: {@code cannot listen on 127.0.0.1:3000: address already in use}. */
final class ListenException extends Exception {

    ListenException(ListenAddress address, BindException cause) {
        super("cannot listen on " + address.baseUrl().substring("http://".length()) + ": "
                + String.valueOf(cause.getMessage()).toLowerCase(Locale.ROOT), cause);
    }

    /** Runs {@code start}; a {@link BindException} anywhere in what it throws becomes a ListenException. */
    static <T> T binding(ListenAddress address, Callable<T> start) throws Exception {
        try {
            return start.call();
        } catch (Exception e) {
            for (Throwable cause = e; cause != null; cause = cause.getCause()) {
                if (cause instanceof BindException bind) {
                    throw new ListenException(address, bind);
                }
                if (cause.getCause() == cause) {
                    break;
                }
            }
            throw e;
        }
    }
}
