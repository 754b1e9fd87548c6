package dev.edge.component.runtime;

import com.dylibso.chicory.runtime.ImportFunction;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.WasmFunctionHandle;
import com.dylibso.chicory.wasm.types.FunctionType;

/** A core function: an export of a core instance, or one made by {@code canon lower} / resource built-ins. */
record CoreFunc(FunctionType type, WasmFunctionHandle handle, Instance owner) {

    long[] call(long... args) {
        return handle.apply(owner, args);
    }

    ImportFunction asImport(String module, String name) {
        return owner == null ? new ImportFunction(module, name, type, handle)
                : new ImportFunction(module, name, type, handle, owner);
    }
}
