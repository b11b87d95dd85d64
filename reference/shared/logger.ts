/**
 * pino logs: JSON for machines, human-readable when stdout is a terminal.
 * Edges create loggers; pure cores never log.
 */
import pino, { type Logger } from 'pino';
import pretty from 'pino-pretty';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** On stdout (`fd` 1), or on stderr (2: where a relay's refusal to start goes, written synchronously before it exits). */
export function createLogger(level: LogLevel = 'info', name = 'relaylab', fd: 1 | 2 = 1): Logger {
  if ((fd === 1 ? process.stdout : process.stderr).isTTY) {
    return pino({ level, name }, pretty({ colorize: true, translateTime: 'HH:MM:ss.l', ignore: 'pid,hostname', sync: true, destination: fd }));
  }
  return fd === 1 ? pino({ level, name }) : pino({ level, name }, pino.destination({ dest: 2, sync: true }));
}

export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
