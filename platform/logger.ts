import { pino, type Logger } from 'pino';

/**
 * Structured logs. Known secret-bearing fields are redacted wherever they appear; callers
 * log ids and codes, never payload content.
 */
export function createLogger(level: string, name: string): Logger {
  return pino({
    name,
    level,
    redact: {
      paths: ['authorization', '*.authorization', 'headers.authorization', 'token', '*.token', 'secret', '*.secret', 'password', '*.password'],
      censor: '[redacted]',
    },
  });
}
export type { Logger };
