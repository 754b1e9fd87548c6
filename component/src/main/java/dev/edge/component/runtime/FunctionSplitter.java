package dev.edge.component.runtime;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Splits Wasm functions too large for one JVM method into a smaller function plus helper functions, so
 * that Chicory's compiler can compile all of them instead of leaving the whole function to its interpreter
 * (the JavaScript engine's bytecode loop in a componentize-js component is 57 KB of Wasm; 37 KB compiles).
 *
 * <p>The transformation outlines whole {@code block}/{@code loop} constructs (no parameters; no result or one
 * numeric result), largest first, until the function is small enough. A helper takes the locals live into
 * the region (read there before being written, found by a liveness pass over the function): the first
 * {@link #MAX_PARAMS} as parameters, the rest through spill slots, mutable globals the split adds to the
 * module (one per value type and position, set by the call site just before the call and read by the helper
 * at entry). It gives back the locals it writes that are live after the region, and the region's result or
 * a branch's value, through spill slots too, and returns only an i32 exit code. So a helper has few JVM
 * parameters and no multi-value result (Chicory returns those as a {@code long[]}, one per call), and
 * HotSpot's compilers accept it (they refused the ~55-parameter helpers of the first version). A branch out
 * of the region (to a label taking nothing or one numeric value; {@code return} is a branch to the
 * function's label) becomes an exit, and the call site takes the original branch ({@link #outline}). Locals
 * keep their values and the order of effects is unchanged, so the result computes exactly what the original
 * does; the spill slots are only live between a call site and the helper's entry or exit, with nothing in
 * between, so calls nested in the region (recursion included) cannot clobber them. A function it cannot
 * handle (exception handling, SIMD or GC instructions, branches out carrying several values) is left as it
 * is; so is the module when nothing needs splitting (the same array is returned). A malformed module is
 * returned as it is too, for Chicory's parser to report.
 */
final class FunctionSplitter {
    /** Bodies larger than this many bytes are split. */
    static final int SPLIT_ABOVE = 40_000;
    /**
     * Largest helper, and the size the split function is brought down to: 4 KB of Wasm gives JVM methods under
     * HotSpot's 8,000-byte limit for JIT compilation ({@code HugeMethodLimit}).
     */
    static final int TARGET = 4_000;
    /** Live locals a helper takes as parameters; more go through spill slots (C2 refuses ~55 parameters). */
    static final int MAX_PARAMS = 24;
    /**
     * Names this splitter's output in the split cache ({@link SplitCache}): bump the version whenever
     * {@link #split} could give different bytes for the same input.
     */
    static final String ID = "function-splitter-2/" + SPLIT_ABOVE + "/" + TARGET + "/" + MAX_PARAMS;

    private final int target;
    /** Smaller regions are not worth a call (the call site passes the region's live locals). */
    private final int minRegion;
    private final List<byte[]> types = new ArrayList<>();   // encoded func types (0x60 ...)
    private final List<byte[]> newTypes = new ArrayList<>();
    private final List<byte[]> newBodies = new ArrayList<>();
    private final List<Integer> newTypeIndices = new ArrayList<>();
    private int nextFunction;
    private int importedGlobals;
    /** Index of the first global this splitter adds (after the module's imported and defined ones). */
    private int firstNewGlobal;
    /** The added globals' value types: spill slots through which call sites and helpers pass locals. */
    private final List<Integer> newGlobals = new ArrayList<>();
    /** value type -> global indices of its spill slots, in order. */
    private final Map<Integer, List<Integer>> slots = new HashMap<>();

    private FunctionSplitter(int target) {
        this.target = target;
        this.minRegion = Math.max(32, target / 64);
    }

    static byte[] split(byte[] module) {
        return split(module, SPLIT_ABOVE, TARGET);
    }

    static byte[] split(byte[] module, int splitAbove, int target) {
        try {
            return new FunctionSplitter(target).run(module, splitAbove);
        } catch (RuntimeException e) {
            return module; // not something we rewrite: Chicory's parser gives the real error, if any
        }
    }

    private static final class Unsupported extends RuntimeException {
        Unsupported(String message) {
            super(message, null, false, false);
        }
    }

    // ---------------------------------------------------------------------------------------- module

    private byte[] run(byte[] module, int splitAbove) {
        if (module.length < 8 || module[0] != 0 || module[1] != 'a' || module[2] != 's' || module[3] != 'm'
                || module[4] != 1 || module[5] != 0 || module[6] != 0 || module[7] != 0) {
            return module;
        }
        // section id -> [start of content, end of content]; only the ones we read
        int[] typeSec = null, importSec = null, funcSec = null, codeSec = null, globalSec = null;
        Reader r = new Reader(module, 8);
        while (r.pos < module.length) {
            int id = module[r.pos++] & 0xff;
            int size = r.u32();
            int[] range = {r.pos, r.pos + size};
            switch (id) {
                case 1 -> typeSec = range;
                case 2 -> importSec = range;
                case 3 -> funcSec = range;
                case 6 -> globalSec = range;
                case 10 -> codeSec = range;
                default -> { }
            }
            r.pos += size;
        }
        if (codeSec == null || typeSec == null || funcSec == null) {
            return module;
        }
        // quick look: any body large enough?
        Reader code = new Reader(module, codeSec[0]);
        int count = code.u32();
        boolean any = false;
        for (int i = 0; i < count; i++) {
            int size = code.u32();
            any |= size > splitAbove;
            code.pos += size;
        }
        if (!any) {
            return module;
        }
        Reader t = new Reader(module, typeSec[0]);
        int typeCount = t.u32();
        for (int i = 0; i < typeCount; i++) {
            int start = t.pos;
            if (t.u8() != 0x60) {
                throw new Unsupported("non-function type");
            }
            t.skip(t.u32()); // params: one byte each (checked below when used)
            t.skip(t.u32());
            types.add(Arrays.copyOfRange(module, start, t.pos));
        }
        int imported = 0;
        if (importSec != null) {
            Reader im = new Reader(module, importSec[0]);
            int n = im.u32();
            for (int i = 0; i < n; i++) {
                im.skip(im.u32());
                im.skip(im.u32());
                int kind = im.u8();
                switch (kind) {
                    case 0 -> { im.u32(); imported++; }
                    case 1 -> { im.u8(); im.limits(); }
                    case 2 -> im.limits();
                    case 3 -> { im.u8(); im.u8(); importedGlobals++; }
                    case 4 -> { im.u8(); im.u32(); }
                    default -> throw new Unsupported("import kind " + kind);
                }
            }
        }
        Reader f = new Reader(module, funcSec[0]);
        int defined = f.u32();
        int[] funcTypes = new int[defined];
        for (int i = 0; i < defined; i++) {
            funcTypes[i] = f.u32();
        }
        if (defined != count) {
            return module;
        }
        nextFunction = imported + defined;
        firstNewGlobal = importedGlobals + (globalSec == null ? 0 : new Reader(module, globalSec[0]).u32());

        List<byte[]> bodies = new ArrayList<>(count);
        code = new Reader(module, codeSec[0]);
        code.u32();
        boolean changed = false;
        for (int i = 0; i < count; i++) {
            int size = code.u32();
            byte[] body = Arrays.copyOfRange(module, code.pos, code.pos + size);
            code.pos += size;
            if (size > splitAbove) {
                int before = newBodies.size(), typesBefore = newTypes.size(), next = nextFunction;
                try {
                    byte[] split = splitFunction(body, types.get(funcTypes[i]), splitAbove);
                    if (split != null) {
                        body = split;
                        changed = true;
                    }
                } catch (RuntimeException e) {
                    // leave this function whole; forget any helpers made for it
                    newBodies.subList(before, newBodies.size()).clear();
                    newTypeIndices.subList(before, newTypeIndices.size()).clear();
                    newTypes.subList(typesBefore, newTypes.size()).clear();
                    nextFunction = next;
                }
            }
            bodies.add(body);
        }
        if (!changed) {
            return module;
        }
        Out out = new Out();
        out.bytes(module, 0, 8);
        r = new Reader(module, 8);
        boolean globalsOut = newGlobals.isEmpty();
        while (r.pos < module.length) {
            int start = r.pos;
            int id = module[r.pos++] & 0xff;
            int size = r.u32();
            int contentStart = r.pos;
            r.pos += size;
            if (!globalsOut && id != 0 && id != 13 && id > 6) { // no global section: the new one goes here
                Out globals = new Out();
                globals.u32(newGlobals.size());
                newGlobals.forEach(vt -> globals.bytes(globalEntry(vt)));
                out.u8(6);
                out.u32(globals.size());
                out.bytes(globals.toByteArray());
                globalsOut = true;
            }
            Out content = new Out();
            switch (id) {
                case 6 -> {
                    Reader g = new Reader(module, contentStart);
                    content.u32(g.u32() + newGlobals.size());
                    content.bytes(module, g.pos, contentStart + size - g.pos);
                    newGlobals.forEach(vt -> content.bytes(globalEntry(vt)));
                    globalsOut = true;
                }
                case 1 -> {
                    content.u32(types.size() + newTypes.size());
                    types.forEach(content::bytes);
                    newTypes.forEach(content::bytes);
                }
                case 3 -> {
                    content.u32(defined + newTypeIndices.size());
                    for (int ti : funcTypes) {
                        content.u32(ti);
                    }
                    newTypeIndices.forEach(content::u32);
                }
                case 10 -> {
                    content.u32(bodies.size() + newBodies.size());
                    for (byte[] b : bodies) {
                        content.u32(b.length);
                        content.bytes(b);
                    }
                    for (byte[] b : newBodies) {
                        content.u32(b.length);
                        content.bytes(b);
                    }
                }
                default -> {
                    out.bytes(module, start, r.pos - start);
                    continue;
                }
            }
            out.u8(id);
            out.u32(content.size());
            out.bytes(content.toByteArray());
        }
        if (!globalsOut) {
            throw new Unsupported("no place for the global section");
        }
        return out.toByteArray();
    }

    /** A mutable global of value type {@code t}, zero (or null) at instantiation. */
    private static byte[] globalEntry(int t) {
        Out o = new Out();
        o.u8(t);
        o.u8(1);
        switch (t) {
            case 0x7F -> { o.u8(I32_CONST); o.u8(0); }
            case 0x7E -> { o.u8(0x42); o.u8(0); }
            case 0x7D -> o.bytes(new byte[] {0x43, 0, 0, 0, 0});
            case 0x7C -> o.bytes(new byte[] {0x44, 0, 0, 0, 0, 0, 0, 0, 0});
            default -> { o.u8(0xD0); o.u8(t); }
        }
        o.u8(END);
        return o.toByteArray();
    }

    /** The global index of spill slot {@code k} of value type {@code t}, made on first use. */
    private int slot(int t, int k) {
        if (t == 0x7B) {
            throw new Unsupported("v128 local carried across a call");
        }
        List<Integer> pool = slots.computeIfAbsent(t, x -> new ArrayList<>());
        while (pool.size() <= k) {
            newGlobals.add(t);
            pool.add(firstNewGlobal + newGlobals.size() - 1);
        }
        return pool.get(k);
    }

    private int typeIndex(byte[] params, byte[] results) {
        Out o = new Out();
        o.u8(0x60);
        o.u32(params.length);
        o.bytes(params);
        o.u32(results.length);
        o.bytes(results);
        byte[] encoded = o.toByteArray();
        for (int i = 0; i < types.size(); i++) {
            if (Arrays.equals(types.get(i), encoded)) {
                return i;
            }
        }
        for (int i = 0; i < newTypes.size(); i++) {
            if (Arrays.equals(newTypes.get(i), encoded)) {
                return types.size() + i;
            }
        }
        newTypes.add(encoded);
        return types.size() + newTypes.size() - 1;
    }

    private static byte[][] paramsAndResults(byte[] type) {
        Reader r = new Reader(type, 1);
        int np = r.u32();
        byte[] params = Arrays.copyOfRange(type, r.pos, r.pos + np);
        r.pos += np;
        int nr = r.u32();
        byte[] results = Arrays.copyOfRange(type, r.pos, r.pos + nr);
        for (byte b : params) {
            checkValType(b);
        }
        for (byte b : results) {
            checkValType(b);
        }
        return new byte[][] {params, results};
    }

    private static void checkValType(int b) {
        switch (b & 0xff) {
            case 0x7F, 0x7E, 0x7D, 0x7C, 0x7B, 0x70, 0x6F -> { }
            default -> throw new Unsupported("value type " + Integer.toHexString(b & 0xff));
        }
    }

    // -------------------------------------------------------------------------------------- function

    private static final int BLOCK = 0x02, LOOP = 0x03, IF = 0x04, ELSE = 0x05, END = 0x0B, BR = 0x0C,
            BR_IF = 0x0D, BR_TABLE = 0x0E, RETURN = 0x0F, CALL = 0x10, LOCAL_GET = 0x20, LOCAL_SET = 0x21,
            LOCAL_TEE = 0x22, GLOBAL_GET = 0x23, GLOBAL_SET = 0x24, I32_CONST = 0x41, EMPTY = 0x40, I32 = 0x7F, DROP = 0x1A, I32_EQ = 0x46;
    /** {@link Ins#blockType} of an empty block type (type indices are >= 0, value types negative). */
    private static final long VOID = Long.MIN_VALUE;
    /** The empty-typed block of a call site's dispatch: never outlined again (it would only move). */
    private static final long DISPATCH = Long.MIN_VALUE + 1;

    /** One instruction: its encoding, and the immediates the transformation reads or rewrites. */
    private record Ins(int op, byte[] bytes, int local, int[] labels, long blockType) {
        static Ins of(int op, byte[] bytes) {
            return new Ins(op, bytes, -1, null, 0);
        }
    }

    private byte[] splitFunction(byte[] body, byte[] type, int splitAbove) {
        byte[][] pr = paramsAndResults(type);
        Reader r = new Reader(body, 0);
        List<Byte> localTypes = new ArrayList<>();
        for (byte p : pr[0]) {
            localTypes.add(p);
        }
        int groups = r.u32();
        for (int i = 0; i < groups; i++) {
            int n = r.u32();
            byte vt = (byte) r.u8();
            checkValType(vt);
            if (localTypes.size() + (long) n > 50_000) {
                throw new Unsupported("too many locals");
            }
            for (int j = 0; j < n; j++) {
                localTypes.add(vt);
            }
        }
        List<Ins> ins = decode(body, r);
        // New locals of the split function, after all others: a call site's exit code, and one per type to
        // carry a value out; each call site sets them and reads them at once.
        int codeLocal = localTypes.size();
        localTypes.add((byte) I32);
        int[] stash = new int[256];
        for (int t : STASHED) {
            stash[t] = localTypes.size();
            localTypes.add((byte) t);
        }
        Function fn = new Function(localTypes, labelType(pr[1]), codeLocal, stash);
        int outlined = 0;
        while (size(ins) > target && outlined < 1000) {
            Region region = pickRegion(ins, fn);
            if (region == null) {
                break;
            }
            ins = outline(ins, region, fn);
            outlined++;
        }
        // Short of the target (what is left has no region we can outline), it is still worth it when the rest
        // is no longer too large: below the split threshold, or half as large again as the target.
        if (outlined == 0 || size(ins) > Math.max(target * 3 / 2, splitAbove)) {
            throw new Unsupported("cannot bring the function down to size: " + size(ins) + " after " + outlined);
        }
        return encodeBody(localTypes, pr[0].length, ins);
    }

    /** Value types a region's result or exit may carry. */
    private static final int[] STASHED = {0x7F, 0x7E, 0x7D, 0x7C};

    /** A label's type: 0 when it takes no value, the value type when it takes one, -1 otherwise. */
    private static int labelType(byte[] values) {
        return values.length == 0 ? 0 : values.length == 1 && stashable(values[0] & 0xff) ? values[0] & 0xff : -1;
    }

    private static boolean stashable(int t) {
        return t == 0x7F || t == 0x7E || t == 0x7D || t == 0x7C;
    }

    private record Function(List<Byte> localTypes, int resultType, int codeLocal, int[] stash) {}

    /** {@code ins[start..end]}: a block or loop; {@code enclosing}: label types around it, the function's first. */
    private record Region(int start, int end, int[] enclosing) {}

    private static int size(List<Ins> ins) {
        int s = 0;
        for (Ins i : ins) {
            s += i.bytes.length;
        }
        return s;
    }

    /** The largest block or loop, at most {@code target} bytes, whose result and exits we can carry out. */
    private Region pickRegion(List<Ins> ins, Function fn) {
        int n = ins.size();
        int[] match = new int[n];
        int[] prefix = new int[n + 1];
        int[][] enclosing = new int[n][];
        List<Integer> starts = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        labels.add(fn.resultType);
        for (int i = 0; i < n; i++) {
            Ins in = ins.get(i);
            prefix[i + 1] = prefix[i] + in.bytes.length;
            switch (in.op) {
                case BLOCK, LOOP, IF -> {
                    enclosing[i] = labels.stream().mapToInt(Integer::intValue).toArray();
                    starts.add(i);
                    labels.add(labelType(in));
                }
                case END -> {
                    if (!starts.isEmpty()) {
                        match[starts.remove(starts.size() - 1)] = i;
                        labels.remove(labels.size() - 1);
                    }
                }
                default -> { }
            }
        }
        List<int[]> candidates = new ArrayList<>(); // [start, size]
        for (int s = 0; s < n; s++) {
            Ins in = ins.get(s);
            if ((in.op == BLOCK || in.op == LOOP) && resultType(in) >= 0) {
                int size = prefix[match[s] + 1] - prefix[s];
                if (size <= target && size >= minRegion) {
                    candidates.add(new int[] {s, size});
                }
            }
        }
        candidates.sort((a, b) -> Integer.compare(b[1], a[1]));
        for (int[] c : candidates) {
            if (exitsCanBeCarried(ins, c[0], match[c[0]], enclosing[c[0]])) {
                return new Region(c[0], match[c[0]], enclosing[c[0]]);
            }
        }
        return null;
    }

    /** What a block leaves when it falls through: 0 nothing, a value type, -1 anything else (params too). */
    private int resultType(Ins block) {
        long bt = block.blockType;
        if (bt == VOID) {
            return 0;
        }
        if (bt == DISPATCH) {
            return -1;
        }
        if (bt < 0) {
            return stashable((int) -bt) ? (int) -bt : -1;
        }
        byte[][] pr = paramsAndResults(types.get((int) bt));
        return pr[0].length == 0 ? labelType(pr[1]) : -1;
    }

    /** The type of the values a branch to this block's label carries (see {@link #labelType(byte[])}). */
    private int labelType(Ins block) {
        long bt = block.blockType;
        if (bt == VOID || bt == DISPATCH) {
            return 0;
        }
        if (bt < 0) {
            return block.op == LOOP ? 0 : stashable((int) -bt) ? (int) -bt : -1;
        }
        byte[][] pr = paramsAndResults(types.get((int) bt));
        return labelType(block.op == LOOP ? pr[0] : pr[1]);
    }

    private static boolean exitsCanBeCarried(List<Ins> ins, int s, int e, int[] enclosing) {
        int depth = 0;
        for (int i = s; i <= e; i++) {
            Ins in = ins.get(i);
            switch (in.op) {
                case BLOCK, LOOP, IF -> depth++;
                case END -> depth--;
                case RETURN -> {
                    if (enclosing[0] < 0) {
                        return false;
                    }
                }
                case BR, BR_IF, BR_TABLE -> {
                    for (int d : in.labels) {
                        if (d >= depth && enclosing[enclosing.length - 1 - (d - depth)] < 0) {
                            return false;
                        }
                    }
                }
                default -> { }
            }
        }
        return true;
    }

    /**
     * Replaces a region with a call to a new helper holding it; IN are the locals live into the region (the
     * first {@link #MAX_PARAMS} are the helper's parameters P, the rest go through spill slots S), OUT the
     * written locals live after it. The helper, {@code (P) -> i32}:
     * <pre>
     * global.get S  local.set (each IN beyond P)
     * block $out
     *   block (E_{m-1} type) ... block (E_0 type)
     *     REGION               ;; a branch to outer label t becomes a branch to E_x; `return` is the function's label
     *     [local.set stash]    ;; the region's result, if any
     *     i32.const 0  local.set $x  br $out
     *   end  [local.set stash]  i32.const 1  local.set $x  br $out
     *   ...
     * end
     * local.get (each OUT) global.set S ... local.get (each stash) global.set S ... local.get $x
     * </pre>
     * and the call site:
     * <pre>
     * local.get (each IN beyond P) global.set S ...  local.get (each P) ...  call $helper
     * local.set $code  global.get S local.set (each OUT) ...  global.get S local.set (each stash) ...
     * local.get stash  local.get $code  i32.const x+1  i32.eq  br_if t_x  drop   ;; per exit carrying a value
     * block  local.get $code  br_table 0 (t_x + 1 or 0 per exit) 0  end          ;; the exits carrying none
     * [local.get stash]                                                           ;; the region's result, if any
     * </pre>
     */
    private List<Ins> outline(List<Ins> ins, Region rg, Function fn) {
        int s = rg.start, e = rg.end, open = rg.enclosing.length - 1;
        TreeSet<Integer> used = new TreeSet<>(), written = new TreeSet<>();
        for (int i = s; i <= e; i++) {
            Ins in = ins.get(i);
            if (in.local >= 0) {
                used.add(in.local);
                // the exit code and stash locals are dead between call sites: not results (they would
                // overwrite the values this call site sets)
                if (in.op != LOCAL_GET && in.local < fn.codeLocal) {
                    written.add(in.local);
                }
            }
        }
        int[] u = used.stream().mapToInt(Integer::intValue).toArray();
        int[] w = written.stream().mapToInt(Integer::intValue).toArray();
        // Only what flows matters: the locals live into the region go in (the first MAX_PARAMS as parameters,
        // the rest through spill slots, globals of their type), the written ones live after any of its exits
        // come out through spill slots; the helper returns only an i32 exit code. So it has few JVM parameters
        // and no multi-value result (an array per call in Chicory), and the JIT compilers accept it.
        Liveness lv = new Liveness(ins, fn.localTypes.size());
        long[] after = lv.liveAfter(s, e);
        int[] liveIn = Arrays.stream(u).filter(x -> Liveness.has(lv.live[s], x)).toArray();
        int[] liveOut = Arrays.stream(w).filter(x -> Liveness.has(after, x)).toArray();
        int np = Math.min(liveIn.length, MAX_PARAMS);
        // helper locals: its parameters, then the other locals the region uses, the exit code, the stashes
        int[] remap = new int[fn.localTypes.size()];
        Arrays.fill(remap, -1);
        List<Byte> helperLocals = new ArrayList<>();
        for (int i = 0; i < np; i++) {
            remap[liveIn[i]] = helperLocals.size();
            helperLocals.add(fn.localTypes.get(liveIn[i]));
        }
        for (int x : u) {
            if (remap[x] < 0) {
                remap[x] = helperLocals.size();
                helperLocals.add(fn.localTypes.get(x));
            }
        }
        // The region's exits: outer label depths relative to the region's position, in order of appearance.
        List<Integer> exits = new ArrayList<>();
        List<Ins> region = new ArrayList<>();
        int depth = 0;
        for (int i = s; i <= e; i++) {
            Ins in = ins.get(i);
            switch (in.op) {
                case BLOCK, LOOP, IF -> {
                    depth++;
                    region.add(in);
                }
                case END -> {
                    depth--;
                    region.add(in);
                }
                case LOCAL_GET, LOCAL_SET, LOCAL_TEE -> region.add(local(in.op, remap[in.local]));
                case BR, BR_IF, BR_TABLE, RETURN -> {
                    int[] labels = in.op == RETURN ? new int[] {depth + open} : in.labels.clone();
                    for (int k = 0; k < labels.length; k++) {
                        int d = labels[k];
                        if (d >= depth) {
                            int x = exits.indexOf(d - depth);
                            if (x < 0) {
                                exits.add(d - depth);
                                x = exits.size() - 1;
                            }
                            labels[k] = depth + x;
                        }
                    }
                    region.add(branch(in.op == RETURN ? BR : in.op, labels));
                }
                default -> region.add(in);
            }
        }
        int m = exits.size();
        int resultType = resultType(ins.get(s));
        int[] exitTypes = new int[m];
        boolean[] stashUsed = new boolean[256];
        stashUsed[resultType] = resultType != 0;
        for (int x = 0; x < m; x++) {
            exitTypes[x] = rg.enclosing[open - exits.get(x)];
            stashUsed[exitTypes[x]] = exitTypes[x] != 0;
        }
        List<Integer> stashes = new ArrayList<>(); // value types carried out, in STASHED order
        for (int t : STASHED) {
            if (stashUsed[t]) {
                stashes.add(t);
            }
        }
        int[] count = new int[256];
        int[] inSlot = new int[liveIn.length], outSlot = new int[liveOut.length], stashSlot = new int[256];
        for (int i = np; i < liveIn.length; i++) {
            int t = fn.localTypes.get(liveIn[i]) & 0xff;
            inSlot[i] = slot(t, count[t]++);
        }
        Arrays.fill(count, 0);
        for (int i = 0; i < liveOut.length; i++) {
            int t = fn.localTypes.get(liveOut[i]) & 0xff;
            outSlot[i] = slot(t, count[t]++);
        }
        for (int t : stashes) {
            stashSlot[t] = slot(t, count[t]++);
        }
        byte[] params = new byte[np];
        for (int i = 0; i < np; i++) {
            params[i] = fn.localTypes.get(liveIn[i]);
        }
        int helperType = typeIndex(params, new byte[] {(byte) I32});
        int helper = nextFunction++;
        int exitCode = helperLocals.size();
        helperLocals.add((byte) I32);
        int[] helperStash = new int[256];
        for (int t : stashes) {
            helperStash[t] = helperLocals.size();
            helperLocals.add((byte) t);
        }

        List<Ins> h = new ArrayList<>();
        for (int i = np; i < liveIn.length; i++) {
            h.add(global(GLOBAL_GET, inSlot[i]));
            h.add(local(LOCAL_SET, remap[liveIn[i]]));
        }
        h.add(block(BLOCK, 0));
        for (int x = m - 1; x >= 0; x--) {
            h.add(block(BLOCK, exitTypes[x]));
        }
        h.addAll(region);
        if (resultType != 0) {
            h.add(local(LOCAL_SET, helperStash[resultType]));
        }
        h.add(i32(0));
        h.add(local(LOCAL_SET, exitCode));
        h.add(branch(BR, new int[] {m}));
        for (int x = 0; x < m; x++) {
            h.add(Ins.of(END, new byte[] {END}));
            if (exitTypes[x] != 0) {
                h.add(local(LOCAL_SET, helperStash[exitTypes[x]]));
            }
            h.add(i32(x + 1));
            h.add(local(LOCAL_SET, exitCode));
            h.add(branch(BR, new int[] {m - 1 - x}));
        }
        h.add(Ins.of(END, new byte[] {END}));
        for (int i = 0; i < liveOut.length; i++) {
            h.add(local(LOCAL_GET, remap[liveOut[i]]));
            h.add(global(GLOBAL_SET, outSlot[i]));
        }
        for (int t : stashes) {
            h.add(local(LOCAL_GET, helperStash[t]));
            h.add(global(GLOBAL_SET, stashSlot[t]));
        }
        h.add(local(LOCAL_GET, exitCode));
        h.add(Ins.of(END, new byte[] {END}));
        newBodies.add(encodeBody(helperLocals, np, h));
        newTypeIndices.add(helperType);

        List<Ins> call = new ArrayList<>();
        for (int i = np; i < liveIn.length; i++) {
            call.add(local(LOCAL_GET, liveIn[i]));
            call.add(global(GLOBAL_SET, inSlot[i]));
        }
        for (int i = 0; i < np; i++) {
            call.add(local(LOCAL_GET, liveIn[i]));
        }
        Out c = new Out();
        c.u8(CALL);
        c.u32(helper);
        call.add(Ins.of(CALL, c.toByteArray()));
        if (m == 0) {
            call.add(Ins.of(DROP, new byte[] {DROP})); // the exit code: always 0
        } else {
            call.add(local(LOCAL_SET, fn.codeLocal));
        }
        for (int i = 0; i < liveOut.length; i++) {
            call.add(global(GLOBAL_GET, outSlot[i]));
            call.add(local(LOCAL_SET, liveOut[i]));
        }
        for (int t : stashes) {
            call.add(global(GLOBAL_GET, stashSlot[t]));
            call.add(local(LOCAL_SET, fn.stash[t]));
        }
        boolean voidExits = false;
        for (int x = 0; x < m; x++) {
            if (exitTypes[x] == 0) {
                voidExits = true;
                continue;
            }
            call.add(local(LOCAL_GET, fn.stash[exitTypes[x]]));
            call.add(local(LOCAL_GET, fn.codeLocal));
            call.add(i32(x + 1));
            call.add(Ins.of(I32_EQ, new byte[] {I32_EQ}));
            call.add(branch(BR_IF, new int[] {exits.get(x)}));
            call.add(Ins.of(DROP, new byte[] {DROP}));
        }
        if (voidExits) {
            call.add(new Ins(BLOCK, new byte[] {BLOCK, EMPTY}, -1, null, DISPATCH));
            call.add(local(LOCAL_GET, fn.codeLocal));
            int[] table = new int[m + 2];
            for (int x = 0; x < m; x++) {
                table[x + 1] = exitTypes[x] == 0 ? exits.get(x) + 1 : 0;
            }
            call.add(branch(BR_TABLE, table));
            call.add(Ins.of(END, new byte[] {END}));
        }
        if (resultType != 0) {
            call.add(local(LOCAL_GET, fn.stash[resultType]));
        }
        List<Ins> result = new ArrayList<>(ins.size() - (e - s) + call.size());
        result.addAll(ins.subList(0, s));
        result.addAll(call);
        result.addAll(ins.subList(e + 1, ins.size()));
        return result;
    }

    /**
     * Which locals are live before each instruction of a function (read on some path from there before
     * being written): backward data flow over Wasm's structured control flow, repeated until loops settle.
     */
    private static final class Liveness {
        private final List<Ins> ins;
        /** Before instruction i; entry n (after the function's end) is empty. Arrays are never changed in place. */
        final long[][] live;
        private final int[] endOf;   // block, loop or if -> its end
        private final int[] elseOf;  // if -> its else, or -1
        private final int[] ifOf;    // else -> its if
        private final int[][] targets; // branch -> the constructs it leaves to (-1: the function)
        Liveness(List<Ins> ins, int locals) {
            this.ins = ins;
            int n = ins.size();
            live = new long[n + 1][];
            Arrays.fill(live, new long[(locals + 63) >>> 6]);
            endOf = new int[n];
            elseOf = new int[n];
            ifOf = new int[n];
            targets = new int[n][];
            Arrays.fill(elseOf, -1);
            int[] open = new int[n];
            int depth = 0;
            for (int i = 0; i < n; i++) {
                Ins in = ins.get(i);
                switch (in.op) {
                    case BLOCK, LOOP, IF -> open[depth++] = i;
                    case ELSE -> {
                        elseOf[open[depth - 1]] = i;
                        ifOf[i] = open[depth - 1];
                    }
                    case END -> {
                        if (depth > 0) {
                            endOf[open[--depth]] = i;
                        }
                    }
                    case BR, BR_IF, BR_TABLE -> {
                        int[] t = new int[in.labels.length];
                        for (int k = 0; k < t.length; k++) {
                            t[k] = in.labels[k] < depth ? open[depth - 1 - in.labels[k]] : -1;
                        }
                        targets[i] = t;
                    }
                    default -> { }
                }
            }
            for (boolean changed = true; changed; ) {
                changed = false;
                for (int i = n - 1; i >= 0; i--) {
                    long[] now = before(i);
                    if (now != live[i] && !Arrays.equals(now, live[i])) {
                        live[i] = now;
                        changed = true;
                    }
                }
            }
        }

        private long[] before(int i) {
            Ins in = ins.get(i);
            long[] next = live[i + 1];
            return switch (in.op) {
                case BR, BR_TABLE -> {
                    long[] r = live[ins.size()];
                    for (int t : targets[i]) {
                        r = or(r, at(t));
                    }
                    yield r;
                }
                case BR_IF -> or(next, at(targets[i][0]));
                case RETURN, 0x00 -> live[ins.size()];
                case IF -> or(next, elseOf[i] >= 0 ? live[elseOf[i] + 1] : live[endOf[i]]);
                case ELSE -> live[endOf[ifOf[i]]];
                case LOCAL_GET -> has(next, in.local) ? next : with(next, in.local, true);
                case LOCAL_SET, LOCAL_TEE -> has(next, in.local) ? with(next, in.local, false) : next;
                default -> next;
            };
        }

        /** Live where a branch to construct {@code c} continues: a loop's start, after a block's end. */
        private long[] at(int c) {
            return c < 0 ? live[ins.size()] : ins.get(c).op == LOOP ? live[c] : live[endOf[c]];
        }

        /** Live after {@code ins[s..e]} is left: by falling through its end or by any branch out of it. */
        long[] liveAfter(int s, int e) {
            long[] r = live[e + 1];
            for (int i = s; i <= e; i++) {
                if (targets[i] != null) {
                    for (int c : targets[i]) {
                        int to = c < 0 ? -1 : ins.get(c).op == LOOP ? c : endOf[c];
                        if (to < s || to > e) {
                            r = or(r, at(c));
                        }
                    }
                }
            }
            return r;
        }

        static boolean has(long[] set, int x) {
            return (set[x >>> 6] & 1L << x) != 0;
        }

        private static long[] with(long[] set, int x, boolean on) {
            long[] r = set.clone();
            if (on) {
                r[x >>> 6] |= 1L << x;
            } else {
                r[x >>> 6] &= ~(1L << x);
            }
            return r;
        }

        private static long[] or(long[] a, long[] b) {
            long[] r = null;
            for (int k = 0; k < a.length; k++) {
                if ((b[k] & ~a[k]) != 0) {
                    if (r == null) {
                        r = a.clone();
                    }
                    r[k] |= b[k];
                }
            }
            return r == null ? a : r;
        }
    }

    private static Ins local(int op, int index) {
        Out o = new Out();
        o.u8(op);
        o.u32(index);
        return new Ins(op, o.toByteArray(), index, null, 0);
    }

    private static Ins global(int op, int index) {
        Out o = new Out();
        o.u8(op);
        o.u32(index);
        return Ins.of(op, o.toByteArray());
    }

    private static Ins branch(int op, int[] labels) {
        Out o = new Out();
        o.u8(op);
        if (op == BR_TABLE) {
            o.u32(labels.length - 1);
        }
        for (int l : labels) {
            o.u32(l);
        }
        return new Ins(op, o.toByteArray(), -1, labels, 0);
    }

    /** A block of no parameters and no result, or one result of value type {@code type}. */
    private static Ins block(int op, int type) {
        return new Ins(op, new byte[] {(byte) op, (byte) (type == 0 ? EMPTY : type)}, -1, null, type == 0 ? VOID : -type);
    }

    private static Ins i32(int value) {
        Out o = new Out();
        o.u8(I32_CONST);
        o.s64(value);
        return Ins.of(I32_CONST, o.toByteArray());
    }

    private static byte[] encodeBody(List<Byte> localTypes, int params, List<Ins> ins) {
        Out o = new Out();
        List<int[]> groups = new ArrayList<>(); // [count, type]
        for (int i = params; i < localTypes.size(); i++) {
            int t = localTypes.get(i) & 0xff;
            if (!groups.isEmpty() && groups.get(groups.size() - 1)[1] == t) {
                groups.get(groups.size() - 1)[0]++;
            } else {
                groups.add(new int[] {1, t});
            }
        }
        o.u32(groups.size());
        for (int[] g : groups) {
            o.u32(g[0]);
            o.u8(g[1]);
        }
        for (Ins in : ins) {
            o.bytes(in.bytes);
        }
        return o.toByteArray();
    }

    /** Decodes every instruction up to the function's final {@code end}. */
    private static List<Ins> decode(byte[] body, Reader r) {
        List<Ins> out = new ArrayList<>();
        int open = 0;
        while (r.pos < body.length) {
            int start = r.pos;
            int op = r.u8();
            int local = -1;
            int[] labels = null;
            long blockType = 0;
            switch (op) {
                case BLOCK, LOOP, IF -> {
                    open++;
                    int b = body[r.pos] & 0xff;
                    if (b == EMPTY) {
                        r.pos++;
                        blockType = VOID;
                    } else if (b >= 0x6F && b <= 0x7F) {
                        checkValType(b);
                        r.pos++;
                        blockType = -b; // value type: negative, distinct from EMPTY and type indices
                    } else {
                        blockType = r.s64();
                        if (blockType < 0) {
                            throw new Unsupported("block type");
                        }
                    }
                }
                case END -> open--;
                case BR, BR_IF -> labels = new int[] {r.u32()};
                case BR_TABLE -> {
                    int n = r.u32();
                    labels = new int[n + 1];
                    for (int i = 0; i <= n; i++) {
                        labels[i] = r.u32();
                    }
                }
                case CALL -> r.u32();
                case 0x11 -> { r.u32(); r.u32(); }
                case 0x1C -> {
                    int n = r.u32();
                    for (int i = 0; i < n; i++) {
                        checkValType(r.u8());
                    }
                }
                case LOCAL_GET, LOCAL_SET, LOCAL_TEE -> local = r.u32();
                case 0x23, 0x24, 0x25, 0x26, 0x3F, 0x40, 0xD2 -> r.u32();
                case I32_CONST, 0x42 -> r.s64();
                case 0x43 -> r.pos += 4;
                case 0x44 -> r.pos += 8;
                case 0xD0 -> checkValType(r.u8());
                case 0x00, 0x01, ELSE, RETURN, 0x1A, 0x1B, 0xD1 -> { }
                case 0xFC -> {
                    int sub = r.u32();
                    switch (sub) {
                        case 0, 1, 2, 3, 4, 5, 6, 7 -> { }
                        case 8, 10, 12, 14 -> { r.u32(); r.u32(); }
                        case 9, 11, 13, 15, 16, 17 -> r.u32();
                        default -> throw new Unsupported("0xFC " + sub);
                    }
                }
                default -> {
                    if (op >= 0x28 && op <= 0x3E) {
                        int align = r.u32();
                        if ((align & 0x40) != 0) {
                            r.u32();
                        }
                        r.s64(); // offset (u64 in memory64; skipping is the same)
                    } else if (op < 0x45 || op > 0xC4) {
                        throw new Unsupported("opcode 0x" + Integer.toHexString(op));
                    }
                }
            }
            out.add(new Ins(op, Arrays.copyOfRange(body, start, r.pos), local, labels, blockType));
            if (open < 0) {
                if (r.pos != body.length) {
                    throw new Unsupported("code after the function's end");
                }
                return out;
            }
        }
        throw new Unsupported("function without end");
    }

    // ------------------------------------------------------------------------------------- encoding

    private static final class Reader {
        final byte[] b;
        int pos;

        Reader(byte[] b, int pos) {
            this.b = b;
            this.pos = pos;
        }

        int u8() {
            return b[pos++] & 0xff;
        }

        void skip(int n) {
            pos += n;
        }

        int u32() {
            long v = 0;
            int shift = 0;
            int x;
            do {
                x = b[pos++] & 0xff;
                v |= (long) (x & 0x7f) << shift;
                shift += 7;
                if (shift > 35) {
                    throw new Unsupported("bad LEB128");
                }
            } while ((x & 0x80) != 0);
            if (v > Integer.MAX_VALUE) {
                throw new Unsupported("index too large");
            }
            return (int) v;
        }

        long s64() {
            long v = 0;
            int shift = 0;
            int x;
            do {
                x = b[pos++] & 0xff;
                v |= (long) (x & 0x7f) << shift;
                shift += 7;
                if (shift > 70) {
                    throw new Unsupported("bad LEB128");
                }
            } while ((x & 0x80) != 0);
            if (shift < 64 && (x & 0x40) != 0) {
                v |= -1L << shift;
            }
            return v;
        }

        void limits() {
            int flags = u8();
            if (flags > 7) {
                throw new Unsupported("limits");
            }
            s64();
            if ((flags & 1) != 0) {
                s64();
            }
        }
    }

    private static final class Out extends ByteArrayOutputStream {
        void u8(int v) {
            write(v);
        }

        void u32(int v) {
            long x = v & 0xffffffffL;
            do {
                int b = (int) (x & 0x7f);
                x >>>= 7;
                write(x != 0 ? b | 0x80 : b);
            } while (x != 0);
        }

        void s64(long v) {
            boolean more = true;
            while (more) {
                int b = (int) (v & 0x7f);
                v >>= 7;
                more = !((v == 0 && (b & 0x40) == 0) || (v == -1 && (b & 0x40) != 0));
                write(more ? b | 0x80 : b);
            }
        }

        void bytes(byte[] b) {
            write(b, 0, b.length);
        }

        void bytes(byte[] b, int off, int len) {
            write(b, off, len);
        }
    }
}
