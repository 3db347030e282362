// Every client the bench knows, by name.
import { forgeDriver } from "./forge.js";
import { microtlsDriver } from "./microtls.js";
import { microtlsCoreDriver } from "./microtls-core.js";
import { nativeDriver } from "./native.js";
import { reclaimDriver } from "./reclaim.js";
import type { Driver } from "./types.js";

export type DriverName = "microtls" | "microtls core (no adapter)" | "node:tls" | "@reclaimprotocol/tls" | "node-forge";

export async function loadDriver(name: DriverName): Promise<Driver> {
  switch (name) {
    case "microtls":
      return microtlsDriver();
    case "microtls core (no adapter)":
      return microtlsCoreDriver();
    case "node:tls":
      return nativeDriver();
    case "@reclaimprotocol/tls":
      return reclaimDriver();
    case "node-forge":
      return forgeDriver();
  }
}
