/**
 * SPEC TEST-*: the optional test-control profile. These cases move the
 * relay's clock, so they run in the exclusive expiry phase.
 */
import { CaseSkip, check, describeReply, expectError, expectStatus, isInteger, NotApplicable } from '../runner/verify.ts';
import { defineCases, PATHS } from './steps.ts';

const PRODUCTION_SKIP = '--production: the relay is checked as deployed, so its clock is never moved';
/** TEST-1 is a MAY and TEST-2 binds only relays that offer the profile: without it there is nothing to check. */
const NOT_OFFERED = 'the relay does not offer POST /api/test/clock (the optional test-control profile: a zero advance was not answered 400 invalid_clock_advance)';

export default defineCases([
  {
    id: 'TEST-1/advance-clock',
    requirements: ['TEST-1'],
    title: 'POST /api/test/clock moves the clock forward and reports it',
    timing: 'clock',
    async run(context) {
      if (!context.time.facts.testProfileOffered) throw new NotApplicable(NOT_OFFERED);
      if (context.time.facts.production) throw new CaseSkip(PRODUCTION_SKIP);
      const first = expectStatus(await context.client.post(PATHS.clock, { advance_seconds: 0.001 }), 200, 'advance by 1 ms');
      context.time.advancedMs += 1;
      const reply = await context.client.post(PATHS.clock, { advance_seconds: 2 });
      const second = expectStatus(reply, 200, 'advance by 2 s');
      context.time.advancedMs += 2000;
      check(isInteger(first.now) && isInteger(second.now) && (second.now as number) - (first.now as number) >= 2,
        `"now" (integer unix seconds) at least 2 s after the previous ${String(first.now)}`, describeReply(reply));
    },
  },
  {
    id: 'TEST-2/invalid-advance',
    requirements: ['TEST-2'],
    title: 'an invalid advance is refused and does not move the clock',
    timing: 'clock',
    async run(context) {
      if (!context.time.facts.testProfileOffered) throw new NotApplicable(NOT_OFFERED);
      if (context.time.facts.production) throw new CaseSkip(PRODUCTION_SKIP);
      const before = expectStatus(await context.client.post(PATHS.clock, { advance_seconds: 0.001 }), 200, 'advance by 1 ms');
      context.time.advancedMs += 1;
      for (const value of [undefined, 0, -5, '10', null, [1]]) {
        const body = value === undefined ? {} : { advance_seconds: value };
        expectError(await context.client.post(PATHS.clock, body), 400, 'invalid_clock_advance', `advance_seconds: ${JSON.stringify(value) ?? 'absent'}`);
      }
      const reply = await context.client.post(PATHS.clock, { advance_seconds: 0.001 });
      const after = expectStatus(reply, 200, 'advance by 1 ms');
      context.time.advancedMs += 1;
      check((after.now as number) - (before.now as number) <= 2, `"now" within 2 s of ${String(before.now)} (refused advances moved nothing)`, describeReply(reply));
    },
  },
  {
    id: 'TEST-3/absent-outside-test-mode',
    requirements: ['TEST-3'],
    title: 'without test mode, POST /api/test/clock is an unknown route',
    timing: 'clock',
    async run(context) {
      const { production, testProfileOffered } = context.time.facts;
      if (testProfileOffered && !production) throw new NotApplicable('the relay runs in test mode (it offers the profile), so this production check does not apply; pass --production to check a deployed relay');
      // A zero advance is refused by a relay that offers the profile, so probing never moves a deployed clock.
      expectError(await context.client.post(PATHS.clock, { advance_seconds: 0 }), 404, 'route_not_found', production ? 'POST /api/test/clock on a relay checked with --production' : 'POST /api/test/clock on a relay not in test mode');
    },
  },
]);
