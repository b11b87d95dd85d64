/**
 * pino logs: JSON for machines, human-readable when stdout is a terminal.
 * Edges create loggers; pure cores never log.
 */
import pino, { type Logger } from 'pino';
import pretty from 'pino-pretty';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export function createLogger(level: LogLevel = 'info', name = 'relaylab'): Logger {
  if (process.stdout.isTTY) {
    return pino({ level, name }, pretty({ colorize: true, translateTime: 'HH:MM:ss.l', ignore: 'pid,hostname', sync: true }));
  }
  return pino({ level, name });
}

export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
