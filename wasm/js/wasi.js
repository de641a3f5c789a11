// A minimal WASI preview 1 for permc modules: exactly what Go's wasip1 runtime calls,
// the same code in Node and in browsers. A permc module reads no files, arguments or
// environment; it uses the clock only to pace its garbage collector and random bytes
// only to seed its hash maps, so no decision depends on either. Any other import a
// module might name answers ENOSYS.

const ESUCCESS = 0;
const EBADF = 8;
const EINVAL = 28;
const ENOSYS = 52;

/** Thrown by proc_exit: the Go runtime stopped (it printed why to stderr). */
export class WasiExit extends Error {
  constructor(code) {
    super(`the module exited with code ${code}`);
    this.name = "WasiExit";
    this.code = code;
  }
}

// lineWriter turns fd_write's bytes into lines for a callback.
function lineWriter(emit) {
  const decoder = new TextDecoder();
  let pending = "";
  return (bytes) => {
    pending += decoder.decode(bytes, { stream: true });
    let nl;
    while ((nl = pending.indexOf("\n")) >= 0) {
      emit(pending.slice(0, nl));
      pending = pending.slice(nl + 1);
    }
  };
}

/**
 * wasiImports returns the import object for a module: wasi_snapshot_preview1 with
 * the functions listed in WebAssembly.Module.imports(module), each of the known ones
 * implemented, any other answering ENOSYS. memory() returns the instance's memory,
 * which exists only once the instance does.
 */
export function wasiImports(module, memory, { stdout, stderr } = {}) {
  const out = {
    1: lineWriter(stdout ?? ((line) => console.log(line))),
    2: lineWriter(stderr ?? ((line) => console.error(line))),
  };
  const view = () => new DataView(memory().buffer);
  const bytes = (ptr, len) => new Uint8Array(memory().buffer, ptr, len);
  const origin = globalThis.performance?.timeOrigin ?? Date.now();
  const now = () => (globalThis.performance ? performance.now() : Date.now());

  const zeroCounts = (countPtr, sizePtr) => {
    const v = view();
    v.setUint32(countPtr, 0, true);
    v.setUint32(sizePtr, 0, true);
    return ESUCCESS;
  };

  const known = {
    args_sizes_get: zeroCounts,
    args_get: () => ESUCCESS,
    environ_sizes_get: zeroCounts,
    environ_get: () => ESUCCESS,

    clock_time_get(id, _precision, timePtr) {
      let ms;
      if (id === 0) ms = origin + now(); // realtime
      else if (id === 1) ms = now(); // monotonic
      else return EINVAL;
      view().setBigUint64(timePtr, BigInt(Math.round(ms * 1e6)), true);
      return ESUCCESS;
    },

    fd_write(fd, iovs, iovsLen, nwrittenPtr) {
      const write = out[fd];
      if (!write) return EBADF;
      const v = view();
      let n = 0;
      for (let i = 0; i < iovsLen; i++) {
        const ptr = v.getUint32(iovs + 8 * i, true);
        const len = v.getUint32(iovs + 8 * i + 4, true);
        write(bytes(ptr, len).slice());
        n += len;
      }
      view().setUint32(nwrittenPtr, n, true);
      return ESUCCESS;
    },

    random_get(ptr, len) {
      // getRandomValues fills at most 65536 bytes a call.
      for (let i = 0; i < len; i += 65536) {
        globalThis.crypto.getRandomValues(bytes(ptr + i, Math.min(65536, len - i)));
      }
      return ESUCCESS;
    },

    // Go sleeps through poll_oneoff only when it has nothing to run, which a permc
    // export never leaves it with. Every clock subscription fires at once; there are
    // no descriptors to wait on.
    poll_oneoff(inPtr, outPtr, nsubs, neventsPtr) {
      const v = view();
      for (let i = 0; i < nsubs; i++) {
        const sub = inPtr + 48 * i;
        const ev = outPtr + 32 * i;
        const tag = v.getUint8(sub + 8);
        v.setBigUint64(ev, v.getBigUint64(sub, true), true); // userdata
        v.setUint16(ev + 8, tag === 0 ? ESUCCESS : EBADF, true);
        v.setUint8(ev + 10, tag);
        v.setBigUint64(ev + 16, 0n, true);
        v.setUint16(ev + 24, 0, true);
      }
      v.setUint32(neventsPtr, nsubs, true);
      return ESUCCESS;
    },

    sched_yield: () => ESUCCESS,

    proc_exit(code) {
      throw new WasiExit(code);
    },

    // No preopened directories: the runtime's search for them stops at fd 3.
    fd_prestat_get: () => EBADF,
    fd_prestat_dir_name: () => EBADF,

    fd_fdstat_get(fd, statPtr) {
      if (fd > 2) return EBADF;
      const v = view();
      for (let i = 0; i < 24; i += 8) v.setBigUint64(statPtr + i, 0n, true);
      v.setUint8(statPtr, 2); // character device
      return ESUCCESS;
    },
    fd_fdstat_set_flags: (fd) => (fd > 2 ? EBADF : ESUCCESS),
  };

  const wasi = {};
  for (const imp of WebAssembly.Module.imports(module)) {
    if (imp.module !== "wasi_snapshot_preview1" || imp.kind !== "function") continue;
    wasi[imp.name] = known[imp.name] ?? (() => ENOSYS);
  }
  return { wasi_snapshot_preview1: wasi };
}
