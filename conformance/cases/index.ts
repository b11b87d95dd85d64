/** Every conformance case, one file per SPEC section. */
import type { ConformanceCase } from '../runner/types.ts';
import general from './general.ts';
import register from './register.ts';
import auth from './auth.ts';
import ready from './ready.ts';
import heartbeat from './heartbeat.ts';
import lookup from './lookup.ts';
import list from './list.ts';
import expiry from './expiry.ts';
import errors from './errors.ts';
import testProfile from './test-profile.ts';
import model from './model.ts';
import performance from './performance.ts';
import robustness from './robustness.ts';
import robustnessConnections from './robustness-connections.ts';
import robustnessHeaderAuth from './robustness-header-auth.ts';
import possession from './possession.ts';
import certificateExpiry from './certificate-expiry.ts';
import extensions from './extensions.ts';

// ROB-1 first: it mostly waits (10 s against the reference relay), so it starts with the instant cases instead of holding up their end.
export const ALL_CASES: ConformanceCase[] = [...robustnessConnections, ...general, ...register, ...possession, ...auth, ...certificateExpiry, ...ready, ...heartbeat, ...lookup, ...list, ...expiry, ...errors, ...testProfile, ...model, ...performance, ...robustness, ...robustnessHeaderAuth, ...extensions];
