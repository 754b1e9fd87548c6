package dev.edge.component.runtime;

import com.dylibso.chicory.compiler.Cache;
import com.dylibso.chicory.compiler.InterpreterFallback;
import com.dylibso.chicory.compiler.MachineFactoryCompiler;
import com.dylibso.chicory.runtime.CompiledModule;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Machine;
import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.ExternalType;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Function;
import java.util.jar.JarEntry;
import java.util.jar.JarInputStream;
import java.util.Properties;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.FieldVisitor;
import org.objectweb.asm.Label;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A core module loaded from classes Chicory compiled earlier, without parsing the function bodies those
 * classes already cover. Parsing is most of a warm start for a JavaScript component (12,000 function bodies,
 * 11 MB), but compiled code never reads a body: only the functions Chicory left to its interpreter (too large
 * for one JVM method) need theirs. So before parsing, every other body is replaced by {@code unreachable}: if
 * one were ever interpreted it would trap, never run as something else.
 *
 * <p>Which functions are interpreted is read from the cached classes themselves (the main class's
 * {@code call} dispatches them to the interpreter). When that cannot be read with certainty, the caller parses
 * the whole module as before.
 */
final class PrecompiledModule {
    private static final Logger LOG = LoggerFactory.getLogger(PrecompiledModule.class);
    private static final Parser UNVALIDATED = Parser.builder().withValidation(false).build();
    private static final Parser IMPORTS_ONLY = Parser.builder().withValidation(false).includeSectionId(2).build();
    private static final int CODE_SECTION = 10;
    private static final byte[] EMPTY_MODULE = {0, 'a', 's', 'm', 1, 0, 0, 0};
    /** A body with no locals whose only instruction is {@code unreachable}. */
    private static final byte[] STUB_BODY = {3, 0, 0x00, 0x0b};

    private PrecompiledModule() {}

    /**
     * The module with the machine factory made from {@code classes} (a compile-cache entry for exactly
     * {@code bytes}, which were validated when it was written), or empty when the entry does not say which
     * functions are interpreted. Throws when the classes do not load.
     */
    static Optional<CoreModules.Compiled> load(byte[] bytes, byte[] classes) {
        Optional<Set<Integer>> interpreted = interpretedFunctions(classes);
        if (interpreted.isEmpty()) {
            return Optional.empty();
        }
        // The classes load while the bodies are parsed (the two are independent; about equal halves of a warm
        // load of a JavaScript component's engine module).
        long start = System.nanoTime();
        CompletableFuture<Function<Instance, Machine>> factory = CompletableFuture.supplyAsync(
                () -> machineFactory(classes), PrecompiledModule::startDaemon);
        WasmModule imports = IMPORTS_ONLY.parse(() -> new ByteArrayInputStream(bytes));
        int functionImports = imports.importSection().count(ExternalType.FUNCTION);
        byte[] lean = withBodiesOnly(bytes, functionImports, interpreted.get());
        WasmModule module = UNVALIDATED.parse(() -> new ByteArrayInputStream(lean));
        long parsed = System.nanoTime();
        Function<Instance, Machine> machines;
        try {
            machines = factory.join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : e;
        }
        LOG.info("core module of {} bytes from the compile cache in {} ms: {} function bodies parsed ({} bytes) in"
                + " {} ms while the compiled classes loaded", bytes.length, (System.nanoTime() - start) / 1_000_000,
                interpreted.get().size(), lean.length, (parsed - start) / 1_000_000);
        return Optional.of(new CoreModules.Compiled(module, machines));
    }

    /**
     * Chicory's machine factory from the cached classes. Chicory wraps it with the module it was asked for,
     * to check instances against; the classes themselves do not depend on it, so a placeholder module stands in
     * and the unwrapped factory is used with the module being parsed meanwhile.
     */
    private static Function<Instance, Machine> machineFactory(byte[] classes) {
        // The lean module's digest is not the entry's: hand Chicory this entry whatever it asks for, never store.
        Cache entry = new Cache() {
            @Override
            public byte[] get(String digest) {
                return classes;
            }

            @Override
            public void putIfAbsent(String digest, byte[] compiled) {
                throw new IllegalStateException("a precompiled module must not be compiled");
            }
        };
        var wrapped = MachineFactoryCompiler.builder(Parser.parse(EMPTY_MODULE))
                .withInterpreterFallback(InterpreterFallback.SILENT).withCache(entry).compile();
        return ((CompiledModule) wrapped).machineFactory();
    }

    private static void startDaemon(Runnable task) {
        Thread thread = new Thread(task, "compile-cache-classes");
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * {@code bytes} with every code-section body replaced by {@link #STUB_BODY}, except those of the given
     * function indices (imports count first, as in Wasm's function index space).
     */
    static byte[] withBodiesOnly(byte[] bytes, int functionImports, Set<Integer> kept) {
        Reader in = new Reader(bytes, 8);
        while (in.pos < bytes.length) {
            int sectionStart = in.pos;
            int id = bytes[in.pos++] & 0xff;
            int size = in.u32();
            int contentStart = in.pos;
            if (id != CODE_SECTION) {
                in.pos = contentStart + size;
                continue;
            }
            ByteArrayOutputStream code = new ByteArrayOutputStream();
            int count = in.u32();
            writeU32(code, count);
            for (int i = 0; i < count; i++) {
                int bodyStart = in.pos;
                int bodySize = in.u32();
                int end = in.pos + bodySize;
                if (kept.contains(functionImports + i)) {
                    code.write(bytes, bodyStart, end - bodyStart);
                } else {
                    code.write(STUB_BODY, 0, STUB_BODY.length);
                }
                in.pos = end;
            }
            if (in.pos != contentStart + size) {
                throw new IllegalArgumentException("code section size mismatch");
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream(sectionStart + code.size() + 16
                    + bytes.length - in.pos);
            out.write(bytes, 0, sectionStart);
            out.write(CODE_SECTION);
            writeU32(out, code.size());
            out.write(code.toByteArray(), 0, code.size());
            out.write(bytes, in.pos, bytes.length - in.pos);
            return out.toByteArray();
        }
        return bytes;
    }

    /**
     * The function indices the compiled classes run in Chicory's interpreter: the keys of the lookup switch
     * by which the main class's {@code call} hands them to it. Empty when unknown: the main class keeps an
     * interpreter (Chicory adds one exactly when some function is interpreted) but no such switch was found.
     * Throws when the entry is not a jar of Chicory classes at all.
     */
    static Optional<Set<Integer>> interpretedFunctions(byte[] classes) {
        byte[] main;
        try {
            main = mainClass(classes);
        } catch (IOException e) {
            throw new IllegalArgumentException("compile cache entry is not a jar of classes", e);
        }
        if (main == null) {
            throw new IllegalArgumentException("compile cache entry has no main class");
        }
        Set<Integer> keys = new TreeSet<>();
        boolean[] hasInterpreter = {false};
        boolean[] switches = {false};
        new ClassReader(main).accept(new ClassVisitor(Opcodes.ASM9) {
            @Override
            public FieldVisitor visitField(int access, String name, String descriptor, String signature,
                                           Object value) {
                if (descriptor.endsWith("/CompilerInterpreterMachine;")) {
                    hasInterpreter[0] = true;
                }
                return null;
            }

            @Override
            public MethodVisitor visitMethod(int access, String name, String descriptor, String signature,
                                             String[] exceptions) {
                if (!name.equals("call") || !descriptor.equals("(I[J)[J")) {
                    return null;
                }
                return new MethodVisitor(Opcodes.ASM9) {
                    @Override
                    public void visitLookupSwitchInsn(Label dflt, int[] switchKeys, Label[] labels) {
                        if (!switches[0]) {
                            switches[0] = true;
                            for (int key : switchKeys) {
                                keys.add(key);
                            }
                        }
                    }
                };
            }
        }, ClassReader.SKIP_DEBUG | ClassReader.SKIP_FRAMES);
        if (hasInterpreter[0] != switches[0] || (hasInterpreter[0] && keys.isEmpty())) {
            return Optional.empty();
        }
        return Optional.of(Set.copyOf(keys));
    }

    /** The main class's bytes from a compile-cache entry (the jar Chicory stores), or null. */
    private static byte[] mainClass(byte[] jar) throws IOException {
        String mainClass = null;
        java.util.Map<String, byte[]> classes = new java.util.HashMap<>();
        try (JarInputStream in = new JarInputStream(new ByteArrayInputStream(jar))) {
            JarEntry entry;
            while ((entry = in.getNextJarEntry()) != null) {
                if (entry.getName().equals("wasm-module.properties")) {
                    Properties properties = new Properties();
                    properties.load(in);
                    mainClass = properties.getProperty("mainClass");
                } else if (entry.getName().endsWith(".class") && !entry.getName().contains("FuncGroup_")) {
                    classes.put(entry.getName(), in.readAllBytes());
                }
            }
        }
        return mainClass == null ? null : classes.get(mainClass.replace('.', '/') + ".class");
    }

    private static void writeU32(ByteArrayOutputStream out, int value) {
        long v = value & 0xffffffffL;
        do {
            int b = (int) (v & 0x7f);
            v >>>= 7;
            out.write(v == 0 ? b : b | 0x80);
        } while (v != 0);
    }

    /** LEB128 over a byte array; malformed input throws (the bytes were validated when the entry was written). */
    private static final class Reader {
        final byte[] bytes;
        int pos;

        Reader(byte[] bytes, int pos) {
            this.bytes = bytes;
            this.pos = pos;
        }

        int u32() {
            long result = 0;
            for (int shift = 0; shift < 35; shift += 7) {
                int b = bytes[pos++] & 0xff;
                result |= (long) (b & 0x7f) << shift;
                if ((b & 0x80) == 0) {
                    return (int) result;
                }
            }
            throw new IllegalArgumentException("LEB128 too long");
        }
    }
}
