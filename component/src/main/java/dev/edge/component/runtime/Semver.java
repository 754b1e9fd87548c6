package dev.edge.component.runtime;

/** Semver compatibility of interface versions, as Component Model hosts match imports. */
final class Semver {
    private Semver() {}

    /**
     * True when a host at {@code provided} serves an import of {@code requested}: same major, and for
     * major 0 the same minor (and for 0.0 the same patch). A missing function is caught separately.
     */
    static boolean compatible(String requested, String provided) {
        long[] r = parse(requested);
        long[] p = parse(provided);
        if (r == null || p == null) {
            return requested.equals(provided);
        }
        if (r[0] != p[0] || (r[0] == 0 && r[1] != p[1])) {
            return false;
        }
        return r[0] == 0 && r[1] == 0 ? r[2] == p[2] : true;
    }

    private static long[] parse(String v) {
        String core = v.split("[-+]", 2)[0];
        String[] parts = core.split("\\.");
        if (parts.length != 3) {
            return null;
        }
        try {
            return new long[] {Long.parseLong(parts[0]), Long.parseLong(parts[1]), Long.parseLong(parts[2])};
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
