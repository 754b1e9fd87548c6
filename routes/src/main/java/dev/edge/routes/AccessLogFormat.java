package dev.edge.routes;

import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/** How an {@link AccessLog.Entry} is written (docs/observability.md). */
public enum AccessLogFormat {
    /**
     * One JSON object per line: {@code time} (ISO-8601 UTC, request start), {@code client}, {@code method},
     * {@code path} (with the query), {@code protocol}, {@code status}, {@code bytes}, {@code duration_ms},
     * {@code route}, {@code upstream}, {@code target}, {@code request_id}, {@code referer}, {@code user_agent};
     * absent values are {@code null}.
     */
    JSON {
        @Override
        void append(AccessLog.Entry e, StringBuilder out) {
            out.append("{\"time\":\"").append(DateTimeFormatter.ISO_INSTANT.format(Instant.ofEpochMilli(e.startMillis())))
                    .append("\",\"client\":");
            string(out, e.client());
            out.append(",\"method\":");
            string(out, e.method());
            out.append(",\"path\":");
            string(out, e.uri());
            out.append(",\"protocol\":");
            string(out, e.protocol());
            out.append(",\"status\":").append(e.status())
                    .append(",\"bytes\":").append(e.bytes())
                    .append(",\"duration_ms\":").append(millis(e.durationNanos()))
                    .append(",\"route\":");
            string(out, e.route());
            out.append(",\"upstream\":");
            string(out, e.upstream());
            out.append(",\"target\":");
            string(out, e.target());
            out.append(",\"request_id\":");
            string(out, e.requestId());
            out.append(",\"referer\":");
            string(out, e.referer());
            out.append(",\"user_agent\":");
            string(out, e.userAgent());
            out.append('}');
        }

        private static void string(StringBuilder out, String value) {
            out.append(value == null ? "null" : Json.quote(value));
        }
    },
    /**
     * nginx's {@code combined} ({@code $remote_addr - $remote_user [$time_local] "$request" $status
     * $body_bytes_sent "$http_referer" "$http_user_agent"}, time in UTC), then edge's fields:
     * {@code "request_id" duration_seconds "route" "upstream" "target"}. Quoted values are escaped as nginx does
     * ({@code \"}, {@code \\}, {@code \xHH}); an absent one is {@code -}.
     */
    COMBINED {
        private static final DateTimeFormatter TIME_LOCAL =
                DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss Z", Locale.ROOT).withZone(ZoneId.of("UTC"));

        @Override
        void append(AccessLog.Entry e, StringBuilder out) {
            escaped(out, e.client());
            out.append(" - - [").append(TIME_LOCAL.format(Instant.ofEpochMilli(e.startMillis()))).append("] \"");
            escaped(out, e.method());
            out.append(' ');
            escaped(out, e.uri());
            out.append(' ');
            escaped(out, e.protocol());
            out.append("\" ").append(e.status()).append(' ').append(e.bytes()).append(' ');
            quoted(out, e.referer());
            out.append(' ');
            quoted(out, e.userAgent());
            out.append(' ');
            quoted(out, e.requestId());
            out.append(' ').append(String.format(Locale.ROOT, "%.3f", e.durationNanos() / 1e9)).append(' ');
            quoted(out, e.route());
            out.append(' ');
            quoted(out, e.upstream());
            out.append(' ');
            quoted(out, e.target());
        }

        private static void quoted(StringBuilder out, String value) {
            out.append('"');
            escaped(out, value);
            out.append('"');
        }

        /** As nginx's {@code escape=default}: {@code "} and {@code \} with a backslash, other bytes outside 0x20..0x7e as \xHH. */
        private static void escaped(StringBuilder out, String value) {
            if (value == null || value.isEmpty()) {
                out.append('-');
                return;
            }
            for (byte b : value.getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
                int c = b & 0xff;
                if (c == '"' || c == '\\') {
                    out.append('\\').append((char) c);
                } else if (c < 0x20 || c > 0x7e) {
                    out.append("\\x").append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                            .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
                } else {
                    out.append((char) c);
                }
            }
        }
    };

    abstract void append(AccessLog.Entry entry, StringBuilder out);

    private static String millis(long nanos) {
        return String.format(Locale.ROOT, "%.3f", nanos / 1e6);
    }

    /** {@code json} or {@code combined}. */
    public static AccessLogFormat parse(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "json" -> JSON;
            case "combined" -> COMBINED;
            default -> throw new IllegalArgumentException("expected json or combined, got '" + name + "'");
        };
    }
}
