// The device bundle's stand-in for provider-config.ts (scripts/build-engine-bundle.mjs swaps it in): the pure-JS
// device profile brings its own small crypto, and the provider layering costs it 5 KB of script, which QuickJS pays
// about ten times over to compile. A device with native crypto builds from microtls/core with its provider instead.
import type { CryptoProvider } from "../crypto/provider.js";
import { tlsError } from "../errors.js";
import type { ProviderChoices } from "./provider-config.js";

function absent(): never {
  throw tlsError("config", "the device bundle takes no crypto option: build from microtls/core to use a CryptoProvider");
}

export function providerList(_crypto: unknown): CryptoProvider[] {
  return absent();
}

export function chooseWithProviders(_options: unknown, _layers: readonly CryptoProvider[], _trace: unknown): ProviderChoices {
  return absent();
}
