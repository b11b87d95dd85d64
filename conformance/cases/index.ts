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

export const ALL_CASES: ConformanceCase[] = [...general, ...register, ...auth, ...ready, ...heartbeat, ...lookup, ...list, ...expiry, ...errors, ...testProfile, ...model, ...performance, ...robustness];
