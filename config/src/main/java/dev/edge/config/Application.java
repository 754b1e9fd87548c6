package dev.edge.config;

import java.util.List;

/** The {@code [application]} table. {@code version} and {@code description} are empty when absent. */
public record Application(String name, String version, String description, List<String> authors) {
    public Application {
        authors = List.copyOf(authors);
    }
}
