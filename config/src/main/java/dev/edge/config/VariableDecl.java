package dev.edge.config;

import java.util.Optional;

/** An application variable: {@code name = { default = "..", required = true, secret = true }}. */
public record VariableDecl(String name, Optional<String> defaultValue, boolean required, boolean secret) {}
