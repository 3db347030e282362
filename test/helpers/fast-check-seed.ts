import fc from "fast-check";

// Every property test runs from one fixed seed, so a failure reproduces; FC_SEED picks another (fast-check prints
// the seed and the shrunk path of any failure, and a test's own `seed:` still wins).
const seed = process.env.FC_SEED !== undefined ? Number(process.env.FC_SEED) : 1402;
if (!Number.isInteger(seed)) throw new Error(`FC_SEED must be an integer, got ${process.env.FC_SEED}`);
fc.configureGlobal({ ...fc.readConfigureGlobal(), seed });
