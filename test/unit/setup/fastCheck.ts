// Property tests are reproducible in CI: one fixed seed unless MMX_FC_SEED names another, or
// MMX_FC_SEED=random lets fast-check pick (it prints the seed of any failure).
import fc from 'fast-check';

const env = process.env.MMX_FC_SEED;
if (env !== 'random') fc.configureGlobal({ seed: env ? Number(env) : 20261123 });
