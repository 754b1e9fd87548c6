package dev.edge.component.types;

/**
 * A resource type; equality is identity (each {@code (sub resource)} import and each {@code resource}
 * definition is a fresh type). {@code destructor} is the core function index of a component-defined
 * resource's destructor, or -1.
 */
public final class ResourceType {
    private final String name;
    private final boolean defined;
    private final int destructor;

    public ResourceType(String name, boolean defined, int destructor) {
        this.name = name;
        this.defined = defined;
        this.destructor = destructor;
    }

    /** The name it was imported or exported under, for messages. */
    public String name() { return name; }

    /** True for a resource defined inside the component ({@code resource.new} makes its handles). */
    public boolean defined() { return defined; }

    public int destructor() { return destructor; }

    @Override
    public String toString() { return "resource " + name; }
}
