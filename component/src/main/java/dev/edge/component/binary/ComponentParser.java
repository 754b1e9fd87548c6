package dev.edge.component.binary;

import dev.edge.component.types.ComponentType;
import dev.edge.component.types.FuncType;
import dev.edge.component.types.InstanceType;
import dev.edge.component.types.ResourceType;
import dev.edge.component.types.ValType;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parses a WebAssembly component (Binary.md, version 0x0d layer 1) into {@link ParsedComponent}s. Types
 * are resolved while parsing, so every definition refers to resolved types; anything outside the
 * synchronous Component Model MVP (async, streams, futures, threads, value imports, start functions,
 * UTF-16 strings) is refused with a {@link ComponentFormatException} naming it.
 */
public final class ComponentParser {
    private ComponentParser() {}

    /** True when the first 8 bytes are a component's preamble (rather than a core module's). */
    public static boolean isComponent(byte[] bytes) {
        return bytes.length >= 8 && bytes[0] == 0 && bytes[1] == 'a' && bytes[2] == 's' && bytes[3] == 'm'
                && bytes[6] == 1 && bytes[7] == 0;
    }

    public static ParsedComponent parse(byte[] bytes) {
        return parseComponent(new Reader(bytes, 0, bytes.length), null);
    }

    /** Index spaces known while parsing one component, component type or instance type. */
    private static final class Scope {
        final Scope parent;
        final List<Object> types = new ArrayList<>();
        final List<Object> funcs = new ArrayList<>();
        final List<InstanceType> instances = new ArrayList<>();
        final List<ParsedComponent> components = new ArrayList<>();
        final List<Definition.CoreModule> coreModules = new ArrayList<>();
        final Map<String, Object> imports = new LinkedHashMap<>();
        final Map<String, Object> exports = new LinkedHashMap<>();
        int coreTypes;

        Scope(Scope parent) {
            this.parent = parent;
        }

        Object type(int index, Reader in) {
            if (index >= types.size()) {
                throw in.error("type index " + index + " out of range (" + types.size() + " types)");
            }
            return types.get(index);
        }
    }

    private static ParsedComponent parseComponent(Reader in, Scope parent) {
        int start = in.pos();
        if (in.u8() != 0 || in.u8() != 'a' || in.u8() != 's' || in.u8() != 'm') {
            throw new ComponentFormatException("not WebAssembly (bad magic number at byte offset " + start + ")");
        }
        int version = in.u8() | in.u8() << 8;
        int layer = in.u8() | in.u8() << 8;
        if (layer != 1) {
            throw new ComponentFormatException("not a component (layer " + layer + " at byte offset " + start + ")");
        }
        if (version != 0x0d) {
            throw new ComponentFormatException("unsupported component binary version 0x" + Integer.toHexString(version)
                    + " (edge reads version 0x0d)");
        }
        Scope scope = new Scope(parent);
        List<Definition> defs = new ArrayList<>();
        while (!in.atEnd()) {
            int id = in.u8();
            Reader s = in.sub(in.u32());
            switch (id) {
                case 0 -> { } // custom sections (names, producers) do not affect execution
                case 1 -> {
                    Definition.CoreModule module = new Definition.CoreModule(scope.coreModules.size(), s.rest());
                    scope.coreModules.add(module);
                    defs.add(module);
                }
                case 2 -> readCoreInstances(s, defs);
                case 3 -> {
                    for (int n = s.u32(); n > 0; n--) {
                        readCoreType(s);
                        scope.coreTypes++;
                        defs.add(new Definition.CoreTypeDef());
                    }
                }
                case 4 -> {
                    ParsedComponent nested = parseComponent(s, scope);
                    scope.components.add(nested);
                    defs.add(new Definition.NestedComponent(nested));
                }
                case 5 -> readInstances(s, scope, defs);
                case 6 -> {
                    for (int n = s.u32(); n > 0; n--) {
                        readAlias(s, scope, defs);
                    }
                }
                case 7 -> {
                    for (int n = s.u32(); n > 0; n--) {
                        Object type = readDefType(s, scope, "type #" + scope.types.size());
                        scope.types.add(type);
                        defs.add(new Definition.TypeDef(type));
                    }
                }
                case 8 -> {
                    for (int n = s.u32(); n > 0; n--) {
                        readCanon(s, scope, defs);
                    }
                }
                case 9 -> throw s.error("component start functions are not supported");
                case 10 -> {
                    for (int n = s.u32(); n > 0; n--) {
                        String name = readExternName(s);
                        Object[] extern = readExternType(s, scope, name);
                        Sort sort = (Sort) extern[0];
                        scope.imports.put(name, extern[1]);
                        track(scope, sort, extern[1]);
                        defs.add(new Definition.Import(name, sort, extern[1]));
                    }
                }
                case 11 -> {
                    for (int n = s.u32(); n > 0; n--) {
                        String name = readExternName(s);
                        Sort sort = Sort.read(s);
                        int index = s.u32();
                        if (s.u8() == 1) {
                            readExternType(s, scope, name); // an ascription; the definition keeps its own type
                        }
                        Object type = staticType(scope, sort, index, s);
                        scope.exports.put(name, type);
                        track(scope, sort, type);
                        defs.add(new Definition.Export(name, sort, index));
                    }
                }
                case 12 -> throw s.error("component value definitions are not supported");
                default -> throw s.error("unknown component section id " + id);
            }
            if (id != 0 && !s.atEnd()) {
                throw s.error("section " + id + " has trailing bytes");
            }
        }
        return new ParsedComponent(defs, scope.imports, scope.exports);
    }

    /** Records what later definitions may need to know statically about a new index. */
    private static void track(Scope scope, Sort sort, Object type) {
        switch (sort) {
            case TYPE -> scope.types.add(type);
            case FUNC -> scope.funcs.add(type);
            case INSTANCE -> scope.instances.add(type instanceof InstanceType it ? it : null);
            case COMPONENT -> scope.components.add(type instanceof ParsedComponent pc ? pc : null);
            case CORE_MODULE -> scope.coreModules.add(type instanceof Definition.CoreModule m ? m : null);
            default -> { }
        }
    }

    private static Object staticType(Scope scope, Sort sort, int index, Reader in) {
        List<?> space = switch (sort) {
            case TYPE -> scope.types;
            case FUNC -> scope.funcs;
            case INSTANCE -> scope.instances;
            case COMPONENT -> scope.components;
            case CORE_MODULE -> scope.coreModules;
            default -> null;
        };
        if (space == null) {
            return null;
        }
        if (index >= space.size()) {
            throw in.error(sort.label() + " index " + index + " out of range");
        }
        return space.get(index);
    }

    private static void readCoreInstances(Reader s, List<Definition> defs) {
        for (int n = s.u32(); n > 0; n--) {
            int form = s.u8();
            List<Definition.Item> items = new ArrayList<>();
            if (form == 0x00) {
                int module = s.u32();
                for (int a = s.u32(); a > 0; a--) {
                    String name = s.name();
                    if (s.u8() != 0x12) {
                        throw s.error("core instantiate argument '" + name + "' is not an instance");
                    }
                    items.add(new Definition.Item(name, Sort.CORE_INSTANCE, s.u32()));
                }
                defs.add(new Definition.CoreInstantiate(module, items));
            } else if (form == 0x01) {
                for (int e = s.u32(); e > 0; e--) {
                    String name = s.name();
                    Sort sort = Sort.core(s.u8(), s);
                    items.add(new Definition.Item(name, sort, s.u32()));
                }
                defs.add(new Definition.CoreInlineExports(items));
            } else {
                throw s.error("unknown core instance form 0x" + Integer.toHexString(form));
            }
        }
    }

    private static void readInstances(Reader s, Scope scope, List<Definition> defs) {
        for (int n = s.u32(); n > 0; n--) {
            int form = s.u8();
            List<Definition.Item> items = new ArrayList<>();
            Map<String, Object> exports = new LinkedHashMap<>();
            if (form == 0x00) {
                int component = s.u32();
                ParsedComponent nested = (ParsedComponent) staticType(scope, Sort.COMPONENT, component, s);
                Map<String, Object> argTypes = new HashMap<>();
                for (int a = s.u32(); a > 0; a--) {
                    String name = s.name();
                    Sort sort = Sort.read(s);
                    int index = s.u32();
                    items.add(new Definition.Item(name, sort, index));
                    argTypes.put(name, staticType(scope, sort, index, s));
                }
                if (nested != null) {
                    exports.putAll(instantiatedExports(nested, argTypes));
                }
                defs.add(new Definition.Instantiate(component, items));
            } else if (form == 0x01) {
                for (int e = s.u32(); e > 0; e--) {
                    String name = readExternName(s);
                    Sort sort = Sort.read(s);
                    int index = s.u32();
                    items.add(new Definition.Item(name, sort, index));
                    exports.put(name, staticType(scope, sort, index, s));
                }
                defs.add(new Definition.InlineExports(items));
            } else {
                throw s.error("unknown instance form 0x" + Integer.toHexString(form));
            }
            exports.values().removeIf(v -> v == null);
            scope.instances.add(new InstanceType(exports));
        }
    }

    /** A nested component's export types, with its imported resource types replaced by the arguments'. */
    private static Map<String, Object> instantiatedExports(ParsedComponent nested, Map<String, Object> args) {
        Map<ResourceType, Object> substitution = new HashMap<>();
        nested.imports().forEach((name, type) -> {
            if (type instanceof ResourceType r && args.get(name) != null) {
                substitution.put(r, args.get(name));
            }
        });
        Map<String, Object> out = new LinkedHashMap<>();
        nested.exports().forEach((name, type) -> {
            if (type != null) {
                out.put(name, substitution.getOrDefault(type, type));
            }
        });
        return out;
    }

    private static void readAlias(Reader s, Scope scope, List<Definition> defs) {
        Sort sort = Sort.read(s);
        int target = s.u8();
        switch (target) {
            case 0x00 -> {
                int instance = s.u32();
                String name = s.name();
                InstanceType type = (InstanceType) staticType(scope, Sort.INSTANCE, instance, s);
                Object exported = type == null ? null : type.exports().get(name);
                if (sort == Sort.TYPE && exported == null) {
                    throw s.error("alias of type '" + name + "' from instance " + instance + ", which has no such type export");
                }
                track(scope, sort, exported);
                defs.add(new Definition.ExportAlias(sort, instance, name));
            }
            case 0x01 -> {
                int coreInstance = s.u32();
                String name = s.name();
                if (sort == Sort.CORE_TYPE) {
                    scope.coreTypes++;
                }
                defs.add(new Definition.CoreAlias(sort, coreInstance, name));
            }
            case 0x02 -> {
                int count = s.u32();
                int index = s.u32();
                Scope outer = scope;
                for (int i = 0; i < count; i++) {
                    if (outer.parent == null) {
                        throw s.error("outer alias count " + count + " leaves the outermost component");
                    }
                    outer = outer.parent;
                }
                switch (sort) {
                    case TYPE -> {
                        Object type = outer.type(index, s);
                        scope.types.add(type);
                        defs.add(new Definition.TypeDef(type));
                    }
                    case CORE_TYPE -> {
                        scope.coreTypes++;
                        defs.add(new Definition.CoreTypeDef());
                    }
                    case COMPONENT -> {
                        ParsedComponent nested = (ParsedComponent) staticType(outer, Sort.COMPONENT, index, s);
                        scope.components.add(nested);
                        defs.add(new Definition.NestedComponent(nested));
                    }
                    case CORE_MODULE -> {
                        Definition.CoreModule module = (Definition.CoreModule) staticType(outer, Sort.CORE_MODULE, index, s);
                        scope.coreModules.add(module);
                        defs.add(module);
                    }
                    default -> throw s.error("outer alias of a " + sort.label() + " is not allowed");
                }
            }
            default -> throw s.error("unknown alias target 0x" + Integer.toHexString(target));
        }
    }

    private static void readCanon(Reader s, Scope scope, List<Definition> defs) {
        int op = s.u8();
        switch (op) {
            case 0x00 -> {
                expect(s, 0x00, "canon lift");
                int coreFunc = s.u32();
                CanonOptions options = readOptions(s);
                Object type = scope.type(s.u32(), s);
                if (!(type instanceof FuncType ft)) {
                    throw s.error("canon lift: type is not a function type");
                }
                scope.funcs.add(ft);
                defs.add(new Definition.Lift(coreFunc, options, ft));
            }
            case 0x01 -> {
                expect(s, 0x00, "canon lower");
                int func = s.u32();
                defs.add(new Definition.Lower(func, readOptions(s)));
            }
            case 0x02 -> defs.add(new Definition.ResourceNew(resource(s, scope)));
            case 0x03 -> defs.add(new Definition.ResourceDrop(resource(s, scope)));
            case 0x04 -> defs.add(new Definition.ResourceRep(resource(s, scope)));
            default -> throw s.error("canon built-in 0x" + Integer.toHexString(op)
                    + " is not supported (edge runs synchronous components: no async, streams, futures or threads)");
        }
    }

    private static ResourceType resource(Reader s, Scope scope) {
        Object type = scope.type(s.u32(), s);
        if (!(type instanceof ResourceType r)) {
            throw s.error("canon resource built-in: type is not a resource");
        }
        return r;
    }

    private static CanonOptions readOptions(Reader s) {
        int memory = -1;
        int realloc = -1;
        int postReturn = -1;
        for (int n = s.u32(); n > 0; n--) {
            int opt = s.u8();
            switch (opt) {
                case 0x00 -> { } // string-encoding=utf8
                case 0x01 -> throw s.error("string-encoding=utf16 is not supported (edge supports utf8 only)");
                case 0x02 -> throw s.error("string-encoding=latin1+utf16 is not supported (edge supports utf8 only)");
                case 0x03 -> memory = s.u32();
                case 0x04 -> realloc = s.u32();
                case 0x05 -> postReturn = s.u32();
                case 0x06, 0x07 -> throw s.error("async canonical options are not supported");
                default -> throw s.error("unknown canonical option 0x" + Integer.toHexString(opt));
            }
        }
        return new CanonOptions(memory, realloc, postReturn);
    }

    private static void expect(Reader s, int value, String what) {
        int b = s.u8();
        if (b != value) {
            throw s.error(what + ": expected 0x" + Integer.toHexString(value) + ", found 0x" + Integer.toHexString(b));
        }
    }

    /** An import/export name with its optional attributes (which do not affect linking here). */
    private static String readExternName(Reader s) {
        int form = s.u8();
        String name = s.name();
        if (form == 0x02) {
            for (int n = s.u32(); n > 0; n--) {
                int kind = s.u8();
                if (kind > 0x02) {
                    throw s.error("unknown name attribute 0x" + Integer.toHexString(kind));
                }
                s.name();
            }
        } else if (form > 0x02) {
            throw s.error("unknown name form 0x" + Integer.toHexString(form));
        }
        return name;
    }

    /** Returns {sort, type}; for a type bound, the bound type (a fresh ResourceType for sub resource). */
    private static Object[] readExternType(Reader s, Scope scope, String name) {
        int kind = s.u8();
        return switch (kind) {
            case 0x00 -> {
                expect(s, 0x11, "core module extern type");
                s.u32();
                yield new Object[] {Sort.CORE_MODULE, null};
            }
            case 0x01 -> {
                Object t = scope.type(s.u32(), s);
                if (!(t instanceof FuncType)) {
                    throw s.error("func '" + name + "' has a type that is not a function type");
                }
                yield new Object[] {Sort.FUNC, t};
            }
            case 0x02 -> throw s.error("value imports and exports are not supported ('" + name + "')");
            case 0x03 -> {
                int bound = s.u8();
                if (bound == 0x00) {
                    yield new Object[] {Sort.TYPE, scope.type(s.u32(), s)};
                }
                if (bound == 0x01) {
                    yield new Object[] {Sort.TYPE, new ResourceType(name, false, -1)};
                }
                throw s.error("unknown type bound 0x" + Integer.toHexString(bound));
            }
            case 0x04 -> new Object[] {Sort.COMPONENT, scope.type(s.u32(), s)};
            case 0x05 -> {
                Object t = scope.type(s.u32(), s);
                if (!(t instanceof InstanceType)) {
                    throw s.error("instance '" + name + "' has a type that is not an instance type");
                }
                yield new Object[] {Sort.INSTANCE, t};
            }
            default -> throw s.error("unknown extern type 0x" + Integer.toHexString(kind));
        };
    }

    private static Object readDefType(Reader s, Scope scope, String label) {
        int form = s.peek();
        switch (form) {
            case 0x40 -> {
                s.u8();
                List<String> names = new ArrayList<>();
                List<ValType> params = new ArrayList<>();
                for (int n = s.u32(); n > 0; n--) {
                    names.add(s.name());
                    params.add(readValType(s, scope));
                }
                ValType result = null;
                int results = s.u8();
                if (results == 0x00) {
                    result = readValType(s, scope);
                } else if (results == 0x01) {
                    if (s.u32() != 0) {
                        throw s.error("functions with named results are not supported");
                    }
                } else {
                    throw s.error("unknown result list form 0x" + Integer.toHexString(results));
                }
                return new FuncType(names, params, result);
            }
            case 0x41 -> {
                s.u8();
                Scope inner = new Scope(scope);
                for (int n = s.u32(); n > 0; n--) {
                    int decl = s.u8();
                    if (decl == 0x03) {
                        String name = readExternName(s);
                        Object[] extern = readExternType(s, inner, name);
                        inner.imports.put(name, extern[1]);
                        if (extern[0] == Sort.TYPE) {
                            inner.types.add(extern[1]);
                        }
                    } else {
                        readInstanceDecl(s, inner, decl);
                    }
                }
                return new ComponentType(inner.imports, inner.exports);
            }
            case 0x42 -> {
                s.u8();
                Scope inner = new Scope(scope);
                for (int n = s.u32(); n > 0; n--) {
                    readInstanceDecl(s, inner, s.u8());
                }
                return new InstanceType(inner.exports);
            }
            case 0x3f -> {
                s.u8();
                if (s.u8() != 0x7f) {
                    throw s.error("resource representation must be i32");
                }
                int destructor = s.u8() == 0x01 ? s.u32() : -1;
                return new ResourceType(label, true, destructor);
            }
            case 0x43 -> throw s.error("async function types are not supported");
            default -> {
                return readDefValType(s, scope);
            }
        }
    }

    private static void readInstanceDecl(Reader s, Scope inner, int decl) {
        switch (decl) {
            case 0x00 -> {
                readCoreType(s);
                inner.coreTypes++;
            }
            case 0x01 -> inner.types.add(readDefType(s, inner, "type #" + inner.types.size()));
            case 0x02 -> {
                Sort sort = Sort.read(s);
                int target = s.u8();
                if (target == 0x02 && (sort == Sort.TYPE || sort == Sort.CORE_TYPE)) {
                    int count = s.u32();
                    int index = s.u32();
                    Scope outer = inner;
                    for (int i = 0; i < count; i++) {
                        if (outer.parent == null) {
                            throw s.error("outer alias count " + count + " leaves the outermost scope");
                        }
                        outer = outer.parent;
                    }
                    if (sort == Sort.TYPE) {
                        inner.types.add(outer.type(index, s));
                    } else {
                        inner.coreTypes++;
                    }
                } else if (target == 0x00 && sort == Sort.TYPE) {
                    throw s.error("export aliases inside type declarations are not supported");
                } else {
                    throw s.error("unsupported alias declarator in a type");
                }
            }
            case 0x04 -> {
                String name = readExternName(s);
                Object[] extern = readExternType(s, inner, name);
                inner.exports.put(name, extern[1]);
                if (extern[0] == Sort.TYPE) {
                    inner.types.add(extern[1]);
                }
            }
            default -> throw s.error("unknown declarator 0x" + Integer.toHexString(decl));
        }
    }

    private static ValType readDefValType(Reader s, Scope scope) {
        int code = s.u8();
        ValType prim = prim(code);
        if (prim != null) {
            return prim;
        }
        switch (code) {
            case 0x72 -> {
                List<String> names = new ArrayList<>();
                List<ValType> fields = new ArrayList<>();
                for (int n = s.u32(); n > 0; n--) {
                    names.add(s.name());
                    fields.add(readValType(s, scope));
                }
                if (fields.isEmpty()) {
                    throw s.error("record with no fields");
                }
                return new ValType.RecordType(names, fields);
            }
            case 0x71 -> {
                List<String> names = new ArrayList<>();
                List<ValType> cases = new ArrayList<>();
                for (int n = s.u32(); n > 0; n--) {
                    names.add(s.name());
                    cases.add(s.u8() == 0x01 ? readValType(s, scope) : null);
                    if (s.u8() != 0x00) {
                        throw s.error("variant case refinements are not supported");
                    }
                }
                if (cases.isEmpty()) {
                    throw s.error("variant with no cases");
                }
                return new ValType.VariantType(names, cases);
            }
            case 0x70 -> {
                return new ValType.ListType(readValType(s, scope));
            }
            case 0x6f -> {
                List<ValType> elements = new ArrayList<>();
                for (int n = s.u32(); n > 0; n--) {
                    elements.add(readValType(s, scope));
                }
                if (elements.isEmpty()) {
                    throw s.error("tuple with no elements");
                }
                return new ValType.TupleType(elements);
            }
            case 0x6e -> {
                List<String> names = labels(s);
                if (names.isEmpty() || names.size() > 32) {
                    throw s.error("flags must have 1 to 32 labels, found " + names.size());
                }
                return new ValType.FlagsType(names);
            }
            case 0x6d -> {
                List<String> names = labels(s);
                if (names.isEmpty()) {
                    throw s.error("enum with no cases");
                }
                return new ValType.EnumType(names);
            }
            case 0x6b -> {
                return new ValType.OptionType(readValType(s, scope));
            }
            case 0x6a -> {
                ValType ok = s.u8() == 0x01 ? readValType(s, scope) : null;
                ValType err = s.u8() == 0x01 ? readValType(s, scope) : null;
                return new ValType.ResultType(ok, err);
            }
            case 0x69, 0x68 -> {
                Object t = scope.type(s.u32(), s);
                if (!(t instanceof ResourceType r)) {
                    throw s.error((code == 0x69 ? "own" : "borrow") + " of a type that is not a resource");
                }
                return code == 0x69 ? new ValType.OwnType(r) : new ValType.BorrowType(r);
            }
            case 0x67 -> throw s.error("fixed-length lists are not supported");
            case 0x66, 0x65 -> throw s.error("streams and futures are not supported");
            case 0x64 -> throw s.error("error-context is not supported");
            default -> throw s.error("unknown value type 0x" + Integer.toHexString(code));
        }
    }

    private static List<String> labels(Reader s) {
        List<String> names = new ArrayList<>();
        for (int n = s.u32(); n > 0; n--) {
            names.add(s.name());
        }
        return names;
    }

    private static ValType prim(int code) {
        return switch (code) {
            case 0x7f -> ValType.Prim.BOOL;
            case 0x7e -> ValType.Prim.S8;
            case 0x7d -> ValType.Prim.U8;
            case 0x7c -> ValType.Prim.S16;
            case 0x7b -> ValType.Prim.U16;
            case 0x7a -> ValType.Prim.S32;
            case 0x79 -> ValType.Prim.U32;
            case 0x78 -> ValType.Prim.S64;
            case 0x77 -> ValType.Prim.U64;
            case 0x76 -> ValType.Prim.F32;
            case 0x75 -> ValType.Prim.F64;
            case 0x74 -> ValType.Prim.CHAR;
            case 0x73 -> ValType.Prim.STRING;
            default -> null;
        };
    }

    private static ValType readValType(Reader s, Scope scope) {
        ValType prim = prim(s.peek());
        if (prim != null) {
            s.u8();
            return prim;
        }
        Object t = scope.type(s.u32(), s);
        if (!(t instanceof ValType v)) {
            throw s.error("value type refers to a " + (t == null ? "missing type" : t.getClass().getSimpleName()));
        }
        return v;
    }

    /** Core types only need skipping: core modules carry their own types. */
    private static void readCoreType(Reader s) {
        int form = s.u8();
        switch (form) {
            case 0x60 -> {
                for (int n = s.u32(); n > 0; n--) {
                    readCoreValType(s);
                }
                for (int n = s.u32(); n > 0; n--) {
                    readCoreValType(s);
                }
            }
            case 0x50 -> {
                for (int n = s.u32(); n > 0; n--) {
                    int decl = s.u8();
                    switch (decl) {
                        case 0x00 -> {
                            s.name();
                            s.name();
                            readCoreExternType(s);
                        }
                        case 0x01 -> readCoreType(s);
                        case 0x02 -> {
                            expect(s, 0x10, "core alias");
                            expect(s, 0x01, "core alias");
                            s.u32();
                            s.u32();
                        }
                        case 0x03 -> {
                            s.name();
                            readCoreExternType(s);
                        }
                        default -> throw s.error("unknown core module declarator 0x" + Integer.toHexString(decl));
                    }
                }
            }
            default -> throw s.error("unsupported core type form 0x" + Integer.toHexString(form));
        }
    }

    private static void readCoreValType(Reader s) {
        int b = s.u8();
        if (b == 0x63 || b == 0x64) {
            s.s33();
        }
    }

    private static void readCoreExternType(Reader s) {
        int kind = s.u8();
        switch (kind) {
            case 0x00 -> s.u32();
            case 0x01 -> {
                readCoreValType(s);
                readLimits(s);
            }
            case 0x02 -> readLimits(s);
            case 0x03 -> {
                readCoreValType(s);
                s.u8();
            }
            case 0x04 -> {
                s.u8();
                s.u32();
            }
            default -> throw s.error("unknown core extern type 0x" + Integer.toHexString(kind));
        }
    }

    private static void readLimits(Reader s) {
        int flags = s.u8();
        s.skipLeb();
        if ((flags & 0x01) != 0) {
            s.skipLeb();
        }
    }
}
