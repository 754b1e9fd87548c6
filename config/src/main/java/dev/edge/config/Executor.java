package dev.edge.config;

/**
 * A trigger's executor. {@code { type = "http" }} (alias {@code "spin"}) runs the edge guest ABI;
 * {@code { type = "wagi" }} runs a WASI preview 1 program as a CGI script.
 */
public record Executor(Type type, String argv, String entrypoint) {
    public enum Type { HTTP, WAGI }

    public static final String DEFAULT_WAGI_ARGV = "${SCRIPT_NAME} ${ARGS}";
    public static final String DEFAULT_WAGI_ENTRYPOINT = "_start";

    public static Executor http() {
        return new Executor(Type.HTTP, "", "");
    }

    public static Executor wagi(String argv, String entrypoint) {
        return new Executor(Type.WAGI, argv, entrypoint);
    }
}
