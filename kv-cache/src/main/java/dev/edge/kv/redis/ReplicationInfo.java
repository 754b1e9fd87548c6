package dev.edge.kv.redis;

/**
 * The part of {@code INFO replication} the read-your-writes logic needs.
 *
 * @param replid the replication id the server follows: a primary's own {@code master_replid}; on a
 *               replica also {@code master_replid} (the id it replicates, adopted from its primary)
 * @param offset the replication offset the server has applied ({@code slave_repl_offset} on a replica,
 *               {@code master_repl_offset} on a primary)
 * @param replica whether the server is a replica ({@code role:slave})
 * @param linkUp on a replica, {@code master_link_status:up}; always true on a primary
 */
record ReplicationInfo(String replid, long offset, boolean replica, boolean linkUp) {

    static ReplicationInfo parse(String info) {
        String replid = null;
        long masterOffset = -1;
        long replicaOffset = -1;
        boolean replica = false;
        boolean linkUp = true;
        for (String raw : info.split("\r?\n")) {
            String line = raw.trim();
            int colon = line.indexOf(':');
            if (line.startsWith("#") || colon < 0) {
                continue;
            }
            String name = line.substring(0, colon);
            String value = line.substring(colon + 1);
            switch (name) {
                case "role" -> replica = value.equals("slave");
                case "master_replid" -> replid = value;
                case "master_repl_offset" -> masterOffset = Long.parseLong(value);
                case "slave_repl_offset" -> replicaOffset = Long.parseLong(value);
                case "master_link_status" -> linkUp = value.equals("up");
                default -> { }
            }
        }
        if (replid == null || masterOffset < 0) {
            throw new IllegalArgumentException("INFO replication without master_replid/master_repl_offset");
        }
        long offset = replica && replicaOffset >= 0 ? replicaOffset : masterOffset;
        return new ReplicationInfo(replid, offset, replica, !replica || linkUp);
    }

    /** True if this replica view has applied everything the primary view had. */
    boolean hasCaughtUpWith(ReplicationInfo primary) {
        return replid.equals(primary.replid()) && offset >= primary.offset();
    }
}
